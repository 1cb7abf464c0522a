/* mail_quota - the quota of a user's Maildir as delivery (local, virtual)
 * and IMAP (imapmail) enforce it: the administrator's rule (main.cf
 * quota_rule, quota_rule2: quota_rule.h) over the Maildir++ maildirsize
 * file (maildir_quota.h), and the warnings of quota_warning_percent.
 *
 *   struct mail_quota_cfg cfg;
 *   mail_quota_cfg_init(&cfg, cf, why);          // -1: a bad parameter
 *   struct maildir_quota q;
 *   int v = mail_quota_check(root_fd, &cfg, bytes, 1, &q, why);
 *   if (v == MAILDIR_QUOTA_OVER) ... refuse (nothing written)
 *   ... write the message ...
 *   mail_quota_update(root_fd, &cfg, &q, bytes, 1, why);   // after it
 *   mail_quota_update(root_fd, &cfg, NULL, -bytes, -1, why); // expunged
 *
 * The rule: none set, the limits are maildirsize's (no file: no quota,
 * none made); "?", maildirsize's when there is one, else the rule's
 * (the file made with them); "*", the rule's, written into the file's
 * first line when it says otherwise (the sums kept; a file due for
 * recalculation is recalculated), so that other Maildir++ readers see
 * the same limits.  A rule without limits ("*:storage=0") is no quota.
 * Over: the bytes in use plus the new ones beyond the byte limit, or the
 * messages in use plus the new ones beyond the count limit (the
 * Maildir++ and Dovecot comparison; Dovecot's quota_grace is not done).
 * Warnings: when an update takes the use (bytes or messages) from below
 * one of the quota_warning_percent percentages of its limit to it or
 * beyond, one short plain-text message from MAILER-DAEMON saying the use
 * and the limits goes into the INBOX (new/), and is counted; several
 * crossed at once give one message, with the highest.  Crossing again
 * takes going below first (a comparison of before and after, no state).
 * Errors: -1 with why; updates are notes (the message is in by then).
 * Trust: as maildir_quota.h; the caller runs as the Maildir's owner.
 */
#ifndef HATO_MAIL_QUOTA_H
#define HATO_MAIL_QUOTA_H

#include <stdbool.h>

#include "buf.h"
#include "maildir_quota.h"
#include "params.h"
#include "quota_rule.h"
#include "strv.h"

enum { MAIL_QUOTA_WARN_MAX = 8, MAIL_QUOTA_RULES_MAX = 9 };

struct mail_quota_cfg {
	struct quota_rule rule;
	int warn[MAIL_QUOTA_WARN_MAX];	/* percentages, ascending */
	int n_warn;
	bool tempfail;			/* quota_full_tempfail */
};

/* mail_quota_cfg_init - quota_rule, quota_rule2, quota_warning_percent
 * and quota_full_tempfail of cf into c, with the user's own rules (a
 * userdb's "quota_rule=RULE", "quota_rule2=RULE" ... items, each in place
 * of main.cf's of that name, as Dovecot's userdb fields override its
 * plugin settings; NULL: none): 0, or -1 with why naming the parameter
 * (c then has no rule) */
int mail_quota_cfg_init(struct mail_quota_cfg *c, const struct params *cf, const struct strv *user,
			struct buf *why);
/* mail_quota_warn_parse - "80 95" into c->warn: 0, -1 with why */
int mail_quota_warn_parse(struct mail_quota_cfg *c, const char *text, const char *param, struct buf *why);

/* mail_quota_load - the quota in force for the Maildir at root_fd into
 * q (maildirsize brought in line with the rule first): 1 (a maildirsize,
 * perhaps without limits), 0 (none: no quota), -1 with why */
int mail_quota_load(int root_fd, const struct mail_quota_cfg *c, struct maildir_quota *q, struct buf *why);
/* mail_quota_check - may bytes in count more messages join? q is the
 * use before; a maildir_quota verdict (NONE, FITS, OVER) or -1 */
int mail_quota_check(int root_fd, const struct mail_quota_cfg *c, long long bytes, long long count,
		     struct maildir_quota *q, struct buf *why);
/* mail_quota_over - would bytes in count more messages exceed q? */
bool mail_quota_over(const struct maildir_quota *q, long long bytes, long long count);
/* mail_quota_update - bytes and count (negative: removed) added to
 * maildirsize; before (the check's q, or NULL: no warning) tells
 * whether a warning percentage was crossed upward: 0, -1 with why */
int mail_quota_update(int root_fd, const struct mail_quota_cfg *c, const struct maildir_quota *before,
		      long long bytes, long long count, struct buf *why);

#endif
