/* smtp_agent - one delivery request from qmgr, start to reply.
 *
 *   smtp_agent_serve(g, fd)   // hello, request, delivery, reply
 *
 * Order of attempts: the cached session for this next hop first (if
 * any), then every address of the next hop in turn until no recipient is
 * pending; the last address tried is "final" (a temporary failure there
 * defers instead of moving on).  Recipients still pending at the end get
 * the last reason (d->last).  Every settled recipient is logged in
 * Postfix's form:
 *   ID: to=<a@b>, relay=mx[192.0.2.1]:25, delay=0.5, delays=0.1/0/0.2/0.2,
 *   dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as X)
 * The request is read with deliver.h's checks; the queue file must be
 * "QUEUE/ID" below the queue directory and is validated by qfile_open.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "mem.h"
#include "queue_id.h"
#include "smtp.h"

/* queue_file_ok - "QUEUE/ID" with a valid ID, nothing that climbs out */
static bool queue_file_ok(const char *path)
{
	const char *slash = strchr(path, '/');

	return slash && slash > path && strchr(slash + 1, '/') == NULL
	       && strncmp(path, "..", 2) != 0 && queue_id_valid(slash + 1);
}

/* seconds - b - a */
static double seconds(const struct timeval *a, const struct timeval *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_usec - a->tv_usec) / 1e6;
}


/* orig_to - the ORCPT address when it differs from the recipient */
static void orig_to(const struct deliver_rcpt *r, struct buf *out)
{
	if (r->orcpt == NULL || strncasecmp(r->orcpt, "rfc822;", 7) != 0)
		return;
	xtext_decode(out, r->orcpt + 7);
	if (strcasecmp(buf_str(out), r->address) == 0)
		buf_reset(out);
}

/* smtp_log_rcpt - the per-recipient line (recipient i is settled).
 * delays: before this agent / 0 (qmgr's share is not known here) /
 * connection set-up (DNS, connect, greeting, EHLO, TLS) / transmission */
void smtp_log_rcpt(const struct smtp_deliv *d, size_t i, const char *relay, int conn_use)
{
	const struct deliver_rcpt *r = &d->rq->rcpt[i];
	struct timeval arrival = { .tv_sec = d->rq->arrival_time, .tv_usec = d->rq->arrival_usec };
	const struct timeval *ready = d->ready.tv_sec ? &d->ready : &d->done;
	double before = seconds(&arrival, &d->started), setup = seconds(&d->started, ready);
	double xfer = seconds(ready, &d->done);
	struct buf *b = buf_new(256), *o = buf_new(64);

	if (before < 0 || d->rq->arrival_time == 0)
		before = 0;
	if (setup < 0)
		setup = 0;
	if (xfer < 0)
		xfer = 0;
	buf_printf(b, "%s: to=<%s>, ", d->rq->queue_id, r->address);
	orig_to(r, o);
	if (buf_len(o))
		buf_printf(b, "orig_to=<%s>, ", buf_str(o));
	buf_printf(b, "relay=%s, ", relay);
	if (conn_use > 1)
		buf_printf(b, "conn_use=%d, ", conn_use);
	buf_cat(b, "delay=");
	deliver_fmt_delay(b, before + setup + xfer);
	buf_cat(b, ", delays=");
	deliver_fmt_delay(b, before);
	buf_cat(b, "/0/");
	deliver_fmt_delay(b, setup);
	buf_putc(b, '/');
	deliver_fmt_delay(b, xfer);
	buf_printf(b, ", dsn=%s, status=%s (%s)", r->dsn, deliver_status_name(r->status), r->text);
	log_info("%s", buf_str(b));
	buf_free(&o);
	buf_free(&b);
}

/* settle_rest - every pending recipient gets why */
static void settle_rest(struct smtp_deliv *d, const struct smtp_why *why)
{
	for (size_t i = 0; i < d->rq->nrcpt; i++)
		if (d->state[i] != SMTP_RCPT_FINAL)
			smtp_rcpt_final(d, i, why->status, why->dsn, why->relay, buf_str(why->text), 0);
}

/* last_candidate - index of the last address that will be tried */
static size_t last_candidate(const struct smtp_addr_list *list, const struct smtp_addr *skip)
{
	size_t last = list->n;

	for (size_t k = 0; k < list->n; k++)
		if (skip == NULL || strcmp(list->v[k].addr, skip->addr) != 0
		    || list->v[k].port != skip->port)
			last = k;
	return last;
}

/* try_addresses - the next hop's addresses in turn; skip: the address the
 * cached session already answered for, or NULL */
static void try_addresses(struct smtp_deliv *d, const struct smtp_nexthop *nh,
			  const struct smtp_addr *skip)
{
	struct smtp_addr_list list = { 0 };
	size_t last;

	if (smtp_addr_resolve(d->g->cf, nh, &list, &d->last) < 0) {
		smtp_addr_list_free(&list);
		return;
	}
	last = last_candidate(&list, skip);
	for (size_t k = 0; k < list.n && d->pending > 0; k++) {
		struct smtp_session *ss;

		if (k > last)
			break;
		if (skip && strcmp(list.v[k].addr, skip->addr) == 0 && list.v[k].port == skip->port)
			continue;
		if ((ss = smtp_session_open(d->g, &list.v[k], d->rq->nexthop, &d->last)) == NULL) {
			log_info("%s: %s", d->rq->queue_id, buf_str(d->last.text));
			continue;
		}
		smtp_transaction(d, ss, k == last);
		smtp_cache_put(d->g, ss);
	}
	smtp_addr_list_free(&list);
}

/* has_ctl - control characters, which could end an SMTP command early */
static bool has_ctl(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

/* check_envelope - addresses that cannot go into MAIL or RCPT safely
 * bounce (qmgr should never send them: the queue file forbids them) */
static void check_envelope(struct smtp_deliv *d)
{
	const struct deliver_request *rq = d->rq;
	bool bad_sender = has_ctl(rq->sender) || strpbrk(rq->sender, "<>") != NULL;

	for (size_t i = 0; i < rq->nrcpt; i++) {
		const char *a = rq->rcpt[i].address;

		if (bad_sender)
			smtp_rcpt_final(d, i, DELIVER_BOUNCED, "5.1.7", "none",
					"bad sender address syntax", 0);
		else if (*a == '\0' || has_ctl(a) || strpbrk(a, "<>") != NULL)
			smtp_rcpt_final(d, i, DELIVER_BOUNCED, "5.1.3", "none",
					"bad recipient address syntax", 0);
	}
}

/* deliver - every recipient of an opened request */
static void deliver(struct smtp_deliv *d)
{
	struct smtp_nexthop nh;
	struct smtp_session *ss;
	struct smtp_addr skip;
	bool have_skip = false;

	smtp_why_set(&d->last, DELIVER_DEFERRED, "4.3.5", "none", "%s", "");
	if (smtp_nexthop_parse(d->rq->nexthop, &nh, d->last.text) < 0) {
		log_warn("%s: %s", d->rq->queue_id, buf_str(d->last.text));
		settle_rest(d, &d->last);
		return;
	}
	smtp_why_set(&d->last, DELIVER_DEFERRED, "4.4.1", "none", "no address to deliver to");
	check_envelope(d);
	if (d->pending == 0)
		return;
	if ((ss = smtp_cache_take(d->g, d->rq->nexthop)) != NULL) {
		smtp_transaction(d, ss, false);
		/* a server that answered with 4xx is not asked again */
		if (!ss->broken) {
			skip = ss->peer;
			have_skip = true;
		}
		smtp_cache_put(d->g, ss);
	}
	if (d->pending > 0)
		try_addresses(d, &nh, have_skip ? &skip : NULL);
	settle_rest(d, &d->last);
}

/* open_queue_file - the request's queue file and what the transaction
 * needs from it; -1 with why */
static int open_queue_file(struct smtp_deliv *d, struct buf *why)
{
	const struct deliver_request *rq = d->rq;
	int status;

	if (!queue_file_ok(rq->queue_file)) {
		buf_printf(why, "bad queue file name \"%s\"", rq->queue_file);
		return -1;
	}
	if ((d->qf = qfile_open(rq->queue_file, QFILE_ANY_OWNER | QFILE_RDWR, &status, why)) == NULL)
		return -1;
	d->size = qfile_sizes(d->qf)->content_size;
	d->smtputf8 = smtp_has_8bit(rq->sender, strlen(rq->sender));
	for (size_t i = 0; i < rq->nrcpt; i++)
		d->smtputf8 |= smtp_has_8bit(rq->rcpt[i].address, strlen(rq->rcpt[i].address));
	d->smtputf8_asked = qfile_attr(d->qf, "smtputf8") != NULL;	/* smtpd's "yes" */
	return 0;
}

/* smtp_agent_serve - one request from qmgr */
void smtp_agent_serve(struct smtp_global *g, int fd)
{
	struct buf *why = buf_new(0);
	struct smtp_deliv d = { .g = g, .eightbit = -1, .last = { .text = buf_new(128) } };

	smtp_cache_hold();
	gettimeofday(&d.started, NULL);
	if ((d.rq = deliver_request_read(fd, why)) == NULL) {
		log_warn("delivery request: %s", buf_str(why));
		goto out;
	}
	d.state = xcalloc(d.rq->nrcpt, sizeof(*d.state));
	d.pending = d.rq->nrcpt;
	if (open_queue_file(&d, why) < 0) {
		log_warn("%s: %s", d.rq->queue_id, buf_str(why));
		smtp_why_set(&d.last, DELIVER_DEFERRED, "4.3.0", "none", "cannot read the queue file: %s",
			     buf_str(why));
		settle_rest(&d, &d.last);
	} else {
		deliver(&d);
	}
	qfile_close(&d.qf);	/* before the reply: qmgr may reuse it then (qfile_spare.h) */
	buf_reset(why);
	if (deliver_reply(fd, d.rq, why) < 0)
		log_warn("%s: reply to qmgr: %s", d.rq->queue_id, buf_str(why));
out:
	smtp_cache_idle(g);
	qfile_close(&d.qf);
	deliver_request_free(&d.rq);
	free(d.state);
	buf_free(&d.last.text);
	buf_free(&why);
}
