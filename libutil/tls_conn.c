/* tls_conn - one TLS connection over a stream, for either side: the
 * handshake on the stream's non-blocking socket within one deadline for
 * all its steps (a peer that stalls or trickles costs one timeout, and a
 * signal neither ends nor restarts it: deadline.h), the stream transport
 * over SSL_read/SSL_write, the end; and the client's context (no
 * certificate check: the smtp client's "may" and "encrypt" levels).
 * Input that arrived before the handshake is dropped on both sides (RFC
 * 3207 section 4.2). */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "deadline.h"
#include "mem.h"
#include "tls.h"
#include "tls_int.h"

struct tls_client {
	SSL_CTX *ctx;
};

/* tls_ssl_error - the first OpenSSL error text, appended to why */
void tls_ssl_error(struct buf *why, const char *what)
{
	unsigned long e = ERR_get_error();
	char text[256];

	ERR_error_string_n(e, text, sizeof(text));
	buf_printf(why, "%s: %s", what, e ? text : "failed");
	ERR_clear_error();
}

/* tls_stream_read - stream transport over an SSL * (ctx): SSL_read */
ssize_t tls_stream_read(void *ctx, void *p, size_t n, bool *want_write)
{
	SSL *ssl = ctx;
	int rc = SSL_read(ssl, p, n > INT32_MAX ? INT32_MAX : (int)n);
	int err = rc > 0 ? SSL_ERROR_NONE : SSL_get_error(ssl, rc);

	*want_write = err == SSL_ERROR_WANT_WRITE;
	if (rc > 0)
		return rc;
	if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
		errno = EAGAIN;
		return -1;
	}
	if (err == SSL_ERROR_ZERO_RETURN)
		return 0;
	errno = EIO;
	return err == SSL_ERROR_SYSCALL && ERR_peek_error() == 0 ? 0 : -1;
}

/* tls_stream_write - stream transport over an SSL * (ctx): SSL_write */
ssize_t tls_stream_write(void *ctx, const void *p, size_t n, bool *want_read)
{
	SSL *ssl = ctx;
	int rc = SSL_write(ssl, p, n > INT32_MAX ? INT32_MAX : (int)n);
	int err = rc > 0 ? SSL_ERROR_NONE : SSL_get_error(ssl, rc);

	*want_read = err == SSL_ERROR_WANT_READ;
	if (rc > 0)
		return rc;
	errno = err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE ? EAGAIN : EIO;
	return -1;
}

/* handshake - SSL_do_handshake, waiting between the steps until deadline */
static int handshake(struct tls_conn *tc, long long deadline, struct buf *why)
{
	for (;;) {
		int rc = SSL_do_handshake(tc->ssl), err, n;
		short events;

		if (rc == 1)
			return 0;
		err = SSL_get_error(tc->ssl, rc);
		if (err == SSL_ERROR_WANT_READ)
			events = POLLIN;
		else if (err == SSL_ERROR_WANT_WRITE)
			events = POLLOUT;
		else {
			tls_ssl_error(why, "TLS handshake");
			return -1;
		}
		if ((n = deadline_wait(tc->s->fd, events, deadline)) <= 0) {
			buf_printf(why, "TLS handshake: %s", n == 0 ? "timeout" : strerror(errno));
			return -1;
		}
	}
}

/* tls_conn_start - see tls_int.h */
struct tls_conn *tls_conn_start(SSL_CTX *ctx, struct stream *s, bool client, const char *sni,
				long long deadline, struct buf *why)
{
	struct tls_conn *tc = xcalloc(1, sizeof(*tc));

	tc->s = s;
	stream_flush(s);
	stream_discard_input(s);	/* nothing sent in the clear is kept */
	if ((tc->ssl = SSL_new(ctx)) == NULL || SSL_set_fd(tc->ssl, s->fd) != 1) {
		tls_ssl_error(why, "SSL_new");
		tls_conn_close(&tc, true);
		return NULL;
	}
	if (client)
		SSL_set_connect_state(tc->ssl);
	else
		SSL_set_accept_state(tc->ssl);
	if (client && sni && *sni)
		SSL_set_tlsext_host_name(tc->ssl, sni);
	if (handshake(tc, deadline, why) < 0) {
		tls_conn_close(&tc, true);
		return NULL;
	}
	snprintf(tc->info, sizeof(tc->info), "%s with cipher %s (%d/%d bits)",
		 SSL_get_version(tc->ssl), SSL_get_cipher_name(tc->ssl),
		 SSL_get_cipher_bits(tc->ssl, NULL), SSL_get_cipher_bits(tc->ssl, NULL));
	stream_set_transport(s, tls_stream_read, tls_stream_write, tc->ssl);
	return tc;
}

/* tls_conn_info - protocol and cipher, for the log and Received: */
const char *tls_conn_info(const struct tls_conn *tc)
{
	return tc->info;
}

/* tls_conn_close - end the TLS layer, with close_notify unless quiet (the
 * socket is gone or broken); the socket stays open */
void tls_conn_close(struct tls_conn **tcp, bool quiet)
{
	struct tls_conn *tc = *tcp;

	if (tc == NULL)
		return;
	if (tc->ssl) {
		if (quiet)
			SSL_set_quiet_shutdown(tc->ssl, 1);
		else
			SSL_shutdown(tc->ssl);
		SSL_free(tc->ssl);
	}
	free(tc);
	*tcp = NULL;
}

/* tls_conn_free - end the TLS layer with close_notify */
void tls_conn_free(struct tls_conn **tcp)
{
	tls_conn_close(tcp, false);
}

/* tls_client_new - a client context that checks no certificate; NULL
 * with why when OpenSSL cannot make one */
struct tls_client *tls_client_new(struct buf *why)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	struct tls_client *tcl;

	if (ctx == NULL) {
		tls_ssl_error(why, "SSL_CTX_new");
		return NULL;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION);
	tcl = xcalloc(1, sizeof(*tcl));
	tcl->ctx = ctx;
	return tcl;
}

/* tls_client_free - release the context */
void tls_client_free(struct tls_client **tclp)
{
	if (*tclp == NULL)
		return;
	SSL_CTX_free((*tclp)->ctx);
	free(*tclp);
	*tclp = NULL;
}

/* tls_connect - the client's handshake on the stream's socket (asking
 * for sni when not NULL), all of it within timeout_ms */
struct tls_conn *tls_connect(struct tls_client *tcl, struct stream *s, const char *sni,
			     int timeout_ms, struct buf *why)
{
	return tls_conn_start(tcl->ctx, s, true, sni, deadline_in(timeout_ms), why);
}
