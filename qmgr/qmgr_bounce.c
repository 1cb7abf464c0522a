/* qmgr_bounce - the non-delivery notification to the sender for a
 * message's bounced (or expired) recipients, built by global/dsn_report:
 * one report per message, from <>, queued through cleanup before the
 * original leaves the queue.  None for a message from <> (no bounce loops)
 * or for recipients with NOTIFY=NEVER.  The returned part is the original
 * headers (RET=HDRS semantics).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dsn_report.h"
#include "log.h"
#include "mem.h"
#include "metrics.h"
#include "qmgr.h"

/* field - the N-th tab-separated field of "address\tdsn\ttext" */
static char *field(const char *s, int n)
{
	while (n-- > 0 && (s = strchr(s, '\t')) != NULL)
		s++;
	return s ? xstrndup(s, strcspn(s, "\t")) : xstrdup("");
}

/* headers - the original message's header lines */
static void headers(struct cleanup_client *cc, void *ctx)
{
	struct qmgr_msg *m = ctx;
	struct buf *why = buf_new(0);
	const char *p;
	size_t len;
	bool partial;

	if (qfile_content_begin(m->qf, why) == 0)
		while (qfile_content_next(m->qf, &p, &len, &partial, why) > 0 && !(len == 0 && !partial))
			cleanup_client_line(cc, p, len, partial);
	buf_free(&why);
}

/* notify_never - the recipient asked for no notification */
static bool notify_never(struct qmgr_msg *m, const char *address)
{
	size_t n;
	const struct qfile_rcpt *r = qfile_rcpts(m->qf, &n);

	for (size_t k = 0; k < n; k++)
		if (strcmp(r[k].address, address) == 0 && r[k].notify && strcasestr(r[k].notify, "NEVER"))
			return true;
	return false;
}

/* qmgr_bounce - send the DSN; -1 when it could not be queued (the caller
 * keeps the message and tries again later) */
int qmgr_bounce(struct qmgr_global *g, struct qmgr_msg *m, const struct strv *bounced)
{
	struct dsn_report r = { .myhostname = g->cf->myhostname, .queue_id = m->id,
				.to = qfile_sender(m->qf),
				.intro = "could not be delivered to one or more recipients." };
	struct buf *why = buf_new(0), *id = buf_new(32);
	int rc;

	for (size_t i = 0; i < bounced->len; i++) {
		char *a = field(bounced->items[i], 0), *d = field(bounced->items[i], 1),
		     *t = field(bounced->items[i], 2);

		if (!notify_never(m, a))
			dsn_report_add(&r, a, d, t);
		free(a), free(d), free(t);
	}
	rc = r.n ? dsn_report_send(&r, headers, m, id, why) : 0;
	if (rc == 0 && buf_len(id)) {
		log_info("%s: sender non-delivery notification: %s", m->id, buf_str(id));
		metrics_add(METRIC_BOUNCE_NOTIFICATIONS, 1, NULL);
	}
	else if (rc == -2)
		log_warn("%s: non-delivery notification refused for good: %s", m->id, buf_str(why));
	else if (rc < 0)
		log_warn("%s: non-delivery notification not queued: %s", m->id, buf_str(why));
	dsn_report_free(&r);
	buf_free(&why);
	buf_free(&id);
	return rc == -1 ? -1 : 0;
}
