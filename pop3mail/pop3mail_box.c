/* pop3mail_box - the POP3 view of a Maildir INBOX: locked against a
 * second POP3 session ([IN-USE]), synced through the index (UIDs, and the
 * UIDLs made from them), new/ moved to cur/ at login as Dovecot does,
 * deletions and \Seen applied only at QUIT.  Runs as the user; a message
 * file is opened without following a link (maildir_scan never lists one). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "dovecot_uidlist.h"
#include "log.h"
#include "mail_index.h"
#include "mail_vsize.h"
#include "maildir.h"
#include "maildir_flags.h"
#include "maildir_new.h"
#include "mem.h"
#include "pop3_uidl.h"
#include "pop3mail.h"

static const char lock_name[] = "hato-pop3.lock";

/* open_maildir - the Maildir, made (with new/, cur/, tmp/) when missing */
static int open_maildir(const char *path, struct buf *why)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct maildir *md;

	if (fd >= 0 || errno != ENOENT)
		goto out;
	if ((md = maildir_open(AT_FDCWD, path, MAILDIR_CREATE, why)) == NULL)
		return -1;
	maildir_close(&md);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
out:
	if (fd < 0)
		buf_printf(why, "open %s: %s", path, strerror(errno));
	return fd;
}

/* take_lock - the session lock: 0, POP3_BOX_IN_USE, or -1 */
static int take_lock(struct pop3_box *b, struct buf *why)
{
	b->lock_fd = openat(b->dir_fd, lock_name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (b->lock_fd < 0) {
		buf_printf(why, "open %s: %s", lock_name, strerror(errno));
		return -1;
	}
	if (flock(b->lock_fd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	if (errno == EWOULDBLOCK)
		return POP3_BOX_IN_USE;
	buf_printf(why, "lock %s: %s", lock_name, strerror(errno));
	return -1;
}

/* move_new - new/ to cur/ with no flags, as Dovecot does at login;
 * true when anything moved (the index must see it) */
static bool move_new(struct pop3_box *b, const struct mail_index_folder *f)
{
	struct buf *why = buf_new(0);
	bool moved = maildir_new_move(b->dir_fd, f, why) > 0;

	if (buf_len(why))
		log_warn("%s", buf_str(why));
	buf_free(&why);
	return moved;
}

/* uidl_ok - RFC 1939: 1 to 70 characters in 0x21..0x7e (the file is the
 * user's: nothing from it may break a reply line) */
static bool uidl_ok(const char *s)
{
	size_t len = strlen(s);

	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e)
			return false;
	return len > 0 && len <= POP3_UIDL_MAX;
}

/* take_saved_uidls - the UIDLs and GUIDs Dovecot kept in dovecot-uidlist
 * (a user moved to Dovecot from another server keeps the old UIDLs
 * there): Dovecot gives a saved UIDL instead of pop3_uidl_format's, and
 * so does hato.  The index keeps the file current, so its UIDs are the
 * index's; a file that cannot be read only means no saved UIDLs. */
static void take_saved_uidls(struct pop3_box *b)
{
	struct dovecot_uidlist *ul = NULL;
	struct buf *why = buf_new(0);
	size_t j = 0;

	if (dovecot_uidlist_read(b->dir_fd, NULL, &ul, why) <= 0 || ul->uidvalidity != b->uidvalidity) {
		dovecot_uidlist_free(&ul);
		buf_free(&why);
		return;
	}
	for (size_t i = 0; i < b->len; i++) {
		const char *saved;

		while (j < ul->count && ul->entries[j].uid < b->msgs[i].uid)
			j++;
		if (j == ul->count || ul->entries[j].uid != b->msgs[i].uid)
			continue;
		if ((saved = dovecot_uidlist_saved_uidl(&ul->entries[j])) != NULL && uidl_ok(saved))
			b->msgs[i].saved_uidl = xstrdup(saved);
		if (ul->entries[j].guid)
			b->msgs[i].guid = xstrdup(ul->entries[j].guid);
	}
	dovecot_uidlist_free(&ul);
	buf_free(&why);
}

/* load - the synced folder into b->msgs */
static int load(struct pop3_box *b, struct buf *why)
{
	struct mail_index_folder *f = NULL;

	for (int pass = 0; pass < 2; pass++) {
		mail_index_folder_free(&f);
		if (mail_index_sync(b->idx, "INBOX", b->dir_fd, NULL, why) < 0 ||
		    mail_index_list(b->idx, "INBOX", &f, why) != 0)
			return -1;
		if (pass == 0 && !move_new(b, f))
			break;
	}
	b->uidvalidity = f->uidvalidity;
	b->msgs = xcalloc(f->len ? f->len : 1, sizeof(*b->msgs));
	for (size_t i = 0; i < f->len; i++) {
		struct pop3_msg *m = &b->msgs[b->len];

		if (f->msgs[i].in_new)
			continue;	/* could not be moved: served next time */
		m->uid = f->msgs[i].uid;
		m->name = f->msgs[i].name;
		f->msgs[i].name = NULL;
		m->base_len = f->msgs[i].base_len;
		m->vsize = f->msgs[i].vsize;
		b->len++;
	}
	mail_index_folder_free(&f);
	take_saved_uidls(b);
	return 0;
}

/* pop3_box_open - lock, sync and list the INBOX at path */
int pop3_box_open(const char *path, struct pop3_box **bp, struct buf *why)
{
	struct pop3_box *b = xcalloc(1, sizeof(*b));
	int rc;

	b->lock_fd = -1;
	*bp = NULL;
	if ((b->dir_fd = open_maildir(path, why)) < 0 || (rc = take_lock(b, why)) < 0 ||
	    (rc == 0 && (mail_index_open(b->dir_fd, path, &b->idx, why) < 0 || load(b, why) < 0))) {
		pop3_box_close(&b);
		return -1;
	}
	if (rc == POP3_BOX_IN_USE) {
		pop3_box_close(&b);
		return POP3_BOX_IN_USE;
	}
	*bp = b;
	return 0;
}

/* renamed - message i's file under another name in cur/ (another client
 * changed its flags during the session): true with m->name updated */
static bool renamed(struct pop3_box *b, size_t i)
{
	struct pop3_msg *m = &b->msgs[i];
	int fd = openat(b->dir_fd, "cur", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;
	bool found = false;

	if (d == NULL && fd >= 0)
		close(fd);
	while (d && !found && (e = readdir(d)) != NULL) {
		if (maildir_base_len(e->d_name) != m->base_len ||
		    strncmp(e->d_name, m->name, m->base_len) != 0 || strcmp(e->d_name, m->name) == 0)
			continue;
		free(m->name);
		m->name = xstrdup(e->d_name);
		found = true;
	}
	if (d)
		closedir(d);
	return found;
}

/* open_cur - cur/NAME, not following a link: a descriptor or -1 */
static int open_cur(struct pop3_box *b, const char *name, struct buf *path)
{
	buf_reset(path);
	buf_printf(path, "cur/%s", name);
	return maildir_msg_open(b->dir_fd, buf_str(path));
}

/* pop3_box_open_msg - message i for reading: a descriptor, or -1 */
int pop3_box_open_msg(struct pop3_box *b, size_t i, struct buf *why)
{
	struct buf *path = buf_new(64);
	struct stat st;
	int fd = open_cur(b, b->msgs[i].name, path);

	if (fd < 0 && errno == ENOENT && renamed(b, i))
		fd = open_cur(b, b->msgs[i].name, path);
	if (fd >= 0 && (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))) {
		close(fd);
		fd = -1;
		errno = EINVAL;
	}
	if (fd < 0)
		buf_printf(why, "open %s: %s", buf_str(path), strerror(errno));
	buf_free(&path);
	return fd;
}

/* pop3_box_vsize - the size with CRLF line ends, read from the file
 * once and kept in the index */
int pop3_box_vsize(struct pop3_box *b, size_t i, off_t *vsize_r, struct buf *why)
{
	struct pop3_msg *m = &b->msgs[i];
	int fd;

	if (m->vsize < 0) {
		if ((fd = pop3_box_open_msg(b, i, why)) < 0)
			return -1;
		if (mail_vsize_fd(fd, -1, &m->vsize) < 0) {
			buf_printf(why, "read cur/%s: %s", m->name, strerror(errno));
			close(fd);
			return -1;
		}
		close(fd);
		if (mail_index_set_vsize(b->idx, "INBOX", m->uid, m->vsize, why) < 0) {
			log_warn("%s", buf_str(why));	/* only a cache */
			buf_reset(why);
		}
	}
	*vsize_r = m->vsize;
	return 0;
}

/* pop3_box_uidl - message i's UIDL per format */
int pop3_box_uidl(struct pop3_box *b, size_t i, const char *format, struct buf *out,
		  struct buf *why)
{
	struct pop3_msg *m = &b->msgs[i];
	char *base = xstrndup(m->name, m->base_len);
	struct pop3_uidl_vars v = { .uid = m->uid, .uidvalidity = b->uidvalidity,
				    .filename = base, .guid = m->guid ? m->guid : base };
	int rc = 0;

	if (m->saved_uidl)
		buf_set(out, m->saved_uidl);
	else
		rc = pop3_uidl_format(out, format, &v, why);

	free(base);
	return rc;
}

/* unlink_name - remove cur/NAME */
static int unlink_name(struct pop3_box *b, const char *name, struct buf *path)
{
	buf_reset(path);
	buf_printf(path, "cur/%s", name);
	return unlinkat(b->dir_fd, buf_str(path), 0);
}

/* unlink_cur - remove message i's file, found again if it was renamed;
 * -1 with errno ENOENT when it is gone */
static int unlink_cur(struct pop3_box *b, size_t i, struct buf *path)
{
	if (unlink_name(b, b->msgs[i].name, path) == 0)
		return 0;
	if (errno != ENOENT)
		return -1;
	if (!renamed(b, i)) {
		errno = ENOENT;
		return -1;
	}
	return unlink_name(b, b->msgs[i].name, path);
}

/* set_seen - add S to m's flags (a RETR, as Dovecot) */
static int set_seen(struct pop3_box *b, const struct pop3_msg *m, struct buf *newname,
		    struct buf *why)
{
	char flags[MAILDIR_FLAGS_MAX], more[MAILDIR_FLAGS_MAX + 1];

	maildir_flags_parse(m->name, flags);
	if (strchr(flags, 'S'))
		return 0;
	snprintf(more, sizeof(more), "%sS", flags);
	maildir_flags_sort(more, flags);
	return maildir_flags_set(b->dir_fd, m->name, false, flags, newname, why) < 0 ? -1 : 0;
}

/* pop3_box_update - QUIT: delete what was marked, \Seen on what was
 * retrieved; the number deleted into *deleted_r */
int pop3_box_update(struct pop3_box *b, size_t *deleted_r, struct buf *why)
{
	struct buf *path = buf_new(64), *newname = buf_new(64);
	int rc = 0;

	*deleted_r = 0;
	for (size_t i = 0; i < b->len; i++) {
		struct pop3_msg *m = &b->msgs[i];

		if (m->deleted && unlink_cur(b, i, path) < 0 && errno != ENOENT) {
			if (rc == 0)	/* the first error is the one reported */
				buf_printf(why, "unlink %s: %s", buf_str(path), strerror(errno));
			rc = -1;
		} else if (m->deleted) {
			(*deleted_r)++;
		} else if (m->retrieved && set_seen(b, m, newname, why) < 0) {
			rc = -1;
		}
	}
	buf_free(&path);
	buf_free(&newname);
	if (mail_index_sync(b->idx, "INBOX", b->dir_fd, NULL, why) < 0)
		rc = -1;
	return rc;
}

/* pop3_box_close - unlock and free */
void pop3_box_close(struct pop3_box **bp)
{
	struct pop3_box *b = *bp;

	if (b == NULL)
		return;
	for (size_t i = 0; i < b->len; i++) {
		free(b->msgs[i].name);
		free(b->msgs[i].saved_uidl);
		free(b->msgs[i].guid);
	}
	free(b->msgs);
	mail_index_close(&b->idx);
	if (b->lock_fd >= 0)
		close(b->lock_fd);
	if (b->dir_fd >= 0)
		close(b->dir_fd);
	free(b);
	*bp = NULL;
}
