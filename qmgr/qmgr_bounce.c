/* qmgr_bounce - the non-delivery notification (RFC 3464) to the sender.
 *
 * One DSN per message for all its bounced (or expired) recipients, from
 * the null sender <>, submitted through cleanup like any message, so it
 * is queued durably before the original leaves the queue.  None for a
 * message from <> (no bounce loops) or for recipients with NOTIFY=NEVER.
 * It holds a human-readable part, a message/delivery-status part and the
 * original headers (RET=HDRS semantics; the body is not returned).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cleanup_client.h"
#include "log.h"
#include "mem.h"
#include "qmgr.h"

/* line - one content line to cleanup */
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

/* field - the N-th tab-separated field of "address\tdsn\ttext" */
static char *field(const char *s, int n)
{
	while (n-- > 0 && (s = strchr(s, '\t')) != NULL)
		s++;
	return s ? xstrndup(s, strcspn(s, "\t")) : xstrdup("");
}

/* headers - the original message's headers */
static void headers(struct cleanup_client *cc, struct qmgr_msg *m)
{
	struct buf *why = buf_new(0);
	const char *p;
	size_t len;
	bool partial;

	if (qfile_content_begin(m->qf, why) < 0)
		goto out;
	while (qfile_content_next(m->qf, &p, &len, &partial, why) > 0 && !(len == 0 && !partial))
		cleanup_client_line(cc, p, len, partial);
out:
	buf_free(&why);
}

/* report - the human-readable part and the delivery-status part */
static void report(struct qmgr_global *g, struct cleanup_client *cc, struct qmgr_msg *m,
		   const struct strv *bounced, const char *boundary)
{
	line(cc, "--%s", boundary);
	line(cc, "Content-Description: Notification");
	line(cc, "Content-Type: text/plain; charset=us-ascii");
	line(cc, "%s", "");
	line(cc, "This is the mail system at host %s.", g->cf->myhostname);
	line(cc, "%s", "");
	line(cc, "I'm sorry to have to inform you that your message could not");
	line(cc, "be delivered to one or more recipients. It's attached below.");
	line(cc, "%s", "");
	for (size_t i = 0; i < bounced->len; i++) {
		char *a = field(bounced->items[i], 0), *t = field(bounced->items[i], 2);

		line(cc, "<%s>: %s", a, t);
		free(a);
		free(t);
	}
	line(cc, "%s", "");
	line(cc, "--%s", boundary);
	line(cc, "Content-Description: Delivery report");
	line(cc, "Content-Type: message/delivery-status");
	line(cc, "%s", "");
	line(cc, "Reporting-MTA: dns; %s", g->cf->myhostname);
	line(cc, "X-Hato-Queue-ID: %s", m->id);
	for (size_t i = 0; i < bounced->len; i++) {
		char *a = field(bounced->items[i], 0), *d = field(bounced->items[i], 1),
		     *t = field(bounced->items[i], 2);

		line(cc, "%s", "");
		line(cc, "Final-Recipient: rfc822; %s", a);
		line(cc, "Action: failed");
		line(cc, "Status: %s", d);
		line(cc, "Diagnostic-Code: X-Hato; %s", t);
		free(a), free(d), free(t);
	}
	line(cc, "%s", "");
	line(cc, "--%s", boundary);
	line(cc, "Content-Description: Undelivered Message Headers");
	line(cc, "Content-Type: text/rfc822-headers");
	line(cc, "%s", "");
	headers(cc, m);
	line(cc, "%s", "");
	line(cc, "--%s--", boundary);
}

/* wanted - bounced recipients whose NOTIFY does not say NEVER */
static struct strv *wanted(struct qmgr_msg *m, const struct strv *bounced)
{
	struct strv *out = strv_new();
	size_t n;
	const struct qfile_rcpt *r = qfile_rcpts(m->qf, &n);

	for (size_t i = 0; i < bounced->len; i++) {
		char *a = field(bounced->items[i], 0);
		bool never = false;

		for (size_t k = 0; k < n; k++)
			if (strcmp(r[k].address, a) == 0 && r[k].notify && strcasestr(r[k].notify, "NEVER"))
				never = true;
		if (!never)
			strv_add(out, bounced->items[i]);
		free(a);
	}
	return out;
}

/* qmgr_bounce - send the DSN; -1 when it could not be queued (the caller
 * keeps the message and tries again later) */
int qmgr_bounce(struct qmgr_global *g, struct qmgr_msg *m, const struct strv *bounced)
{
	const char *sender = qfile_sender(m->qf);
	struct strv *list = wanted(m, bounced);
	struct buf *why = buf_new(0), *boundary = buf_new(64);
	struct cleanup_client *cc = NULL;
	struct cleanup_result res;
	char date[64];
	time_t now = time(NULL);
	int rc = -1;

	if (*sender == '\0' || list->len == 0) {
		rc = 0;
		goto out;
	}
	if ((cc = cleanup_client_open(".", CLEANUP_F_NO_CHECKS, why)) == NULL) {
		log_warn("%s: cannot send the non-delivery notification: %s", m->id, buf_str(why));
		goto out;
	}
	buf_printf(boundary, "%s.%ld/%s", m->id, (long)now, g->cf->myhostname);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S %z", localtime(&now));
	cleanup_client_sender(cc, "");
	cleanup_client_rcpt(cc, sender, NULL, NULL);
	line(cc, "From: MAILER-DAEMON@%s (Mail Delivery System)", g->cf->myhostname);
	line(cc, "Subject: Undelivered Mail Returned to Sender");
	line(cc, "To: %s", sender);
	line(cc, "Auto-Submitted: auto-replied");
	line(cc, "MIME-Version: 1.0");
	line(cc, "Content-Type: multipart/report; report-type=delivery-status;");
	line(cc, "\tboundary=\"%s\"", buf_str(boundary));
	line(cc, "Date: %s", date);
	line(cc, "%s", "");
	line(cc, "This is a MIME-encapsulated message.");
	line(cc, "%s", "");
	report(g, cc, m, list, buf_str(boundary));
	if (cleanup_client_finish(cc, &res, why) < 0 || res.code != 250)
		log_warn("%s: non-delivery notification refused: %s", m->id,
			 buf_len(why) ? buf_str(why) : res.text);
	else {
		log_info("%s: sender non-delivery notification: %s", m->id, cleanup_client_id(cc));
		rc = 0;
	}
out:
	cleanup_client_abort(&cc);
	strv_free(&list);
	buf_free(&why);
	buf_free(&boundary);
	return rc;
}
