/* imapmail_cmd_store - STORE (RFC 9051 6.4.6), EXPUNGE and UID EXPUNGE
 * (RFC 4315), and the flag change FETCH's implicit \Seen uses too.
 * Flags live in the Maildir file names (":2,FLAGS", keywords as the
 * letters a-z of the folder's keyword table); a change is a rename in
 * the folder, which the index sees at its next sync (a new MODSEQ),
 * told to the folder's watch (imapmail_watch.h) so that the sync need
 * not read the folder for it; an EXPUNGE's unlinks too. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "imap_seqset.h"
#include "imapmail.h"
#include "imapmail_watch.h"
#include "log.h"
#include "mail_index_keywords.h"
#include "maildir_flags.h"
#include "mem.h"

static const struct { char letter; const char *name; } system_flags[] = {
	{ 'D', "\\Draft" }, { 'F', "\\Flagged" }, { 'R', "\\Answered" },
	{ 'S', "\\Seen" }, { 'T', "\\Deleted" } };

/* rename_flags - maildir_flags_set, through the box's cur/ and new/
 * while its watch says the directories are still the folder's */
static int rename_flags(const struct imapmail_box *b, const struct mail_index_msg *msg,
			const char *flags, struct buf *newname, struct buf *why)
{
	if (b->watch && !b->watch->lost && b->cur_fd >= 0 && b->new_fd >= 0)
		return maildir_flags_set_at(b->cur_fd, msg->in_new ? b->new_fd : -1, msg->name,
					    flags, newname, why);
	return maildir_flags_set(b->fd, msg->name, msg->in_new, flags, newname, why);
}

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
	if ((rc = rename_flags(m->box, msg, sorted, newname, why)) < 0) {
		log_warn("user %s: %s", m->user, buf_str(why));
	} else if (rc > 0) {
		imapmail_watch_renamed(m->box->watch, msg->uid, msg->name, msg->in_new,
				       buf_str(newname), false);
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
		m->box->new_keyword = true;
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

/* unchangedsince - STORE's (UNCHANGEDSINCE modseq) at args[*at], if
 * there: false when it is there and wrong */
static bool unchangedsince(struct imapmail *m, struct imap_cmd *c, size_t *at, uint64_t *since)
{
	const struct imap_arg *a = &c->args[*at];

	if (a->type != IMAP_ARG_LIST)
		return true;
	if (a->list_len != 2 || !imap_arg_atom_is(&a->list[0], "UNCHANGEDSINCE") ||
	    !imap_arg_number64(&a->list[1], since))
		return false;
	imapmail_condstore_enable(m);
	(*at)++;
	return true;
}

/* store_flags - the letters of the STORE arguments at args[at..]: 0, or
 * the tagged answer is sent and -1 */
static int store_flags(struct imapmail *m, struct imap_cmd *c, size_t at, char *given)
{
	int rc = flag_set(m, c->args + at, c->args_len - at, given);

	if (rc == -2)
		imapmail_tagged(m, "NO", "Mailbox has too many keywords");
	else if (rc < 0)
		imapmail_tagged(m, "BAD", "Invalid system flag");
	return rc < 0 ? -1 : 0;
}

/* imapmail_cmd_store - STORE set [(UNCHANGEDSINCE m)] [+-]FLAGS[.SILENT] flags */
void imapmail_cmd_store(struct imapmail *m, struct imap_cmd *c)
{
	char given[MAILDIR_FLAGS_MAX] = "", mode = '=';
	struct buf *modified = buf_new(32);
	uint64_t since = UINT64_MAX;
	const char *item;
	size_t *idx = NULL, n = 0, at = 1;
	int *rc = NULL;
	bool silent;

	if (c->args_len < 3 || c->args[0].type != IMAP_ARG_ATOM ||
	    imapmail_box_seqset(m, c->args[0].str, &idx, &n) < 0 ||
	    !unchangedsince(m, c, &at, &since) || at + 1 >= c->args_len ||
	    c->args[at].type != IMAP_ARG_ATOM) {
		imapmail_tagged(m, "BAD", "Invalid arguments.");
		goto out;
	}
	item = c->args[at].str;
	if (*item == '+' || *item == '-')
		mode = *item++;
	silent = strcasecmp(item, "FLAGS.SILENT") == 0;
	if (!silent && strcasecmp(item, "FLAGS") != 0) {
		imapmail_tagged(m, "BAD", "Invalid STORE item %s", c->args[at].str);
		goto out;
	}
	if (m->box->readonly) {		/* Dovecot's answer */
		imapmail_tagged(m, "OK", "Store ignored with read-only mailbox.");
		goto out;
	}
	m->box->new_keyword = false;
	if (store_flags(m, c, at + 1, given) < 0)
		goto out;
	if (m->box->new_keyword)	/* RFC 9051 7.3.5, as Dovecot */
		imapmail_box_announce_flags(m);
	/* +FLAGS and -FLAGS start from the files' flags: a change another
	 * client made since the last sync is read first (places stay) */
	if (m->box->watch)
		(void)imapmail_box_sync(m, false);
	rc = xcalloc(n + 1, sizeof(*rc));
	for (size_t k = 0; k < n; k++) {
		const struct mail_index_msg *msg = &m->box->f->msgs[idx[k]];
		char flags[MAILDIR_FLAGS_MAX];

		if (msg->modseq > since) {	/* RFC 7162 3.1.3 */
			buf_printf(modified, "%s%u", buf_len(modified) ? "," : "",
				   m->uid ? msg->uid : (uint32_t)(idx[k] + 1));
			rc[k] = -1;
			continue;
		}
		combine(msg->flags, given, mode, flags);
		rc[k] = imapmail_flags_set(m, idx[k], flags);
	}
	if (m->condstore)		/* the new MODSEQs; places stay */
		(void)imapmail_box_sync(m, false);
	for (size_t k = 0; k < n; k++)
		if ((!silent && rc[k] >= 0) || (silent && m->condstore && rc[k] > 0))
			imapmail_box_fetch_flags(m, idx[k], m->uid, silent);
	m->n_store++;
	if (buf_len(modified))
		imapmail_tagged(m, "OK", "[MODIFIED %s] Conditional store failed.", buf_str(modified));
	else
		imapmail_tagged(m, "OK", "Store completed.");
out:
	buf_free(&modified);
	free(rc);
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
			imapmail_watch_gone(m->box->watch, msg->uid, msg->name, msg->in_new);
			bytes += (long long)msg->size;
			count++;
		}
	}
	imapmail_quota_moved(m, m->box->name, NULL, NULL, bytes, count);
	buf_free(&path);
	return 0;
}

/* uid_set - UID EXPUNGE's set: numbers, or '$' (the saved result, RFC
 * 5182; none saved: no message): 0, or -1 */
static int uid_set(struct imapmail *m, const char *text, struct imap_seqset **uids)
{
	if (strcmp(text, "$") != 0)
		return imap_seqset_parse(text, uids);
	*uids = imap_seqset_from(m->saved, m->n_saved);
	return 0;
}

/* imapmail_cmd_expunge - EXPUNGE, UID EXPUNGE set */
void imapmail_cmd_expunge(struct imapmail *m, struct imap_cmd *c)
{
	struct imap_seqset *uids = NULL;

	if (m->uid && (c->args_len != 1 || c->args[0].type != IMAP_ARG_ATOM ||
		       uid_set(m, c->args[0].str, &uids) < 0)) {
		imapmail_tagged(m, "BAD", "Invalid arguments.");
		return;
	}
	if (!m->uid && c->args_len != 0) {
		imapmail_tagged(m, "BAD", "Unexpected arguments.");
		return;
	}
	if (m->box->readonly) {
		imapmail_tagged(m, "NO", "Mailbox is read-only.");
		goto out;
	}
	imapmail_expunge_deleted(m, uids);
	if (m->condstore) {		/* RFC 7162 3.1.10: the MODSEQ after it */
		(void)imapmail_box_sync(m, true);
		imapmail_tagged(m, "OK", "[HIGHESTMODSEQ %llu] Expunge completed.",
				(unsigned long long)m->box->highestmodseq);
	} else {
		imapmail_tagged(m, "OK", "Expunge completed.");
	}
out:
	imap_seqset_free(&uids);
}
