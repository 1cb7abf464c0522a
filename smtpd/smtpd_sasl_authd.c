/* smtpd_sasl_authd - the authd back end of SMTP AUTH.
 *
 * One connection to authd per smtpd process, opened at the first EHLO or
 * AUTH and kept across sessions; a connection found dead is reopened once
 * per request.  When authd cannot be reached, EHLO still offers the
 * mechanisms of auth_mechanisms and AUTH answers 454 4.7.0, so a client
 * retries later instead of sending mail unauthenticated.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "duration.h"
#include "log.h"
#include "mem.h"
#include "smtpd_sasl.h"

enum { HANDSHAKE_MS = 15000 };

/* socket_path - smtpd_sasl_path: a path when it has a "/", else the
 * default private/auth (the Cyrus-style default "smtpd" names an app) */
static bool authd_init(struct smtpd_global *g)
{
	const char *p = g->cf->smtpd_sasl_path;

	g->sasl_path = xstrdup(strchr(p, '/') ? p : "private/auth");
	return true;
}

/* connection - the process's authd connection, (re)opened when needed */
static struct auth_client *connection(struct smtpd_global *g, bool fresh)
{
	struct buf *why;
	long ms = 60000;	/* the longest auth_failure_delay */

	if (g->auth && !fresh)
		return g->auth;
	duration_ms(g->cf->auth_failure_delay, 60000, &ms);
	ms += HANDSHAKE_MS;
	auth_client_free(&g->auth);
	why = buf_new(0);
	if ((g->auth = auth_client_open(g->sasl_path, (int)ms, why)) == NULL)
		log_warn("SASL: cannot reach the authentication server: %s", buf_str(why));
	buf_free(&why);
	return g->auth;
}

/* refused_property - smtpd_sasl_(tls_)security_options excludes mech */
static bool refused_property(struct smtpd *st, const char *mech)
{
	const char *opts = st->tls ? st->g->cf->smtpd_sasl_tls_security_options
				   : st->g->cf->smtpd_sasl_security_options;
	bool plaintext = strcasecmp(mech, "PLAIN") == 0 || strcasecmp(mech, "LOGIN") == 0;

	return (plaintext && strstr(opts, "noplaintext"))
	       || (strcasecmp(mech, "ANONYMOUS") == 0 && strstr(opts, "noanonymous"));
}

static char *authd_mechs(struct smtpd *st)
{
	struct auth_client *ac = connection(st->g, false);
	struct strv *from = ac ? NULL : strv_split(st->g->cf->auth_mechanisms, ", \t");
	const struct strv *v = ac ? auth_client_mechs(ac) : from;
	struct buf *b = buf_new(64);

	for (size_t i = 0; i < v->len; i++) {
		if (refused_property(st, v->items[i]))
			continue;
		buf_printf(b, "%s%s", buf_len(b) ? " " : "", v->items[i]);
	}
	for (char *p = (char *)buf_str(b); *p; p++)
		*p = (char)toupper((unsigned char)*p);
	strv_free(&from);
	return buf_steal(&b);
}

static enum auth_status authd_start(struct smtpd *st, const char *mech, const char *initial,
				    struct buf *out)
{
	char lip[64];
	struct auth_request req = { .service = "smtp", .rip = st->addr, .lip = lip,
				    .secured = st->tls != NULL, .session = st->session };
	bool reused = st->g->auth != NULL;
	struct auth_client *ac = connection(st->g, false);
	enum auth_status rc;

	smtpd_sasl_local_address(st, lip, sizeof(lip));
	if (ac == NULL) {
		buf_set(out, "authentication server unavailable");
		return AUTH_TEMPFAIL;
	}
	rc = auth_client_start(ac, mech, &req, initial, out);
	if (rc == AUTH_TEMPFAIL && reused && !auth_client_usable(ac)) {
		/* authd restarted since this connection was made: once more */
		if ((ac = connection(st->g, true)) == NULL)
			return AUTH_TEMPFAIL;
		rc = auth_client_start(ac, mech, &req, initial, out);
	}
	return rc;
}

static enum auth_status authd_step(struct smtpd *st, const char *response, struct buf *out)
{
	if (st->g->auth == NULL) {
		buf_set(out, "authentication server unavailable");
		return AUTH_TEMPFAIL;
	}
	return auth_client_step(st->g->auth, response, out);
}

static void authd_cancel(struct smtpd *st)
{
	if (st->g->auth)
		auth_client_cancel(st->g->auth);
}

static void authd_end(struct smtpd *st)
{
	authd_cancel(st);
	if (st->g->auth && !auth_client_usable(st->g->auth))
		auth_client_free(&st->g->auth);
}

const struct smtpd_sasl_backend smtpd_sasl_authd = {
	.name = "authd", .init = authd_init, .mechs = authd_mechs, .start = authd_start,
	.step = authd_step, .cancel = authd_cancel, .end = authd_end,
};
