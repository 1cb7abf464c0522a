/* smtpd_session - one SMTP session: greeting, command loop, limits, the
 * disconnect log line.
 *
 * Input is bounded: a command line longer than line_length_limit is
 * refused (and read to its end, never stored), control characters in a
 * command are refused, a whole command line must arrive within
 * smtpd_timeout (each read, with smtpd_per_record_deadline = no), and after
 * smtpd_hard_error_limit errors the client is dropped.  Replies are
 * flushed only when no pipelined input is waiting (PIPELINING).
 * Stress: each session starts with the parameters of the moment
 * (server_stress_update), and its stream watches master's stress pipe: when
 * master declares stress mid-session, the stressed smtpd_timeout, error
 * and junk limits apply from then on, to the wait under way too, so idle
 * sessions cannot keep every process for the normal 300 s.  A client
 * outside mynetworks that finds only the mynetworks reserve free is sent
 * away (421 4.3.2), or, where AUTH is offered, kept on probation: stressed
 * limits, and nothing but greeting, STARTTLS and AUTH until it logs in.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "mem.h"
#include "metrics.h"
#include "smtpd.h"
#include "smtpd_conn.h"
#include "sock_addr.h"

/* peer_address - the client's address and port as text */
static void peer_address(struct smtpd *st, int fd)
{
	unsigned port;

	sock_addr_peer(fd, st->addr, sizeof(st->addr), &port);
	snprintf(st->port, sizeof(st->port), "%u", port);
}

/* smtpd_count_reply - one reply (its last line, for a multi-line one)
 * in hato_smtpd_replies, by its class; every reply smtpd sends is counted
 * here, whether it goes through smtpd_reply or straight to the stream */
void smtpd_count_reply(const char *reply)
{
	static const char *const classes[] = { "2xx", "3xx", "4xx", "5xx" };

	if (reply[0] >= '2' && reply[0] <= '5')
		metrics_add(METRIC_SMTPD_REPLIES, 1, "class", classes[reply[0] - '2'], NULL);
}

/* smtpd_reply - queue one reply line; 4xx/5xx count as errors */
void smtpd_reply(struct smtpd *st, const char *fmt, ...)
{
	va_list ap;

	buf_reset(st->reply);
	va_start(ap, fmt);
	buf_vprintf(st->reply, fmt, ap);
	va_end(ap);
	if (buf_str(st->reply)[0] == '4' || buf_str(st->reply)[0] == '5') {
		st->errors++;
		if (st->errors > st->g->cf->smtpd_soft_error_limit && st->g->cf->smtpd_error_sleep_time) {
			stream_flush(st->s);
			sleep((unsigned)st->g->cf->smtpd_error_sleep_time);
		}
	}
	stream_printf(st->s, "%s\r\n", buf_str(st->reply));
	smtpd_count_reply(buf_str(st->reply));
}

/* smtpd_reset - forget the transaction (RSET, HELO, after DATA) */
void smtpd_reset(struct smtpd *st)
{
	XFREE(st->sender);
	for (size_t i = 0; i < st->nrcpt; i++) {
		free(st->rcpts[i].addr);
		free(st->rcpts[i].orcpt);
		free(st->rcpts[i].notify);
	}
	st->nrcpt = 0;
	st->declared_size = 0;
	st->smtputf8 = false;
	XFREE(st->dsn_ret);
	XFREE(st->dsn_envid);
	XFREE(st->queue_id);
	strv_clear(st->cleanup_attrs);
	cleanup_client_abort(&st->cc);
	buf_reset(st->bdat);
	st->bdat_active = st->bdat_failed = false;
}

enum read_result { READ_END, READ_LINE, READ_REFUSED };

/* read_command - the next command line without its line end; READ_END
 * when the session is over (EOF, timeout, error), READ_REFUSED when the
 * line was too long (already answered) */
static enum read_result read_command(struct smtpd *st)
{
	const struct params *cf = st->g->cf;
	int rc;

	if (stream_pending(st->s) == 0 && stream_flush(st->s) < 0)
		return READ_END;
	rc = stream_getline(st->s, st->line, (size_t)cf->line_length_limit);
	if (rc > 0 && stream_line_is_long(st->s)) {
		while (rc > 0 && stream_line_is_long(st->s))
			rc = stream_getline(st->s, st->line, (size_t)cf->line_length_limit);
		if (rc <= 0)
			return READ_END;
		smtpd_reply(st, "500 5.5.2 Error: command line too long");
		return READ_REFUSED;
	}
	if (rc <= 0) {
		if (st->s->state == STREAM_TIMEOUT) {
			log_info("timeout after %s from %s[%s]", st->last ? st->last : "CONNECT",
				 st->name, st->addr);
			stream_printf(st->s, "421 4.4.2 %s Error: timeout exceeded\r\n", cf->myhostname);
			smtpd_count_reply("421");
			stream_flush(st->s);
		} else {
			log_info("lost connection after %s from %s[%s]",
				 st->last ? st->last : "CONNECT", st->name, st->addr);
		}
		return READ_END;
	}
	while (buf_len(st->line) && strchr("\r\n", buf_str(st->line)[buf_len(st->line) - 1]))
		buf_truncate(st->line, buf_len(st->line) - 1);
	return READ_LINE;
}

/* has_bad_chars - control characters (other than TAB) or NUL in a command */
static bool has_bad_chars(const struct buf *line)
{
	for (size_t i = 0; i < buf_len(line); i++) {
		unsigned char c = (unsigned char)buf_str(line)[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return true;
	}
	return false;
}

/* command_loop - until QUIT, EOF, timeout or too many errors */
static void command_loop(struct smtpd *st)
{
	const struct params *cf = st->g->cf;

	enum read_result r;

	while (!st->quit && (r = read_command(st)) != READ_END) {
		if (r == READ_REFUSED)
			;	/* answered already */
		else if (has_bad_chars(st->line))
			smtpd_reply(st, "500 5.5.2 Error: bad syntax");
		else
			smtpd_dispatch(st, (char *)buf_str(st->line));
		if (st->errors >= cf->smtpd_hard_error_limit && !st->quit) {
			log_info("too many errors after command from %s[%s]", st->name, st->addr);
			stream_printf(st->s, "421 4.7.0 %s Error: too many errors\r\n", cf->myhostname);
			smtpd_count_reply("421");
			break;
		}
	}
	stream_flush(st->s);
}

/* log_disconnect - Postfix's closing line with per-command counts */
static void log_disconnect(struct smtpd *st)
{
	struct buf *b = buf_new(128);

	smtpd_cmd_counts(st, b);
	log_info("disconnect from %s[%s]%s", st->name, st->addr, buf_str(b));
	buf_free(&b);
}

/* on_stress - master declared stress during the session */
static void on_stress(struct stream *s, void *ctx)
{
	struct smtpd *st = ctx;
	const struct params *cf = server_stress_update();

	if (cf == NULL || cf == st->g->cf)
		return;
	st->g->cf = cf;
	stream_set_timeout(s, (int)cf->smtpd_timeout * 1000);
}

/* probation - a client outside mynetworks on a reserved process of a
 * service that offers AUTH: it may stay to log in (authenticated
 * submission is what the reserve is for too), under the stressed limits */
static bool probation(struct smtpd *st)
{
	const struct params *cf = server_stress_params();

	st->probation = true;
	if (cf) {
		st->g->cf = cf;
		stream_set_timeout(st->s, (int)cf->smtpd_timeout * 1000);
	}
	log_info("all server ports are busy: %s[%s] must log in first", st->name, st->addr);
	return true;
}

/* admit - the connection limits; false when the client was sent away */
static bool admit(struct smtpd *st, struct smtpd_conn *conn)
{
	switch (smtpd_conn_enter(st->g, st, conn)) {
	case ADMIT_OK:
		return true;
	case ADMIT_TOO_MANY:
		log_warn("too many connections from %s[%s]", st->name, st->addr);
		stream_printf(st->s, "421 4.7.0 %s Error: too many connections from %s\r\n",
			      st->g->cf->myhostname, st->addr);
		smtpd_count_reply("421");
		return false;
	case ADMIT_RESERVED:
		if (st->g->sasl)
			return probation(st);
		log_warn("all server ports are busy: the rest is reserved for mynetworks: "
			 "refused %s[%s]", st->name, st->addr);
		stream_printf(st->s, "421 4.3.2 All server ports are busy\r\n");
		smtpd_count_reply("421");
		return false;
	}
	return false;
}

/* smtpd_session - serve the client on fd */
void smtpd_session(struct smtpd_global *g, int fd)
{
	struct smtpd st = { .g = g };
	struct smtpd_conn conn;
	const struct params *now = server_stress_update();

	if (now)
		g->cf = now;
	st.s = stream_new(fd, (int)g->cf->smtpd_timeout * 1000);
	stream_set_per_record(st.s, g->cf->smtpd_per_record_deadline, g->cf->smtpd_min_data_rate);
	stream_set_wake(st.s, server_stress_fd(), on_stress, &st);
	st.line = buf_new(512);
	st.reply = buf_new(256);
	st.bdat = buf_new(0);
	st.cleanup_attrs = strv_new();
	session_id_new(st.session);
	log_set_session(st.session, false);
	peer_address(&st, fd);
	st.name = smtpd_peer_name(&st);
	log_info("connect from %s[%s]", st.name, st.addr);
	metrics_add(METRIC_SMTPD_CONNECTIONS, 1, NULL);
	if (!admit(&st, &conn)) {
		/* answered */
	} else if (smtpd_tls_wrapper(&st)) {
		const char *denied = smtpd_check_connect(&st);

		if (denied == NULL)
			stream_printf(st.s, "220 %s\r\n", g->banner);
		else
			stream_printf(st.s, "%s\r\n", st.access_denied);
		smtpd_count_reply(denied ? st.access_denied : "220");
		command_loop(&st);
	}
	stream_flush(st.s);
	tls_conn_free(&st.tls);
	smtpd_conn_leave(&conn);
	log_disconnect(&st);
	smtpd_sasl_end(&st);
	smtpd_reset(&st);
	free(st.rcpts);
	free(st.helo);
	free(st.name);
	strv_free(&st.cleanup_attrs);
	strv_free(&st.rbl_cache);
	buf_free(&st.bdat);
	buf_free(&st.line);
	buf_free(&st.reply);
	stream_free(&st.s);
	log_set_session(NULL, false);
}
