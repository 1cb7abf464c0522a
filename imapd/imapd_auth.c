/* imapd_auth - LOGIN (RFC 9051 6.2.3) and AUTHENTICATE (6.2.2, with
 * SASL-IR, RFC 4959) through authd.  authd checks the credentials and,
 * on success, hands out the one-time token imapmail redeems; this
 * process then only remembers the command's tag for the handoff.
 * Passwords travel to authd in base64 and are wiped here; never logged.
 * Answers are Dovecot 2.3 imap-login's words. */
#include <stdio.h>
#include <string.h>

#include "base64.h"
#include "imapd.h"
#include "log.h"

static const char plaintext_alert[] =
	"* BAD [ALERT] Plaintext authentication not allowed without SSL/TLS, but your client did "
	"it anyway. If anyone was listening, the password was exposed.";
static const char plaintext_refused[] =
	"NO [PRIVACYREQUIRED] Plaintext authentication disallowed on non-secure (SSL/TLS) connections.";

/* refuse_plaintext - a password may not cross this connection; sent says
 * the client sent one anyway */
static void refuse_plaintext(struct imapd *d, const char *tag, bool sent)
{
	if (sent)
		imapd_reply(d, "%s", plaintext_alert);
	imapd_reply(d, "%s %s", tag, plaintext_refused);
}

/* finish - the answer to a finished exchange; on success the session
 * ends here and imapmail answers the tag */
static void finish(struct imapd *d, const char *tag, struct auth_client *ac,
		   enum auth_status rc, const struct buf *out)
{
	if (rc == AUTH_OK && login_session_take_token(&d->ls, ac) == 0) {
		snprintf(d->tag, sizeof(d->tag), "%s", tag);
		d->done = true;
	} else if (rc == AUTH_OK) {
		imapd_reply(d, "%s NO [UNAVAILABLE] Internal login failure. "
			    "Refer to server log for more information.", tag);
	} else if (rc == AUTH_TEMPFAIL) {
		imapd_reply(d, "%s NO [UNAVAILABLE] Temporary authentication failure.", tag);
	} else if (strncmp(buf_str(out), "Plaintext authentication disallowed", 35) == 0) {
		refuse_plaintext(d, tag, false);
	} else if (strcmp(buf_str(out), "Unsupported authentication mechanism") == 0) {
		imapd_reply(d, "%s NO [ALERT] Unsupported authentication mechanism.", tag);
	} else if (strcmp(buf_str(out), "Invalid base64 data") == 0) {
		imapd_reply(d, "%s NO [ALERT] Invalid base64 in response", tag);
	} else {
		imapd_reply(d, "%s NO [AUTHENTICATIONFAILED] Authentication failed.", tag);
	}
}

/* client_answer - the client's line to a challenge, into b64; false
 * when it cancelled ("*", answered here) or went away */
static bool client_answer(struct imapd *d, const char *tag, struct buf *b64)
{
	if (stream_flush(d->ls.s) < 0 || stream_getline(d->ls.s, b64, IMAPD_LINE_MAX) <= 0) {
		d->done = true;
		return false;
	}
	if (stream_line_is_long(d->ls.s)) {
		imapd_reply(d, "* BYE Input buffer full, aborting");
		d->done = true;
		return false;
	}
	buf_trim(b64);
	if (strcmp(buf_str(b64), "*") == 0) {
		imapd_reply(d, "%s BAD Authentication aborted by client.", tag);
		return false;
	}
	return true;
}

/* exchange - one SASL exchange with authd, the challenges relayed as
 * continuation requests ("+ " and base64) */
static void exchange(struct imapd *d, const char *tag, const char *mech, const char *initial)
{
	struct auth_client *ac = login_session_auth(&d->ls);
	struct auth_request req = { .service = "imap", .rip = d->ls.rip, .lip = d->ls.lip,
				    .secured = d->ls.tls != NULL, .want_token = true,
				    .session = d->ls.session };
	struct buf *out = buf_new(64), *answer = buf_new(64);
	enum auth_status rc = AUTH_TEMPFAIL;

	if (ac)
		rc = auth_client_start(ac, mech, &req, initial, out);
	while (rc == AUTH_CONTINUE) {
		imapd_reply(d, "+ %s", buf_str(out));
		if (!client_answer(d, tag, answer)) {
			auth_client_cancel(ac);
			break;
		}
		rc = auth_client_step(ac, buf_str(answer), out);
		explicit_bzero((char *)buf_str(answer), buf_len(answer));
	}
	if (rc != AUTH_CONTINUE)
		finish(d, tag, ac, rc, out);
	buf_free(&out);
	buf_free(&answer);
}

/* imapd_cmd_login - LOGIN user password, as one PLAIN exchange */
void imapd_cmd_login(struct imapd *d, struct imap_cmd *c)
{
	const char *user, *pass;
	struct buf *plain, *b64;

	if (c->args_len != 2 || !imap_arg_astring(&c->args[0], &user) ||
	    !imap_arg_astring(&c->args[1], &pass)) {
		imapd_bad(d, c->tag, "Error in IMAP command received by server.");
		return;
	}
	if (!login_session_plaintext_ok(&d->ls)) {
		refuse_plaintext(d, c->tag, true);
		return;
	}
	plain = buf_new(64);
	b64 = buf_new(64);
	buf_putc(plain, '\0');
	buf_cat(plain, user);
	buf_putc(plain, '\0');
	buf_cat(plain, pass);
	base64_encode(buf_str(plain), buf_len(plain), b64);
	exchange(d, c->tag, "PLAIN", buf_str(b64));
	explicit_bzero((char *)buf_str(plain), buf_len(plain));
	explicit_bzero((char *)buf_str(b64), buf_len(b64));
	buf_free(&plain);
	buf_free(&b64);
}

/* initial_valid - a SASL-IR initial response: "=" (empty) or base64 */
static bool initial_valid(const char *ir)
{
	struct buf *raw;
	bool ok;

	if (strcmp(ir, "=") == 0)
		return true;
	raw = buf_new(64);
	ok = base64_decode(ir, strlen(ir), raw, 0) == 0;
	explicit_bzero((char *)buf_str(raw), buf_len(raw));
	buf_free(&raw);
	return ok;
}

/* imapd_cmd_authenticate - AUTHENTICATE mechanism [initial-response] */
void imapd_cmd_authenticate(struct imapd *d, struct imap_cmd *c)
{
	const char *mech, *ir = NULL;

	if (c->args_len < 1 || c->args_len > 2 || c->args[0].type != IMAP_ARG_ATOM ||
	    (c->args_len == 2 && c->args[1].type != IMAP_ARG_ATOM)) {
		imapd_bad(d, c->tag, "Error in IMAP command received by server.");
		return;
	}
	mech = c->args[0].str;
	if (c->args_len == 2)
		ir = c->args[1].str;
	if (login_session_plaintext_mech(mech) && !login_session_plaintext_ok(&d->ls)) {
		refuse_plaintext(d, c->tag, ir != NULL);
		return;
	}
	if (ir && !initial_valid(ir)) {
		imapd_reply(d, "%s BAD Invalid base64 data in initial response", c->tag);
		return;
	}
	/* "=" is an empty initial response (RFC 4959 section 3) */
	exchange(d, c->tag, mech, ir ? (strcmp(ir, "=") == 0 ? "" : ir) : NULL);
}
