/* tls_int - private to tls.c and tls_conn.c: a TLS connection and the
 * handshake both sides share. */
#ifndef HATO_TLS_INT_H
#define HATO_TLS_INT_H

#include <stdbool.h>

#include <openssl/ssl.h>

#include "buf.h"
#include "stream.h"

struct tls_conn {
	SSL *ssl;
	struct stream *s;
	char info[160];
};

/* the first queued OpenSSL error, "what: text", appended to why */
void tls_ssl_error(struct buf *why, const char *what);
/* the handshake on s's socket as server or client (sni: the name the
 * client asks for, or NULL), all of it before deadline (deadline.h);
 * then s runs over TLS.  NULL with why on failure */
struct tls_conn *tls_conn_start(SSL_CTX *ctx, struct stream *s, bool client, const char *sni,
				long long deadline, struct buf *why);

#endif
