/* smtp_tls - the client side of STARTTLS (RFC 3207) with OpenSSL, for
 * smtp_tls_security_level = may (opportunistic) and encrypt (mandatory,
 * unauthenticated).  The server's certificate is not verified at these
 * levels, as in Postfix; "verify" and "secure" are not implemented and
 * are refused at start-up (mail is deferred rather than sent with less
 * protection than asked for).
 *
 *   g->tls_ctx = smtp_tls_ctx_new(cf);          // NULL: no TLS here (warned)
 *   smtp_tls_start(g, ss, &why)  // after "220 Ready": handshake, the
 *                                // session's stream now runs over TLS
 *   smtp_tls_free(&ss->tls, quiet)  // quiet: the socket is gone, no close_notify
 *
 * The whole handshake has smtp_helo_timeout: one deadline for all its
 * steps, which a signal neither ends nor restarts (deadline.h).  Input
 * received before the handshake is dropped (RFC 3207 4.2).
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "deadline.h"
#include "dns.h"
#include "log.h"
#include "mem.h"
#include "smtp.h"
#include "tls.h"

struct smtp_tls_ctx {
	SSL_CTX *ctx;
};

struct smtp_tls {
	SSL *ssl;
	char info[160];
};

/* ssl_error_text - the first queued OpenSSL error, then the queue cleared */
static void ssl_error_text(struct buf *out)
{
	unsigned long e = ERR_get_error();
	char text[256];

	ERR_error_string_n(e, text, sizeof(text));
	buf_cat(out, e ? text : "handshake failed");
	ERR_clear_error();
}

/* smtp_tls_ctx_new - the client context; NULL (with a warning) when none
 * can be made */
struct smtp_tls_ctx *smtp_tls_ctx_new(const struct params *cf)
{
	struct smtp_tls_ctx *tc;
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	(void)cf;
	if (ctx == NULL) {
		struct buf *b = buf_new(0);

		ssl_error_text(b);
		log_warn("cannot make a TLS client context: %s", buf_str(b));
		buf_free(&b);
		return NULL;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION);
	tc = xcalloc(1, sizeof(*tc));
	tc->ctx = ctx;
	return tc;
}

/* handshake - SSL_connect, waiting between the steps, all of it within
 * timeout_ms; 0 or -1 + why */
static int handshake(SSL *ssl, int fd, int timeout_ms, struct buf *why)
{
	long long end = deadline_in(timeout_ms);

	for (;;) {
		int rc = SSL_connect(ssl), err, n;
		short events;

		if (rc == 1)
			return 0;
		err = SSL_get_error(ssl, rc);
		if (err == SSL_ERROR_WANT_READ)
			events = POLLIN;
		else if (err == SSL_ERROR_WANT_WRITE)
			events = POLLOUT;
		else {
			ssl_error_text(why);
			return -1;
		}
		if ((n = deadline_wait(fd, events, end)) <= 0) {
			buf_printf(why, "%s", n == 0 ? "timeout" : strerror(errno));
			return -1;
		}
	}
}

/* smtp_tls_start - the handshake on the session's socket; 0, or -1 with why */
int smtp_tls_start(struct smtp_global *g, struct smtp_session *ss, struct smtp_why *why)
{
	struct smtp_tls *t = xcalloc(1, sizeof(*t));
	struct buf *err = buf_new(0);

	stream_discard_input(ss->s);
	if ((t->ssl = SSL_new(g->tls_ctx->ctx)) == NULL || SSL_set_fd(t->ssl, ss->fd) != 1) {
		ssl_error_text(err);
		goto fail;
	}
	if (dns_name_valid(ss->peer.host))
		SSL_set_tlsext_host_name(t->ssl, ss->peer.host);
	if (handshake(t->ssl, ss->fd, (int)ss->cf->smtp_helo_timeout * 1000, err) < 0)
		goto fail;
	snprintf(t->info, sizeof(t->info), "%s with cipher %s (%d/%d bits)",
		 SSL_get_version(t->ssl), SSL_get_cipher_name(t->ssl),
		 SSL_get_cipher_bits(t->ssl, NULL), SSL_get_cipher_bits(t->ssl, NULL));
	log_info("Untrusted TLS connection established to %s: %s", ss->relay, t->info);
	ss->tls = t;
	stream_set_transport(ss->s, tls_stream_read, tls_stream_write, t->ssl);
	buf_free(&err);
	return 0;
fail:
	smtp_why_set(why, DELIVER_DEFERRED, "4.7.5", ss->relay, "Cannot start TLS: handshake failure with %s: %s",
		     ss->label, buf_str(err));
	smtp_tls_free(&t, true);
	buf_free(&err);
	return -1;
}

/* smtp_tls_free - end TLS (close_notify unless quiet) and release */
void smtp_tls_free(struct smtp_tls **tp, bool quiet)
{
	struct smtp_tls *t = *tp;

	if (t == NULL)
		return;
	if (t->ssl) {
		if (quiet)
			SSL_set_quiet_shutdown(t->ssl, 1);
		else
			SSL_shutdown(t->ssl);
		SSL_free(t->ssl);
	}
	free(t);
	*tp = NULL;
}
