/* pop3d_auth - USER/PASS (RFC 1939) and AUTH (RFC 5034, with an initial
 * response) through authd.  authd checks the credentials and, on
 * success, hands out the one-time token the mail process redeems; this
 * process never learns more than that the login worked.  Passwords are
 * passed on in base64 and wiped; they are never logged. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base64.h"
#include "duration.h"
#include "log.h"
#include "mem.h"
#include "pop3d.h"

enum { HANDSHAKE_MS = 15000, USER_MAX = 255 };

static const char plaintext_refused[] =
	"-ERR [AUTH] Plaintext authentication disallowed on non-secure (SSL/TLS) connections.";

/* connection - the session's authd connection, opened on first use */
static struct auth_client *connection(struct pop3d *p)
{
	static struct auth_client *ac;
	struct buf *why;
	long ms = 60000;

	if (ac && auth_client_usable(ac))
		return ac;
	auth_client_free(&ac);
	duration_ms(p->g->cf->auth_failure_delay, 60000, &ms);
	why = buf_new(0);
	if ((ac = auth_client_open("auth", (int)ms + HANDSHAKE_MS, why)) == NULL)
		log_warn("cannot reach the authentication server: %s", buf_str(why));
	buf_free(&why);
	return ac;
}

/* plaintext_mech - PLAIN and LOGIN send the password as it is */
static bool plaintext_mech(const char *mech)
{
	return strcasecmp(mech, "PLAIN") == 0 || strcasecmp(mech, "LOGIN") == 0;
}

/* pop3d_auth_mechs - the SASL mechanisms this connection may use */
void pop3d_auth_mechs(struct pop3d *p, struct buf *out)
{
	struct auth_client *ac = connection(p);
	struct strv *from = ac ? NULL : strv_split(p->g->cf->auth_mechanisms, ", \t");
	const struct strv *v = ac ? auth_client_mechs(ac) : from;

	buf_reset(out);
	for (size_t i = 0; i < v->len; i++) {
		if (plaintext_mech(v->items[i]) && !pop3d_plaintext_ok(p))
			continue;
		buf_printf(out, "%s%s", buf_len(out) ? " " : "", v->items[i]);
	}
	for (char *c = (char *)buf_str(out); *c; c++)
		*c = (char)toupper((unsigned char)*c);
	strv_free(&from);
}

/* finish - the answer to a finished exchange; on success the session
 * ends here and goes to the mail process */
static void finish(struct pop3d *p, struct auth_client *ac, enum auth_status rc,
		   const struct buf *out)
{
	const char *token = rc == AUTH_OK ? auth_client_login_token(ac) : NULL;

	if (rc == AUTH_OK && token && strlen(token) < sizeof(p->token)) {
		snprintf(p->token, sizeof(p->token), "%s", token);
		p->done = true;		/* the mail process answers +OK */
	} else if (rc == AUTH_OK) {
		log_warn("authd accepted a login but gave no login token (an older authd?)");
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
	if (stream_flush(p->s) < 0 || stream_getline(p->s, b64, POP3_CMD_LINE_MAX) <= 0) {
		p->done = true;
		return false;
	}
	buf_trim(b64);
	if (stream_line_is_long(p->s) || strcmp(buf_str(b64), "*") == 0) {
		pop3d_reply(p, "-ERR Authentication aborted by client.");
		return false;
	}
	return true;
}

/* exchange - one SASL exchange with authd, the challenges relayed */
static void exchange(struct pop3d *p, const char *mech, const char *initial)
{
	struct auth_client *ac = connection(p);
	struct auth_request req = { .service = "pop3", .rip = p->rip, .lip = p->lip,
				    .secured = p->tls != NULL, .want_token = true };
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
	if (!pop3d_plaintext_ok(p)) {
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

	if (!pop3d_plaintext_ok(p)) {
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
	if (plaintext_mech(c->argv[0]) && !pop3d_plaintext_ok(p)) {
		pop3d_reply(p, "%s", plaintext_refused);
		return;
	}
	/* "=" is an empty initial response (RFC 5034 section 4) */
	exchange(p, c->argv[0], c->argc == 2 ? (strcmp(c->argv[1], "=") == 0 ? "" : c->argv[1]) : NULL);
}
