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

/* pop3d_reply - one response line, flushed before the next read */
void pop3d_reply(struct pop3d *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	login_session_vreply(&p->ls, fmt, ap);
	va_end(ap);
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
	if (login_session_tls_offered(&p->ls))
		pop3d_reply(p, "STLS");
	if (login_session_plaintext_ok(&p->ls))
		pop3d_reply(p, "USER");
	pop3d_reply(p, "SASL%s%s", buf_len(mechs) ? " " : "", buf_str(mechs));
	pop3d_reply(p, ".");
	buf_free(&mechs);
}

/* cmd_stls - RFC 2595; input pipelined after STLS is thrown away */
static void cmd_stls(struct pop3d *p, struct pop3_cmd *c)
{
	(void)c;
	if (p->ls.tls) {
		pop3d_reply(p, "-ERR TLS is already active.");
		return;
	}
	if (!login_session_tls_offered(&p->ls)) {
		pop3d_reply(p, "-ERR TLS support isn't enabled.");
		return;
	}
	pop3d_reply(p, "+OK Begin TLS negotiation now.");
	if (stream_flush(p->ls.s) < 0 || !login_session_tls_start(&p->ls))
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
		if (stream_pending(p->ls.s) == 0 && stream_flush(p->ls.s) < 0)
			break;
		if (stream_getline(p->ls.s, line, POP3_CMD_LINE_MAX) <= 0)
			break;
		if (stream_line_is_long(p->ls.s)) {
			pop3d_reply(p, "-ERR Input line too long.");
			p->done = true;
			break;
		}
		dispatch(p, line, c);
	}
	stream_flush(p->ls.s);
	explicit_bzero(c, sizeof(*c));	/* a PASS line */
	free(c);
	buf_free(&line);
}

/* pop3d_session - one client, from accept to close or handoff */
void pop3d_session(struct pop3d_global *g, int fd)
{
	struct pop3d p = { .g = g };

	login_session_open(&p.ls, g->cf, g->tls, fd);
	if (!g->cf->pop3d_tls_wrappermode ||
	    (login_session_tls_offered(&p.ls) && login_session_tls_start(&p.ls))) {
		pop3d_reply(&p, "+OK %s", g->cf->login_greeting);
		command_loop(&p);
	}
	if (p.ls.token[0])
		pop3d_handoff(&p);
	free(p.user);
	login_session_close(&p.ls);
}
