/* pop3d_session - one client before login: the greeting, the command
 * loop, CAPA, STLS, NOOP-less AUTHORIZATION state (RFC 1939 section 4),
 * QUIT.  Too many bad commands, a line over the limit after the first,
 * or the login time limit end the session. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "mem.h"
#include "pop3d.h"

enum { BAD_COMMANDS_MAX = 3 };	/* Dovecot's login processes allow as many */

/* pop3d_reply - one response line, flushed with the next read */
void pop3d_reply(struct pop3d *p, const char *fmt, ...)
{
	va_list ap;
	struct buf *b = buf_new(128);

	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
	buf_cat(b, "\r\n");
	stream_write(p->s, buf_str(b), buf_len(b));
	buf_free(&b);
}

/* loopback - the client is on this host */
static bool loopback(const char *addr)
{
	return strncmp(addr, "127.", 4) == 0 || strcmp(addr, "::1") == 0;
}

/* pop3d_secured - TLS, or a client on this host (as Dovecot) */
bool pop3d_secured(const struct pop3d *p)
{
	return p->tls != NULL || loopback(p->rip);
}

/* pop3d_plaintext_ok - may a password cross this connection? */
bool pop3d_plaintext_ok(const struct pop3d *p)
{
	return !p->g->cf->disable_plaintext_auth || pop3d_secured(p);
}

/* tls_offered - STLS can be offered (a certificate that loads) */
static bool tls_offered(struct pop3d *p)
{
	struct buf *why;
	bool ok;

	if (p->tls || !tls_server_usable(p->g->tls))
		return false;
	why = buf_new(0);
	if (!(ok = tls_server_ready(p->g->tls, why) == 0))
		log_warn("cannot load the TLS certificate or key: %s: no TLS", buf_str(why));
	buf_free(&why);
	return ok;
}

/* start_tls - the handshake; false when it failed (session over) */
static bool start_tls(struct pop3d *p)
{
	struct buf *why = buf_new(0);

	p->tls = tls_accept(p->g->tls, p->s, why);
	if (p->tls == NULL)
		log_info("TLS handshake failed: rip=%s, lip=%s: %s", p->rip, p->lip, buf_str(why));
	buf_free(&why);
	return p->tls != NULL;
}

/* cmd_capa - RFC 2449; USER and the plaintext mechanisms only where a
 * password may be sent */
static void cmd_capa(struct pop3d *p, struct pop3_cmd *c)
{
	struct buf *mechs = buf_new(64);

	(void)c;
	pop3d_auth_mechs(p, mechs);
	pop3d_reply(p, "+OK");
	pop3d_reply(p, "CAPA");
	pop3d_reply(p, "TOP");
	pop3d_reply(p, "UIDL");
	pop3d_reply(p, "RESP-CODES");
	pop3d_reply(p, "PIPELINING");
	pop3d_reply(p, "AUTH-RESP-CODE");
	if (tls_offered(p))
		pop3d_reply(p, "STLS");
	if (pop3d_plaintext_ok(p))
		pop3d_reply(p, "USER");
	pop3d_reply(p, "SASL%s%s", buf_len(mechs) ? " " : "", buf_str(mechs));
	pop3d_reply(p, ".");
	buf_free(&mechs);
}

/* cmd_stls - RFC 2595; input pipelined after STLS is thrown away */
static void cmd_stls(struct pop3d *p, struct pop3_cmd *c)
{
	(void)c;
	if (p->tls) {
		pop3d_reply(p, "-ERR TLS is already active.");
		return;
	}
	if (!tls_offered(p)) {
		pop3d_reply(p, "-ERR TLS support isn't enabled.");
		return;
	}
	pop3d_reply(p, "+OK Begin TLS negotiation now.");
	if (stream_flush(p->s) < 0 || !start_tls(p))
		p->done = true;
	free(p->user);		/* nothing said in the clear carries over */
	p->user = NULL;
}

/* cmd_quit - before login: nothing to update */
static void cmd_quit(struct pop3d *p, struct pop3_cmd *c)
{
	(void)c;
	pop3d_reply(p, "+OK Logging out");
	p->done = true;
}

static const struct command {
	const char *name;
	void (*fn)(struct pop3d *p, struct pop3_cmd *c);
} commands[] = {
	{ "CAPA", cmd_capa }, { "STLS", cmd_stls }, { "QUIT", cmd_quit },
	{ "USER", pop3d_cmd_user }, { "PASS", pop3d_cmd_pass }, { "AUTH", pop3d_cmd_auth },
	{ "APOP", pop3d_cmd_apop },
};

/* bad_command - answer and count it; the third ends the session, with
 * Dovecot's words */
static void bad_command(struct pop3d *p, const char *text)
{
	pop3d_reply(p, "-ERR %s", text);
	if (++p->bad_commands >= BAD_COMMANDS_MAX) {
		pop3d_reply(p, "-ERR Too many invalid bad commands.");
		p->done = true;
	}
}

/* dispatch - one command line */
static void dispatch(struct pop3d *p, const struct buf *line, struct pop3_cmd *c)
{
	if (pop3_cmd_parse(buf_str(line), buf_len(line), c) < 0) {
		bad_command(p, c->error);
		return;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, c->name) == 0) {
			commands[i].fn(p, c);
			return;
		}
	bad_command(p, "Unknown command.");
}

/* command_loop - until QUIT, a login, or the client goes */
static void command_loop(struct pop3d *p)
{
	struct buf *line = buf_new(256);
	struct pop3_cmd *c = xmalloc(sizeof(*c));

	while (!p->done) {
		if (stream_pending(p->s) == 0 && stream_flush(p->s) < 0)
			break;
		if (stream_getline(p->s, line, POP3_CMD_LINE_MAX) <= 0)
			break;
		if (stream_line_is_long(p->s)) {
			pop3d_reply(p, "-ERR Input line too long.");
			p->done = true;
			break;
		}
		dispatch(p, line, c);
	}
	stream_flush(p->s);
	explicit_bzero(c, sizeof(*c));	/* a PASS line */
	free(c);
	buf_free(&line);
}

/* pop3d_session - one client, from accept to close or handoff */
void pop3d_session(struct pop3d_global *g, int fd)
{
	struct pop3d p = { .g = g, .fd = fd };

	sock_addr_peer(fd, p.rip, sizeof(p.rip), &p.rport);
	sock_addr_local(fd, p.lip, sizeof(p.lip), &p.lport);
	p.s = stream_new(fd, (int)g->cf->login_timeout * 1000);
	stream_set_per_record(p.s, true, 0);
	if (!g->cf->pop3d_tls_wrappermode || (tls_offered(&p) && start_tls(&p))) {
		pop3d_reply(&p, "+OK %s", g->cf->login_greeting);
		command_loop(&p);
	}
	if (p.token[0])
		pop3d_handoff(&p);
	if (p.tls)
		tls_conn_close(&p.tls, false);
	free(p.user);
	stream_free(&p.s);
}
