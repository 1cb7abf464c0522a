/* smtpd_tls - STARTTLS (RFC 3207), implicit TLS (smtpd_tls_wrappermode)
 * and smtpd_tls_security_level.
 *
 * "may" offers STARTTLS; "encrypt" also refuses mail commands until TLS is
 * up (530 5.7.0); "none" or an unset level (or no readable certificate,
 * with a warning) offers nothing.  A certificate or key that is read but
 * does not load at the first STARTTLS gets 454 4.7.0 and a warning, and
 * is not offered again by that process.  After the handshake the session
 * starts over (RFC 3207 4.2: HELO and the transaction are forgotten) and
 * input sent before it is discarded (no command injection).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "mem.h"
#include "smtpd.h"

/* smtpd_tls_init - read the certificate and key before the privilege drop
 * (the OpenSSL context is built at the first STARTTLS: tls.h) */
void smtpd_tls_init(struct smtpd_global *g)
{
	const struct params *cf = g->cf;
	const char *level = cf->smtpd_tls_security_level;
	struct buf *why = buf_new(0);
	bool want = strcmp(level, "may") == 0 || strcmp(level, "encrypt") == 0
		|| (*level == '\0' && (cf->smtpd_use_tls || cf->smtpd_enforce_tls))
		|| cf->smtpd_tls_wrappermode;

	g->tls_required = strcmp(level, "encrypt") == 0 || (*level == '\0' && cf->smtpd_enforce_tls);
	if (!want)
		goto out;
	if (*cf->smtpd_tls_cert_file == '\0')
		log_warn("TLS is wanted but smtpd_tls_cert_file is not set: no TLS");
	else if ((g->tls = tls_server_new(cf->smtpd_tls_cert_file, cf->smtpd_tls_key_file,
					  cf->smtpd_tls_protocols, why)) == NULL)
		log_warn("cannot read the TLS certificate or key: %s: no TLS", buf_str(why));
out:
	buf_free(&why);
}

/* context_ready - the TLS context, built at the process's first use
 * (tls.h); a certificate or key that does not load is reported once */
static bool context_ready(struct smtpd *st)
{
	struct buf *why;
	bool ok;

	if (!tls_server_usable(st->g->tls))
		return false;
	why = buf_new(0);
	ok = tls_server_ready(st->g->tls, why) == 0;
	if (!ok)
		log_warn("cannot load the TLS certificate or key: %s: no TLS", buf_str(why));
	buf_free(&why);
	return ok;
}

/* start_tls - the handshake; false (session over) when it fails */
static bool start_tls(struct smtpd *st)
{
	struct buf *why = buf_new(0);

	st->tls = tls_accept(st->g->tls, st->s, why);
	if (st->tls == NULL)
		log_warn("TLS handshake failed with %s[%s]: %s", st->name, st->addr, buf_str(why));
	else
		log_info("Anonymous TLS connection established from %s[%s]: %s", st->name, st->addr,
			 tls_conn_info(st->tls));
	buf_free(&why);
	return st->tls != NULL;
}

/* smtpd_tls_wrapper - implicit TLS before the greeting; false to hang up */
bool smtpd_tls_wrapper(struct smtpd *st)
{
	if (!st->g->cf->smtpd_tls_wrappermode)
		return true;
	if (!context_ready(st)) {
		log_warn("smtpd_tls_wrappermode without a usable certificate: dropping %s[%s]",
			 st->name, st->addr);
		return false;
	}
	return start_tls(st);
}

/* smtpd_cmd_starttls - STARTTLS */
void smtpd_cmd_starttls(struct smtpd *st, char *args)
{
	if (*args) {
		smtpd_reply(st, "501 5.5.4 Syntax: STARTTLS");
		return;
	}
	if (st->tls) {
		smtpd_reply(st, "554 5.5.1 Error: TLS already active");
		return;
	}
	if (!context_ready(st)) {
		smtpd_reply(st, "454 4.7.0 TLS not available due to local problem");
		return;
	}
	smtpd_reply(st, "220 2.0.0 Ready to start TLS");
	if (!start_tls(st)) {
		st->quit = true;
		return;
	}
	smtpd_reset(st);
	smtpd_sasl_end(st);
	XFREE(st->helo);
	st->esmtp = false;
	st->protocol = NULL;
}

/* smtpd_tls_refuse - encrypt level: true (and 530) for cmd before TLS */
bool smtpd_tls_refuse(struct smtpd *st, const char *cmd)
{
	static const char *const allowed[] = { "EHLO", "HELO", "STARTTLS", "NOOP", "RSET", "QUIT" };

	if (!st->g->tls_required || st->tls)
		return false;
	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
		if (strcasecmp(cmd, allowed[i]) == 0)
			return false;
	smtpd_reply(st, "530 5.7.0 Must issue a STARTTLS command first");
	return true;
}
