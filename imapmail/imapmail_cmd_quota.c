/* imapmail_cmd_quota - QUOTA (RFC 9208, RFC 2087): GETQUOTAROOT,
 * GETQUOTA and SETQUOTA, and the quota checks of APPEND, COPY and MOVE.
 *
 * One quota root, "User quota" (the name Dovecot's documented
 * "quota = maildir:User quota" gives), holds every folder: the user's
 * Maildir, its limits and use as store/mail_quota.h has them (main.cf
 * quota_rule, or the user's from the userdb, over maildirsize).  Resources as RFC 9208 and Dovecot give
 * them: STORAGE in units of 1024 octets (the use rounded up, the limit
 * down), MESSAGE; only those with a limit are listed, and without any
 * limit there is no root ("OK No quota.", Dovecot's words).  SETQUOTA is
 * refused: the administrator sets quotas (Dovecot without quota admin
 * rights does the same).  Trash is not counted (the Maildir++ rule
 * maildirsize recalculation follows): saving into it is never refused,
 * and moving out of it counts as an addition.
 * APPEND, COPY and MOVE that would go over answer "NO [OVERQUOTA] Quota
 * exceeded (mailbox for user is full)" (Dovecot's default text) before
 * anything is written; afterwards their bytes and count go into
 * maildirsize, EXPUNGE's leave it as negative lines (as Dovecot's
 * Maildir++ backend writes them), a DELETE has it recalculated, and
 * quota_warning_percent may put a warning into the INBOX.
 * Errors reading maildirsize are logged and answered NO (nothing
 * written); errors updating it are logged only.  Trust: this runs as
 * the user, whose maildirsize it is; main.cf's rule overrides its limits
 * (store/mail_quota.h), so the user cannot raise a quota_rule quota.
 */
#include <string.h>

#include "imap_quote.h"
#include "imapmail.h"
#include "log.h"
#include "mail_quota.h"
#include "mem.h"

static const char root_name[] = "User quota";

/* cfg - the session's quota parameters, main.cf's with the user's own
 * userdb rules, parsed once (a bad one logged: maildirsize's limits
 * alone then) */
static const struct mail_quota_cfg *cfg(struct imapmail *m)
{
	struct buf *why;

	if (m->quota)
		return m->quota;
	m->quota = xmalloc(sizeof(*m->quota));
	why = buf_new(0);
	if (mail_quota_cfg_init(m->quota, m->cf, m->quota_rules, why) < 0)
		log_warn("user %s: %s", m->user, buf_str(why));
	buf_free(&why);
	return m->quota;
}

/* counted - are folder's messages in the quota? (all but Trash) */
static bool counted(const char *folder)
{
	return strcmp(folder, "Trash") != 0;
}

/* load - the quota in force: 1, 0 none, -1 (logged) */
static int load(struct imapmail *m, struct maildir_quota *q)
{
	struct buf *why = buf_new(0);
	int rc = mail_quota_load(m->root_fd, cfg(m), q, why);

	if (rc < 0)
		log_warn("user %s: quota: %s", m->user, buf_str(why));
	buf_free(&why);
	return rc;
}

/* limited - has q a limit? (a root without one is not shown, as in
 * Dovecot: "No quota") */
static bool limited(const struct maildir_quota *q)
{
	return q->bytes_limit > 0 || q->count_limit > 0;
}

/* quota_line - "* QUOTA "User quota" (STORAGE n m MESSAGE n m)" */
static void quota_line(struct imapmail *m, const struct maildir_quota *q)
{
	struct buf *b = buf_new(64);
	const char *sep = "";

	imap_quote_astring(b, root_name, strlen(root_name));
	buf_cat(b, " (");
	if (q->bytes_limit > 0) {
		buf_printf(b, "STORAGE %lld %lld", (q->bytes + 1023) / 1024, q->bytes_limit / 1024);
		sep = " ";
	}
	if (q->count_limit > 0)
		buf_printf(b, "%sMESSAGE %lld %lld", sep, q->count, q->count_limit);
	buf_putc(b, ')');
	imapmail_untagged(m, "QUOTA %s", buf_str(b));
	buf_free(&b);
}

/* imapmail_cmd_getquotaroot - GETQUOTAROOT mailbox (any valid name, as
 * Dovecot answers: the root holds every folder, made or not) */
void imapmail_cmd_getquotaroot(struct imapmail *m, struct imap_cmd *c)
{
	struct buf *folder = buf_new(64), *why = buf_new(0), *b = buf_new(64);
	struct maildir_quota q;
	const char *name;
	int rc;

	if (c->args_len != 1 || !imap_arg_astring(&c->args[0], &name)) {
		imapmail_tagged(m, "BAD", "Invalid arguments.");
	} else if (!imapmail_folder_check(name, folder, why)) {
		imapmail_tagged(m, "NO", "%s", buf_str(why));
	} else if ((rc = load(m, &q)) < 0) {
		imapmail_tagged(m, "NO", "Internal quota calculation error");
	} else if (rc == 0 || !limited(&q)) {
		imapmail_tagged(m, "OK", "No quota.");
	} else {
		imap_quote_astring(b, name, strlen(name));
		buf_cat(b, " ");
		imap_quote_astring(b, root_name, strlen(root_name));
		imapmail_untagged(m, "QUOTAROOT %s", buf_str(b));
		quota_line(m, &q);
		imapmail_tagged(m, "OK", "Getquotaroot completed.");
	}
	buf_free(&folder);
	buf_free(&why);
	buf_free(&b);
}

/* imapmail_cmd_getquota - GETQUOTA root */
void imapmail_cmd_getquota(struct imapmail *m, struct imap_cmd *c)
{
	struct maildir_quota q;
	const char *name;
	int rc;

	if (c->args_len != 1 || !imap_arg_astring(&c->args[0], &name)) {
		imapmail_tagged(m, "BAD", "Invalid arguments.");
	} else if (strcmp(name, root_name) != 0) {
		imapmail_tagged(m, "NO", "Quota root doesn't exist.");
	} else if ((rc = load(m, &q)) < 0) {
		imapmail_tagged(m, "NO", "Internal quota calculation error");
	} else {
		if (rc == 1 && limited(&q))
			quota_line(m, &q);
		imapmail_tagged(m, "OK", "Getquota completed.");
	}
}

/* imapmail_cmd_setquota - SETQUOTA root (limits): the administrator's */
void imapmail_cmd_setquota(struct imapmail *m, struct imap_cmd *c)
{
	if (c->args_len != 2 || c->args[1].type != IMAP_ARG_LIST)
		imapmail_tagged(m, "BAD", "Invalid arguments.");
	else
		imapmail_tagged(m, "NO", "Quota can be changed only by admin.");
}

/* imapmail_quota_room - may bytes in count messages go from from_folder
 * (NULL: from outside) into folder?  true (*q the use before, zeroed
 * when there is no quota), or false after answering NO */
bool imapmail_quota_room(struct imapmail *m, const char *from_folder, const char *folder,
			 long long bytes, long long count, struct maildir_quota *q)
{
	int rc;

	memset(q, 0, sizeof(*q));
	if (count <= 0 || !counted(folder) || (from_folder && counted(from_folder)))
		return true;	/* the use does not grow */
	if ((rc = load(m, q)) < 0) {
		imapmail_tagged(m, "NO", "[SERVERBUG] Internal quota calculation error");
		return false;
	}
	if (rc == 0)
		memset(q, 0, sizeof(*q));
	if (rc == 0 || !mail_quota_over(q, bytes, count))
		return true;
	imapmail_tagged(m, "NO", "[OVERQUOTA] Quota exceeded (mailbox for user is full).");
	return false;
}

/* imapmail_quota_moved - bytes in count messages went from from_folder
 * (NULL: from outside, "": expunged) into folder (NULL: out); before,
 * imapmail_quota_room's q for a warning, or NULL */
void imapmail_quota_moved(struct imapmail *m, const char *from_folder, const char *folder,
			  const struct maildir_quota *before, long long bytes, long long count)
{
	struct buf *why = buf_new(0);
	int sign = (folder && counted(folder) ? 1 : 0) - (from_folder && counted(from_folder) ? 1 : 0);

	if (sign <= 0 || (before && !limited(before)))
		before = NULL;	/* no warning going down, or without a limit */
	if (sign != 0 && mail_quota_update(m->root_fd, cfg(m), before, sign * bytes, sign * count, why) < 0)
		log_warn("user %s: quota: %s", m->user, buf_str(why));
	buf_free(&why);
}

/* imapmail_quota_recalc - after a folder went as a whole (DELETE): the
 * sums counted again from the messages left, when there is a quota */
void imapmail_quota_recalc(struct imapmail *m)
{
	struct maildir_quota q;
	struct buf *why = buf_new(0);

	if (load(m, &q) == 1 && maildir_quota_recalc(m->root_fd, &q, why) < 0)
		log_warn("user %s: quota: %s", m->user, buf_str(why));
	buf_free(&why);
}
