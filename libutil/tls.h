/* tls - OpenSSL behind the stream transport (stream.h), for STARTTLS and
 * implicit TLS in smtpd (and later pop3d and imapd), and the smtp client.
 *
 *   struct tls_server *ts = tls_server_new(cert_file, key_file, ">=TLSv1.2", why);  // before chroot
 *   if (tls_server_ready(ts, why) < 0) ...               // say 454 rather than 220
 *   struct tls_conn *tc = tls_accept(ts, stream, why);   // one deadline: the stream's timeout
 *   tls_conn_info(tc)  -> "TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)"
 *   tls_conn_free(&tc);
 * The client (no certificate check: the smtp client's may and encrypt):
 *   struct tls_client *cl = tls_client_new(why);
 *   struct tls_conn *tc = tls_connect(cl, stream, "mx.example.com", 300000, why);
 *   tls_conn_close(&tc, quiet);          // quiet: no close_notify
 *
 * After tls_accept() the stream reads and writes through TLS; input that
 * arrived before the handshake has been discarded (no command injection,
 * RFC 3207 section 4.2 / CVE-2011-0411).  Errors: NULL and a reason in why.
 * tls_server_new() only reads the certificate chain and key files (once,
 * before the privilege drop, at most 1 MB each, PEM); the OpenSSL context
 * is built from that text at the first handshake of the process, or by
 * tls_server_ready(), and the text, the key's wiped, is dropped then.
 * Building a context costs about 4 ms of CPU with OpenSSL 3, which a
 * daemon that serves 100 clients without TLS need not pay.  A context
 * that cannot be built is reported once; tls_server_usable() is then
 * false for the rest of the process.
 */
#ifndef HATO_TLS_H
#define HATO_TLS_H

#include <stdbool.h>

#include "buf.h"
#include "stream.h"

struct tls_server;
struct tls_client;
struct tls_conn;

struct tls_server *tls_server_new(const char *cert_file, const char *key_file,
				  const char *protocols, struct buf *why);
int tls_server_ready(struct tls_server *ts, struct buf *why);
bool tls_server_usable(const struct tls_server *ts);
void tls_server_free(struct tls_server **tsp);
struct tls_conn *tls_accept(struct tls_server *ts, struct stream *s, struct buf *why);
const char *tls_conn_info(const struct tls_conn *tc);
void tls_conn_free(struct tls_conn **tcp);
void tls_conn_close(struct tls_conn **tcp, bool quiet);
struct tls_client *tls_client_new(struct buf *why);
void tls_client_free(struct tls_client **tclp);
struct tls_conn *tls_connect(struct tls_client *tcl, struct stream *s, const char *sni,
			     int timeout_ms, struct buf *why);
/* the stream transport over a connected SSL * */
stream_read_fn tls_stream_read;
stream_write_fn tls_stream_write;

#endif
