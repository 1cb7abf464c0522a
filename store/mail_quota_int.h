/* mail_quota_int - what mail_quota.c and mail_quota_warn.c share: the
 * warning percentages crossed, and the warning message.
 */
#ifndef HATO_MAIL_QUOTA_INT_H
#define HATO_MAIL_QUOTA_INT_H

#include "mail_quota.h"

/* mail_quota_crossed - the highest quota_warning_percent that adding
 * bytes and count to before's use reaches from below (storage or
 * messages), or 0 */
int mail_quota_crossed(const struct mail_quota_cfg *c, const struct maildir_quota *before,
		       long long bytes, long long count);
/* mail_quota_warn - the warning message into the INBOX (new/) and its
 * line into maildirsize: 0, -1 with why */
int mail_quota_warn(int root_fd, const struct maildir_quota *before, long long bytes, long long count,
		    int pct, struct buf *why);

#endif
