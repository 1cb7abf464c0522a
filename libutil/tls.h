/* tls - OpenSSL behind the stream transport (stream.h), for STARTTLS and
 * implicit TLS in smtpd (and later pop3d, imapd and the smtp client).
 *
 *   struct tls_server *ts = tls_server_new(cert_file, key_file, ">=TLSv1.2", why);  // before chroot
 *   struct tls_conn *tc = tls_accept(ts, stream, why);   // handshake, bounded by the stream's timeout
 *   tls_conn_info(tc)  -> "TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)"
 *   tls_conn_free(&tc);
 *
 * After tls_accept() the stream reads and writes through TLS; input that
 * arrived before the handshake has been discarded (no command injection,
 * RFC 3207 section 4.2 / CVE-2011-0411).  Errors: NULL and a reason in why.
 * The certificate and key are read once, before the privilege drop.
 */
#ifndef HATO_TLS_H
#define HATO_TLS_H

#include "buf.h"
#include "stream.h"

struct tls_server;
struct tls_conn;

struct tls_server *tls_server_new(const char *cert_file, const char *key_file,
				  const char *protocols, struct buf *why);
void tls_server_free(struct tls_server **tsp);
struct tls_conn *tls_accept(struct tls_server *ts, struct stream *s, struct buf *why);
const char *tls_conn_info(const struct tls_conn *tc);
void tls_conn_free(struct tls_conn **tcp);
/* the stream transport over a connected SSL * (the smtp client's too) */
stream_read_fn tls_stream_read;
stream_write_fn tls_stream_write;

#endif
