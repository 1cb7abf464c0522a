/* dsn_report - non-delivery notifications (RFC 3464 multipart/report),
 * built once for every program that returns mail (qmgr for 5xx and
 * expired recipients, pickup for local submissions cleanup refused).
 *
 *   struct dsn_report r = { .myhostname = ..., .queue_id = id, .to = sender,
 *                           .intro = "could not be delivered to one or more recipients." };
 *   dsn_report_add(&r, "user@example.com", "5.1.1", "host said: 550 no such user");
 *   rc = dsn_report_send(&r, headers_fn, ctx, why);   // original headers via the callback
 *   dsn_report_free(&r);
 *
 * The report comes from <> and goes through cleanup (no header checks), so
 * it is queued durably like any message.  Returns 0 queued (or nothing to
 * send: a message from <>), -1 cleanup cannot take it now (try again
 * later), -2 cleanup refused it for good.  At most DSN_MAX_RCPT recipients
 * are listed.
 */
#ifndef HATO_DSN_REPORT_H
#define HATO_DSN_REPORT_H

#include <stddef.h>

#include "buf.h"
#include "cleanup_client.h"

enum { DSN_MAX_RCPT = 1000 };

struct dsn_entry {
	char *address, *status, *text;
};

struct dsn_report {
	const char *myhostname;
	const char *queue_id;		/* of the returned message */
	const char *to;			/* its envelope sender */
	const char *intro;		/* "could not be delivered to ..." */
	struct dsn_entry *entries;
	size_t n;
};

/* writes the returned message's header lines with cleanup_client_line() */
typedef void dsn_headers_fn(struct cleanup_client *cc, void *ctx);

void dsn_report_add(struct dsn_report *r, const char *address, const char *status,
		    const char *text);
int dsn_report_send(const struct dsn_report *r, dsn_headers_fn *headers, void *ctx,
		    struct buf *id_r, struct buf *why);
void dsn_report_free(struct dsn_report *r);

#endif
