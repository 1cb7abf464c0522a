/* pop3d_auth - USER/PASS (RFC 1939) and AUTH (RFC 5034, with an initial
 * response) through authd.  authd checks the credentials and, on
 * success, hands out the one-time token the mail process redeems; this
 * process never learns more than that the login worked.  Passwords are
 * passed on in base64 and wiped; they are never logged. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base64.h"
#include "log.h"
#include "mem.h"
#include "pop3d.h"

enum { USER_MAX = 255 };

static const char plaintext_refused[] =
	"-ERR [AUTH] Plaintext authentication disallowed on non-secure (SSL/TLS) connections.";

/* pop3d_auth_mechs - the SASL mechanisms this connection may use */
void pop3d_auth_mechs(struct pop3d *p, struct buf *out)
{
	login_session_mechs(&p->ls, out);
}

/* finish - the answer to a finished exchange; on success the session
 * ends here and goes to the mail process */
static void finish(struct pop3d *p, struct auth_client *ac, enum auth_status rc,
		   const struct buf *out)
{
	if (rc == AUTH_OK && login_session_take_token(&p->ls, ac) == 0) {
		p->done = true;		/* the mail process answers +OK */
	} else if (rc == AUTH_OK) {
		pop3d_reply(p, "-ERR [SYS/TEMP] Internal login failure.");
	} else if (rc == AUTH_TEMPFAIL) {
		pop3d_reply(p, "-ERR [SYS/TEMP] Temporary authentication failure.");
	} else if (strncmp(buf_str(out), "Plaintext authentication disallowed", 35) == 0) {
		pop3d_reply(p, "%s", plaintext_refused);
	} else if (strcmp(buf_str(out), "Unsupported authentication mechanism") == 0) {
		pop3d_reply(p, "-ERR [AUTH] Unsupported authentication mechanism.");
	} else if (strcmp(buf_str(out), "Invalid base64 data") == 0) {
		pop3d_reply(p, "-ERR [AUTH] Invalid base64 in response");
	} else {
		pop3d_reply(p, "-ERR [AUTH] Authentication failed.");
	}
}

/* client_answer - the client's line to a challenge, into b64; false
 * when it cancelled ("*") or went away */
static bool client_answer(struct pop3d *p, struct buf *b64)
{
	if (stream_flush(p->ls.s) < 0 || stream_getline(p->ls.s, b64, POP3_CMD_LINE_MAX) <= 0) {
		p->done = true;
		return false;
	}
	buf_trim(b64);
	if (stream_line_is_long(p->ls.s) || strcmp(buf_str(b64), "*") == 0) {
		pop3d_reply(p, "-ERR Authentication aborted by client.");
		return false;
	}
	return true;
}

/* exchange - one SASL exchange with authd, the challenges relayed */
static void exchange(struct pop3d *p, const char *mech, const char *initial)
{
	struct auth_client *ac = login_session_auth(&p->ls);
	struct auth_request req = { .service = "pop3", .rip = p->ls.rip, .lip = p->ls.lip,
				    .secured = p->ls.tls != NULL, .want_token = true,
				    .session = p->ls.session };
	struct buf *out = buf_new(64), *answer = buf_new(64);
	enum auth_status rc = AUTH_TEMPFAIL;

	if (ac)
		rc = auth_client_start(ac, mech, &req, initial, out);
	while (rc == AUTH_CONTINUE) {
		pop3d_reply(p, "+ %s", buf_str(out));
		if (!client_answer(p, answer)) {
			auth_client_cancel(ac);
			break;
		}
		rc = auth_client_step(ac, buf_str(answer), out);
		explicit_bzero((char *)buf_str(answer), buf_len(answer));
	}
	if (rc != AUTH_CONTINUE)
		finish(p, ac, rc, out);
	buf_free(&out);
	buf_free(&answer);
}

/* pop3d_cmd_user - remember the name for PASS */
void pop3d_cmd_user(struct pop3d *p, struct pop3_cmd *c)
{
	if (!login_session_plaintext_ok(&p->ls)) {
		pop3d_reply(p, "%s", plaintext_refused);
		return;
	}
	/* the rest of the line, as Dovecot takes it (authd judges the name) */
	if (*c->rest == '\0' || strlen(c->rest) > USER_MAX) {
		pop3d_reply(p, "-ERR Invalid user name.");
		return;
	}
	free(p->user);
	p->user = xstrdup(c->rest);
	pop3d_reply(p, "+OK");
}

/* pop3d_cmd_apop - RFC 1939's APOP is off, as in Dovecot by default */
void pop3d_cmd_apop(struct pop3d *p, struct pop3_cmd *c)
{
	(void)c;
	pop3d_reply(p, "-ERR APOP not enabled.");
}

/* pop3d_cmd_pass - USER and PASS as one PLAIN exchange */
void pop3d_cmd_pass(struct pop3d *p, struct pop3_cmd *c)
{
	struct buf *plain, *b64;

	if (!login_session_plaintext_ok(&p->ls)) {
		pop3d_reply(p, "%s", plaintext_refused);
		return;
	}
	if (p->user == NULL) {
		pop3d_reply(p, "-ERR No username given.");
		return;
	}
	plain = buf_new(64);
	b64 = buf_new(64);
	buf_putc(plain, '\0');
	buf_cat(plain, p->user);
	buf_putc(plain, '\0');
	buf_cat(plain, c->rest);
	base64_encode(buf_str(plain), buf_len(plain), b64);
	exchange(p, "PLAIN", buf_str(b64));
	explicit_bzero((char *)buf_str(plain), buf_len(plain));
	explicit_bzero((char *)buf_str(b64), buf_len(b64));
	buf_free(&plain);
	buf_free(&b64);
	free(p->user);
	p->user = NULL;
}

/* pop3d_cmd_auth - RFC 5034; without a mechanism, the list (as Dovecot,
 * for old clients) */
void pop3d_cmd_auth(struct pop3d *p, struct pop3_cmd *c)
{
	if (c->argc == 0) {
		struct buf *mechs = buf_new(64);
		struct strv *v;

		pop3d_auth_mechs(p, mechs);
		v = strv_split(buf_str(mechs), " ");
		pop3d_reply(p, "+OK");
		for (size_t i = 0; i < v->len; i++)
			pop3d_reply(p, "%s", v->items[i]);
		pop3d_reply(p, ".");
		strv_free(&v);
		buf_free(&mechs);
		return;
	}
	if (c->argc > 2) {
		pop3d_reply(p, "-ERR Invalid arguments.");
		return;
	}
	if (login_session_plaintext_mech(c->argv[0]) && !login_session_plaintext_ok(&p->ls)) {
		pop3d_reply(p, "%s", plaintext_refused);
		return;
	}
	/* "=" is an empty initial response (RFC 5034 section 4) */
	exchange(p, c->argv[0], c->argc == 2 ? (strcmp(c->argv[1], "=") == 0 ? "" : c->argv[1]) : NULL);
}
