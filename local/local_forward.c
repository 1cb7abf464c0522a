/* local_forward - addresses from aliases, .forward and :include: files
 * leave as one new message through cleanup: the original sender, the
 * collected recipients (with the original NOTIFY and ORCPT), and the
 * content behind a "Delivered-To: <recipient>" header, which is what stops
 * a forwarding loop when the message comes back (deliver_agent_seen).
 * cleanup applies virtual_alias_maps but no header or body checks.  Each
 * address logs "status=sent (forwarded as ID)"; a cleanup that cannot be
 * reached or answers 4xx defers the recipient, a 5xx bounces it.
 */
#include <stdio.h>
#include <string.h>

#include "cleanup_client.h"
#include "local.h"
#include "mem.h"

/* copy_content - Delivered-To, then the message; -1 on a queue file error */
static int copy_content(struct cleanup_client *cc, struct local_rcpt *r, struct buf *why)
{
	struct buf *hdr = buf_new(64);
	const char *line;
	size_t len;
	bool partial;
	int rc;

	buf_printf(hdr, "Delivered-To: %s", r->address);
	cleanup_client_line(cc, buf_str(hdr), buf_len(hdr), false);
	buf_free(&hdr);
	if (qfile_content_begin(r->m->qf, why) != 0)
		return -1;
	while ((rc = qfile_content_next(r->m->qf, &line, &len, &partial, why)) > 0)
		cleanup_client_line(cc, line, len, partial);
	return rc < 0 ? -1 : 0;
}

/* all - the same result for every collected address */
static void all(struct local_rcpt *r, const char *dsn, const char *text)
{
	for (size_t i = 0; i < r->forward->len; i++)
		local_recipient_status(r, r->forward->items[i], dsn, "%s", text);
}

/* local_forward_flush - submit the collected addresses as one message */
void local_forward_flush(struct local_rcpt *r)
{
	const struct deliver_rcpt *orig = &r->m->rq->rcpt[r->index];
	struct buf *why = buf_new(0), *text = buf_new(128);
	struct cleanup_client *cc = cleanup_client_open(".", CLEANUP_F_NO_CHECKS, why);
	struct cleanup_result res;

	if (cc == NULL) {
		buf_printf(text, "cannot forward: %s", buf_str(why));
		all(r, "4.3.0", buf_str(text));
		goto out;
	}
	cleanup_client_sender(cc, r->m->rq->sender);
	for (size_t i = 0; i < r->forward->len; i++)
		cleanup_client_rcpt(cc, r->forward->items[i], orig->orcpt, orig->notify);
	if (copy_content(cc, r, why) < 0) {
		buf_printf(text, "cannot forward: %s", buf_str(why));
		all(r, "4.3.0", buf_str(text));
	} else if (cleanup_client_finish(cc, &res, why) < 0) {
		buf_printf(text, "cannot forward: %s", buf_len(why) ? buf_str(why) : "cleanup failed");
		all(r, "4.3.0", buf_str(text));
	} else if (res.code != 250) {
		buf_printf(text, "cannot forward: cleanup said %d %s %s", res.code, res.dsn, res.text);
		all(r, res.code < 500 ? "4.3.0" : res.dsn[0] == '5' ? res.dsn : "5.3.0", buf_str(text));
	} else {
		buf_printf(text, "forwarded as %s", cleanup_client_id(cc));
		all(r, "2.0.0", buf_str(text));
	}
out:
	cleanup_client_abort(&cc);
	buf_free(&why);
	buf_free(&text);
}
