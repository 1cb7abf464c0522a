/* maildir_quota - Maildir++ quota: the "maildirsize" file.
 *
 *   struct maildir_quota q;
 *   int rc = maildir_quota_read(root_fd, &q, why);   // 1, 0 (no file), -1
 *   if (rc == 0 || q.recalc)
 *       maildir_quota_recalc(root_fd, &q, why);      // q's limits kept
 *   maildir_quota_add(root_fd, +size, +1, why);      // after a delivery
 *   maildir_quota_check(root_fd, size, &q, why);     // before one
 *
 * The file: a first line defining the quota, comma-separated numbers
 * each followed by a letter ("10000000S,1000C": bytes and messages;
 * other letters are ignored, 0 or absent means no limit), then lines of
 * "BYTES COUNT" (either may be negative) whose sums are the use.  As the
 * Maildir++ spec says, a file of MAILDIR_QUOTA_FILE_MAX bytes or more is
 * due for recalculation, as is one with a bad line or a negative sum
 * (q.recalc; the bad line's reason is in why, "maildirsize, line N: ...").
 * Recalculation adds up new/ and cur/ of the INBOX and of every folder but
 * Trash (the spec leaves Trash out), each message's size taken from the
 * ",S=" of its name or else from the file (maildir_scan), and replaces the
 * file through tmp/ and a rename; a Maildir that keeps changing during it
 * (twice) gets the file written anyway and q.recalc set.
 * A delivery checks first (maildir_quota_check): no maildirsize means
 * no quota (MAILDIR_QUOTA_NONE, and no file is made); a message goes
 * over when the bytes in use plus its own exceed the byte limit, or the
 * messages in use already reach the count limit (MAILDIR_QUOTA_OVER).
 * Trust: the user may write anything into maildirsize.  Alone, these
 * functions enforce the limits written there (as Courier's deliverers
 * do): the user can only raise or lower the quota of their own Maildir.
 * The administrator's quota (main.cf quota_rule) is mail_quota.h's: it
 * overrides the file's limits and writes its own into the first line.
 */
#ifndef HATO_MAILDIR_QUOTA_H
#define HATO_MAILDIR_QUOTA_H

#include <stdbool.h>

#include "buf.h"

enum { MAILDIR_QUOTA_FILE_MAX = 5120 };
enum { MAILDIR_QUOTA_SCAN_MAX = 1000000 };	/* messages in one folder */

struct maildir_quota {
	long long bytes_limit, count_limit;	/* 0: none */
	long long bytes, count;			/* in use */
	bool recalc;				/* the file wants recalculating */
};

/* maildir_quota_parse - the text of a maildirsize file into q: 0, or -1
 * with why when the definition line is bad */
int maildir_quota_parse(const char *text, size_t len, struct maildir_quota *q, struct buf *why);
int maildir_quota_read(int root_fd, struct maildir_quota *q, struct buf *why);
int maildir_quota_recalc(int root_fd, struct maildir_quota *q, struct buf *why);
int maildir_quota_add(int root_fd, long long bytes, long long count, struct buf *why);
/* maildir_quota_write - maildirsize replaced by q's limits and use (one
 * line of each), through tmp/ and a rename: 0, -1 with why */
int maildir_quota_write(int root_fd, const struct maildir_quota *q, struct buf *why);

enum maildir_quota_verdict {
	MAILDIR_QUOTA_NONE = 0,		/* no maildirsize: no quota */
	MAILDIR_QUOTA_FITS = 1,
	MAILDIR_QUOTA_OVER = 2,		/* q says how full it is */
};
/* maildir_quota_check - may a message of bytes join the Maildir at
 * root_fd?  A verdict, or -1 with why (maildirsize unreadable, a bad
 * definition line, a recalculation that failed) */
int maildir_quota_check(int root_fd, long long bytes, struct maildir_quota *q, struct buf *why);

#endif
