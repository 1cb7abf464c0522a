/* deliver - the qmgr <-> delivery agent protocol; see deliver.h.  Built on
 * the attribute codec (attr.h); every number from the peer is range
 * checked and every recipient index is bounded by rcpt_count. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attr.h"
#include "deliver.h"
#include "mem.h"

/* deliver_request_new - an empty request (qmgr) */
struct deliver_request *deliver_request_new(const char *queue_id, const char *queue_file,
					    const char *nexthop, const char *sender)
{
	struct deliver_request *rq = xcalloc(1, sizeof(*rq));

	rq->queue_id = xstrdup(queue_id);
	rq->queue_file = xstrdup(queue_file);
	rq->nexthop = xstrdup(nexthop);
	rq->sender = xstrdup(sender);
	return rq;
}

/* deliver_request_add - one more recipient */
void deliver_request_add(struct deliver_request *rq, const char *address, const char *orcpt,
			 const char *notify, off_t offset)
{
	struct deliver_rcpt *r;

	rq->rcpt = xrealloc(rq->rcpt, (rq->nrcpt + 1) * sizeof(*rq->rcpt));
	r = &rq->rcpt[rq->nrcpt++];
	*r = (struct deliver_rcpt){ .address = xstrdup(address), .offset = offset,
				    .orcpt = orcpt ? xstrdup(orcpt) : NULL,
				    .notify = notify ? xstrdup(notify) : NULL };
	strcpy(r->dsn, "4.3.0");
}

/* put_n - "name_N" = value */
static void put_n(struct attr_out *o, const char *name, size_t i, const char *value)
{
	char key[32];

	snprintf(key, sizeof(key), "%s_%zu", name, i);
	attr_put_str(o, key, value);
}

/* get_n - the value of "name_N", or NULL */
static const char *get_n(const struct attr_in *in, const char *name, size_t i)
{
	char key[32];

	snprintf(key, sizeof(key), "%s_%zu", name, i);
	return attr_get(in, key);
}

/* deliver_read_hello - the agent's greeting, read through in (which then
 * holds whatever came after it) */
int deliver_read_hello(struct attr_in *in, int fd, int timeout_ms, struct buf *why)
{
	return attr_hello_read(in, fd, "delivery", DELIVER_PROTO_VERSION, timeout_ms, why) < 0 ? -1 : 0;
}

/* encode_request - the request as one attribute message */
static struct attr_out *encode_request(const struct deliver_request *rq)
{
	struct attr_out *o = attr_out_new();

	attr_put_str(o, "queue_id", rq->queue_id);
	attr_put_str(o, "queue_file", rq->queue_file);
	attr_put_str(o, "nexthop", rq->nexthop);
	attr_put_str(o, "sender", rq->sender);
	attr_put_int(o, "flags", rq->flags);
	attr_put_int(o, "arrival_time", rq->arrival_time);
	attr_put_int(o, "arrival_usec", rq->arrival_usec);
	if (rq->dsn_envid)
		attr_put_str(o, "dsn_envid", rq->dsn_envid);
	if (rq->dsn_ret)
		attr_put_str(o, "dsn_ret", rq->dsn_ret);
	if (rq->retry)
		attr_put_int(o, "retry", rq->retry);
	attr_put_int(o, "rcpt_count", (long long)rq->nrcpt);
	for (size_t i = 0; i < rq->nrcpt; i++) {
		char off[32];

		put_n(o, "rcpt", i, rq->rcpt[i].address);
		if (rq->rcpt[i].orcpt)
			put_n(o, "orcpt", i, rq->rcpt[i].orcpt);
		if (rq->rcpt[i].notify)
			put_n(o, "notify", i, rq->rcpt[i].notify);
		snprintf(off, sizeof(off), "%lld", (long long)rq->rcpt[i].offset);
		put_n(o, "offset", i, off);
	}
	attr_end(o);
	return o;
}

/* deliver_send_request - the request (after the hello, or early) */
int deliver_send_request(int fd, const struct deliver_request *rq, struct buf *why)
{
	struct attr_out *o = encode_request(rq);
	int rc = attr_write(fd, o, DELIVER_TIMEOUT_MS, why);

	attr_out_free(&o);
	return rc;
}

/* deliver_send_early - the request right after connect, before the hello,
 * when it is small enough to sit in the socket buffer until an agent takes
 * the connection (so the write cannot wait for one): 1 sent, 0 too large
 * (nothing sent: send it after the hello), -1 error */
int deliver_send_early(int fd, const struct deliver_request *rq, struct buf *why)
{
	struct attr_out *o = encode_request(rq);
	int rc = 0;

	if (buf_len(attr_out_buf(o)) <= DELIVER_EARLY_MAX)
		rc = attr_write(fd, o, DELIVER_TIMEOUT_MS, why) < 0 ? -1 : 1;
	attr_out_free(&o);
	return rc;
}

/* dup_or_null - a copy of s, or NULL */
static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* parse_request - the request message into rq; -1 with why */
static int parse_request(struct attr_in *in, struct deliver_request *rq, struct buf *why)
{
	long long n, v;

	if (attr_require(in, why, "queue_id", "queue_file", "nexthop", "sender", "rcpt_count",
			 (char *)NULL) < 0
	    || attr_get_int(in, "rcpt_count", 1, DELIVER_MAX_RCPT, &n, why) < 0)
		return -1;
	rq->queue_id = xstrdup(attr_get(in, "queue_id"));
	rq->queue_file = xstrdup(attr_get(in, "queue_file"));
	rq->nexthop = xstrdup(attr_get(in, "nexthop"));
	rq->sender = xstrdup(attr_get(in, "sender"));
	rq->dsn_envid = dup_or_null(attr_get(in, "dsn_envid"));
	rq->dsn_ret = dup_or_null(attr_get(in, "dsn_ret"));
	if (attr_get(in, "flags") && attr_get_int(in, "flags", 0, 1 << 30, &v, why) == 0)
		rq->flags = (int)v;
	if (attr_get(in, "arrival_time") && attr_get_int(in, "arrival_time", 0, 1LL << 40, &v, why) == 0)
		rq->arrival_time = (long)v;
	if (attr_get(in, "arrival_usec") && attr_get_int(in, "arrival_usec", 0, 999999, &v, why) == 0)
		rq->arrival_usec = (long)v;
	if (attr_get(in, "retry") && attr_get_int(in, "retry", 0, DELIVER_INTERRUPTED, &v, why) == 0)
		rq->retry = (int)v;
	for (size_t i = 0; i < (size_t)n; i++) {
		const char *a = get_n(in, "rcpt", i), *off = get_n(in, "offset", i);

		if (a == NULL) {
			buf_printf(why, "request lacks rcpt_%zu", i);
			return -1;
		}
		deliver_request_add(rq, a, get_n(in, "orcpt", i), get_n(in, "notify", i),
				    off ? (off_t)strtoll(off, NULL, 10) : 0);
	}
	return 0;
}

/* deliver_request_read - hello, then one request (agents) */
struct deliver_request *deliver_request_read(int fd, struct buf *why)
{
	struct attr_in *in;
	struct deliver_request *rq;

	if (attr_hello_write(fd, "delivery", DELIVER_PROTO_VERSION, DELIVER_TIMEOUT_MS, why) < 0)
		return NULL;
	in = attr_in_new(0, 0);
	rq = xcalloc(1, sizeof(*rq));
	if (attr_read(in, fd, DELIVER_TIMEOUT_MS, why) <= 0 || parse_request(in, rq, why) < 0) {
		if (buf_len(why) == 0)
			buf_cat(why, "qmgr closed the connection without a request");
		deliver_request_free(&rq);
	}
	attr_in_free(&in);
	return rq;
}

/* deliver_status - the outcome for recipient i */
void deliver_status(struct deliver_request *rq, size_t i, enum deliver_status st,
		    const char *dsn, const char *relay, const char *fmt, ...)
{
	struct deliver_rcpt *r = &rq->rcpt[i];
	struct buf *b = buf_new(128);
	va_list ap;

	r->status = st;
	snprintf(r->dsn, sizeof(r->dsn), "%s", dsn);
	free(r->relay);
	r->relay = xstrdup(relay);
	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
	free(r->text);
	r->text = buf_steal(&b);
}

/* deliver_reply - every recipient's status back to qmgr */
int deliver_reply(int fd, const struct deliver_request *rq, struct buf *why)
{
	struct attr_out *o = attr_out_new();
	int rc;

	for (size_t i = 0; i < rq->nrcpt; i++) {
		const struct deliver_rcpt *r = &rq->rcpt[i];

		put_n(o, "status", i, deliver_status_name(r->status));
		put_n(o, "dsn", i, r->dsn);
		put_n(o, "relay", i, r->relay ? r->relay : "none");
		put_n(o, "text", i, r->text ? r->text : "");
	}
	attr_end(o);
	rc = attr_write(fd, o, DELIVER_TIMEOUT_MS, why);
	attr_out_free(&o);
	return rc;
}

/* deliver_read_reply - the agent's statuses into rq (qmgr); a missing or
 * unreadable status is "deferred" */
int deliver_read_reply(struct attr_in *in, int fd, struct deliver_request *rq, struct buf *why)
{
	int rc = attr_read(in, fd, DELIVER_TIMEOUT_MS, why);

	if (rc == 0)
		buf_cat(why, "delivery agent closed the connection without a reply");
	for (size_t i = 0; i < rq->nrcpt; i++) {
		struct deliver_rcpt *r = &rq->rcpt[i];
		const char *st = rc > 0 ? get_n(in, "status", i) : NULL, *d = rc > 0 ? get_n(in, "dsn", i) : NULL;

		r->status = st && strcmp(st, "sent") == 0 ? DELIVER_SENT :
			    st && strcmp(st, "bounced") == 0 ? DELIVER_BOUNCED : DELIVER_DEFERRED;
		snprintf(r->dsn, sizeof(r->dsn), "%s", d && strlen(d) < sizeof(r->dsn) ? d :
			 r->status == DELIVER_SENT ? "2.0.0" : "4.3.0");
		r->dsn[0] = "425"[r->status];	/* the class always matches the status */
		free(r->relay);
		free(r->text);
		r->relay = xstrdup(rc > 0 && get_n(in, "relay", i) ? get_n(in, "relay", i) : "none");
		r->text = xstrdup(rc > 0 && get_n(in, "text", i) ? get_n(in, "text", i) :
				  buf_len(why) ? buf_str(why) : "no status from the delivery agent");
	}
	return rc > 0 ? 0 : -1;
}

/* deliver_request_free - release everything */
void deliver_request_free(struct deliver_request **rqp)
{
	struct deliver_request *rq = *rqp;

	if (rq == NULL)
		return;
	for (size_t i = 0; i < rq->nrcpt; i++) {
		free(rq->rcpt[i].address);
		free(rq->rcpt[i].orcpt);
		free(rq->rcpt[i].notify);
		free(rq->rcpt[i].relay);
		free(rq->rcpt[i].text);
	}
	free(rq->rcpt);
	free(rq->queue_id);
	free(rq->queue_file);
	free(rq->nexthop);
	free(rq->sender);
	free(rq->dsn_envid);
	free(rq->dsn_ret);
	free(rq);
	*rqp = NULL;
}

/* deliver_status_name - "sent", "deferred", "bounced" */
const char *deliver_status_name(enum deliver_status st)
{
	return st == DELIVER_SENT ? "sent" : st == DELIVER_BOUNCED ? "bounced" : "deferred";
}

/* deliver_fmt_delay - seconds as Postfix prints them in delay= and
 * delays=: "0", "0.05", "1.2", "57" */
void deliver_fmt_delay(struct buf *b, double secs)
{
	if (secs < 0.01)
		buf_cat(b, "0");
	else if (secs < 0.1)
		buf_printf(b, "%.2f", secs);
	else if (secs < 10)
		buf_printf(b, "%.2g", secs);
	else
		buf_printf(b, "%.0f", secs);
}
