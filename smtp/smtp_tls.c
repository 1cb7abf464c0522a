/* smtp_tls - the client side of STARTTLS (RFC 3207), on libutil's TLS
 * client (tls.h), for smtp_tls_security_level = may (opportunistic) and
 * encrypt (mandatory, unauthenticated).  The server's certificate is not
 * verified at these levels, as in Postfix; "verify" and "secure" are not
 * implemented and are refused at start-up (mail is deferred rather than
 * sent with less protection than asked for).
 *
 *   g->tls_ctx = smtp_tls_ctx_new(cf);          // NULL: no TLS here (warned)
 *   smtp_tls_start(g, ss, &why)  // after "220 Ready": handshake, the
 *                                // session's stream now runs over TLS
 *   tls_conn_close(&ss->tls, quiet)  // quiet: the socket is gone, no close_notify
 *
 * The whole handshake has smtp_helo_timeout: one deadline for all its
 * steps.  The SNI name is the MX host name when it is a valid one.
 */
#include "dns.h"
#include "log.h"
#include "smtp.h"
#include "tls.h"

/* smtp_tls_ctx_new - the client context; NULL (with a warning) when none
 * can be made */
struct tls_client *smtp_tls_ctx_new(const struct params *cf)
{
	struct buf *why = buf_new(0);
	struct tls_client *tcl = tls_client_new(why);

	(void)cf;
	if (tcl == NULL)
		log_warn("cannot make a TLS client context: %s", buf_str(why));
	buf_free(&why);
	return tcl;
}

/* smtp_tls_start - the handshake on the session's socket; 0, or -1 with why */
int smtp_tls_start(struct smtp_global *g, struct smtp_session *ss, struct smtp_why *why)
{
	struct buf *err = buf_new(0);
	const char *sni = dns_name_valid(ss->peer.host) ? ss->peer.host : NULL;

	ss->tls = tls_connect(g->tls_ctx, ss->s, sni, (int)ss->cf->smtp_helo_timeout * 1000, err);
	if (ss->tls == NULL) {
		smtp_why_set(why, DELIVER_DEFERRED, "4.7.5", ss->relay,
			     "Cannot start TLS: handshake failure with %s: %s", ss->label, buf_str(err));
		buf_free(&err);
		return -1;
	}
	log_info("Untrusted TLS connection established to %s: %s", ss->relay, tls_conn_info(ss->tls));
	buf_free(&err);
	return 0;
}
