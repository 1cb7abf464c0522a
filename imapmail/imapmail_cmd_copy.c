/* imapmail_cmd_copy - COPY, MOVE (RFC 6851) and APPEND, with UIDPLUS's
 * COPYUID and APPENDUID (RFC 4315).
 * COPY makes a hard link of each file in the target's cur/ under a new
 * unique base with the same sizes and flags (as Dovecot's Maildir does);
 * MOVE renames the file into the target (never over an existing name),
 * then the source's view loses it at the sync before the tagged answer.
 * APPEND writes the literal through the store's Maildir writer (tmp/,
 * fsync, new/), with LF line ends as delivery stores them, dated with
 * the given internal date, then gives it its flags in cur/.  The new
 * UIDs come from a sync of the target folder's index. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/time.h>

#include "imap_date.h"
#include "imap_seqset.h"
#include "imapmail.h"
#include "imapmail_watch.h"
#include "log.h"
#include "mail_index.h"
#include "mail_index_keywords.h"
#include "maildir.h"
#include "maildir_flags.h"
#include "maildir_quota.h"
#include "mem.h"

/* target - the target folder's name (checked) and directory: fd or -1
 * after the answer was sent */
static int target(struct imapmail *m, const struct imap_arg *a, struct buf *folder)
{
	struct buf *why = buf_new(0);
	const char *name;
	int fd = -1;

	if (!imap_arg_astring(a, &name))
		imapmail_tagged(m, "BAD", "Invalid arguments.");
	else if (!imapmail_folder_name(m, name, folder, why))
		imapmail_tagged(m, "NO", "%s", buf_str(why));
	else if ((fd = imapmail_folder_open(m, buf_str(folder))) < 0)
		imapmail_tagged(m, "NO", "[TRYCREATE] Mailbox doesn't exist: %s", name);
	buf_free(&why);
	return fd;
}

/* new_name - a fresh unique base with the sizes of name's base, and
 * flags: "SEC.M<us>P<pid>Q<n>.<host>,S=..,W=..:2,FLAGS" */
static void new_name(const char *name, const char *flags, unsigned long counter, struct buf *out,
		     struct buf *base)
{
	size_t blen = maildir_base_len(name);
	const char *sizes = memchr(name, ',', blen);
	static char host[256];
	struct timeval tv;

	if (host[0] == '\0' && gethostname(host, sizeof(host) - 1) < 0)
		strcpy(host, "localhost");	/* once per session, not per message */
	gettimeofday(&tv, NULL);
	buf_reset(base);
	maildir_unique(base, &tv, getpid(), counter, host);
	if (sizes)
		buf_add(base, sizes, (size_t)(name + blen - sizes));
	buf_reset(out);
	maildir_flags_name(out, buf_str(base), flags);
}

/* remap - msg's flags for the target folder: a keyword's letter is the
 * target's letter for the same name (made there when new) */
static void remap(struct imapmail *m, const char *folder, int dst, const char *flags, char *out)
{
	struct buf *why = buf_new(0);
	size_t len = 0;

	for (const char *p = flags; *p && len + 1 < MAILDIR_FLAGS_MAX; p++) {
		char letter = *p;
		const struct strv *kw = m->box->keywords;

		if (*p >= 'a' && *p <= 'z') {
			size_t k = (size_t)(*p - 'a');

			if (kw == NULL || k >= kw->len || kw->items[k][0] == '\0' ||
			    mail_index_keyword_letter(m->idx, folder, dst, kw->items[k], true, &letter,
						      why) != 1)
				continue;
		}
		out[len++] = letter;
	}
	out[len] = '\0';
	buf_free(&why);
}

/* place - message msg of the selected folder into dst (link, or rename
 * for a move); its new base into base: 0, -1 (logged) */
static int place(struct imapmail *m, const char *folder, int dst, const struct mail_index_msg *msg,
		 bool move, struct buf *base)
{
	static unsigned long counter;
	struct buf *from = buf_new(64), *to = buf_new(64), *name = buf_new(64);
	char flags[MAILDIR_FLAGS_MAX];
	int rc = -1;

	remap(m, folder, dst, msg->flags, flags);
	buf_printf(from, "%s/%s", msg->in_new ? "new" : "cur", msg->name);
	for (int tries = 0; rc < 0 && tries < 100; tries++) {
		new_name(msg->name, flags, counter++, name, base);
		buf_reset(to);
		buf_printf(to, "cur/%s", buf_str(name));
		if (move)
			rc = renameat2(m->box->fd, buf_str(from), dst, buf_str(to), RENAME_NOREPLACE);
		else
			rc = linkat(m->box->fd, buf_str(from), dst, buf_str(to), 0);
		if (rc < 0 && errno != EEXIST) {
			log_warn("user %s: %s %s: %m", m->user, move ? "move" : "copy", buf_str(from));
			break;
		}
	}
	buf_free(&from);
	buf_free(&to);
	buf_free(&name);
	return rc;
}

/* selected - folder is the selected one */
static bool selected(const struct imapmail *m, const char *folder)
{
	return m->box && strcmp(m->box->name, folder) == 0;
}

/* uids_of - after a sync of folder (the selected one: the session's
 * sync, which tells the index its own new files, imapmail_watch.h), the
 * UIDs of the bases into out as a set, in the bases' order: runs joined
 * ("5:7,9", as Dovecot writes them) when they increase, else one by one;
 * false when any is missing */
static bool uids_of(struct imapmail *m, const char *folder, int fd, const struct strv *bases,
		    struct buf *out)
{
	struct buf *why = buf_new(0);
	bool ok = selected(m, folder) ? imapmail_box_sync(m, m->sync == IMAPMAIL_SYNC_ALL) == 0
				      : mail_index_sync(m->idx, folder, fd, NULL, why) == 0;
	uint32_t *uids = xcalloc(bases->len ? bases->len : 1, sizeof(*uids));
	bool increasing = true;

	for (size_t i = 0; ok && i < bases->len; i++) {
		ok = mail_index_uid_of(m->idx, folder, bases->items[i], &uids[i], why) == 1;
		increasing = increasing && (i == 0 || uids[i] > uids[i - 1]);
	}
	if (ok && increasing)
		imap_seqset_format(uids, bases->len, out);
	for (size_t i = 0; ok && !increasing && i < bases->len; i++)
		buf_printf(out, "%s%u", i ? "," : "", uids[i]);
	free(uids);
	if (buf_len(why))
		log_warn("user %s: %s: %s", m->user, folder, buf_str(why));
	buf_free(&why);
	return ok;
}

/* uidvalidity - the folder's, from the view or the index */
static uint32_t uidvalidity(struct imapmail *m, const char *folder)
{
	struct mail_index_folder *f = NULL;
	struct buf *why = buf_new(0);
	uint32_t v = 0;

	if (selected(m, folder))
		v = m->box->uidvalidity;
	else if (mail_index_list(m->idx, folder, &f, why) == 0 && f)
		v = f->uidvalidity;
	mail_index_folder_free(&f);
	buf_free(&why);
	return v;
}

/* imapmail_cmd_copy - COPY and MOVE set mailbox */
void imapmail_cmd_copy(struct imapmail *m, struct imap_cmd *c)
{
	bool move = strcmp(c->name, "MOVE") == 0;
	struct buf *folder = buf_new(64), *base = buf_new(64), *src = buf_new(64), *dst = buf_new(64);
	struct strv *bases = strv_new();
	size_t *idx = NULL, n = 0, done = 0;
	long long bytes = 0, done_bytes = 0;
	struct maildir_quota q;
	int fd = -1;

	if (c->args_len != 2 || c->args[0].type != IMAP_ARG_ATOM ||
	    imapmail_box_seqset(m, c->args[0].str, &idx, &n) < 0) {
		imapmail_tagged(m, "BAD", "Invalid arguments.");
		goto out;
	}
	if ((fd = target(m, &c->args[1], folder)) < 0)
		goto out;
	if (move && m->box->readonly) {
		imapmail_tagged(m, "NO", "Mailbox is read-only.");
		goto out;
	}
	for (size_t k = 0; k < n; k++)
		bytes += (long long)m->box->f->msgs[idx[k]].size;
	if (!imapmail_quota_room(m, move ? m->box->name : NULL, buf_str(folder), bytes, (long long)n, &q))
		goto out;
	for (size_t k = 0; k < n; k++) {
		const struct mail_index_msg *msg = &m->box->f->msgs[idx[k]];

		if (place(m, buf_str(folder), fd, msg, move, base) < 0)
			continue;
		done_bytes += (long long)msg->size;
		strv_add(bases, buf_str(base));
		buf_printf(src, "%s%u", done++ ? "," : "", msg->uid);
	}
	imapmail_quota_moved(m, move ? m->box->name : NULL, buf_str(folder), &q, done_bytes,
			     (long long)done);
	if (n > 0 && done == 0) {
		imapmail_tagged(m, "NO", "[SERVERBUG] Internal error occurred.");
		goto out;
	}
	if (done == 0 || !uids_of(m, buf_str(folder), fd, bases, dst)) {
		imapmail_tagged(m, "OK", "%s completed.", move ? "Move" : "Copy");
	} else if (move) {
		imapmail_untagged(m, "OK [COPYUID %u %s %s] Moved UIDs.",
				  uidvalidity(m, buf_str(folder)), buf_str(src), buf_str(dst));
		imapmail_tagged(m, "OK", "Move completed.");
	} else {
		imapmail_tagged(m, "OK", "[COPYUID %u %s %s] Copy completed.",
				uidvalidity(m, buf_str(folder)), buf_str(src), buf_str(dst));
	}
out:
	if (fd >= 0)
		close(fd);
	free(idx);
	strv_free(&bases);
	buf_free(&folder);
	buf_free(&base);
	buf_free(&src);
	buf_free(&dst);
}

/* append_flags - APPEND's flag list as Maildir letters (a keyword gets
 * a letter in the target folder): false when bad */
static bool append_flags(struct imapmail *m, const char *folder, int fd, const struct imap_arg *a,
			 char *out)
{
	static const struct { char letter; const char *name; } sys[] = {
		{ 'D', "\\Draft" }, { 'F', "\\Flagged" }, { 'R', "\\Answered" },
		{ 'S', "\\Seen" }, { 'T', "\\Deleted" } };
	struct buf *why = buf_new(0);
	size_t len = 0;
	bool ok = true;

	for (size_t i = 0; ok && i < a->list_len; i++) {
		const char *name = a->list[i].str;
		char letter = 0;

		if (a->list[i].type != IMAP_ARG_ATOM) {
			ok = false;
			break;
		}
		for (size_t k = 0; k < sizeof(sys) / sizeof(sys[0]); k++)
			if (strcasecmp(name, sys[k].name) == 0)
				letter = sys[k].letter;
		if (letter == 0 && name[0] == '\\')
			ok = strcasecmp(name, "\\Recent") == 0;
		else if (letter == 0 &&
			 mail_index_keyword_letter(m->idx, folder, fd, name, true, &letter, why) != 1)
			letter = 0;	/* no letter left: the keyword is dropped */
		if (letter && len + 1 < MAILDIR_FLAGS_MAX && memchr(out, letter, len) == NULL)
			out[len++] = letter;
	}
	out[len] = '\0';
	buf_free(&why);
	return ok;
}

/* write_lf - the literal with CRLF made LF (as delivery stores mail),
 * counted for ",W=" */
static int write_lf(struct maildir_file *f, const char *p, size_t len)
{
	struct buf *b = buf_new(len + 1);
	struct mail_vsize v = { 0 };
	ssize_t w;
	size_t off = 0;

	for (size_t i = 0; i < len; i++)
		if (!(p[i] == '\r' && i + 1 < len && p[i + 1] == '\n'))
			buf_putc(b, p[i]);
	mail_vsize_add(&v, buf_str(b), buf_len(b));
	while (off < buf_len(b) && (w = write(maildir_file_fd(f), buf_str(b) + off,
					      buf_len(b) - off)) > 0)
		off += (size_t)w;
	maildir_file_counted(f, &v);
	buf_free(&b);
	return (off_t)off == v.size ? 0 : -1;
}

/* lf_size - the literal's size with CRLF made LF, as write_lf stores it */
static long long lf_size(const struct imap_arg *lit)
{
	long long crlf = 0;

	for (size_t i = 0; i + 1 < lit->len; i++)
		crlf += lit->str[i] == '\r' && lit->str[i + 1] == '\n';
	return (long long)lit->len - crlf;
}

/* store_message - the literal into folder (fd): its new/ name into name */
static int store_message(struct imapmail *m, const char *folder, const struct imap_arg *lit,
			 time_t date, struct buf *name, struct buf *why)
{
	struct buf *path = buf_new(64);
	struct maildir *md;
	struct maildir_file *f = NULL;
	int rc = -1;

	buf_printf(path, "%s", strcmp(folder, "INBOX") == 0 ? "." : "");
	if (strcmp(folder, "INBOX") != 0)
		buf_printf(path, ".%s", folder);
	if ((md = maildir_open(m->root_fd, buf_str(path), 0, why)) == NULL)
		goto out;
	if ((f = maildir_file_create(md, why)) == NULL)
		goto out;
	if (write_lf(f, lit->str, lit->len) < 0) {
		buf_printf(why, "write: %m");
		goto out;
	}
	if (date != (time_t)-1)
		(void)futimens(maildir_file_fd(f), (struct timespec[2]){ { date, 0 }, { date, 0 } });
	if (maildir_file_commit(&f, why) < 0)
		goto out;
	buf_set(name, maildir_last_name(md));
	rc = 0;
out:
	maildir_file_abort(&f);
	maildir_close(&md);
	buf_free(&path);
	return rc;
}

/* placed - the appended file (new/name) gets its flags (cur/newname),
 * or stays in new/ without any, as Dovecot leaves it; in the selected
 * folder the session tells its watch of it */
static void placed(struct imapmail *m, const char *folder, int fd, const struct buf *name,
		   const char *flags, struct buf *newname, struct buf *why)
{
	const char *now = buf_str(name);
	bool in_new = true;
	struct buf *path = buf_new(64);
	struct stat st;

	if (flags[0] && maildir_flags_set(fd, buf_str(name), true, flags, newname, why) < 0) {
		log_warn("user %s: %s", m->user, buf_str(why));
	} else if (flags[0]) {
		now = buf_str(newname);
		in_new = false;
	}
	buf_printf(path, "%s/%s", in_new ? "new" : "cur", now);
	if (selected(m, folder) && fstatat(fd, buf_str(path), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISREG(st.st_mode))
		imapmail_watch_new(m->box->watch, in_new ? NULL : buf_str(name), now, in_new,
				   st.st_size, st.st_mtime);
	buf_free(&path);
}

/* one message of an APPEND (MULTIAPPEND: several) */
struct append_msg {
	const struct imap_arg *data;
	char flags[MAILDIR_FLAGS_MAX];
	time_t date;
};

/* append_specs - the messages of c from argument i on: [(flags)]
 * [date-time] data, repeated (RFC 3502); their count, 0 when bad */
static size_t append_specs(struct imapmail *m, struct imap_cmd *c, size_t i, const char *folder,
			   int fd, struct append_msg *out, size_t max)
{
	size_t n = 0;
	int zone;

	while (i < c->args_len) {
		struct append_msg *a = &out[n];

		if (n == max)
			return 0;
		*a = (struct append_msg){ .date = (time_t)-1 };
		if (c->args[i].type == IMAP_ARG_LIST && !append_flags(m, folder, fd, &c->args[i++], a->flags))
			return 0;
		if (i < c->args_len && c->args[i].type == IMAP_ARG_STRING &&
		    imap_date_time_parse(c->args[i++].str, &a->date, &zone) < 0)
			return 0;
		if ((a->data = imapmail_append_data(m, c, i, &i)) == NULL)
			return 0;
		n++;
	}
	return n;
}

/* unstore - the new/ files of an APPEND that failed part way (RFC 3502:
 * none of its messages is appended) */
static void unstore(int fd, const struct strv *names)
{
	struct buf *path = buf_new(64);

	for (size_t i = 0; i < names->len; i++) {
		buf_reset(path);
		buf_printf(path, "new/%s", names->items[i]);
		(void)unlinkat(fd, buf_str(path), 0);
	}
	buf_free(&path);
}

/* imapmail_cmd_append - APPEND mailbox [(flags)] [date-time] literal, or
 * UTF8 (literal8) after ENABLE UTF8=ACCEPT; MULTIAPPEND (RFC 3502):
 * more messages after the first, all appended or none (the files of the
 * earlier ones removed again when a later one cannot be written); the
 * literals of one command are bounded together by message_size_limit */
void imapmail_cmd_append(struct imapmail *m, struct imap_cmd *c)
{
	struct buf *folder = buf_new(64), *name = buf_new(64), *why = buf_new(0), *uid = buf_new(16);
	struct buf *newname = buf_new(64);
	struct strv *bases = strv_new(), *names = strv_new();
	struct append_msg *msgs = NULL;
	struct maildir_quota q;
	long long bytes = 0;
	size_t n = 0;
	int fd = -1;

	if (c->args_len < 2 || (fd = target(m, &c->args[0], folder)) < 0) {
		if (c->args_len < 2)
			imapmail_tagged(m, "BAD", "Invalid arguments.");
		goto out;
	}
	msgs = xcalloc(c->args_len, sizeof(*msgs));
	if ((n = append_specs(m, c, 1, buf_str(folder), fd, msgs, c->args_len)) == 0)
		goto bad;
	for (size_t k = 0; k < n; k++)
		bytes += lf_size(msgs[k].data);
	if (!imapmail_quota_room(m, NULL, buf_str(folder), bytes, (long)n, &q))
		goto out;
	for (size_t k = 0; k < n; k++) {
		if (store_message(m, buf_str(folder), msgs[k].data, msgs[k].date, name, why) < 0) {
			log_warn("user %s: append to %s: %s", m->user, buf_str(folder), buf_str(why));
			unstore(fd, names);
			imapmail_tagged(m, "NO", "[SERVERBUG] Internal error occurred.");
			goto out;
		}
		strv_add(names, buf_str(name));
	}
	for (size_t k = 0; k < n; k++) {
		const char *stored = names->items[k];

		buf_set(name, stored);
		placed(m, buf_str(folder), fd, name, msgs[k].flags, newname, why);
		strv_addn(bases, stored, maildir_base_len(stored));
	}
	m->n_append += n;
	imapmail_quota_moved(m, NULL, buf_str(folder), &q, bytes, (long)n);
	if (uids_of(m, buf_str(folder), fd, bases, uid))
		imapmail_tagged(m, "OK", "[APPENDUID %u %s] Append completed.",
				uidvalidity(m, buf_str(folder)), buf_str(uid));
	else
		imapmail_tagged(m, "OK", "Append completed.");
	goto out;
bad:
	imapmail_tagged(m, "BAD", "Invalid arguments.");
out:
	if (fd >= 0)
		close(fd);
	free(msgs);
	strv_free(&bases);
	strv_free(&names);
	buf_free(&folder);
	buf_free(&name);
	buf_free(&newname);
	buf_free(&why);
	buf_free(&uid);
}
