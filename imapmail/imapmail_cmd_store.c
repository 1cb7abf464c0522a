/* imapmail_cmd_store - STORE (RFC 9051 6.4.6), EXPUNGE and UID EXPUNGE
 * (RFC 4315), and the flag change FETCH's implicit \Seen uses too.
 * Flags live in the Maildir file names (":2,FLAGS", keywords as the
 * letters a-z of the folder's keyword table); a change is a rename in
 * the folder, which the index sees at its next sync (a new MODSEQ). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "imap_seqset.h"
#include "imapmail.h"
#include "log.h"
#include "mail_index_keywords.h"
#include "maildir_flags.h"
#include "mem.h"

static const struct { char letter; const char *name; } system_flags[] = {
	{ 'D', "\\Draft" }, { 'F', "\\Flagged" }, { 'R', "\\Answered" },
	{ 'S', "\\Seen" }, { 'T', "\\Deleted" } };

/* imapmail_flags_set - message i gets exactly flags (Maildir letters) */
int imapmail_flags_set(struct imapmail *m, size_t i, const char *flags)
{
	struct mail_index_msg *msg = &m->box->f->msgs[i];
	struct buf *newname = buf_new(64), *why = buf_new(0);
	char sorted[MAILDIR_FLAGS_MAX];
	int rc = 0;

	maildir_flags_sort(flags, sorted);
	if (strcmp(sorted, msg->flags) == 0 && !msg->in_new)
		goto out;
	if ((rc = maildir_flags_set(m->box->fd, msg->name, msg->in_new, sorted, newname, why)) < 0) {
		log_warn("user %s: %s", m->user, buf_str(why));
	} else if (rc > 0) {
		free(msg->name);
		msg->name = xstrdup(buf_str(newname));
		msg->in_new = false;
		memcpy(msg->flags, sorted, sizeof(sorted));
	}
out:
	buf_free(&newname);
	buf_free(&why);
	return rc;
}

/* flag_letter - the letter of one flag (a keyword gets one): 1, 0 a flag
 * that cannot be stored (\Recent: ignored), -1 bad, -2 no letter left */
static int flag_letter(struct imapmail *m, const char *flag, char *letter)
{
	struct buf *why = buf_new(0);
	int rc;

	for (size_t k = 0; k < sizeof(system_flags) / sizeof(system_flags[0]); k++) {
		if (strcasecmp(flag, system_flags[k].name) == 0) {
			*letter = system_flags[k].letter;
			buf_free(&why);
			return 1;
		}
	}
	if (strcasecmp(flag, "\\Recent") == 0) {
		buf_free(&why);
		return 0;
	}
	if (flag[0] == '\\') {
		buf_free(&why);
		return -1;
	}
	rc = mail_index_keyword_letter(m->idx, m->box->name, m->box->fd, flag, true, letter, why);
	if (rc < 0 && rc != MAIL_INDEX_KEYWORDS_FULL)
		log_warn("user %s: keyword %s: %s", m->user, flag, buf_str(why));
	/* a new keyword: the view's table must name its letter */
	if (rc == 1 && ((size_t)(*letter - 'a') >= m->box->keywords->len ||
			m->box->keywords->items[*letter - 'a'][0] == '\0')) {
		strv_free(&m->box->keywords);
		if (mail_index_keywords(m->idx, m->box->name, m->box->fd, &m->box->keywords, why) < 0) {
			log_warn("user %s: keywords: %s", m->user, buf_str(why));
			m->box->keywords = strv_new();
		}
	}
	buf_free(&why);
	return rc == MAIL_INDEX_KEYWORDS_FULL ? -2 : rc < 0 ? -1 : 1;
}

/* flag_set - the flags of the STORE arguments as letters: 0, -1 BAD,
 * -2 NO (keywords full) */
static int flag_set(struct imapmail *m, const struct imap_arg *a, size_t n, char *out)
{
	size_t len = 0;

	if (n == 1 && a->type == IMAP_ARG_LIST) {
		n = a->list_len;
		a = a->list;
	}
	for (size_t i = 0; i < n; i++) {
		char letter;
		int rc;

		if (a[i].type != IMAP_ARG_ATOM)
			return -1;
		if ((rc = flag_letter(m, a[i].str, &letter)) < 0)
			return rc;
		if (rc > 0 && len + 1 < MAILDIR_FLAGS_MAX && strchr(out, letter) == NULL) {
			out[len++] = letter;
			out[len] = '\0';
		}
	}
	return 0;
}

/* combine - the message's new flags after +FLAGS, -FLAGS or FLAGS */
static void combine(const char *old, const char *given, char mode, char *out)
{
	size_t len = 0;

	if (mode == '+' || mode == '-')
		for (const char *p = old; *p; p++)
			if (mode == '+' || strchr(given, *p) == NULL)
				out[len++] = *p;
	if (mode != '-')
		for (const char *p = given; *p && len + 1 < MAILDIR_FLAGS_MAX; p++)
			out[len++] = *p;
	out[len] = '\0';
}

/* imapmail_cmd_store - STORE set [+-]FLAGS[.SILENT] flags */
void imapmail_cmd_store(struct imapmail *m, struct imap_cmd *c)
{
	char given[MAILDIR_FLAGS_MAX] = "", mode = '=';
	const char *item;
	size_t *idx = NULL, n = 0;
	bool silent;
	int rc;

	if (c->args_len < 3 || c->args[0].type != IMAP_ARG_ATOM || c->args[1].type != IMAP_ARG_ATOM ||
	    imapmail_box_seqset(m, c->args[0].str, &idx, &n) < 0) {
		imapmail_tagged(m, "BAD", "Invalid arguments.");
		goto out;
	}
	item = c->args[1].str;
	if (*item == '+' || *item == '-')
		mode = *item++;
	silent = strcasecmp(item, "FLAGS.SILENT") == 0;
	if (!silent && strcasecmp(item, "FLAGS") != 0) {
		imapmail_tagged(m, "BAD", "Invalid STORE item %s", c->args[1].str);
		goto out;
	}
	if (m->box->readonly) {		/* Dovecot's answer */
		imapmail_tagged(m, "OK", "Store ignored with read-only mailbox.");
		goto out;
	}
	if ((rc = flag_set(m, c->args + 2, c->args_len - 2, given)) < 0) {
		if (rc == -2)
			imapmail_tagged(m, "NO", "Mailbox has too many keywords");
		else
			imapmail_tagged(m, "BAD", "Invalid system flag");
		goto out;
	}
	for (size_t k = 0; k < n; k++) {
		struct buf *line = buf_new(64);
		char flags[MAILDIR_FLAGS_MAX];
		size_t i = idx[k];

		combine(m->box->f->msgs[i].flags, given, mode, flags);
		if (imapmail_flags_set(m, i, flags) >= 0 && !silent) {
			imapmail_box_flags(m, i, line);
			if (m->uid)
				imapmail_untagged(m, "%zu FETCH (UID %u %s)", i + 1,
						  m->box->f->msgs[i].uid, buf_str(line));
			else
				imapmail_untagged(m, "%zu FETCH (%s)", i + 1, buf_str(line));
		}
		buf_free(&line);
	}
	m->n_store++;
	imapmail_tagged(m, "OK", "Store completed.");
out:
	free(idx);
}

/* imapmail_expunge_deleted - unlink the \Deleted files */
int imapmail_expunge_deleted(struct imapmail *m, const struct imap_seqset *uids)
{
	const struct mail_index_folder *f = m->box->f;
	struct buf *path = buf_new(64);
	uint32_t max = f->len ? f->msgs[f->len - 1].uid : 0;
	long long bytes = 0, count = 0;	/* unlinked here: out of the quota */

	for (size_t i = 0; i < f->len; i++) {
		const struct mail_index_msg *msg = &f->msgs[i];
		int rc;

		if (strchr(msg->flags, 'T') == NULL || (uids && !imap_seqset_has(uids, msg->uid, max)))
			continue;
		buf_reset(path);
		buf_printf(path, "%s/%s", msg->in_new ? "new" : "cur", msg->name);
		if ((rc = unlinkat(m->box->fd, buf_str(path), 0)) < 0 && errno != ENOENT)
			log_warn("user %s: unlink %s: %m", m->user, buf_str(path));
		else
			m->n_expunge++;
		if (rc == 0) {
			bytes += (long long)msg->size;
			count++;
		}
	}
	imapmail_quota_moved(m, m->box->name, NULL, NULL, bytes, count);
	buf_free(&path);
	return 0;
}

/* imapmail_cmd_expunge - EXPUNGE, UID EXPUNGE set */
void imapmail_cmd_expunge(struct imapmail *m, struct imap_cmd *c)
{
	struct imap_seqset *uids = NULL;

	if (m->uid && (c->args_len != 1 || c->args[0].type != IMAP_ARG_ATOM ||
		       imap_seqset_parse(c->args[0].str, &uids) < 0)) {
		imapmail_tagged(m, "BAD", "Invalid arguments.");
		return;
	}
	if (!m->uid && c->args_len != 0) {
		imapmail_tagged(m, "BAD", "Unexpected arguments.");
		return;
	}
	if (m->box->readonly) {
		imapmail_tagged(m, "NO", "Mailbox is read-only.");
	} else {
		imapmail_expunge_deleted(m, uids);
		imapmail_tagged(m, "OK", "Expunge completed.");
	}
	imap_seqset_free(&uids);
}
