/* mbox - the message copy and mbox files; see mbox.h.
 *
 * Lock order is Postfix's: the dotlock (NAME.lock, created O_EXCL) first,
 * then the file, then the fcntl lock on it; each waits up to
 * MBOX_LOCK_ATTEMPTS seconds.  A dotlock older than MBOX_STALE_LOCK
 * seconds was left by a dead writer and is removed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mbox.h"
#include "mem.h"
#include "strv.h"

enum { FLUSH_AT = 64 * 1024 };

struct mbox {
	int dir_fd, fd;
	char *name;
	char *lock_name;		/* NAME.lock when we hold it */
	off_t size;
};

/* flush - write out b completely, counting what was written; -1 with errno */
static int flush(int fd, struct buf *b, struct mail_vsize *written)
{
	const char *p = buf_str(b);
	size_t left = buf_len(b);

	while (left > 0) {
		ssize_t n = write(fd, p, left);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return -1;
		}
		mail_vsize_add(written, p, (size_t)n);
		p += n;
		left -= (size_t)n;
	}
	buf_reset(b);
	return 0;
}

/* headers - the From_ line and the delivery headers into b */
static void headers(struct buf *b, const struct mbox_copy *c, time_t now)
{
	if (c->flags & MBOX_COPY_FROM_LINE) {
		char date[32];
		struct tm tm;

		localtime_r(&now, &tm);
		strftime(date, sizeof(date), "%a %b %e %H:%M:%S %Y", &tm);
		buf_printf(b, "From %s  %s\n", *c->sender ? c->sender : "MAILER-DAEMON", date);
	}
	buf_printf(b, "Return-Path: <%s>\n", c->sender);
	if (c->original_to)
		buf_printf(b, "X-Original-To: %s\n", c->original_to);
	if (c->delivered_to)
		buf_printf(b, "Delivered-To: %s\n", c->delivered_to);
}

/* mbox_header_size - bytes written before the content */
size_t mbox_header_size(const struct mbox_copy *c)
{
	struct buf *b = buf_new(256);
	size_t n;

	headers(b, c, time(NULL));
	n = buf_len(b) + ((c->flags & MBOX_COPY_BLANK) ? 1 : 0);
	buf_free(&b);
	return n;
}

/* mbox_write - headers, content and the trailing blank line to fd */
int mbox_write(int fd, const struct mbox_copy *c, struct mail_vsize *written_r, struct buf *why)
{
	struct buf *b = buf_new(FLUSH_AT + 4096);
	struct mail_vsize written = { 0 };
	bool at_start = true, partial;
	const char *line;
	size_t len;
	int rc;

	headers(b, c, time(NULL));
	if (c->begin && c->begin(c->ctx, why) < 0) {
		rc = -2;
		goto out;
	}
	while ((rc = c->next(c->ctx, &line, &len, &partial, why)) > 0) {
		if ((c->flags & MBOX_COPY_QUOTE) && at_start && len >= 5 && memcmp(line, "From ", 5) == 0)
			buf_putc(b, '>');
		buf_add(b, line, len);
		if (!partial)
			buf_putc(b, '\n');
		at_start = !partial;
		if (buf_len(b) >= FLUSH_AT && flush(fd, b, &written) < 0)
			break;
	}
	if (rc < 0) {
		rc = -2;
		goto out;
	}
	if (rc == 0) {
		if (!at_start)
			buf_putc(b, '\n');	/* the last piece had no line end */
		if (c->flags & MBOX_COPY_BLANK)
			buf_putc(b, '\n');
		rc = flush(fd, b, &written);
	} else {
		rc = -1;
	}
	if (rc == -1)
		buf_printf(why, "write: %s", strerror(errno));
out:
	if (written_r)
		*written_r = written;
	{
		int err = errno;

		buf_free(&b);
		errno = err;
	}
	return rc;
}

/* mbox_lock_flags - mailbox_delivery_lock words into bits */
int mbox_lock_flags(const char *list)
{
	struct strv *v = strv_split(list, ", \t\n");
	int flags = 0;

	for (size_t i = 0; i < v->len && flags >= 0; i++) {
		if (strcasecmp(v->items[i], "fcntl") == 0)
			flags |= MBOX_LOCK_FCNTL;
		else if (strcasecmp(v->items[i], "dotlock") == 0)
			flags |= MBOX_LOCK_DOTLOCK;
		else if (strcasecmp(v->items[i], "flock") == 0)
			flags |= MBOX_LOCK_FLOCK;
		else
			flags = -1;
	}
	strv_free(&v);
	return flags;
}

/* dotlock - create NAME.lock, waiting for a live one, removing a stale one */
static int dotlock(struct mbox *mb, struct buf *why)
{
	struct buf *lock = buf_new(64);
	struct stat st;

	buf_printf(lock, "%s.lock", mb->name);
	for (int i = 0; i < MBOX_LOCK_ATTEMPTS; i++) {
		int fd = openat(mb->dir_fd, buf_str(lock),
				O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

		if (fd >= 0) {
			close(fd);
			mb->lock_name = buf_steal(&lock);
			return 0;
		}
		if (errno != EEXIST)
			break;
		if (fstatat(mb->dir_fd, buf_str(lock), &st, AT_SYMLINK_NOFOLLOW) == 0
		    && time(NULL) > st.st_mtime + MBOX_STALE_LOCK) {
			unlinkat(mb->dir_fd, buf_str(lock), 0);
			continue;
		}
		sleep(1);
	}
	buf_printf(why, "unable to create lock file %s: %s", buf_str(lock),
		   errno == EEXIST ? "held by another process" : strerror(errno));
	if (errno == EEXIST)
		errno = EAGAIN;
	buf_free(&lock);
	return -1;
}

/* open_file - the mailbox itself, created when missing */
static int open_file(struct mbox *mb, uid_t uid, gid_t gid, struct buf *why)
{
	for (int i = 0; i < 3; i++) {
		int fd = openat(mb->dir_fd, mb->name, O_WRONLY | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

		if (fd >= 0)
			return fd;
		if (errno != ENOENT)
			break;
		fd = openat(mb->dir_fd, mb->name,
			    O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0) {
			if (uid != (uid_t)-1 && geteuid() == 0 && fchown(fd, uid, gid) < 0) {
				int err = errno;

				close(fd);
				unlinkat(mb->dir_fd, mb->name, 0);
				errno = err;
				break;
			}
			fsync(mb->dir_fd);
			return fd;
		}
		if (errno != EEXIST)
			break;
	}
	buf_printf(why, "open %s: %s", mb->name, errno == ELOOP ? "is a symbolic link" : strerror(errno));
	return -1;
}

/* check_file - regular, one link, the expected owner */
static int check_file(struct mbox *mb, uid_t uid, struct buf *why)
{
	struct stat st;

	if (fstat(mb->fd, &st) < 0) {
		buf_printf(why, "fstat %s: %s", mb->name, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_nlink != 1 || (uid != (uid_t)-1 && st.st_uid != uid)) {
		buf_printf(why, "%s: %s", mb->name, !S_ISREG(st.st_mode) ? "not a regular file" :
			   st.st_nlink != 1 ? "file has too many links" : "file has the wrong owner");
		errno = EPERM;
		return -1;
	}
	return fcntl(mb->fd, F_SETFL, O_WRONLY | O_APPEND);	/* blocking again */
}

/* lock_fd - fcntl and/or flock, waiting up to MBOX_LOCK_ATTEMPTS seconds */
static int lock_fd(struct mbox *mb, int locks, struct buf *why)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };

	for (int i = 0; i < MBOX_LOCK_ATTEMPTS; i++) {
		if ((!(locks & MBOX_LOCK_FCNTL) || fcntl(mb->fd, F_SETLK, &fl) == 0)
		    && (!(locks & MBOX_LOCK_FLOCK) || flock(mb->fd, LOCK_EX | LOCK_NB) == 0))
			return 0;
		if (errno != EAGAIN && errno != EACCES && errno != EWOULDBLOCK)
			break;
		sleep(1);
	}
	buf_printf(why, "unable to lock %s for exclusive access: %s", mb->name,
		   errno == EAGAIN || errno == EACCES ? "held by another process" : strerror(errno));
	errno = EAGAIN;
	return -1;
}

/* mbox_open - the mbox file name in dir_fd, locked, for appending */
struct mbox *mbox_open(int dir_fd, const char *name, uid_t uid, gid_t gid, int locks,
		       struct buf *why)
{
	struct mbox *mb = xcalloc(1, sizeof(*mb));
	int err;

	mb->dir_fd = dir_fd;
	mb->fd = -1;
	mb->name = xstrdup(name);
	if ((locks & MBOX_LOCK_DOTLOCK) && dotlock(mb, why) < 0) {
		if (!(locks & MBOX_LOCK_DOTLOCK_OPTIONAL) || errno == EAGAIN)
			goto fail;
		buf_reset(why);
	}
	if ((mb->fd = open_file(mb, uid, gid, why)) < 0 || check_file(mb, uid, why) < 0
	    || ((locks & (MBOX_LOCK_FCNTL | MBOX_LOCK_FLOCK)) && lock_fd(mb, locks, why) < 0))
		goto fail;
	if ((mb->size = lseek(mb->fd, 0, SEEK_END)) < 0) {
		buf_printf(why, "seek %s: %s", name, strerror(errno));
		goto fail;
	}
	return mb;
fail:
	err = errno;
	mbox_close(&mb);
	errno = err;
	return NULL;
}

/* mbox_fd - where the message goes (O_APPEND) */
int mbox_fd(const struct mbox *mb)
{
	return mb->fd;
}

/* mbox_size - the file size before this delivery */
off_t mbox_size(const struct mbox *mb)
{
	return mb->size;
}

/* mbox_restore - cut a partly written message off again */
int mbox_restore(struct mbox *mb)
{
	int err = errno, rc = ftruncate(mb->fd, mb->size);

	errno = err;
	return rc;
}

/* mbox_close - unlock (close), remove our dotlock */
void mbox_close(struct mbox **mbp)
{
	struct mbox *mb = *mbp;

	if (mb == NULL)
		return;
	if (mb->fd >= 0)
		close(mb->fd);
	if (mb->lock_name)
		unlinkat(mb->dir_fd, mb->lock_name, 0);
	free(mb->lock_name);
	free(mb->name);
	free(mb);
	*mbp = NULL;
}
