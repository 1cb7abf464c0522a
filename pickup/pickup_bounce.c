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
 * The report itself is global/dsn_report's, as qmgr's bounces are.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dsn_report.h"
#include "log.h"
#include "mem.h"
#include "pickup.h"
#include "qrec.h"

enum { RCPT_MAX = 100, HEADER_LINES_MAX = 1000 };

/* headers - the maildrop file's header lines, which the validating pass
 * has checked */
static void headers(struct cleanup_client *cc, void *ctx)
{
	int fd = *(int *)ctx;
	struct qrec_reader *r = lseek(fd, 0, SEEK_SET) == 0 ? qrec_reader_fd(fd, -1) : NULL;
	struct buf *p = buf_new(1024), *why = buf_new(0);
	bool content = false, start = true;
	int type, n = 0;

	while (r && n < HEADER_LINES_MAX && qrec_get(r, &type, p, QREC_MAX_LEN, why) > 0
	       && type != QREC_XTRA) {
		if (content && (type == QREC_LINE || type == QREC_PART)) {
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

/* add_recipients - every envelope recipient of the file, with cleanup's reply */
static void add_recipients(struct dsn_report *rep, int fd, const struct cleanup_result *res)
{
	struct qrec_reader *r = lseek(fd, 0, SEEK_SET) == 0 ? qrec_reader_fd(fd, -1) : NULL;
	struct buf *p = buf_new(256), *why = buf_new(0), *text = buf_new(128);
	int type, n = 0;

	buf_printf(text, "%d %s %s", res->code, res->dsn, res->text);
	while (r && n < RCPT_MAX && qrec_get(r, &type, p, QREC_MAX_LEN, why) > 0 && type != QREC_MESG) {
		if (type != QREC_RCPT)
			continue;
		dsn_report_add(rep, buf_str(p), res->dsn, buf_str(text));
		n++;
	}
	qrec_reader_free(&r);
	buf_free(&p);
	buf_free(&why);
	buf_free(&text);
}

/* pickup_bounce - send the notice; -1 when it could not be queued */
int pickup_bounce(const struct params *cf, int fd, const struct pickup_info *info,
		  const char *id, const struct cleanup_result *res)
{
	struct dsn_report rep = { .myhostname = cf->myhostname, .queue_id = id, .to = info->sender,
				  .intro = "could not be accepted for delivery." };
	struct buf *why = buf_new(0), *nid = buf_new(32);
	int rc;

	add_recipients(&rep, fd, res);
	if (rep.n == 0)
		dsn_report_add(&rep, info->sender, res->dsn, res->text);
	rc = dsn_report_send(&rep, headers, &fd, nid, why);
	if (rc == 0 && buf_len(nid))
		log_info("%s: sender non-delivery notification: %s", id, buf_str(nid));
	else if (rc == -2)	/* nobody to tell: trying again would loop */
		log_warn("%s: notice to <%s> refused: %s; the message is dropped", id, info->sender,
			 buf_str(why));
	else if (rc < 0)
		log_warn("%s: notice to <%s> not queued: %s", id, info->sender, buf_str(why));
	dsn_report_free(&rep);
	buf_free(&why);
	buf_free(&nid);
	return rc == -1 ? -1 : 0;
}
