/* pickup_bounce - tell the sender that cleanup refused a local submission
 * (too large, rejected by header_checks, ...): sendmail said "ok" long
 * ago, so the notice is the only way the user learns of it.
 *
 * An RFC 3464 report from the null sender, submitted through cleanup like
 * qmgr's bounces: a text part with cleanup's reply, a delivery-status part
 * (one group per envelope recipient, at most RCPT_MAX), and the original
 * headers.  None for a message from <> (no loops).  When cleanup cannot
 * take the notice for now (4xx, not reachable), -1: the maildrop file
 * stays and the next run tries again; a notice refused for good is logged
 * and the message dropped.
 * XXX qmgr/qmgr_bounce.c builds the same kind of report; one builder in
 * libutil would serve both.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "pickup.h"
#include "qrec.h"

enum { RCPT_MAX = 100, HEADER_LINES_MAX = 1000 };

/* line - one formatted content line */
static void line(struct cleanup_client *cc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void line(struct cleanup_client *cc, const char *fmt, ...)
{
	struct buf *b = buf_new(128);
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
	cleanup_client_line(cc, buf_str(b), buf_len(b), false);
	buf_free(&b);
}

/* from_file - the recipients (want 'R') or the header lines (want 'L')
 * of the maildrop file, which the validating pass has checked */
static void from_file(struct cleanup_client *cc, int fd, int want, const struct cleanup_result *res)
{
	struct qrec_reader *r = lseek(fd, 0, SEEK_SET) == 0 ? qrec_reader_fd(fd, -1) : NULL;
	struct buf *p = buf_new(1024), *why = buf_new(0);
	bool content = false, start = true;
	int type, n = 0;

	while (r && n < (want == QREC_RCPT ? RCPT_MAX : HEADER_LINES_MAX) &&
	       qrec_get(r, &type, p, QREC_MAX_LEN, why) > 0 && type != QREC_XTRA) {
		if (want == QREC_RCPT && type == QREC_RCPT) {
			line(cc, "%s", "");
			line(cc, "Final-Recipient: rfc822; %s", buf_str(p));
			line(cc, "Action: failed");
			line(cc, "Status: %s", res->dsn);
			line(cc, "Diagnostic-Code: X-Hato; %d %s", res->code, res->text);
			n++;
		} else if (want == QREC_LINE && content && (type == QREC_LINE || type == QREC_PART)) {
			if (start && type == QREC_LINE && buf_len(p) == 0)
				break;		/* the end of the headers */
			cleanup_client_line(cc, buf_str(p), buf_len(p), type == QREC_PART);
			start = type == QREC_LINE;
			n++;
		}
		content |= type == QREC_MESG;
	}
	qrec_reader_free(&r);
	buf_free(&p);
	buf_free(&why);
}

/* report - the three parts of the notice */
static void report(const struct params *cf, struct cleanup_client *cc, int fd,
		   const struct pickup_info *info, const char *id,
		   const struct cleanup_result *res, const char *boundary)
{
	line(cc, "--%s", boundary);
	line(cc, "Content-Description: Notification");
	line(cc, "Content-Type: text/plain; charset=us-ascii");
	line(cc, "%s", "");
	line(cc, "This is the mail system at host %s.", cf->myhostname);
	line(cc, "%s", "");
	line(cc, "I'm sorry to have to inform you that your message could not");
	line(cc, "be accepted for delivery. The mail system said:");
	line(cc, "%s", "");
	line(cc, "    %d %s %s", res->code, res->dsn, res->text);
	line(cc, "%s", "");
	if (info->nrcpt > 0) {
		line(cc, "--%s", boundary);
		line(cc, "Content-Description: Delivery report");
		line(cc, "Content-Type: message/delivery-status");
		line(cc, "%s", "");
		line(cc, "Reporting-MTA: dns; %s", cf->myhostname);
		line(cc, "X-Hato-Queue-ID: %s", id);
		from_file(cc, fd, QREC_RCPT, res);
		line(cc, "%s", "");
	}
	line(cc, "--%s", boundary);
	line(cc, "Content-Description: Undelivered Message Headers");
	line(cc, "Content-Type: text/rfc822-headers");
	line(cc, "%s", "");
	from_file(cc, fd, QREC_LINE, res);
	line(cc, "%s", "");
	line(cc, "--%s--", boundary);
}

/* pickup_bounce - send the notice; -1 when it could not be queued */
int pickup_bounce(const struct params *cf, int fd, const struct pickup_info *info,
		  const char *id, const struct cleanup_result *res)
{
	struct buf *why = buf_new(0), *boundary = buf_new(64);
	struct cleanup_client *cc;
	struct cleanup_result answer;
	time_t now = time(NULL);
	char date[64];
	int rc = -1;

	if (*info->sender == '\0') {
		buf_free(&why);
		buf_free(&boundary);
		return 0;
	}
	if ((cc = cleanup_client_open(".", CLEANUP_F_NO_CHECKS, why)) == NULL) {
		log_warn("%s: cannot send the notice to <%s>: %s", id, info->sender, buf_str(why));
		goto out;
	}
	buf_printf(boundary, "%s.%ld/%s", id, (long)now, cf->myhostname);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S %z", localtime(&now));
	cleanup_client_sender(cc, "");
	cleanup_client_rcpt(cc, info->sender, NULL, NULL);
	line(cc, "From: MAILER-DAEMON@%s (Mail Delivery System)", cf->myhostname);
	line(cc, "Subject: Undelivered Mail Returned to Sender");
	line(cc, "To: %s", info->sender);
	line(cc, "Auto-Submitted: auto-replied");
	line(cc, "MIME-Version: 1.0");
	line(cc, "Content-Type: multipart/report; report-type=delivery-status;");
	line(cc, "\tboundary=\"%s\"", buf_str(boundary));
	line(cc, "Date: %s", date);
	line(cc, "%s", "");
	line(cc, "This is a MIME-encapsulated message.");
	line(cc, "%s", "");
	report(cf, cc, fd, info, id, res, buf_str(boundary));
	if (cleanup_client_finish(cc, &answer, why) < 0 || (answer.code != 250 && answer.code < 500)) {
		log_warn("%s: notice to <%s> not queued: %s", id, info->sender,
			 buf_len(why) ? buf_str(why) : answer.text);
	} else if (answer.code != 250) {
		log_warn("%s: notice to <%s> refused: %d %s; the message is dropped", id,
			 info->sender, answer.code, answer.text);
		rc = 0;		/* nobody to tell: trying again would loop */
	} else {
		log_info("%s: sender non-delivery notification: %s", id, cleanup_client_id(cc));
		rc = 0;
	}
out:
	cleanup_client_abort(&cc);
	buf_free(&why);
	buf_free(&boundary);
	return rc;
}
