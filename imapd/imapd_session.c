/* imapd_session - one IMAP client before login: the greeting, the command
 * loop, CAPABILITY, NOOP, LOGOUT, ID, STARTTLS; ENABLE and every command
 * of a later state are BAD here.  The texts are Dovecot 2.3 imap-login's
 * (checked against a private Dovecot by the tests in tests/imapd).  A command that
 * cannot be parsed, the third bad command, a line over the limit, or the
 * login time limit end the session. */
#include <stdarg.h>
#include <string.h>

#include "imapd.h"
#include "log.h"

static const char generic_bad[] = "Error in IMAP command received by server.";

static const struct imap_limits limits = {
	.line_max = IMAPD_LINE_MAX, .literal_max = IMAPD_LINE_MAX,
	.command_max = IMAPD_LINE_MAX, .args_max = IMAPD_ARGS_MAX,
	.depth_max = IMAPD_DEPTH_MAX, .literal_plus = true,
};

/* imapd_reply - one response line, flushed before the next read */
void imapd_reply(struct imapd *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	login_session_vreply(&d->ls, fmt, ap);
	va_end(ap);
}

/* imapd_bad - a BAD answer, counted: the third ends the session with
 * Dovecot's words (and is not answered itself, as there) */
void imapd_bad(struct imapd *d, const char *tag, const char *text)
{
	if (++d->bad_commands >= IMAPD_BAD_COMMANDS_MAX) {
		imapd_reply(d, "* BYE Too many invalid IMAP commands.");
		d->done = true;
		return;
	}
	imapd_reply(d, "%s BAD %s", tag[0] ? tag : "*", text);
}

/* capabilities - what this connection may do before login */
static void capabilities(struct imapd *d, struct buf *out)
{
	struct buf *mechs = buf_new(64);
	const char *p;

	buf_cat(out, "IMAP4rev1 IMAP4rev2 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+");
	if (login_session_tls_offered(&d->ls))
		buf_cat(out, " STARTTLS");
	if (!login_session_plaintext_ok(&d->ls))
		buf_cat(out, " LOGINDISABLED");
	login_session_mechs(&d->ls, mechs);
	for (p = buf_str(mechs); *p; p += strcspn(p, " "), p += *p == ' ')
		buf_printf(out, " AUTH=%.*s", (int)strcspn(p, " "), p);
	buf_free(&mechs);
}

/* cmd_capability - RFC 9051 6.1.1 */
static void cmd_capability(struct imapd *d, struct imap_cmd *c)
{
	struct buf *caps = buf_new(128);

	capabilities(d, caps);
	imapd_reply(d, "* CAPABILITY %s", buf_str(caps));
	imapd_reply(d, "%s OK Pre-login capabilities listed, post-login capabilities have more.", c->tag);
	buf_free(&caps);
}

/* cmd_noop - RFC 9051 6.1.2 */
static void cmd_noop(struct imapd *d, struct imap_cmd *c)
{
	imapd_reply(d, "%s OK NOOP completed.", c->tag);
}

/* cmd_logout - RFC 9051 6.1.3 */
static void cmd_logout(struct imapd *d, struct imap_cmd *c)
{
	imapd_reply(d, "* BYE Logging out");
	imapd_reply(d, "%s OK Logout completed.", c->tag);
	d->done = true;
}

/* id_valid - RFC 2971: NIL, or a list of field/value pairs (nstrings) */
static bool id_valid(const struct imap_cmd *c)
{
	const struct imap_arg *a = c->args;
	const char *s;

	if (c->args_len != 1)
		return false;
	if (a->type == IMAP_ARG_NIL)
		return true;
	if (a->type != IMAP_ARG_LIST || a->list_len % 2 != 0 || a->list_len > 60)
		return false;
	for (size_t i = 0; i < a->list_len; i++)
		if (a->list[i].type == IMAP_ARG_LIST ||
		    (i % 2 == 0 ? !imap_arg_astring(&a->list[i], &s) : !imap_arg_nstring(&a->list[i], &s)))
			return false;
	return true;
}

/* cmd_id - RFC 2971; what the client says is not kept */
static void cmd_id(struct imapd *d, struct imap_cmd *c)
{
	if (!id_valid(c)) {
		imapd_bad(d, c->tag, "Invalid ID parameters");
		return;
	}
	imapd_reply(d, "* ID (\"name\" \"hato\")");
	imapd_reply(d, "%s OK ID completed.", c->tag);
}

/* cmd_starttls - RFC 9051 6.2.1; what was pipelined behind it in the
 * clear is thrown away (login_session_tls_start), never answered */
static void cmd_starttls(struct imapd *d, struct imap_cmd *c)
{
	if (d->ls.tls) {
		imapd_bad(d, c->tag, "TLS is already active.");
		return;
	}
	if (!login_session_tls_offered(&d->ls)) {
		imapd_bad(d, c->tag, "TLS support isn't enabled.");
		return;
	}
	imapd_reply(d, "%s OK Begin TLS negotiation now.", c->tag);
	if (stream_flush(d->ls.s) < 0 || !login_session_tls_start(&d->ls))
		d->done = true;
}

static const struct command {
	const char *name;
	void (*fn)(struct imapd *d, struct imap_cmd *c);
} commands[] = {
	{ "CAPABILITY", cmd_capability }, { "NOOP", cmd_noop }, { "LOGOUT", cmd_logout },
	{ "ID", cmd_id }, { "STARTTLS", cmd_starttls },
	{ "LOGIN", imapd_cmd_login }, { "AUTHENTICATE", imapd_cmd_authenticate },
};

/* dispatch - one parsed command; ENABLE and the commands of the
 * authenticated and selected states get Dovecot's imap-login answer */
static void dispatch(struct imapd *d, struct imap_cmd *c)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, c->name) == 0) {
			commands[i].fn(d, c);
			return;
		}
	imapd_bad(d, c->tag, generic_bad);
}

/* one_command - read and answer one command */
static void one_command(struct imapd *d, struct imap_cmd *c)
{
	switch (imap_cmd_read(d->ls.s, &limits, c)) {
	case IMAP_CMD_OK:
		dispatch(d, c);
		break;
	case IMAP_CMD_BAD:
		if (strcmp(c->error, "Too long argument.") == 0) {
			imapd_reply(d, "* BYE Input buffer full, aborting");
			d->done = true;
		} else {
			imapd_bad(d, c->tag, c->error);
		}
		break;
	case IMAP_CMD_CLOSE:
		imapd_reply(d, "* BYE %s", c->error);
		d->done = true;
		break;
	case IMAP_CMD_EOF:
		if (d->ls.s->state == STREAM_TIMEOUT)
			imapd_reply(d, "* BYE Disconnected for inactivity.");
		d->done = true;
		break;
	}
}

/* command_loop - until LOGOUT, a login, or the client goes */
static void command_loop(struct imapd *d)
{
	struct imap_cmd *c = imap_cmd_new();

	while (!d->done) {
		if (stream_pending(d->ls.s) == 0 && stream_flush(d->ls.s) < 0)
			break;
		one_command(d, c);
	}
	stream_flush(d->ls.s);
	imap_cmd_free(&c);	/* wipes a LOGIN's password */
}

/* handoff - the session goes to imapmail, which answers the tag */
static void handoff(struct imapd *d)
{
	struct buf *why = buf_new(0);

	if (login_session_handoff(&d->ls, "imap", d->tag, d->g->cf->imapd_timeout, why) < 0) {
		log_warn("cannot hand the login of %s to the mail process: %s", d->ls.rip, buf_str(why));
		imapd_reply(d, "%s NO [UNAVAILABLE] Internal login failure. "
			    "Refer to server log for more information.", d->tag);
		stream_flush(d->ls.s);
	}
	buf_free(&why);
}

/* imapd_session - one client, from accept to close or handoff */
void imapd_session(struct imapd_global *g, int fd)
{
	struct imapd d = { .g = g };
	struct buf *caps;

	login_session_open(&d.ls, g->cf, g->tls, fd);
	if (!g->cf->imapd_tls_wrappermode ||
	    (login_session_tls_offered(&d.ls) && login_session_tls_start(&d.ls))) {
		caps = buf_new(128);
		capabilities(&d, caps);
		imapd_reply(&d, "* OK [CAPABILITY %s] %s", buf_str(caps), g->cf->login_greeting);
		buf_free(&caps);
		command_loop(&d);
	}
	if (d.ls.token[0])
		handoff(&d);
	login_session_close(&d.ls);
}
