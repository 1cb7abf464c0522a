/* qfile - queue files: writer, validating reader, moves; see qfile.h.
 *
 * Durability (STYLE R13): the writer holds an exclusive flock on the file
 * from creation to close, fsyncs the data, only then sets mode 0700 (the
 * "complete" mark), closes, and fsyncs the directory (which also commits
 * the mark on journalling file systems).  A crash at any point leaves
 * either no file, a file that is not 0700, or a complete durable file:
 * never a 0700 file with missing data.  A 0600 file that nobody has
 * locked and that validates as complete (its sizes record is written
 * only at commit) lost its mark in a crash after the data was synced:
 * qfile_recover() marks it again, so it is delivered, not lost.
 * The reader treats every byte as hostile: O_NOFOLLOW, a regular file
 * with one link and our owner, then every record through the qrec checker
 * before anything is handed out.  Moves use rename without replacing;
 * those that carry an administrator's decision (hold, corrupt) also fsync
 * both directories.  The queue manager's own moves do not: after a crash
 * the file is under its old or its new name, both of which it scans.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "group_sync.h"
#include "idname.h"
#include "log.h"
#include "mem.h"
#include "qfile.h"
#include "qfile_spare.h"
#include "queue_id.h"
#include "strv.h"

enum { FLUSH_AT = 65536, CREATE_TRIES = 100 };

struct qfile_out {
	char id[QUEUE_ID_SIZE];
	char *path;
	int fd;
	struct buf *out;		/* bytes not yet written */
	off_t flushed;			/* bytes written to fd */
	off_t old_size;			/* a spare's old length, cut back at commit */
	struct qrec_check check;
	struct buf *error;		/* first problem; reported by commit */
	bool committed;
	uint64_t sync_ticket;		/* group_sync.h: a change in incoming/, or 0 */
	bool name_durable;		/* the directory was synced after the create */
};

struct qfile {
	char *path;
	const char *id;			/* the last path component */
	int fd, flags;
	char *sender;
	struct timeval arrival;
	int qflags;
	struct qfile_attr *attrs;
	size_t nattrs;
	struct qfile_rcpt *rcpts;
	size_t nrcpts, rcpt_cap;
	char *orcpt, *notify;		/* waiting for the next recipient */
	struct strv *warnings;
	struct qrec_sizes sizes;
	struct qrec_reader *r;
	struct buf *payload;
	bool extracted, in_content;
};

/* ---- paths and moves --------------------------------------------------- */

/* queue_name_ok - a queue subdirectory name: [a-z]{1,32} */
static bool queue_name_ok(const char *q)
{
	size_t n = strlen(q);

	if (n == 0 || n > 32)
		return false;
	for (size_t i = 0; i < n; i++)
		if (q[i] < 'a' || q[i] > 'z')
			return false;
	return true;
}

/* qfile_make_path - queue_dir/queue/id into out; -1 on a bad queue or ID */
int qfile_make_path(struct buf *out, const char *queue_dir, const char *queue, const char *id,
		    struct buf *why)
{
	if (!queue_id_valid(id)) {
		buf_printf(why, "invalid queue ID \"%.40s\"", id);
		return -1;
	}
	if (!queue_name_ok(queue)) {
		buf_printf(why, "invalid queue name \"%.40s\"", queue);
		return -1;
	}
	buf_reset(out);
	buf_printf(out, "%s/%s/%s", queue_dir, queue, id);
	return 0;
}

/* qfile_move - rename a queue file to another queue (never replacing one),
 * with QFILE_MOVE_DURABLE also fsync both directories; -1 with why (the
 * file may have moved even then) */
int qfile_move(const char *queue_dir, const char *id, const char *from_queue,
	       const char *to_queue, int flags, struct buf *why)
{
	struct buf *from = buf_new(64), *to = buf_new(64);
	int rc = -1;

	if (qfile_make_path(from, queue_dir, from_queue, id, why) < 0
	    || qfile_make_path(to, queue_dir, to_queue, id, why) < 0)
		goto out;
	if (renameat2(AT_FDCWD, buf_str(from), AT_FDCWD, buf_str(to), RENAME_NOREPLACE) < 0
	    && (errno != EINVAL || rename(buf_str(from), buf_str(to)) < 0)) {
		buf_printf(why, "rename %s to %s: %m", buf_str(from), buf_str(to));
		goto out;
	}
	if ((flags & QFILE_MOVE_DURABLE)
	    && (fsutil_fsync_dir_of(buf_str(to)) < 0 || fsutil_fsync_dir_of(buf_str(from)) < 0)) {
		buf_printf(why, "fsync directories of %s and %s: %m", buf_str(to), buf_str(from));
		goto out;
	}
	rc = 0;
out:
	buf_free(&from);
	buf_free(&to);
	return rc;
}

/* mark_if_complete - fd, open on path and locked by us, validates as a
 * complete queue file: mark it complete, durably; 1 marked, else 0 */
static int mark_if_complete(int fd, const char *path)
{
	struct buf *why = buf_new(0);
	struct qfile *qf;
	int status, rc = 0;

	if ((qf = qfile_open(path, QFILE_ANY_MODE, &status, why)) != NULL) {
		qfile_close(&qf);
		if (fchmod(fd, 0700) == 0 && fsync(fd) == 0) {
			log_warn("%s: complete but not marked so (a crash after the commit?): marked complete",
				 path);
			rc = 1;
		}
	}
	buf_free(&why);
	return rc;
}

/* lock_left - path opened and locked when no writer holds it, else -1 */
static int lock_left(const char *path)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int saved = errno;

		close(fd);
		errno = saved;
		fd = -1;
	}
	return fd;
}

/* qfile_recover - path is 0600 (no complete mark): if no writer holds it
 * and it validates as a complete queue file, mark it 0700 (durably) and
 * return 1; else 0 (a writer is busy, or it is really incomplete) */
int qfile_recover(const char *path)
{
	int fd = lock_left(path), rc = 0;

	if (fd >= 0) {
		rc = mark_if_complete(fd, path);
		close(fd);
	}
	return rc;
}

/* qfile_settle - path was left 0600 by a writer that is gone: 1 it is
 * complete (now marked so), 0 it was not and is removed, -1 someone holds
 * it (a writer, or qmgr's qfile_recover) or it cannot be removed */
int qfile_settle(const char *path)
{
	int fd = lock_left(path), rc = -1;

	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	if (mark_if_complete(fd, path) == 1)
		rc = 1;
	else if (unlink(path) == 0 || errno == ENOENT)
		rc = 0;
	close(fd);
	return rc;
}

/* qfile_maildrop_release - queue file id is going away (delivered,
 * bounced, deleted, requeued): remove maildrop/id first, the file pickup
 * queued it from, when pickup has not (it died between cleanup's 250 and
 * its own unlink), so that a restarted pickup does not queue the message
 * again (cleanup_maildrop.c).  0, or -1 with errno when it is there and
 * cannot be removed. */
int qfile_maildrop_release(const char *queue_dir, const char *id)
{
	struct buf *path = buf_new(64);
	int dfd, rc = -1;

	buf_printf(path, "%s/maildrop", queue_dir);
	if (!queue_id_valid(id))
		errno = EINVAL;
	else if ((dfd = open(buf_str(path), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) >= 0) {
		if (unlinkat(dfd, id, 0) == 0) {
			log_info("%s: removed maildrop/%s before pickup did", id, id);
			rc = fsync(dfd);	/* before the queue file's removal can be */
		} else if (errno == ENOENT) {
			rc = 0;
		}
		close(dfd);
	}
	buf_free(&path);
	return rc;
}

/* qfile_corrupt - move a damaged file to corrupt/ and say so */
int qfile_corrupt(const char *queue_dir, const char *id, const char *from_queue,
		  const char *reason)
{
	struct buf *why = buf_new(64);
	int rc = qfile_move(queue_dir, id, from_queue, "corrupt", QFILE_MOVE_DURABLE, why);

	if (rc == 0)
		log_warn("%s: corrupt queue file moved to corrupt/: %s", id, reason);
	else
		log_error("%s: corrupt queue file (%s) not moved to corrupt/: %s", id, reason,
			  buf_str(why));
	buf_free(&why);
	return rc;
}

/* ---- writer ------------------------------------------------------------ */

/* out_fail - remember the first problem of a writer; returns -1 */
static int out_fail(struct qfile_out *qf, const char *what, const char *detail)
{
	if (buf_len(qf->error) == 0)
		buf_printf(qf->error, "%s: %s%s%s", qf->path, what, *detail ? ": " : "", detail);
	return -1;
}

/* flush - write the buffered bytes */
static int flush(struct qfile_out *qf)
{
	const char *p = buf_str(qf->out);
	size_t left = buf_len(qf->out);

	while (left > 0) {
		ssize_t n = write(qf->fd, p, left);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return out_fail(qf, "write", strerror(errno));
		p += n;
		left -= (size_t)n;
		qf->flushed += n;
	}
	buf_reset(qf->out);
	return 0;
}

/* put_sizes - append the 'C' record, or rewrite it with the final sizes */
static int put_sizes(struct qfile_out *qf, bool rewrite)
{
	struct buf *rec = buf_new(QREC_SIZES_LEN + 8);
	const char *text;
	int rc;

	qrec_put_sizes(rec, &qf->check.sizes);
	text = buf_str(rec) + buf_len(rec) - QREC_SIZES_LEN;
	rc = rewrite ? qfile_out_rewrite(qf, qf->check.size_offset, QREC_SIZE, text, QREC_SIZES_LEN)
		     : qfile_out_put(qf, QREC_SIZE, text, QREC_SIZES_LEN);
	buf_free(&rec);
	return rc;
}

/* open_new - create queue_dir/queue/id (a spare inode when there is one):
 * the descriptor, or -1 with errno (EEXIST: the name is taken) */
static int open_new(const char *queue_dir, const char *queue, const char *id, struct buf *path,
		    off_t *old_size_r, struct buf *why)
{
	int fd;

	*old_size_r = 0;
	if (qfile_make_path(path, queue_dir, queue, id, why) < 0) {
		errno = EINVAL;
		return -1;
	}
	if ((fd = qfile_spare_take(queue_dir, queue, id, old_size_r)) >= 0)
		return fd;
	if ((fd = open(buf_str(path), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0
	    && errno != EEXIST)
		buf_printf(why, "create %s: %m", buf_str(path));
	return fd;
}

/* writer_new - the writer for a new file: locked, the version and a
 * placeholder sizes record written */
static struct qfile_out *writer_new(const char *queue, const char *id, int fd, struct buf **path,
				    off_t old_size)
{
	struct qfile_out *qf = xcalloc(1, sizeof(*qf));

	snprintf(qf->id, sizeof(qf->id), "%s", id);
	qf->old_size = old_size;
	if (flock(fd, LOCK_EX) < 0)	/* ours until the commit: see qfile_recover */
		log_warn("flock %s: %m", buf_str(*path));
	if (strcmp(queue, "incoming") == 0)
		qf->sync_ticket = group_sync_note();	/* the new name is one change */
	qf->fd = fd;
	qf->path = buf_steal(path);
	qf->out = buf_new(FLUSH_AT + 4096);
	qf->error = buf_new(0);
	qrec_check_init(&qf->check, QREC_CHECK_FILE);
	qfile_out_put(qf, QREC_VERSION, QREC_VERSION_TEXT, strlen(QREC_VERSION_TEXT));
	put_sizes(qf, false);		/* zeros: commit fills it in */
	return qf;
}

/* qfile_create - a new, empty queue file queue_dir/queue/ID (mode 0600)
 * under a new queue ID, holding the version and a placeholder sizes
 * record; a spare inode from spare/ when there is one (qfile_spare.h) */
struct qfile_out *qfile_create(const char *queue_dir, const char *queue, struct buf *why)
{
	struct buf *path = buf_new(64);
	char id[QUEUE_ID_SIZE];
	off_t old_size = 0;
	int fd = -1;

	for (int i = 0; fd < 0 && i < CREATE_TRIES; i++) {
		queue_id_new(id);
		if ((fd = open_new(queue_dir, queue, id, path, &old_size, why)) < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0) {
		if (buf_len(why) == 0)
			buf_printf(why, "create in %s/%s: no unused queue ID", queue_dir, queue);
		buf_free(&path);
		return NULL;
	}
	return writer_new(queue, id, fd, &path, old_size);
}

/* qfile_create_as - the same under the queue ID id (pickup's maildrop file
 * name: cleanup_maildrop.c); NULL with errno EEXIST when the name is taken */
struct qfile_out *qfile_create_as(const char *queue_dir, const char *queue, const char *id,
				  struct buf *why)
{
	struct buf *path = buf_new(64);
	off_t old_size = 0;
	int fd = open_new(queue_dir, queue, id, path, &old_size, why);

	if (fd < 0) {
		int saved = errno;

		buf_free(&path);
		errno = saved;
		return NULL;
	}
	return writer_new(queue, id, fd, &path, old_size);
}

/* qfile_out_id - the new file's queue ID */
const char *qfile_out_id(const struct qfile_out *qf)
{
	return qf->id;
}

/* qfile_out_path - the new file's path */
const char *qfile_out_path(const struct qfile_out *qf)
{
	return qf->path;
}

/* qfile_out_offset - file offset of the next record */
off_t qfile_out_offset(const struct qfile_out *qf)
{
	return qf->flushed + (off_t)buf_len(qf->out);
}

/* qfile_out_put - append one record after checking its place and syntax */
int qfile_out_put(struct qfile_out *qf, int type, const void *p, size_t len)
{
	struct buf *why;
	int rc = 0;

	if (buf_len(qf->error))
		return -1;
	if (len > QREC_MAX_LEN)
		return out_fail(qf, "record too long", "");
	why = buf_new(0);
	if (qrec_check_record(&qf->check, type, p, len, qfile_out_offset(qf), why) < 0)
		rc = out_fail(qf, "refusing to write a bad record", buf_str(why));
	buf_free(&why);
	if (rc < 0)
		return -1;
	qrec_put(qf->out, type, p, len);
	return buf_len(qf->out) >= FLUSH_AT ? flush(qf) : 0;
}

/* qfile_out_line - one content line, split into 'P' records when long */
int qfile_out_line(struct qfile_out *qf, const void *p, size_t len, bool partial)
{
	const char *s = p;

	while (len > QREC_LINE_CHUNK) {
		if (qfile_out_put(qf, QREC_PART, s, QREC_LINE_CHUNK) < 0)
			return -1;
		s += QREC_LINE_CHUNK;
		len -= QREC_LINE_CHUNK;
	}
	if (partial && len == 0)
		return buf_len(qf->error) ? -1 : 0;
	return qfile_out_put(qf, partial ? QREC_PART : QREC_LINE, s, len);
}

/* peek - n bytes at offset, from the file or the buffer */
static int peek(struct qfile_out *qf, off_t offset, unsigned char *dst, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		off_t at = offset + (off_t)i;

		if (at >= qf->flushed)
			dst[i] = (unsigned char)buf_str(qf->out)[at - qf->flushed];
		else if (pread(qf->fd, dst + i, 1, at) != 1)
			return -1;
	}
	return 0;
}

/* qfile_out_rewrite - replace the record at offset by one of the same type
 * and encoded length (the 'C' record); -1 if it is not such a record */
int qfile_out_rewrite(struct qfile_out *qf, off_t offset, int type, const void *p, size_t len)
{
	struct buf *rec = buf_new(len + 8);
	unsigned char old[1 + QREC_VARINT_MAX];
	size_t n, head;
	int rc = -1;

	if (buf_len(qf->error) || qrec_put(rec, type, p, len) < 0)
		goto out;
	n = buf_len(rec);
	head = n - len;
	if (offset < 0 || offset + (off_t)n > qfile_out_offset(qf) || peek(qf, offset, old, head) < 0
	    || memcmp(old, buf_str(rec), head) != 0) {
		out_fail(qf, "rewrite", "not a record of the same type and length");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		off_t at = offset + (off_t)i;

		if (at >= qf->flushed)
			qf->out->data[at - qf->flushed] = buf_str(rec)[i];
		else if (pwrite(qf->fd, buf_str(rec) + i, 1, at) != 1) {
			out_fail(qf, "rewrite", strerror(errno));
			goto out;
		}
	}
	rc = 0;
out:
	buf_free(&rec);
	return rc;
}

/* durable - cut a spare's old tail, fsync, unlock, mark complete, close,
 * fsync the dir */
static int durable(struct qfile_out *qf)
{
	int fd = qf->fd;

	qf->fd = -1;
	/* the lock goes before the mark: a reader that sees the mark then
	 * gets its shared lock (qfile_open with QFILE_RDWR), and a 0600 file
	 * found unlocked in between is whole (qfile_recover marks it too) */
	if ((qf->old_size > qf->flushed && ftruncate(fd, qf->flushed) < 0) || fsync(fd) < 0
	    || flock(fd, LOCK_UN) < 0 || fchmod(fd, 0700) < 0) {
		out_fail(qf, "truncate, fsync or fchmod", strerror(errno));
		close(fd);
		return -1;
	}
	if (close(fd) < 0)
		return out_fail(qf, "close", strerror(errno));
	if (!qf->name_durable && group_sync_dir_of(qf->path, qf->sync_ticket) < 0)	/* or a group commit's */
		return out_fail(qf, "fsync directory", strerror(errno));
	return 0;
}

/* qfile_out_sync_name - make the new file's name durable now when no other
 * cleanup waits for an fsync of the directory (group_sync_alone: cleanup
 * does this while the client is still sending, so commit has one fsync
 * less to wait for; with others at work the commit's fsync is shared
 * instead); 0, or -1 with the reason kept for commit */
int qfile_out_sync_name(struct qfile_out *qf)
{
	if (buf_len(qf->error))
		return -1;
	if (qf->name_durable || !group_sync_alone(qf->sync_ticket))
		return 0;
	if (group_sync_dir_of(qf->path, qf->sync_ticket) < 0)
		return out_fail(qf, "fsync directory", strerror(errno));
	qf->name_durable = true;
	return 0;
}

/* qfile_commit - complete the file and make it durable; 0 only then */
int qfile_commit(struct qfile_out *qf, struct buf *why)
{
	struct buf *tmp = buf_new(0);

	if (buf_len(qf->error) == 0 && qf->fd >= 0 && qrec_check_end(&qf->check, tmp) < 0)
		out_fail(qf, "not finished", buf_str(tmp));
	buf_free(&tmp);
	if (buf_len(qf->error) == 0 && qf->fd < 0)
		out_fail(qf, "commit", "already committed or failed");
	if (buf_len(qf->error) == 0 && put_sizes(qf, true) == 0 && flush(qf) == 0
	    && durable(qf) == 0) {
		qf->committed = true;
		return 0;
	}
	buf_cat(why, buf_str(qf->error));
	return -1;
}

/* qfile_abort - release a writer; the file is removed unless committed */
void qfile_abort(struct qfile_out **qfp)
{
	struct qfile_out *qf = *qfp;

	if (qf == NULL)
		return;
	if (!qf->committed && unlink(qf->path) < 0 && errno != ENOENT)
		log_warn("%s: remove %s: %m", qf->id, qf->path);
	if (qf->fd >= 0)
		close(qf->fd);
	qrec_check_free(&qf->check);
	buf_free(&qf->out);
	buf_free(&qf->error);
	free(qf->path);
	XFREE(*qfp);
}

/* ---- reader ------------------------------------------------------------ */

/* check_opened - fd (open on path) is a regular file with one link, ours
 * and complete unless flags say otherwise: fd, or -1 (closed) with *status_r */
static int check_opened(int fd, const char *path, int flags, int *status_r, struct buf *why)
{
	struct stat st;

	*status_r = QFILE_CORRUPT;
	if (fstat(fd, &st) < 0) {
		buf_printf(why, "fstat %s: %m", path);
		*status_r = QFILE_TEMPFAIL;
	} else if (!S_ISREG(st.st_mode)) {
		buf_printf(why, "%s: not a regular file", path);
	} else if (st.st_nlink != 1) {
		buf_printf(why, "%s: has %lu links", path, (unsigned long)st.st_nlink);
	} else if (!(flags & QFILE_ANY_OWNER) && geteuid() != 0 && st.st_uid != geteuid()) {
		char who[IDNAME_SIZE];

		buf_printf(why, "%s: owned by %s, not by us", path, idname_user(st.st_uid, who));
	} else if (!(flags & QFILE_ANY_MODE) && (st.st_mode & 07777) != 0700) {
		buf_printf(why, "%s: %s (mode %04o)", path, (st.st_mode & 0100) ? "unexpected mode"
			   : "not complete yet", (unsigned)(st.st_mode & 07777));
		if (!(st.st_mode & 0100))
			*status_r = QFILE_INCOMPLETE;
	} else {
		*status_r = 0;
		return fd;
	}
	close(fd);
	return -1;
}

/* open_checked - open path and check it as check_opened does */
static int open_checked(const char *path, int flags, int *status_r, struct buf *why)
{
	int fd = open(path, ((flags & QFILE_RDWR) ? O_RDWR : O_RDONLY) | O_NOFOLLOW | O_NONBLOCK
		      | O_CLOEXEC);

	if (fd < 0) {
		buf_printf(why, errno == ELOOP ? "%s: is a symbolic link" : "open %s: %m", path);
		*status_r = errno != ELOOP ? QFILE_TEMPFAIL : QFILE_CORRUPT;
		return -1;
	}
	if ((fd = check_opened(fd, path, flags, status_r, why)) >= 0 && (flags & QFILE_RDWR)
	    && flock(fd, LOCK_SH | LOCK_NB) < 0) {
		/* held for as long as we may mark recipients: qfile_spare_put
		 * reuses no file that a writer of marks still has open */
		buf_printf(why, "%s: being retired by the queue manager", path);
		*status_r = QFILE_TEMPFAIL;
		close(fd);
		return -1;
	}
	return fd;
}

/* take_rcpt - append a recipient, with any pending ORCPT and NOTIFY */
static void take_rcpt(struct qfile *qf, int type, const struct buf *p, off_t offset)
{
	struct qfile_rcpt *rc;

	if (qf->nrcpts == qf->rcpt_cap) {
		qf->rcpt_cap = qf->rcpt_cap ? mem_mul_size(qf->rcpt_cap, 2) : 8;
		qf->rcpts = xrealloc(qf->rcpts, mem_mul_size(qf->rcpt_cap, sizeof(*qf->rcpts)));
	}
	rc = &qf->rcpts[qf->nrcpts++];
	*rc = (struct qfile_rcpt){ .address = xstrdup(buf_str(p)), .orcpt = qf->orcpt,
				   .notify = qf->notify, .done = type == QREC_DONE,
				   .extracted = qf->extracted, .offset = offset };
	qf->orcpt = qf->notify = NULL;
}

/* take - keep what the envelope records say (already checked) */
static void take(struct qfile *qf, int type, const struct buf *p, off_t offset)
{
	const char *s = buf_str(p);
	char *eq;

	switch (type) {
	case QREC_TIME:
		qf->arrival.tv_sec = strtol(s, &eq, 10);
		qf->arrival.tv_usec = strtol(eq + 1, NULL, 10);
		break;
	case QREC_FLAGS:
		qf->qflags = (int)strtol(s, NULL, 10);
		break;
	case QREC_SENDER:
		qf->sender = xstrdup(s);
		break;
	case QREC_ATTR:
		qf->attrs = xrealloc(qf->attrs, mem_mul_size(qf->nattrs + 1, sizeof(*qf->attrs)));
		eq = xstrdup(s);
		qf->attrs[qf->nattrs].name = eq;
		eq = strchr(eq, '=');
		*eq = '\0';
		qf->attrs[qf->nattrs++].value = eq + 1;
		break;
	case QREC_ORCPT:
		qf->orcpt = xstrdup(s);
		break;
	case QREC_NOTIFY:
		qf->notify = xstrdup(s);
		break;
	case QREC_RCPT: case QREC_DONE:
		take_rcpt(qf, type, p, offset);
		break;
	case QREC_WARN:
		strv_add(qf->warnings, s);
		break;
	case QREC_EXTRACT:
		qf->extracted = true;
		break;
	}
}

/* scan - read and check every record; 0 or a qfile_status */
static int scan(struct qfile *qf, struct buf *why)
{
	struct qrec_check c;
	struct buf *err = buf_new(0);
	int rc, type, status = 0;

	qrec_check_init(&c, QREC_CHECK_FILE);
	for (;;) {
		off_t offset = qrec_reader_offset(qf->r);

		rc = qrec_get(qf->r, &type, qf->payload, QREC_MAX_LEN, err);
		if (rc < 0 && c.ended && !qrec_reader_is_io_error(qf->r)) {
			buf_reset(err);
			buf_printf(err, "offset %lld: data after the end record", (long long)offset);
		}
		if (rc < 0) {
			status = qrec_reader_is_io_error(qf->r) ? QFILE_TEMPFAIL : QFILE_CORRUPT;
			break;
		}
		if (rc == 0) {
			if (qrec_check_end(&c, err) < 0 || qrec_check_sizes(&c, err) < 0)
				status = QFILE_CORRUPT;
			break;
		}
		if (qrec_check_record(&c, type, buf_str(qf->payload), buf_len(qf->payload), offset,
				      err) < 0) {
			status = QFILE_CORRUPT;
			break;
		}
		take(qf, type, qf->payload, offset);
	}
	if (status)
		buf_printf(why, "%s, %s", qf->path, buf_str(err));
	qf->sizes = c.sizes;
	qrec_check_free(&c);
	buf_free(&err);
	return status;
}

/* reader - the validated reader on fd */
static struct qfile *reader(int fd, const char *path, int flags, int *status_r, struct buf *why)
{
	struct qfile *qf;
	const char *slash = strrchr(path, '/');

	qf = xmalloc(sizeof(*qf));
	qf->path = xstrdup(path);
	qf->id = qf->path + (slash ? slash + 1 - path : 0);
	qf->fd = fd;
	qf->flags = flags;
	qf->warnings = strv_new();
	qf->r = qrec_reader_fd(fd, -1);
	qf->payload = buf_new(4096);
	if ((*status_r = scan(qf, why)) != 0)
		qfile_close(&qf);
	return qf;
}

/* qfile_open - open and validate a queue file; NULL with *status_r and why */
struct qfile *qfile_open(const char *path, int flags, int *status_r, struct buf *why)
{
	int fd = open_checked(path, flags, status_r, why);

	return fd < 0 ? NULL : reader(fd, path, flags, status_r, why);
}

/* qfile_open_fd - as qfile_open, for a file someone else opened (a
 * delivery helper gets it over a socket); path only names it in messages.
 * Takes fd over: it is closed on failure and by qfile_close. */
struct qfile *qfile_open_fd(int fd, const char *path, int flags, int *status_r, struct buf *why)
{
	if (check_opened(fd, path, flags, status_r, why) < 0)
		return NULL;
	if (lseek(fd, 0, SEEK_SET) < 0) {
		buf_printf(why, "lseek %s: %m", path);
		*status_r = QFILE_TEMPFAIL;
		close(fd);
		return NULL;
	}
	return reader(fd, path, flags, status_r, why);
}

/* qfile_close - release a reader and clear the caller's pointer */
void qfile_close(struct qfile **qfp)
{
	struct qfile *qf = *qfp;

	if (qf == NULL)
		return;
	close(qf->fd);
	for (size_t i = 0; i < qf->nattrs; i++)
		free((char *)qf->attrs[i].name);
	for (size_t i = 0; i < qf->nrcpts; i++) {
		free((char *)qf->rcpts[i].address);
		free((char *)qf->rcpts[i].orcpt);
		free((char *)qf->rcpts[i].notify);
	}
	free(qf->attrs);
	free(qf->rcpts);
	free(qf->orcpt);
	free(qf->notify);
	free(qf->sender);
	strv_free(&qf->warnings);
	qrec_reader_free(&qf->r);
	buf_free(&qf->payload);
	free(qf->path);
	XFREE(*qfp);
}

/* qfile_path - the path the file was opened by */
const char *qfile_path(const struct qfile *qf)
{
	return qf->path;
}

/* qfile_id - the file name (the queue ID for files in a queue) */
const char *qfile_id(const struct qfile *qf)
{
	return qf->id;
}

/* qfile_sender - envelope sender, "" for the null sender */
const char *qfile_sender(const struct qfile *qf)
{
	return qf->sender;
}

/* qfile_arrival - arrival time */
struct timeval qfile_arrival(const struct qfile *qf)
{
	return qf->arrival;
}

/* qfile_flags - the 'F' record, 0 when absent */
int qfile_flags(const struct qfile *qf)
{
	return qf->qflags;
}

/* qfile_fd - the open file (qfile_spare_put empties it when the message is done) */
int qfile_fd(const struct qfile *qf)
{
	return qf->fd;
}

/* qfile_sizes - the sizes, checked against the file */
const struct qrec_sizes *qfile_sizes(const struct qfile *qf)
{
	return &qf->sizes;
}

/* qfile_attr - an attribute's value, NULL when absent */
const char *qfile_attr(const struct qfile *qf, const char *name)
{
	for (size_t i = 0; i < qf->nattrs; i++)
		if (strcmp(qf->attrs[i].name, name) == 0)
			return qf->attrs[i].value;
	return NULL;
}

/* qfile_attrs - every attribute in file order */
const struct qfile_attr *qfile_attrs(const struct qfile *qf, size_t *n_r)
{
	*n_r = qf->nattrs;
	return qf->attrs;
}

/* qfile_rcpts - every recipient in file order, envelope then extracted */
const struct qfile_rcpt *qfile_rcpts(const struct qfile *qf, size_t *n_r)
{
	*n_r = qf->nrcpts;
	return qf->rcpts;
}

/* qfile_rcpts_pending - recipients not marked done */
size_t qfile_rcpts_pending(const struct qfile *qf)
{
	size_t n = 0;

	for (size_t i = 0; i < qf->nrcpts; i++)
		n += !qf->rcpts[i].done;
	return n;
}

/* qfile_warnings - the 'W' records' texts */
const struct strv *qfile_warnings(const struct qfile *qf)
{
	return qf->warnings;
}

/* content_fail - end the content walk after a failed read; the status */
static int content_fail(struct qfile *qf)
{
	qf->in_content = false;
	return qrec_reader_is_io_error(qf->r) ? QFILE_TEMPFAIL : QFILE_CORRUPT;
}

/* qfile_content_begin - position at the content; 0 or a qfile_status */
int qfile_content_begin(struct qfile *qf, struct buf *why)
{
	struct buf *err = buf_new(0);
	int type = 0, rc;

	if (qrec_reader_seek(qf->r, qf->sizes.content_offset, err) < 0
	    || (rc = qrec_get(qf->r, &type, qf->payload, QREC_MAX_LEN, err)) < 0) {
		buf_printf(why, "%s, %s", qf->path, buf_str(err));
		buf_free(&err);
		return content_fail(qf);
	}
	buf_free(&err);
	if (rc == 0 || type != QREC_MESG) {
		buf_printf(why, "%s, offset %ld: content start record changed", qf->path,
			   qf->sizes.content_offset);
		return QFILE_CORRUPT;
	}
	qf->in_content = true;
	return 0;
}

/* qfile_content_next - the next content piece: 1 with line_r (valid until
 * the next call; not NUL-safe as a string) and partial_r, 0 at the end,
 * or a qfile_status */
int qfile_content_next(struct qfile *qf, const char **line_r, size_t *len_r, bool *partial_r,
		       struct buf *why)
{
	struct buf *err;
	int type = 0, rc;

	if (!qf->in_content)
		return 0;
	err = buf_new(0);
	rc = qrec_get(qf->r, &type, qf->payload, QREC_MAX_LEN, err);
	if (rc < 0 || rc == 0 || (type != QREC_LINE && type != QREC_PART && type != QREC_XTRA)) {
		buf_printf(why, "%s, %s", qf->path, rc < 0 ? buf_str(err) : "content changed");
		buf_free(&err);
		return content_fail(qf);	/* TEMPFAIL only for an I/O error */
	}
	buf_free(&err);
	if (type == QREC_XTRA) {
		qf->in_content = false;
		return 0;
	}
	*line_r = buf_str(qf->payload);
	*len_r = buf_len(qf->payload);
	*partial_r = type == QREC_PART;
	return 1;
}

/* qfile_mark_done - rewrite recipient i's type byte to 'r' (not synced:
 * see qfile_sync); one already marked (by the delivery agent) is left
 * alone; 0, or a qfile_status with why */
int qfile_mark_done(struct qfile *qf, size_t i, struct buf *why)
{
	struct qfile_rcpt *rc;
	char type = 0;

	if (!(qf->flags & QFILE_RDWR) || i >= qf->nrcpts)
		log_panic("qfile_mark_done: %s: recipient %zu of %zu, flags %d", qf->path, i,
			  qf->nrcpts, qf->flags);
	rc = &qf->rcpts[i];
	if (rc->done)
		return 0;
	if (pread(qf->fd, &type, 1, rc->offset) == 1 && type == QREC_DONE) {
		rc->done = true;
		return 0;
	}
	if (type != QREC_RCPT) {
		buf_printf(why, "%s, offset %lld: recipient record changed", qf->path,
			   (long long)rc->offset);
		return QFILE_CORRUPT;
	}
	type = QREC_DONE;
	if (pwrite(qf->fd, &type, 1, rc->offset) != 1) {
		buf_printf(why, "%s: mark recipient done: %m", qf->path);
		return QFILE_TEMPFAIL;
	}
	rc->done = true;
	return 0;
}

/* qfile_mark_done_at - the recipient whose record is at offset (a
 * delivery request's offset_N) marked done, as a delivery agent does the
 * moment a recipient is delivered (the record of it then survives the
 * agent's or qmgr's death before qmgr hears of it); 0, or a qfile_status
 * with why (QFILE_CORRUPT: no recipient record there; QFILE_TEMPFAIL: qf
 * is read-only, or the file is no longer a complete queue file, so not
 * written) */
int qfile_mark_done_at(struct qfile *qf, off_t offset, struct buf *why)
{
	struct stat st;

	if (!(qf->flags & QFILE_RDWR)) {
		buf_printf(why, "%s: not marked: opened read-only", qf->path);
		return QFILE_TEMPFAIL;
	}
	if (fstat(qf->fd, &st) < 0 || !(st.st_mode & S_IXUSR)) {
		buf_printf(why, "%s: not marked: the file was retired", qf->path);
		return QFILE_TEMPFAIL;	/* qmgr gave it up (qfile_spare.h): not ours */
	}
	for (size_t i = 0; i < qf->nrcpts; i++)
		if (qf->rcpts[i].offset == offset)
			return qfile_mark_done(qf, i, why);
	buf_printf(why, "%s: no recipient record at offset %lld", qf->path, (long long)offset);
	return QFILE_CORRUPT;
}

/* qfile_sync - make the done marks durable; 0, or QFILE_TEMPFAIL with why */
int qfile_sync(struct qfile *qf, struct buf *why)
{
	if (fsync(qf->fd) < 0) {
		buf_printf(why, "%s: fsync: %m", qf->path);
		return QFILE_TEMPFAIL;
	}
	return 0;
}
