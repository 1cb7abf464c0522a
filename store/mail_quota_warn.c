/* mail_quota_warn - quota_warning_percent: which percentage an addition
 * crossed, and the warning message put into the INBOX; see mail_quota.h.
 *
 * The message is written like a delivery (maildir.h: tmp/, fsync, new/)
 * by the process that made the addition, as the Maildir's owner: plain
 * text, From: MAILER-DAEMON at this host, Auto-Submitted: auto-generated
 * (RFC 3834), LF line ends as delivery stores mail.  Its own size is
 * added to maildirsize, without a second warning.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "maildir.h"
#include "mail_quota_int.h"

/* crosses - does from -> from + add reach pct of limit from below? */
static bool crosses(long long from, long long add, long long limit, int pct)
{
	long long to, mark;

	if (limit <= 0 || add <= 0 || __builtin_add_overflow(from, add, &to))
		return false;
	mark = limit / 100 * pct + limit % 100 * pct / 100;	/* limit * pct / 100 without overflow */
	return from < mark && to >= mark;
}

/* mail_quota_crossed - the highest percentage crossed, or 0 */
int mail_quota_crossed(const struct mail_quota_cfg *c, const struct maildir_quota *before,
		       long long bytes, long long count)
{
	for (int i = c->n_warn - 1; i >= 0; i--)
		if (crosses(before->bytes, bytes, before->bytes_limit, c->warn[i]) ||
		    crosses(before->count, count, before->count_limit, c->warn[i]))
			return c->warn[i];
	return 0;
}

/* use_line - "N KB of M KB" or "N messages of M" for one resource */
static void use_line(struct buf *b, const char *what, long long used, long long limit, bool kb)
{
	if (limit <= 0)
		return;
	if (kb)
		buf_printf(b, "  %s: %lld KB of %lld KB (%lld%%)\n", what, (used + 1023) / 1024,
			   limit / 1024, used * 100 / limit);
	else
		buf_printf(b, "  %s: %lld of %lld (%lld%%)\n", what, used, limit, used * 100 / limit);
}

/* compose - the warning message's text */
static void compose(struct buf *b, const struct maildir_quota *after, int pct)
{
	char host[256] = "localhost", date[64];
	time_t now = time(NULL);
	struct tm tm;

	if (gethostname(host, sizeof(host) - 1) < 0 || strpbrk(host, " <>\r\n") != NULL)
		strcpy(host, "localhost");
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S %z", localtime_r(&now, &tm));
	buf_printf(b, "From: Mail Delivery System <MAILER-DAEMON@%s>\n"
		   "Subject: Mailbox quota warning: %d%% full\n"
		   "Date: %s\n"
		   "Auto-Submitted: auto-generated\n"
		   "Precedence: bulk\n"
		   "MIME-Version: 1.0\n"
		   "Content-Type: text/plain; charset=us-ascii\n"
		   "Content-Transfer-Encoding: 7bit\n\n"
		   "Your mailbox has reached %d%% of its quota.\n\n", host, pct, date, pct);
	use_line(b, "Storage", after->bytes, after->bytes_limit, true);
	use_line(b, "Messages", after->count, after->count_limit, false);
	buf_cat(b, "\nWhen it is full, new mail is refused.  Please delete messages you no longer\n"
		   "need (and empty the Trash).\n");
}

/* mail_quota_warn - the message into the INBOX, then its line */
int mail_quota_warn(int root_fd, const struct maildir_quota *before, long long bytes, long long count,
		    int pct, struct buf *why)
{
	struct maildir_quota after = *before;
	struct buf *text = buf_new(1024);
	struct maildir *md = maildir_open(root_fd, ".", 0, why);
	struct maildir_file *f = md ? maildir_file_create(md, why) : NULL;
	struct mail_vsize v = { 0 };
	int rc = -1;

	after.bytes += bytes;
	after.count += count;
	compose(text, &after, pct);
	mail_vsize_add(&v, buf_str(text), buf_len(text));
	if (f && write(maildir_file_fd(f), buf_str(text), buf_len(text)) == (ssize_t)buf_len(text)) {
		maildir_file_counted(f, &v);
		rc = maildir_file_commit(&f, why) < 0 ? -1 : 0;
	} else if (f) {
		buf_printf(why, "quota warning: write failed");
	}
	if (rc == 0)
		rc = maildir_quota_add(root_fd, (long long)buf_len(text), 1, why);
	maildir_file_abort(&f);
	maildir_close(&md);
	buf_free(&text);
	return rc;
}
