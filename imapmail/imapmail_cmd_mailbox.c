/* imapmail_cmd_mailbox - SELECT and EXAMINE, CLOSE, UNSELECT (RFC 3691),
 * CREATE, DELETE, RENAME, SUBSCRIBE and UNSUBSCRIBE (RFC 9051 6.3). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "imap_quote.h"
#include "imapmail.h"
#include "log.h"
#include "maildir_folder.h"
#include "mem.h"

/* mailbox_arg - args[i] as a folder name into folder; false after the
 * BAD or NO is sent */
static bool mailbox_arg(struct imapmail *m, struct imap_cmd *c, size_t i, struct buf *folder)
{
	struct buf *why = buf_new(0);
	const char *name;
	bool ok = false;

	if (i >= c->args_len || !imap_arg_astring(&c->args[i], &name))
		imapmail_tagged(m, "BAD", "Invalid arguments.");
	else if (!imapmail_folder_name(m, name, folder, why))
		imapmail_tagged(m, "NO", "%s", buf_str(why));
	else
		ok = true;
	buf_free(&why);
	return ok;
}

/* first_unseen - sequence number of the first message without \Seen */
static size_t first_unseen(const struct imapmail_box *b)
{
	for (size_t i = 0; i < b->f->len; i++)
		if (strchr(b->f->msgs[i].flags, 'S') == NULL)
			return i + 1;
	return 0;
}

/* imapmail_cmd_select - SELECT and EXAMINE: the folder's state */
void imapmail_cmd_select(struct imapmail *m, struct imap_cmd *c)
{
	bool ro = strcmp(c->name, "EXAMINE") == 0;
	struct buf *folder = buf_new(64), *why = buf_new(0), *name = buf_new(128);
	struct imapmail_qresync q = { 0 };
	struct imapmail_box *b;
	size_t unseen;

	if (!mailbox_arg(m, c, 0, folder))
		goto out;
	if (c->args_len > 2 || (c->args_len == 2 && imapmail_select_params(m, &c->args[1], &q, why))) {
		if (m->box && (m->rev2 || m->qresync))
			imapmail_untagged(m, "OK [CLOSED] Previous mailbox closed.");
		imapmail_box_close(m);
		imapmail_tagged(m, "BAD", "Error in IMAP command %s: %s", c->name,
				buf_len(why) ? buf_str(why) : "Invalid arguments.");
		goto out;
	}
	/* RFC 9051 7.1 and RFC 7162 3.2.11: the old one is closed */
	if (m->box && (m->rev2 || m->qresync))
		imapmail_untagged(m, "OK [CLOSED] Previous mailbox closed.");
	if (q.condstore || q.qresync)
		imapmail_condstore_enable(m);
	if (imapmail_box_select(m, buf_str(folder), ro, why) < 0) {
		imapmail_tagged(m, "NO", "%s", buf_str(why));
		goto out;
	}
	b = m->box;
	imapmail_box_announce_flags(m);
	imapmail_untagged(m, "%zu EXISTS", b->f->len);
	if (m->rev2) {			/* RFC 9051 6.3.2: the name as listed */
		imapmail_folder_quote(m, name, b->name);
		imapmail_untagged(m, "LIST () \".\" %s", buf_str(name));
	}
	if (!m->rev2)
		imapmail_untagged(m, "%zu RECENT", b->recent);
	if (!m->rev2 && (unseen = first_unseen(b)) > 0)
		imapmail_untagged(m, "OK [UNSEEN %zu] First unseen.", unseen);
	imapmail_untagged(m, "OK [UIDVALIDITY %u] UIDs valid", b->uidvalidity);
	imapmail_untagged(m, "OK [UIDNEXT %u] Predicted next UID", b->uidnext);
	if (m->condstore)
		imapmail_untagged(m, "OK [HIGHESTMODSEQ %llu] Highest",
				  (unsigned long long)b->highestmodseq);
	imapmail_qresync_select(m, &q);
	imapmail_tagged(m, "OK", "[%s] %s completed.", ro ? "READ-ONLY" : "READ-WRITE",
			ro ? "Examine" : "Select");
out:
	imapmail_qresync_free(&q);
	buf_free(&folder);
	buf_free(&why);
	buf_free(&name);
}

/* imapmail_cmd_close - CLOSE expunges silently (unless read-only) */
void imapmail_cmd_close(struct imapmail *m, struct imap_cmd *c)
{
	(void)c;
	if (!m->box->readonly)
		(void)imapmail_expunge_deleted(m, NULL);
	imapmail_box_close(m);
	imapmail_tagged(m, "OK", "Close completed.");
}

void imapmail_cmd_unselect(struct imapmail *m, struct imap_cmd *c)
{
	(void)c;
	imapmail_box_close(m);
	imapmail_tagged(m, "OK", "Unselect completed.");
}

/* imapmail_cmd_create - a trailing separator only says "a parent" */
void imapmail_cmd_create(struct imapmail *m, struct imap_cmd *c)
{
	struct buf *folder = buf_new(64), *why = buf_new(0);
	const char *name;
	char *copy = NULL;
	int rc;

	if (c->args_len < 1 || !imap_arg_astring(&c->args[0], &name)) {
		imapmail_tagged(m, "BAD", "Invalid arguments.");
		goto out;
	}
	copy = xstrdup(name);
	if (strlen(copy) > 1 && copy[strlen(copy) - 1] == '.')
		copy[strlen(copy) - 1] = '\0';
	if (!imapmail_folder_name(m, copy, folder, why)) {
		imapmail_tagged(m, "NO", "%s", buf_str(why));
	} else if (strcmp(buf_str(folder), "INBOX") == 0) {
		imapmail_tagged(m, "NO", "[ALREADYEXISTS] Mailbox already exists");
	} else if ((rc = maildir_folder_create(m->root_fd, buf_str(folder), why)) < 0) {
		log_warn("user %s: create %s: %s", m->user, buf_str(folder), buf_str(why));
		imapmail_tagged(m, "NO", "[SERVERBUG] Internal error occurred.");
	} else if (rc == MAILDIR_FOLDER_EXISTS) {
		imapmail_tagged(m, "NO", "[ALREADYEXISTS] Mailbox already exists");
	} else {
		imapmail_tagged(m, "OK", "Create completed.");
	}
out:
	free(copy);
	buf_free(&folder);
	buf_free(&why);
}

void imapmail_cmd_delete(struct imapmail *m, struct imap_cmd *c)
{
	struct buf *folder = buf_new(64), *why = buf_new(0);
	int fd;

	if (!mailbox_arg(m, c, 0, folder))
		goto out;
	if (strcmp(buf_str(folder), "INBOX") == 0) {
		imapmail_tagged(m, "NO", "INBOX can't be deleted.");
		goto out;
	}
	if ((fd = imapmail_folder_open(m, buf_str(folder))) < 0) {
		imapmail_tagged(m, "NO", "[NONEXISTENT] Mailbox doesn't exist: %s", buf_str(folder));
		goto out;
	}
	close(fd);
	if (m->box && strcmp(m->box->name, buf_str(folder)) == 0)
		imapmail_box_close(m);
	if (maildir_folder_delete(m->root_fd, buf_str(folder), why) < 0) {
		log_warn("user %s: delete %s: %s", m->user, buf_str(folder), buf_str(why));
		imapmail_tagged(m, "NO", "[SERVERBUG] Internal error occurred.");
	} else {
		imapmail_quota_recalc(m);
		imapmail_tagged(m, "OK", "Delete completed.");
	}
out:
	buf_free(&folder);
	buf_free(&why);
}

/* move_all - every file of INBOX's sub (new or cur) into dst's */
static int move_all(struct imapmail *m, int dst, const char *sub)
{
	int from = openat(m->root_fd, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int to = openat(dst, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = from >= 0 ? fdopendir(from) : NULL;
	struct dirent *e;
	int rc = d && to >= 0 ? 0 : -1;

	while (rc == 0 && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (renameat2(dirfd(d), e->d_name, to, e->d_name, RENAME_NOREPLACE) < 0 && errno != ENOENT)
			rc = -1;
	}
	if (d)
		closedir(d);
	else if (from >= 0)
		close(from);
	if (to >= 0)
		close(to);
	return rc;
}

/* copy_keywords - INBOX's dovecot-keywords (kept current by the index)
 * into the new folder, never synced yet: its first sync takes the file,
 * so the letters in the moved file names keep their names */
static int copy_keywords(struct imapmail *m, int dst)
{
	char data[8192];
	int in = openat(m->root_fd, "dovecot-keywords", O_RDONLY | O_NOFOLLOW | O_CLOEXEC), out;
	ssize_t n = in >= 0 ? read(in, data, sizeof(data)) : 0;
	int rc = 0;

	if (in >= 0)
		close(in);
	if (n <= 0)
		return in < 0 && errno != ENOENT ? -1 : 0;
	out = openat(dst, "dovecot-keywords", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0 || write(out, data, (size_t)n) != n)
		rc = -1;
	if (out >= 0)
		close(out);
	return rc;
}

/* rename_inbox - RFC 9051 6.3.6: INBOX's messages move to a new folder,
 * INBOX stays, empty */
static void rename_inbox(struct imapmail *m, const char *to)
{
	struct buf *why = buf_new(0);
	int rc = maildir_folder_create(m->root_fd, to, why), dst = -1;

	if (rc == MAILDIR_FOLDER_EXISTS) {
		imapmail_tagged(m, "NO", "[ALREADYEXISTS] Target mailbox already exists");
	} else if (rc < 0 || (dst = imapmail_folder_open(m, to)) < 0 || copy_keywords(m, dst) < 0 ||
		   move_all(m, dst, "cur") < 0 || move_all(m, dst, "new") < 0) {
		log_warn("user %s: rename INBOX to %s: %s%m", m->user, to, buf_str(why));
		imapmail_tagged(m, "NO", "[SERVERBUG] Internal error occurred.");
	} else {
		imapmail_tagged(m, "OK", "Rename completed.");
	}
	if (dst >= 0)
		close(dst);
	buf_free(&why);
}

/* imapmail_cmd_rename - RENAME, with INBOX's special case */
void imapmail_cmd_rename(struct imapmail *m, struct imap_cmd *c)
{
	struct buf *from = buf_new(64), *to = buf_new(64), *why = buf_new(0);

	if (!mailbox_arg(m, c, 0, from) || !mailbox_arg(m, c, 1, to))
		goto out;
	if (strcmp(buf_str(to), "INBOX") == 0) {
		imapmail_tagged(m, "NO", "[ALREADYEXISTS] Mailbox already exists");
	} else if (strcmp(buf_str(from), "INBOX") == 0) {
		rename_inbox(m, buf_str(to));
	} else if (maildir_folder_rename(m->root_fd, buf_str(from), buf_str(to), why) < 0) {
		if (errno == EEXIST)
			imapmail_tagged(m, "NO", "[ALREADYEXISTS] Target mailbox already exists");
		else if (errno == ENOENT)
			imapmail_tagged(m, "NO", "[NONEXISTENT] Mailbox doesn't exist: %s", buf_str(from));
		else
			imapmail_tagged(m, "NO", "[SERVERBUG] Internal error occurred.");
	} else {
		imapmail_tagged(m, "OK", "Rename completed.");
	}
out:
	buf_free(&from);
	buf_free(&to);
	buf_free(&why);
}

/* imapmail_cmd_subscribe - SUBSCRIBE and UNSUBSCRIBE */
void imapmail_cmd_subscribe(struct imapmail *m, struct imap_cmd *c)
{
	bool sub = strcmp(c->name, "SUBSCRIBE") == 0;
	struct buf *folder = buf_new(64), *why = buf_new(0);
	struct strv *names = NULL, *kept = strv_new();
	size_t skipped, i;
	bool found = false;

	if (!mailbox_arg(m, c, 0, folder))
		goto out;
	if (maildir_subs_read(m->root_fd, &names, &skipped, why) < 0) {
		log_warn("user %s: subscriptions: %s", m->user, buf_str(why));
		imapmail_tagged(m, "NO", "[SERVERBUG] Internal error occurred.");
		goto out;
	}
	for (i = 0; i < names->len; i++) {
		if (strcmp(names->items[i], buf_str(folder)) == 0)
			found = true;
		else
			strv_add(kept, names->items[i]);
	}
	if (sub)
		strv_add(kept, buf_str(folder));
	if (sub == found) {		/* nothing to change */
		imapmail_tagged(m, "OK", "%s completed.", sub ? "Subscribe" : "Unsubscribe");
	} else if (maildir_subs_write(m->root_fd, kept, why) < 0) {
		log_warn("user %s: subscriptions: %s", m->user, buf_str(why));
		imapmail_tagged(m, "NO", "[SERVERBUG] Internal error occurred.");
	} else {
		imapmail_tagged(m, "OK", "%s completed.", sub ? "Subscribe" : "Unsubscribe");
	}
out:
	strv_free(&names);
	strv_free(&kept);
	buf_free(&folder);
	buf_free(&why);
}
