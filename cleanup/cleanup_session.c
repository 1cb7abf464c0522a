/* cleanup_session - one message from smtpd or pickup into the queue.
 *
 * The client's record stream is checked record by record (qrec_check,
 * stream mode) before anything is acted on.  The envelope is rewritten
 * (cleanup_envelope.c) and written when the content starts; the content
 * goes through the header/body pass into the queue file.  At the end
 * record the file is committed (fsync, mode 0700, directory fsync) and
 * only then does the client hear 250.  A client that disappears, a bad
 * record, a rejected or discarded message: the file is removed.  After a
 * commit, and after the answer (so the client does not wait for it), the
 * queue manager is woken through public/qmgr (best effort: nothing
 * depends on it running).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "attr.h"
#include "cleanup.h"
#include "cleanup_client.h"
#include "cleanup_message.h"
#include "flow.h"
#include "log.h"
#include "mem.h"
#include "metrics.h"
#include "qfile.h"
#include "qrec.h"

enum { CLEANUP_TIMEOUT_MS = 300 * 1000 };

struct rcpt {
	char *addr, *orcpt, *notify;
};

struct session {
	struct cleanup_global *g;
	int fd;
	struct qfile_out *qf;
	const char *id;
	char *maildrop;			/* pickup's maildrop file name, or NULL */
	int maildrop_lock;		/* its flock (cleanup_maildrop.c), or -1 */
	bool queued;			/* that file is queued already */
	int flags;
	char *sender;
	struct strv *attrs;		/* "name=value" to queue */
	struct rcpt *rcpts;
	size_t nrcpt;
	char *orcpt, *notify;		/* for the next recipient */
	bool hold, discard;		/* asked for by smtpd's access maps */
	bool wake;			/* committed to incoming/: wake qmgr */
	struct strv *prepend;		/* header lines to put first */
	struct strv *add;		/* headers to add when missing */
	struct msg_opts mopts;
	struct msg *msg;
	long long size;			/* content bytes with "\n" line ends */
	struct buf *why;
	int code;			/* the answer: 250, 4xx, 5xx */
	char dsn[8];
	struct buf *text;
};

/* answer - set the reply the client will get */
static void answer(struct session *s, int code, const char *dsn, const char *text)
{
	s->code = code;
	snprintf(s->dsn, sizeof(s->dsn), "%s", dsn);
	buf_set(s->text, text);
}

/* attr_value_of - value of "name" in smtpd's attributes, or "" */
static const char *attr_value_of(struct session *s, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < s->attrs->len; i++)
		if (strncmp(s->attrs->items[i], name, n) == 0 && s->attrs->items[i][n] == '=')
			return s->attrs->items[i] + n + 1;
	return "";
}

/* on_attr - keep an attribute, or act on a control one from smtpd */
static void on_attr(struct session *s, const char *p, size_t len)
{
	char *a = xstrndup(p, len), *eq = strchr(a, '=');

	if (eq == NULL) {
		free(a);
		return;
	}
	*eq = '\0';
	if (strcmp(a, "hold") == 0)
		s->hold = true;
	else if (strcmp(a, "discard") == 0)
		s->discard = true;
	else if (strcmp(a, "prepend") == 0 && eq[1])
		strv_add(s->prepend, eq + 1);
	else if (strcmp(a, "maildrop") == 0)
		;			/* cleanup's own: from the request only */
	else if (strcmp(a, "redirect") == 0 || strcmp(a, "filter") == 0 || strcmp(a, "bcc") == 0)
		log_warn("%s: access map action %s is not supported yet", s->id, a);
	else {
		*eq = '=';
		strv_add(s->attrs, a);
	}
	free(a);
}

/* on_rcpt - remember a recipient with its pending DSN fields */
static void on_rcpt(struct session *s, const char *p, size_t len)
{
	s->rcpts = xrealloc(s->rcpts, (s->nrcpt + 1) * sizeof(*s->rcpts));
	s->rcpts[s->nrcpt++] = (struct rcpt){ xstrndup(p, len), s->orcpt, s->notify };
	s->orcpt = s->notify = NULL;
}

/* rfc2822_date - "Sun, 29 Nov 2026 07:00:00 +0000 (UTC)" */
static void rfc2822_date(char *out, size_t size)
{
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(out, size, "%a, %d %b %Y %H:%M:%S %z (%Z)", &tm);
}

/* build_headers - Received: first; Date:, Message-ID: (and for local
 * submissions From:) when the message has none */
static void build_headers(struct session *s)
{
	const struct params *cf = s->g->cf;
	struct buf *h = buf_new(256);
	char date[64];

	rfc2822_date(date, sizeof(date));
	if (s->flags & CLEANUP_F_SMTP) {
		buf_printf(h, "Received: from %s (%s [%s])", attr_value_of(s, "helo_name"),
			   attr_value_of(s, "client_name"), attr_value_of(s, "client_address"));
		if (*attr_value_of(s, "sasl_header"))
			buf_printf(h, "\n\t(Authenticated sender: %s)", attr_value_of(s, "sasl_header"));
		buf_printf(h, "\n\tby %s (%s) with %s id %s", cf->myhostname, cf->mail_name,
			   attr_value_of(s, "protocol"), s->id);
	} else {
		buf_printf(h, "Received: by %s (%s, from userid %s)\n\tid %s", cf->myhostname,
			   cf->mail_name, *attr_value_of(s, "uid") ? attr_value_of(s, "uid") : "0", s->id);
	}
	if (s->nrcpt == 1)
		buf_printf(h, "\n\tfor <%s>", s->rcpts[0].addr);
	buf_printf(h, "; %s", date);
	strv_take(s->prepend, buf_steal(&h));
	h = buf_new(128);
	buf_printf(h, "Date: %s", date);
	strv_add(s->add, buf_str(h));
	buf_reset(h);
	buf_printf(h, "Message-ID: <%s@%s>", s->id, cf->myhostname);
	strv_add(s->add, buf_str(h));
	if (s->flags & CLEANUP_F_LOCAL) {
		buf_reset(h);
		buf_printf(h, "From: <%s>", s->sender);
		strv_add(s->add, buf_str(h));
		strv_add(s->add, "To: undisclosed-recipients:;");
	}
	buf_free(&h);
}

/* emit - content from the header/body pass into the queue file */
static void emit(void *ctx, int type, const char *p, size_t len)
{
	struct session *s = ctx;

	s->size += (long long)len + (type == QREC_LINE);
	qfile_out_line(s->qf, p, len, type == QREC_PART);
}

/* put_rcpt - O, N and R records of one recipient */
static void put_rcpt(struct session *s, const char *addr, const char *orcpt, const char *notify)
{
	if (orcpt)
		qfile_out_put(s->qf, QREC_ORCPT, orcpt, strlen(orcpt));
	if (notify)
		qfile_out_put(s->qf, QREC_NOTIFY, notify, strlen(notify));
	qfile_out_put(s->qf, QREC_RCPT, addr, strlen(addr));
}

/* put_envelope_head - time, flags, the (already rewritten) sender, attributes */
static void put_envelope_head(struct session *s)
{
	struct buf *b = buf_new(64);
	struct timeval tv;

	gettimeofday(&tv, NULL);
	buf_printf(b, "%ld.%06ld", (long)tv.tv_sec, (long)tv.tv_usec);
	qfile_out_put(s->qf, QREC_TIME, buf_str(b), buf_len(b));
	buf_reset(b);
	buf_printf(b, "%d", s->flags);
	qfile_out_put(s->qf, QREC_FLAGS, buf_str(b), buf_len(b));
	qfile_out_put(s->qf, QREC_SENDER, s->sender ? s->sender : "", s->sender ? strlen(s->sender) : 0);
	for (size_t i = 0; i < s->attrs->len; i++)
		qfile_out_put(s->qf, QREC_ATTR, s->attrs->items[i], strlen(s->attrs->items[i]));
	buf_free(&b);
}

/* write_envelope - at 'M': expand the recipients and write the envelope;
 * -1 (answer set) on a table failure */
static int write_envelope(struct session *s)
{
	struct buf *orcpt = buf_new(64);
	struct strv *list = strv_new();
	int rc = 0;

	put_envelope_head(s);
	for (size_t i = 0; rc == 0 && i < s->nrcpt; i++) {
		struct rcpt *r = &s->rcpts[i];

		strv_clear(list);
		if ((rc = cleanup_expand_rcpt(s->g, r->addr, list, s->why)) < 0)
			break;
		buf_reset(orcpt);
		if (r->orcpt == NULL && s->g->cf->enable_original_recipient
		    && (list->len != 1 || strcmp(list->items[0], r->addr) != 0))
			buf_printf(orcpt, "rfc822;%s", r->addr);
		for (size_t k = 0; k < list->len; k++)
			put_rcpt(s, list->items[k], r->orcpt ? r->orcpt : buf_len(orcpt) ?
				 buf_str(orcpt) : NULL, r->notify);
	}
	if (rc < 0) {
		log_warn("%s: %s", s->id, buf_str(s->why));
		answer(s, 451, "4.3.0", "Error: temporary lookup failure");
	} else {
		qfile_out_put(s->qf, QREC_MESG, "", 0);
	}
	buf_free(&orcpt);
	strv_free(&list);
	return rc;
}

/* start_content - the envelope is complete: set up the content pass */
static int start_content(struct session *s)
{
	const struct params *cf = s->g->cf;

	if (s->nrcpt == 0 && !(s->flags & CLEANUP_F_EXTRACT)) {
		answer(s, 554, "5.5.1", "Error: no recipients");
		return -1;
	}
	if (cleanup_rewrite_sender(s->g, s->sender ? s->sender : "", s->text, s->why) < 0) {
		log_warn("%s: %s", s->id, buf_str(s->why));
		answer(s, 451, "4.3.0", "Error: temporary lookup failure");
		return -1;
	}
	free(s->sender);
	s->sender = xstrdup(buf_str(s->text));	/* qualified and canonical, for From: too */
	buf_reset(s->text);
	build_headers(s);
	if (write_envelope(s) < 0)
		return -1;
	s->mopts = (struct msg_opts){
		.header_checks = s->flags & CLEANUP_F_NO_CHECKS ? NULL : s->g->header_checks,
		.mime_header_checks = s->flags & CLEANUP_F_NO_CHECKS ? NULL : s->g->mime_header_checks,
		.nested_header_checks = s->flags & CLEANUP_F_NO_CHECKS ? NULL :
			s->g->nested_header_checks,
		.body_checks = s->flags & CLEANUP_F_NO_CHECKS ? NULL : s->g->body_checks,
		.header_size_limit = cf->header_size_limit,
		.body_checks_size_limit = cf->body_checks_size_limit,
		.hopcount_limit = cf->hopcount_limit,
		.queue_id = s->id,
		.prepend = s->prepend,
		.add_if_missing = s->add,
		.strip_bcc = (s->flags & CLEANUP_F_LOCAL) != 0,
	};
	s->msg = msg_new(&s->mopts, emit, s);
	return 0;
}

/* extract_rcpts - sendmail -t: recipients from To:, Cc:, Bcc:; how many */
static size_t extract_rcpts(struct session *s)
{
	size_t added = 0;

	struct strv *list = strv_new();
	struct buf *why = buf_new(0), *q = buf_new(64);

	qfile_out_put(s->qf, QREC_EXTRACT, "", 0);
	for (size_t i = 0; i < s->msg->header_rcpts->len; i++) {
		const char *v = s->msg->header_rcpts->items[i];

		strv_clear(list);
		buf_reset(why);
		if (addr_list_parse(v, strlen(v), list, why) < 0) {
			log_warn("%s: bad recipient header: %s", s->id, buf_str(why));
			continue;
		}
		for (size_t k = 0; k < list->len; k++) {
			struct strv *exp = strv_new();

			buf_set(q, list->items[k]);
			if (cleanup_expand_rcpt(s->g, buf_str(q), exp, why) == 0)
				for (size_t e = 0; e < exp->len; e++, added++)
					put_rcpt(s, exp->items[e], NULL, NULL);
			strv_free(&exp);
		}
	}
	strv_free(&list);
	buf_free(&why);
	buf_free(&q);
	return added;
}

/* wake_qmgr - one byte into public/qmgr; nothing waits for it */
static void wake_qmgr(void)
{
	int fd = open("public/qmgr", O_WRONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0) {
		(void)!write(fd, "A", 1);
		close(fd);
	}
}

/* reply_from_text - "550 5.7.1 text" from the header/body pass */
static void reply_from_text(struct session *s, const char *t)
{
	int code = atoi(t);
	char dsn[8] = "5.7.1";
	const char *rest = t;

	if (code < 400 || code > 599) {
		answer(s, 550, "5.7.1", t);
		return;
	}
	rest = t + 3;
	while (*rest == ' ')
		rest++;
	if (rest[0] >= '2' && rest[0] <= '5' && rest[1] == '.') {
		size_t n = strcspn(rest, " ");

		snprintf(dsn, sizeof(dsn), "%.*s", (int)(n < 7 ? n : 7), rest);
		rest += n;
		while (*rest == ' ')
			rest++;
	}
	answer(s, code, dsn, rest);
}

/* source_of - who handed the message in, by the client's flags: smtpd,
 * pickup (local submission), or internal (qmgr's notifications) */
static const char *source_of(int flags)
{
	return flags & CLEANUP_F_SMTP ? "smtpd" : flags & CLEANUP_F_LOCAL ? "pickup" : "internal";
}

/* finish - the end record: decide, commit, answer */
static void finish(struct session *s)
{
	long limit = s->g->cf->message_size_limit;

	msg_end(s->msg);
	if (s->msg->message_id)
		log_info("%s: message-id=%s", s->id, s->msg->message_id);
	if (s->msg->verdict == MSG_REJECT) {
		reply_from_text(s, buf_str(s->msg->reply));
	} else if (limit && s->size > limit) {
		log_info("%s: reject: message size %lld exceeds message_size_limit %ld", s->id,
			 s->size, limit);
		answer(s, 552, "5.3.4", "Message size exceeds fixed limit");
	} else if (s->msg->verdict == MSG_DISCARD || s->discard) {
		log_info("%s: discarded", s->id);
		answer(s, 250, "2.0.0", "Ok");
	} else {
		qfile_out_put(s->qf, QREC_XTRA, "", 0);
		if ((s->flags & CLEANUP_F_EXTRACT) && extract_rcpts(s) == 0 && s->nrcpt == 0) {
			answer(s, 554, "5.5.1", "Error: no recipient addresses found in message header");
			return;
		}
		qfile_out_put(s->qf, QREC_END, "", 0);
		if (qfile_commit(s->qf, s->why) < 0) {
			log_warn("%s: %s", s->id, buf_str(s->why));
			answer(s, 451, "4.3.0", "Error: queue file write error");
			return;
		}
		if (s->msg->verdict == MSG_HOLD || s->hold) {
			buf_reset(s->why);
			if (qfile_move(".", s->id, "incoming", "hold", QFILE_MOVE_DURABLE, s->why) < 0)
				log_warn("%s: %s", s->id, buf_str(s->why));
			else
				log_info("%s: hold: message placed on hold", s->id);
		} else {
			s->wake = true;
		}
		metrics_add(METRIC_MESSAGES_RECEIVED, 1, "source", source_of(s->flags), NULL);
		answer(s, 250, "2.0.0", "Ok");
	}
}

/* on_record - one record of the client's stream; false ends the session */
static bool on_record(struct session *s, int type, const struct buf *p)
{
	switch (type) {
	case QREC_FLAGS: s->flags = atoi(buf_str(p)); break;
	case QREC_ATTR: on_attr(s, buf_str(p), buf_len(p)); break;
	case QREC_SENDER: free(s->sender); s->sender = xstrdup(buf_str(p)); break;
	case QREC_ORCPT: free(s->orcpt); s->orcpt = xstrdup(buf_str(p)); break;
	case QREC_NOTIFY: free(s->notify); s->notify = xstrdup(buf_str(p)); break;
	case QREC_RCPT: on_rcpt(s, buf_str(p), buf_len(p)); break;
	case QREC_MESG: return start_content(s) == 0;
	case QREC_LINE: case QREC_PART:
		msg_line(s->msg, buf_str(p), buf_len(p), type == QREC_PART);
		break;
	case QREC_END: finish(s); return false;
	default: break;		/* V, X, E, W: nothing to do */
	}
	return true;
}

/* hello - the protocol greeting with the queue ID (or the reason there is none) */
static void hello(struct session *s)
{
	struct attr_out *o = attr_out_new();

	attr_put_str(o, "protocol", "cleanup");
	attr_put_int(o, "version", CLEANUP_PROTO_VERSION);
	if (s->qf || s->queued)
		attr_put_str(o, "queue_id", s->id);
	else
		attr_put_str(o, "error", buf_str(s->why));
	if (s->queued)
		attr_put_str(o, "queued", "yes");
	attr_end(o);
	if (attr_write(s->fd, o, CLEANUP_TIMEOUT_MS, s->why) < 0)
		log_warn("%s: %s", s->id ? s->id : "cleanup", buf_str(s->why));
	attr_out_free(&o);
}

/* send_answer - the final attribute message */
static void send_answer(struct session *s)
{
	struct attr_out *o = attr_out_new();
	struct buf *why = buf_new(0);

	attr_put_int(o, "code", s->code);
	attr_put_str(o, "dsn", s->dsn);
	attr_put_str(o, "text", buf_str(s->text));
	attr_end(o);
	if (attr_write(s->fd, o, CLEANUP_TIMEOUT_MS, why) < 0)
		log_warn("%s: %s", s->id, buf_str(why));
	attr_out_free(&o);
	buf_free(&why);
}

/* read_stream - records until the end or the first problem */
static void read_stream(struct session *s)
{
	struct qrec_reader *r = qrec_reader_fd(s->fd, CLEANUP_TIMEOUT_MS);
	struct buf *p = buf_new(4096);
	struct qrec_check chk;
	int type, rc;

	qrec_check_init(&chk, QREC_CHECK_STREAM);
	while ((rc = qrec_get(r, &type, p, QREC_MAX_LEN, s->why)) > 0) {
		if (qrec_check_record(&chk, type, buf_str(p), buf_len(p), qrec_reader_offset(r),
				      s->why) < 0) {
			log_warn("%s: bad record from client: %s", s->id, buf_str(s->why));
			answer(s, 451, "4.3.0", "Error: internal protocol error");
			send_answer(s);
			break;
		}
		if (!on_record(s, type, p)) {
			send_answer(s);
			if (s->wake)
				wake_qmgr();
			break;
		}
	}
	if (rc == 0)
		log_info("%s: lost connection with the client before the end of the message", s->id);
	else if (rc < 0)
		log_info("%s: %s", s->id, buf_str(s->why));
	qrec_check_free(&chk);
	qrec_reader_free(&r);
	buf_free(&p);
}

/* read_request - the client's first message: {maildrop=NAME} from pickup
 * (cleanup_maildrop.c), empty from others; 0, or -1 (logged) */
static int read_request(struct session *s)
{
	struct attr_in *in = attr_in_new(0, 0);
	const char *name;
	int rc = attr_read(in, s->fd, CLEANUP_TIMEOUT_MS, s->why);

	if (rc == 0)
		buf_cat(s->why, "the client left before its request");
	else if (rc > 0 && (name = attr_get(in, "maildrop")) != NULL)
		s->maildrop = xstrdup(name);
	attr_in_free(&in);
	if (rc <= 0)
		log_info("cleanup: %s", buf_str(s->why));
	return rc > 0 ? 0 : -1;
}

/* open_queue_file - a new queue file, or for a maildrop file the one named
 * after it; false when there is none to write (s->why, or s->queued) */
static bool open_queue_file(struct session *s)
{
	struct buf *attr;

	if (s->maildrop == NULL) {
		s->qf = qfile_create(".", "incoming", s->why);
		s->id = s->qf ? qfile_out_id(s->qf) : NULL;
		return s->qf != NULL;
	}
	switch (cleanup_maildrop_claim(s->maildrop, &s->qf, &s->maildrop_lock, s->why)) {
	case MAILDROP_NEW:
		s->id = qfile_out_id(s->qf);
		attr = buf_new(64);
		buf_printf(attr, "maildrop=%s", s->id);	/* for qfile_maildrop_release */
		strv_take(s->attrs, buf_steal(&attr));
		return true;
	case MAILDROP_QUEUED:
		s->id = s->maildrop;
		s->queued = true;
		log_info("%s: already queued from maildrop/%s: not queued again", s->id, s->id);
		answer(s, 250, "2.0.0", "Ok: queued already");
		return false;
	default:
		return false;
	}
}

/* cleanup_session - serve one client */
void cleanup_session(struct cleanup_global *g, int fd)
{
	struct session s = { .g = g, .fd = fd, .why = buf_new(0), .text = buf_new(64),
			     .attrs = strv_new(), .prepend = strv_new(), .add = strv_new(),
			     .maildrop_lock = -1 };

	flow_take((int)(g->cf->in_flow_delay * 1000));	/* delivery falling behind: slow down */
	if (read_request(&s) < 0) {
		/* nothing to answer */
	} else if (open_queue_file(&s)) {
		hello(&s);
		qfile_out_sync_name(s.qf);	/* while the client sends; a failure shows at commit */
		read_stream(&s);
		qfile_abort(&s.qf);	/* removes the file unless it was committed */
	} else {
		hello(&s);
		if (s.queued)
			send_answer(&s);
		else
			log_warn("%s", buf_str(s.why));
	}
	if (s.maildrop_lock >= 0)
		close(s.maildrop_lock);	/* after the commit or the removal */
	free(s.maildrop);
	msg_free(&s.msg);
	for (size_t i = 0; i < s.nrcpt; i++) {
		free(s.rcpts[i].addr);
		free(s.rcpts[i].orcpt);
		free(s.rcpts[i].notify);
	}
	free(s.rcpts);
	free(s.sender);
	free(s.orcpt);
	free(s.notify);
	strv_free(&s.attrs);
	strv_free(&s.prepend);
	strv_free(&s.add);
	buf_free(&s.why);
	buf_free(&s.text);
}
