/* smtpd_data - DATA and BDAT: stream the message to cleanup.
 *
 * DATA ends only at <CR><LF>.<CR><LF>: a "." line after a bare <LF>, or a
 * line ending in a bare <CR>, is content (no SMTP smuggling).  A leading
 * dot is removed at the start of every line.  Lines are passed on without
 * their line end; a line longer than a record is passed in pieces, so no
 * line is ever held whole.  Past message_size_limit nothing more goes to
 * cleanup (the transfer is read to its end and refused with 552 5.3.4).
 * The 250 reply comes from cleanup's answer, after the queue file is
 * durable.  A client that goes away mid-message leaves no queue file:
 * the cleanup connection closes without its end record.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "log.h"
#include "mem.h"
#include "smtpd.h"

enum { PIECE_MAX = 4096 };	/* content bytes per record */

/* put - one line or piece of a line to cleanup, counting the size */
static void put(struct smtpd *st, const char *p, size_t len, size_t raw, bool partial)
{
	long long limit = st->g->cf->message_size_limit;

	st->content.size += (long long)raw;
	if (limit && st->content.size > limit)
		st->content.too_big = true;
	if (!st->content.too_big && st->cc)
		cleanup_client_line(st->cc, p, len, partial);
}

/* smtpd_cleanup_connect - connect to cleanup unless connected: at the
 * first accepted RCPT (as Postfix opens its queue file there), so cleanup
 * makes the queue file while the client sends DATA.  The reply goes out
 * first unless more pipelined commands wait.  A failure (reason in why) is
 * retried, and reported, by start_message */
void smtpd_cleanup_connect(struct smtpd *st, struct buf *why)
{
	if (st->cc == NULL) {
		if (stream_pending(st->s) == 0)
			stream_flush(st->s);
		st->cc = cleanup_client_connect(".", CLEANUP_F_SMTP, why);	/* we run in the queue directory */
	}
}

/* start_message - cleanup's queue ID (the connection usually exists since
 * the first RCPT), then the envelope */
static bool start_message(struct smtpd *st)
{
	struct buf *why = buf_new(0);
	char t[32];

	smtpd_cleanup_connect(st, why);
	if (st->cc == NULL || cleanup_client_ready(st->cc, why) < 0) {
		cleanup_client_abort(&st->cc);
		log_warn("%s", buf_str(why));
		smtpd_reply(st, "451 4.3.0 Error: queue file write error");
		buf_free(&why);
		return false;
	}
	buf_free(&why);
	free(st->queue_id);
	st->queue_id = xstrdup(cleanup_client_id(st->cc));
	if (st->sasl_username)
		log_info("%s: client=%s[%s], sasl_method=%s, sasl_username=%s", st->queue_id,
			 st->name, st->addr, st->sasl_method, st->sasl_username);
	else
		log_info("%s: client=%s[%s]", st->queue_id, st->name, st->addr);
	cleanup_client_attr(st->cc, "client_name", st->name);
	cleanup_client_attr(st->cc, "client_address", st->addr);
	cleanup_client_attr(st->cc, "client_port", st->port);
	cleanup_client_attr(st->cc, "helo_name", st->helo ? st->helo : "");
	cleanup_client_attr(st->cc, "protocol", st->protocol ? st->protocol : "SMTP");
	snprintf(t, sizeof(t), "%ld", (long)time(NULL));
	cleanup_client_attr(st->cc, "arrival_time", t);
	if (st->sasl_username) {
		cleanup_client_attr(st->cc, "sasl_method", st->sasl_method);
		cleanup_client_attr(st->cc, "sasl_username", st->sasl_username);
		if (st->g->cf->smtpd_sasl_authenticated_header)
			cleanup_client_attr(st->cc, "sasl_header", st->sasl_username);
	}
	if (st->dsn_ret)
		cleanup_client_attr(st->cc, "dsn_ret", st->dsn_ret);
	if (st->dsn_envid)
		cleanup_client_attr(st->cc, "dsn_envid", st->dsn_envid);
	if (st->smtputf8)
		cleanup_client_attr(st->cc, "smtputf8", "yes");
	for (size_t i = 0; i < st->cleanup_attrs->len; i++) {
		char *eq = strchr(st->cleanup_attrs->items[i], '=');

		*eq = '\0';
		cleanup_client_attr(st->cc, st->cleanup_attrs->items[i], eq + 1);
		*eq = '=';
	}
	cleanup_client_sender(st->cc, st->sender);
	for (size_t i = 0; i < st->nrcpt; i++)
		cleanup_client_rcpt(st->cc, st->rcpts[i].addr, st->rcpts[i].orcpt, st->rcpts[i].notify);
	return true;
}

/* finish_message - cleanup's verdict becomes the reply */
static void finish_message(struct smtpd *st)
{
	struct cleanup_result res;
	struct buf *why = buf_new(0);

	if (st->content.too_big) {
		log_info("%s: reject: size limit exceeded from %s[%s]", st->queue_id, st->name, st->addr);
		smtpd_reply(st, "552 5.3.4 Message size exceeds fixed limit");
	} else if (cleanup_client_finish(st->cc, &res, why) < 0) {
		log_warn("%s: %s", st->queue_id, buf_str(why));
		smtpd_reply(st, "451 4.3.0 Error: queue file write error");
	} else if (res.code == 250) {
		st->junk = 0;	/* as Postfix: a delivered message forgives junk */
		smtpd_reply(st, "250 %s Ok: queued as %s", res.dsn, st->queue_id);
	} else {
		smtpd_log_reject(st, "END-OF-MESSAGE", res.text, NULL);
		smtpd_reply(st, "%d %s %s", res.code, res.dsn, res.text);
	}
	buf_free(&why);
	smtpd_reset(st);
	st->last = "END-OF-MESSAGE";
}

/* may_send - the common preconditions of DATA and BDAT */
static bool may_send(struct smtpd *st)
{
	const char *reject;

	if (st->sender == NULL) {
		smtpd_reply(st, "503 5.5.1 Error: need MAIL command");
		return false;
	}
	if (st->nrcpt == 0) {
		smtpd_reply(st, "554 5.5.1 Error: no valid recipients");
		return false;
	}
	if ((reject = smtpd_check_data(st)) != NULL) {
		smtpd_log_reject(st, "DATA", reject, NULL);
		smtpd_reply(st, "%s", reject);
		return false;
	}
	return true;
}

/* content_lost - the client stopped sending content: log it and, after a
 * timeout, say so (Postfix: 421 4.4.2 also during DATA) */
static void content_lost(struct smtpd *st, const char *cmd, long long bytes)
{
	bool timeout = st->s->state == STREAM_TIMEOUT;

	log_info("%s after %s (%lld bytes) from %s[%s]", timeout ? "timeout" : "lost connection",
		 cmd, bytes, st->name, st->addr);
	if (timeout) {
		stream_printf(st->s, "421 4.4.2 %s Error: timeout exceeded\r\n", st->g->cf->myhostname);
		smtpd_count_reply("421");
		stream_flush(st->s);
	}
}

/* read_data - DATA lines until <CR><LF>.<CR><LF>; false if the client left */
static bool read_data(struct smtpd *st)
{
	struct buf *line = buf_new(PIECE_MAX + 1);
	bool after_crlf = true, line_start = true, ok = false;

	stream_content_begin(st->s);	/* smtpd_timeout + bytes / smtpd_min_data_rate */
	while (stream_getline(st->s, line, PIECE_MAX) > 0) {
		const char *p = buf_str(line);
		size_t len = buf_len(line), raw = len;
		bool ends = len && p[len - 1] == '\n';

		if (after_crlf && len == 3 && memcmp(p, ".\r\n", 3) == 0) {
			ok = true;
			break;
		}
		after_crlf = ends && len >= 2 && p[len - 2] == '\r';
		if (ends)
			len -= after_crlf ? 2 : 1;
		if (line_start && len && p[0] == '.')
			p++, len--;
		put(st, p, len, raw, !ends);
		line_start = ends;
	}
	stream_content_end(st->s);
	if (!ok)
		content_lost(st, "DATA", st->content.size);
	buf_free(&line);
	return ok;
}

/* smtpd_cmd_data - DATA */
void smtpd_cmd_data(struct smtpd *st, char *args)
{
	if (*args) {
		smtpd_reply(st, "501 5.5.4 Syntax: DATA");
		return;
	}
	if (!may_send(st) || !start_message(st))
		return;
	smtpd_reply(st, "354 End data with <CR><LF>.<CR><LF>");
	st->content = (struct smtpd_content){ 0 };
	if (stream_flush(st->s) < 0 || !read_data(st)) {
		smtpd_reset(st);
		st->quit = true;
		return;
	}
	finish_message(st);
}

/* bdat_bytes - split chunk bytes into lines (no dot handling in BDAT) */
static void bdat_bytes(struct smtpd *st, const char *p, size_t n)
{
	struct buf *partial = st->bdat;

	while (n > 0) {
		const char *nl = memchr(p, '\n', n);
		size_t take = nl ? (size_t)(nl - p) + 1 : n;

		buf_add(partial, p, take);
		p += take, n -= take;
		if (nl) {
			size_t len = buf_len(partial), raw = len;

			len -= len >= 2 && buf_str(partial)[len - 2] == '\r' ? 2 : 1;
			put(st, buf_str(partial), len, raw, false);
			buf_reset(partial);
		} else if (buf_len(partial) >= PIECE_MAX) {
			put(st, buf_str(partial), buf_len(partial), buf_len(partial), true);
			buf_reset(partial);
		}
	}
}

/* read_chunk - exactly size bytes of a BDAT chunk; false if the client left */
static bool read_chunk(struct smtpd *st, long long size)
{
	char chunk[8192];
	bool ok = true;

	stream_content_begin(st->s);	/* smtpd_timeout + bytes / smtpd_min_data_rate */
	while (ok && size > 0) {
		ssize_t n = stream_read(st->s, chunk, size < (long long)sizeof(chunk) ?
					(size_t)size : sizeof(chunk));

		if ((ok = n > 0)) {
			bdat_bytes(st, chunk, (size_t)n);
			size -= n;
		}
	}
	stream_content_end(st->s);
	if (!ok)
		content_lost(st, "BDAT", st->content.size);
	return ok;
}

/* smtpd_cmd_bdat - BDAT size [LAST] (RFC 3030); every chunk is read and
 * answered, also after the transaction failed */
void smtpd_cmd_bdat(struct smtpd *st, char *args)
{
	bool replied = false, last;
	long long size;
	char *end;

	errno = 0;
	size = strtoll(args, &end, 10);
	while (*end == ' ')
		end++;
	last = strcasecmp(end, "LAST") == 0;
	if (end == args || errno || size < 0 || (*end && !last)) {
		smtpd_reply(st, "501 5.5.4 Syntax: BDAT size [LAST]");
		st->quit = true;	/* the chunk cannot be found any more */
		return;
	}
	if (!st->bdat_active) {
		st->content = (struct smtpd_content){ 0 };
		st->bdat_active = true;
		st->bdat_failed = replied = !may_send(st) || !start_message(st);
	}
	if (!read_chunk(st, size)) {
		smtpd_reset(st);
		st->quit = true;
		return;
	}
	if (st->bdat_failed) {
		if (!replied)
			smtpd_reply(st, "554 5.5.1 Error: this BDAT transaction has failed");
		if (last)
			smtpd_reset(st);
	} else if (!last) {
		smtpd_reply(st, "250 2.0.0 Ok: %lld bytes", size);
	} else {
		if (buf_len(st->bdat))
			put(st, buf_str(st->bdat), buf_len(st->bdat), buf_len(st->bdat), false);
		finish_message(st);
	}
}
