/* tls - server-side TLS with OpenSSL; see tls.h.  The handshake runs on
 * the non-blocking socket of the stream, waiting with poll() up to the
 * stream's time limit for each step, so a client that stalls in the
 * middle of a handshake costs one timeout, never a hung process. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "mem.h"
#include "tls.h"

struct tls_server {
	SSL_CTX *ctx;
};

struct tls_conn {
	SSL *ssl;
	struct stream *s;
	char info[160];
};

/* ssl_error - the first OpenSSL error text, appended to why */
static void ssl_error(struct buf *why, const char *what)
{
	unsigned long e = ERR_get_error();
	char text[256];

	ERR_error_string_n(e, text, sizeof(text));
	buf_printf(why, "%s: %s", what, e ? text : "failed");
	ERR_clear_error();
}

/* min_version - ">=TLSv1.2" (Postfix syntax) to an OpenSSL version */
static int min_version(const char *protocols)
{
	static const struct { const char *name; int v; } map[] = {
		{ "TLSv1.3", TLS1_3_VERSION }, { "TLSv1.2", TLS1_2_VERSION },
		{ "TLSv1.1", TLS1_1_VERSION }, { "TLSv1", TLS1_VERSION },
	};

	for (size_t i = 0; protocols && i < sizeof(map) / sizeof(map[0]); i++)
		if (strstr(protocols, map[i].name))
			return map[i].v;
	return TLS1_2_VERSION;
}

/* tls_server_new - a context with the certificate chain and key */
struct tls_server *tls_server_new(const char *cert_file, const char *key_file,
				  const char *protocols, struct buf *why)
{
	struct tls_server *ts = xcalloc(1, sizeof(*ts));

	ts->ctx = SSL_CTX_new(TLS_server_method());
	if (ts->ctx == NULL) {
		ssl_error(why, "SSL_CTX_new");
		goto fail;
	}
	SSL_CTX_set_min_proto_version(ts->ctx, min_version(protocols));
	SSL_CTX_set_options(ts->ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
	if (SSL_CTX_use_certificate_chain_file(ts->ctx, cert_file) != 1) {
		ssl_error(why, cert_file);
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(ts->ctx, *key_file ? key_file : cert_file, SSL_FILETYPE_PEM) != 1
	    || SSL_CTX_check_private_key(ts->ctx) != 1) {
		ssl_error(why, *key_file ? key_file : cert_file);
		goto fail;
	}
	return ts;
fail:
	tls_server_free(&ts);
	return NULL;
}

/* tls_server_free - release the context */
void tls_server_free(struct tls_server **tsp)
{
	if (*tsp == NULL)
		return;
	SSL_CTX_free((*tsp)->ctx);
	free(*tsp);
	*tsp = NULL;
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

/* handshake - SSL_accept with poll() between the steps */
static int handshake(struct tls_conn *tc, struct buf *why)
{
	for (;;) {
		int rc = SSL_accept(tc->ssl), err;
		struct pollfd pfd = { .fd = tc->s->fd };

		if (rc == 1)
			return 0;
		err = SSL_get_error(tc->ssl, rc);
		if (err == SSL_ERROR_WANT_READ)
			pfd.events = POLLIN;
		else if (err == SSL_ERROR_WANT_WRITE)
			pfd.events = POLLOUT;
		else {
			ssl_error(why, "TLS handshake");
			return -1;
		}
		if (poll(&pfd, 1, tc->s->timeout_ms) <= 0) {
			buf_cat(why, "TLS handshake: timeout");
			return -1;
		}
	}
}

/* tls_accept - handshake on the stream's socket and switch it to TLS */
struct tls_conn *tls_accept(struct tls_server *ts, struct stream *s, struct buf *why)
{
	struct tls_conn *tc = xcalloc(1, sizeof(*tc));

	tc->s = s;
	stream_flush(s);
	stream_discard_input(s);	/* nothing sent in the clear is kept */
	if ((tc->ssl = SSL_new(ts->ctx)) == NULL || SSL_set_fd(tc->ssl, s->fd) != 1) {
		ssl_error(why, "SSL_new");
		tls_conn_free(&tc);
		return NULL;
	}
	if (handshake(tc, why) < 0) {
		tls_conn_free(&tc);
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

/* tls_conn_free - close the TLS layer (the socket stays open) */
void tls_conn_free(struct tls_conn **tcp)
{
	struct tls_conn *tc = *tcp;

	if (tc == NULL)
		return;
	if (tc->ssl) {
		SSL_shutdown(tc->ssl);
		SSL_free(tc->ssl);
	}
	free(tc);
	*tcp = NULL;
}
