/* dsn_report - one builder for every non-delivery notification; see
 * dsn_report.h.  The text is Postfix's, so users and their filters see
 * what they are used to. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "dsn_report.h"
#include "mem.h"

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

/* dsn_report_add - one recipient's outcome */
void dsn_report_add(struct dsn_report *r, const char *address, const char *status,
		    const char *text)
{
	if (r->n >= DSN_MAX_RCPT)
		return;
	r->entries = xrealloc(r->entries, (r->n + 1) * sizeof(*r->entries));
	r->entries[r->n++] = (struct dsn_entry){ xstrdup(address), xstrdup(status), xstrdup(text) };
}

/* dsn_report_free - release the entries */
void dsn_report_free(struct dsn_report *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->entries[i].address);
		free(r->entries[i].status);
		free(r->entries[i].text);
	}
	XFREE(r->entries);
	r->n = 0;
}

/* top - the notice's own headers */
static void top(const struct dsn_report *r, struct cleanup_client *cc, const char *boundary)
{
	char date[64];
	time_t now = time(NULL);

	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S %z", localtime(&now));
	line(cc, "From: MAILER-DAEMON@%s (Mail Delivery System)", r->myhostname);
	line(cc, "Subject: Undelivered Mail Returned to Sender");
	line(cc, "To: %s", r->to);
	line(cc, "Auto-Submitted: auto-replied");
	line(cc, "MIME-Version: 1.0");
	line(cc, "Content-Type: multipart/report; report-type=delivery-status;");
	line(cc, "\tboundary=\"%s\"", boundary);
	line(cc, "Date: %s", date);
	line(cc, "%s", "");
	line(cc, "This is a MIME-encapsulated message.");
	line(cc, "%s", "");
}

/* parts - the human-readable part, the delivery-status part, the headers */
static void parts(const struct dsn_report *r, struct cleanup_client *cc, const char *boundary,
		  dsn_headers_fn *headers, void *ctx)
{
	line(cc, "--%s", boundary);
	line(cc, "Content-Description: Notification");
	line(cc, "Content-Type: text/plain; charset=us-ascii");
	line(cc, "%s", "");
	line(cc, "This is the mail system at host %s.", r->myhostname);
	line(cc, "%s", "");
	line(cc, "I'm sorry to have to inform you that your message %s", r->intro);
	line(cc, "%s", "");
	for (size_t i = 0; i < r->n; i++)
		line(cc, "<%s>: %s", r->entries[i].address, r->entries[i].text);
	line(cc, "%s", "");
	line(cc, "--%s", boundary);
	line(cc, "Content-Description: Delivery report");
	line(cc, "Content-Type: message/delivery-status");
	line(cc, "%s", "");
	line(cc, "Reporting-MTA: dns; %s", r->myhostname);
	line(cc, "X-Hato-Queue-ID: %s", r->queue_id);
	for (size_t i = 0; i < r->n; i++) {
		line(cc, "%s", "");
		line(cc, "Final-Recipient: rfc822; %s", r->entries[i].address);
		line(cc, "Action: failed");
		line(cc, "Status: %s", r->entries[i].status);
		line(cc, "Diagnostic-Code: X-Hato; %s", r->entries[i].text);
	}
	line(cc, "%s", "");
	line(cc, "--%s", boundary);
	line(cc, "Content-Description: Undelivered Message Headers");
	line(cc, "Content-Type: text/rfc822-headers");
	line(cc, "%s", "");
	if (headers)
		headers(cc, ctx);
	line(cc, "%s", "");
	line(cc, "--%s--", boundary);
}

/* dsn_report_send - queue the notice through cleanup */
int dsn_report_send(const struct dsn_report *r, dsn_headers_fn *headers, void *ctx,
		    struct buf *id_r, struct buf *why)
{
	struct cleanup_client *cc;
	struct cleanup_result res;
	struct buf *boundary;
	int rc = -1;

	if (*r->to == '\0')
		return 0;		/* never a notice about a notice */
	if ((cc = cleanup_client_open(".", CLEANUP_F_NO_CHECKS, why)) == NULL)
		return -1;
	boundary = buf_new(64);
	buf_printf(boundary, "%s.%ld/%s", r->queue_id, (long)time(NULL), r->myhostname);
	cleanup_client_sender(cc, "");
	cleanup_client_rcpt(cc, r->to, NULL, NULL);
	top(r, cc, buf_str(boundary));
	parts(r, cc, buf_str(boundary), headers, ctx);
	if (cleanup_client_finish(cc, &res, why) < 0) {
		rc = -1;
	} else if (res.code != 250) {
		buf_printf(why, "%d %s %s", res.code, res.dsn, res.text);
		rc = res.code >= 500 ? -2 : -1;
	} else {
		buf_set(id_r, cleanup_client_id(cc));
		rc = 0;
	}
	cleanup_client_abort(&cc);
	buf_free(&boundary);
	return rc;
}
