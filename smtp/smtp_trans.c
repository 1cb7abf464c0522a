/* smtp_trans - one mail transaction over a ready session: MAIL, RCPT,
 * DATA, the content, and a result for every recipient it settles.
 *
 *   smtp_transaction(d, ss, final)
 *
 * Only recipients still pending take part.  2xx after the content: sent.
 * 5xx (to MAIL, RCPT, DATA or the content): bounced.  4xx, a timeout or
 * a lost connection: deferred when this server is the last one to try
 * (final); otherwise the recipient stays pending for the next server and
 * d->last remembers why, as Postfix does with backup MX hosts.  A reply to
 * MAIL or DATA applies to every recipient in the transaction.
 * With PIPELINING, MAIL and up to SMTP_PIPELINE_BATCH RCPTs go out in one
 * write and their replies are read after it; without, one at a time.
 * SIZE= is sent when the server announces SIZE, and a message over the
 * server's limit bounces (5.3.4) before MAIL.  BODY=8BITMIME goes with
 * 8-bit content when the server offers 8BITMIME (without it, the content
 * goes as it is).  NOTIFY, ORCPT, RET and ENVID go only to a server that
 * offers DSN.
 * A recipient sent by a request that qmgr marks DELIVER_INTERRUPTED (an
 * earlier attempt's result never reached qmgr: the remote server may have
 * taken the message then too) gets a "possible duplicate" warning.  A
 * sent recipient is marked done in the queue file at once (mark_sent), so
 * that window is the one between the server's 250 and that mark.
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "mem.h"
#include "smtp.h"

struct trans {
	struct smtp_deliv *d;
	struct smtp_session *ss;
	bool final;
	size_t *idx;			/* the recipients in this transaction */
	size_t n;
	bool mail_failed;
	struct smtp_why why;
};

/* mark_sent - recipient i is marked done in the queue file the moment the
 * server took it, not only when qmgr has the reply: a crash between the
 * two then sends nothing twice (bounces are left to qmgr, which owes the
 * sender a notification).  Never after the reply (deliver_agent_mark_sent
 * says why) */
static void mark_sent(struct smtp_deliv *d, size_t i)
{
	struct buf *why = buf_new(0);

	if (qfile_mark_done_at(d->qf, d->rq->rcpt[i].offset, why) < 0)
		log_warn("%s: %s", d->rq->queue_id, buf_str(why));
	buf_free(&why);
}

/* smtp_rcpt_final - recipient i is settled: status, log line */
void smtp_rcpt_final(struct smtp_deliv *d, size_t i, enum deliver_status st, const char *dsn,
		     const char *relay, const char *text, int conn_use)
{
	if (d->state[i] == SMTP_RCPT_FINAL)
		log_panic("%s: recipient %zu settled twice", d->rq->queue_id, i);
	deliver_status(d->rq, i, st, dsn, relay, "%s", text);
	if (st == DELIVER_SENT && d->qf)
		mark_sent(d, i);
	d->state[i] = SMTP_RCPT_FINAL;
	d->pending--;
	gettimeofday(&d->done, NULL);
	smtp_log_rcpt(d, i, relay, conn_use);
	if (st == DELIVER_SENT && d->rq->retry == DELIVER_INTERRUPTED)
		log_warn("%s: to=<%s>, relay=%s: possible duplicate: an earlier attempt was interrupted "
			 "before its result was recorded, and may have been accepted too",
			 d->rq->queue_id, d->rq->rcpt[i].address, relay);
}

/* rcpt_why - recipient i gets why: settled, or left pending for the next
 * server when the failure is temporary and this server is not the last */
static void rcpt_why(struct trans *t, size_t i, const struct smtp_why *why)
{
	struct smtp_deliv *d = t->d;

	if (d->state[i] == SMTP_RCPT_FINAL)
		return;
	if (why->status == DELIVER_DEFERRED && !t->final) {
		d->state[i] = SMTP_RCPT_PENDING;
		if (why != &d->last)
			smtp_why_set(&d->last, why->status, why->dsn, why->relay, "%s",
				     buf_str(why->text));
		return;
	}
	smtp_rcpt_final(d, i, why->status, why->dsn, why->relay, buf_str(why->text), t->ss->uses);
}

/* fail_all - why applies to every recipient of the transaction that is
 * not settled (accepted_only: just those the server accepted) */
static void fail_all(struct trans *t, const struct smtp_why *why, bool accepted_only)
{
	for (size_t k = 0; k < t->n; k++)
		if (!accepted_only || t->d->state[t->idx[k]] == SMTP_RCPT_ACCEPTED)
			rcpt_why(t, t->idx[k], why);
}

/* is_keyword - a safe ESMTP parameter value: letters, digits, ',', '-' */
static bool is_keyword(const char *s)
{
	if (s == NULL || *s == '\0')
		return false;
	for (; *s; s++)
		if (!(*s >= 'A' && *s <= 'Z') && !(*s >= 'a' && *s <= 'z') && !(*s >= '0' && *s <= '9')
		    && *s != ',' && *s != '-')
			return false;
	return true;
}

/* mail_cmd - "MAIL FROM:<s>" with the parameters the server takes */
static void mail_cmd(struct trans *t)
{
	const struct deliver_request *rq = t->d->rq;
	unsigned f = t->ss->features;
	struct buf *b = buf_new(256);

	buf_printf(b, "MAIL FROM:<%s>", rq->sender);
	if (f & SMTP_F_SIZE)
		buf_printf(b, " SIZE=%ld", t->d->size);
	if ((f & SMTP_F_8BITMIME) && t->d->eightbit == 1)
		buf_cat(b, " BODY=8BITMIME");
	if ((f & SMTP_F_SMTPUTF8) && (t->d->smtputf8 || t->d->smtputf8_asked))
		buf_cat(b, " SMTPUTF8");	/* passed on; required only by the envelope */
	if ((f & SMTP_F_DSN) && is_keyword(rq->dsn_ret))
		buf_printf(b, " RET=%s", rq->dsn_ret);
	if ((f & SMTP_F_DSN) && rq->dsn_envid && *rq->dsn_envid) {
		buf_cat(b, " ENVID=");
		xtext_encode(b, rq->dsn_envid);
	}
	smtp_cmd(t->ss, "%s", buf_str(b));
	buf_free(&b);
}

/* rcpt_cmd - "RCPT TO:<r>" with NOTIFY and ORCPT for a DSN server */
static void rcpt_cmd(struct trans *t, size_t i)
{
	const struct deliver_rcpt *r = &t->d->rq->rcpt[i];
	struct buf *b = buf_new(256);
	const char *semi;

	buf_printf(b, "RCPT TO:<%s>", r->address);
	if ((t->ss->features & SMTP_F_DSN) && is_keyword(r->notify))
		buf_printf(b, " NOTIFY=%s", r->notify);
	if ((t->ss->features & SMTP_F_DSN) && r->orcpt && (semi = strchr(r->orcpt, ';')) != NULL
	    && semi > r->orcpt && strspn(r->orcpt, "abcdefghijklmnopqrstuvwxyz"
					 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") == (size_t)(semi - r->orcpt)) {
		buf_printf(b, " ORCPT=%.*s;", (int)(semi - r->orcpt), r->orcpt);
		xtext_encode(b, semi + 1);
	}
	smtp_cmd(t->ss, "%s", buf_str(b));
	buf_free(&b);
}

/* mail_reply - the reply to MAIL; 0, or -1 when the session failed */
static int mail_reply(struct trans *t)
{
	int code = smtp_reply_read(t->ss, (int)t->ss->cf->smtp_mail_timeout);

	if (code < 0) {
		smtp_io_failure(t->ss, "sending MAIL FROM", &t->why);
		fail_all(t, &t->why, false);
		return -1;
	}
	if (code / 100 != 2) {
		smtp_reply_failure(t->ss, "MAIL FROM", &t->why);
		fail_all(t, &t->why, false);
		t->mail_failed = true;
	}
	return t->ss->broken ? -1 : 0;
}

/* rcpt_reply - the reply to recipient idx[k]'s RCPT; 0, or -1 */
static int rcpt_reply(struct trans *t, size_t k)
{
	size_t i = t->idx[k];
	int code = smtp_reply_read(t->ss, (int)t->ss->cf->smtp_rcpt_timeout);

	if (code < 0) {
		smtp_io_failure(t->ss, "sending RCPT TO", &t->why);
		fail_all(t, &t->why, false);
		return -1;
	}
	if (t->mail_failed)		/* settled by the MAIL reply already */
		return t->ss->broken ? -1 : 0;
	if (code / 100 == 2) {
		t->d->state[i] = SMTP_RCPT_ACCEPTED;
	} else {
		smtp_reply_failure(t->ss, "RCPT TO", &t->why);
		rcpt_why(t, i, &t->why);
	}
	if (t->ss->broken) {		/* 421: the others cannot go here either */
		fail_all(t, &t->why, false);
		return -1;
	}
	return 0;
}

/* envelope - MAIL and every RCPT; 0, or -1 when the session failed */
static int envelope(struct trans *t)
{
	const struct params *cf = t->ss->cf;
	bool pipelining = (t->ss->features & SMTP_F_PIPELINING) != 0;
	size_t batch = pipelining ? SMTP_PIPELINE_BATCH : 1;

	mail_cmd(t);
	t->ss->dirty = true;
	if (!pipelining) {
		if (smtp_cmd_flush(t->ss, (int)cf->smtp_mail_timeout) < 0) {
			smtp_io_failure(t->ss, "sending MAIL FROM", &t->why);
			fail_all(t, &t->why, false);
			return -1;
		}
		if (mail_reply(t) < 0)
			return -1;
	}
	for (size_t from = 0; from < t->n && !t->mail_failed; from += batch) {
		size_t to = from + batch < t->n ? from + batch : t->n;

		for (size_t k = from; k < to; k++)
			rcpt_cmd(t, t->idx[k]);
		if (smtp_cmd_flush(t->ss, (int)cf->smtp_rcpt_timeout) < 0) {
			smtp_io_failure(t->ss, from == 0 && pipelining ? "sending MAIL FROM"
				       : "sending RCPT TO", &t->why);
			fail_all(t, &t->why, false);
			return -1;
		}
		if (pipelining && from == 0 && mail_reply(t) < 0)
			return -1;
		for (size_t k = from; k < to; k++)
			if (rcpt_reply(t, k) < 0)
				return -1;
	}
	return 0;
}

/* data_init - DATA and its 354; 0, or -1 (the accepted recipients have
 * their result) */
static int data_init(struct trans *t)
{
	int tmo = (int)t->ss->cf->smtp_data_init_timeout, code;

	smtp_cmd(t->ss, "DATA");
	if (smtp_cmd_flush(t->ss, tmo) < 0 || (code = smtp_reply_read(t->ss, tmo)) < 0) {
		smtp_io_failure(t->ss, "sending DATA command", &t->why);
		fail_all(t, &t->why, true);
		return -1;
	}
	if (code / 100 != 3) {
		smtp_reply_failure(t->ss, "DATA", &t->why);
		fail_all(t, &t->why, true);
		return -1;
	}
	return 0;
}

/* data - DATA, the content and the final reply */
static void data(struct trans *t)
{
	struct smtp_session *ss = t->ss;
	int code, rc;

	if (data_init(t) < 0)
		return;
	if ((rc = smtp_data_send(t->d, ss)) == -2) {
		t->final = true;	/* another server would not help */
		fail_all(t, &t->d->last, true);
		return;
	}
	if (rc < 0) {
		smtp_io_failure(ss, "sending message body", &t->why);
		fail_all(t, &t->why, true);
		return;
	}
	if ((code = smtp_reply_read(ss, (int)ss->cf->smtp_data_done_timeout)) < 0) {
		smtp_io_failure(ss, "sending end of data -- message may be sent more than once", &t->why);
		fail_all(t, &t->why, true);
		return;
	}
	ss->dirty = false;		/* any reply to "." ends the transaction */
	if (code / 100 != 2) {
		smtp_reply_failure(ss, "end of DATA", &t->why);
		fail_all(t, &t->why, true);
		return;
	}
	for (size_t k = 0; k < t->n; k++)
		if (t->d->state[t->idx[k]] == SMTP_RCPT_ACCEPTED)
			smtp_rcpt_final(t->d, t->idx[k], DELIVER_SENT, ss->reply.dsn, ss->relay,
					buf_str(ss->reply.text), ss->uses);
}

/* precheck - what can be settled without a command: the size limit,
 * SMTPUTF8, an unreadable queue file; -1 when nothing is to be sent */
static int precheck(struct trans *t)
{
	struct smtp_session *ss = t->ss;
	struct smtp_deliv *d = t->d;
	struct buf *err = buf_new(0);
	int rc = 0;

	if ((ss->features & SMTP_F_SIZE) && ss->size_limit > 0 && d->size > ss->size_limit) {
		smtp_why_set(&t->why, DELIVER_BOUNCED, "5.3.4", ss->relay,
			     "message size %ld exceeds size limit %ld of server %s", d->size,
			     ss->size_limit, ss->label);
		rc = -1;
	} else if (d->smtputf8 && !(ss->features & SMTP_F_SMTPUTF8)) {
		smtp_why_set(&t->why, DELIVER_BOUNCED, "5.6.7", ss->relay,
			     "SMTPUTF8 is required, but was not offered by host %s", ss->label);
		rc = -1;
	} else if ((ss->features & SMTP_F_8BITMIME) && smtp_data_scan(d, err) < 0) {
		log_warn("%s: %s", d->rq->queue_id, buf_str(err));
		smtp_why_set(&t->why, DELIVER_DEFERRED, "4.3.0", "none",
			     "cannot read the queue file: %s", buf_str(err));
		t->final = true;	/* another server would not help */
		rc = -1;
	}
	if (rc < 0)
		fail_all(t, &t->why, false);
	buf_free(&err);
	return rc;
}

/* smtp_transaction - the pending recipients over ss; each either settled
 * or (not final, temporary failure) left pending with d->last */
void smtp_transaction(struct smtp_deliv *d, struct smtp_session *ss, bool final)
{
	struct trans t = { .d = d, .ss = ss, .final = final, .why = { .text = buf_new(128) } };

	t.idx = xcalloc(d->rq->nrcpt, sizeof(*t.idx));
	for (size_t i = 0; i < d->rq->nrcpt; i++)
		if (d->state[i] == SMTP_RCPT_PENDING)
			t.idx[t.n++] = i;
	ss->uses++;
	gettimeofday(&d->ready, NULL);
	if (t.n > 0 && precheck(&t) == 0 && envelope(&t) == 0 && !t.mail_failed) {
		bool any = false;

		for (size_t k = 0; k < t.n; k++)
			any |= d->state[t.idx[k]] == SMTP_RCPT_ACCEPTED;
		if (any)
			data(&t);
	}
	/* nobody stays "accepted" past the transaction */
	for (size_t k = 0; k < t.n; k++)
		if (d->state[t.idx[k]] == SMTP_RCPT_ACCEPTED)
			d->state[t.idx[k]] = SMTP_RCPT_PENDING;
	free(t.idx);
	buf_free(&t.why.text);
}
