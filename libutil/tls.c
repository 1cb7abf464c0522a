/* tls - the server's TLS context (certificate chain and key) and
 * tls_accept; see tls.h.  The connection itself, shared with the client
 * side: tls_conn.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include "deadline.h"
#include "mem.h"
#include "tls.h"
#include "tls_int.h"

enum { PEM_MAX = 1 << 20 };	/* a certificate chain or key file, at most */

struct tls_server {
	SSL_CTX *ctx;			/* NULL until the first handshake */
	bool failed;			/* building it failed: no TLS in this process */
	char *cert_name, *key_name;	/* file names, for messages */
	struct buf *cert_pem, *key_pem;	/* the files' text until ctx is built */
	int min_version;
};


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

/* read_pem - the whole of a PEM file (at most PEM_MAX) into out */
static int read_pem(const char *path, struct buf *out, struct buf *why)
{
	FILE *fp = fopen(path, "re");
	char chunk[8192];
	size_t n;

	if (fp == NULL) {
		buf_printf(why, "%s: %s", path, strerror(errno));
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0 && buf_len(out) <= PEM_MAX)
		buf_add(out, chunk, n);
	fclose(fp);
	if (buf_len(out) > PEM_MAX) {
		buf_printf(why, "%s: larger than %d bytes", path, PEM_MAX);
		return -1;
	}
	if (strstr(buf_str(out), "-----BEGIN ") == NULL) {
		buf_printf(why, "%s: no PEM data", path);
		return -1;
	}
	return 0;
}

/* tls_server_new - read the certificate chain and key (the caller still
 * has the rights to); the OpenSSL context is built at the first handshake */
struct tls_server *tls_server_new(const char *cert_file, const char *key_file,
				  const char *protocols, struct buf *why)
{
	struct tls_server *ts = xcalloc(1, sizeof(*ts));

	ts->cert_name = xstrdup(cert_file);
	ts->key_name = xstrdup(*key_file ? key_file : cert_file);
	ts->cert_pem = buf_new(4096);
	ts->key_pem = buf_new(4096);
	ts->min_version = min_version(protocols);
	if (read_pem(ts->cert_name, ts->cert_pem, why) < 0
	    || read_pem(ts->key_name, ts->key_pem, why) < 0) {
		tls_server_free(&ts);
		return NULL;
	}
	return ts;
}

/* use_chain - the first certificate of pem, then the rest as its chain */
static int use_chain(SSL_CTX *ctx, const struct buf *pem)
{
	BIO *bio = BIO_new_mem_buf(buf_str(pem), (int)buf_len(pem));
	X509 *x = bio ? PEM_read_bio_X509_AUX(bio, NULL, NULL, NULL) : NULL;
	int ok = x != NULL && SSL_CTX_use_certificate(ctx, x) == 1 && SSL_CTX_clear_chain_certs(ctx) == 1;

	X509_free(x);
	while (ok && (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL)
		if (SSL_CTX_add0_chain_cert(ctx, x) != 1) {
			X509_free(x);
			ok = 0;
		}
	if (ok && ERR_GET_REASON(ERR_peek_last_error()) == PEM_R_NO_START_LINE)
		ERR_clear_error();	/* the normal end of the chain */
	BIO_free(bio);
	return ok ? 0 : -1;
}

/* use_key - the private key in pem, checked against the certificate */
static int use_key(SSL_CTX *ctx, const struct buf *pem)
{
	BIO *bio = BIO_new_mem_buf(buf_str(pem), (int)buf_len(pem));
	EVP_PKEY *key = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
	int ok = key != NULL && SSL_CTX_use_PrivateKey(ctx, key) == 1
		&& SSL_CTX_check_private_key(ctx) == 1;

	EVP_PKEY_free(key);
	BIO_free(bio);
	return ok ? 0 : -1;
}

/* forget_pem - wipe and drop the file texts (the key above all) */
static void forget_pem(struct tls_server *ts)
{
	if (ts->key_pem)
		OPENSSL_cleanse(ts->key_pem->data, buf_len(ts->key_pem));
	buf_free(&ts->key_pem);
	buf_free(&ts->cert_pem);
}

/* tls_server_ready - build the context now if that was not done yet;
 * 0 when it is usable, -1 (with why, once) when it cannot be */
int tls_server_ready(struct tls_server *ts, struct buf *why)
{
	SSL_CTX *ctx;

	if (ts->ctx || ts->failed)
		return ts->ctx ? 0 : -1;
	ts->failed = true;
	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL) {
		tls_ssl_error(why, "SSL_CTX_new");
		forget_pem(ts);
		return -1;
	}
	SSL_CTX_set_min_proto_version(ctx, ts->min_version);
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
	if (use_chain(ctx, ts->cert_pem) < 0)
		tls_ssl_error(why, ts->cert_name);
	else if (use_key(ctx, ts->key_pem) < 0)
		tls_ssl_error(why, ts->key_name);
	else
		ts->failed = false;
	forget_pem(ts);
	if (ts->failed) {
		SSL_CTX_free(ctx);
		return -1;
	}
	ts->ctx = ctx;
	return 0;
}

/* tls_server_usable - not known to be broken (the context may be built yet) */
bool tls_server_usable(const struct tls_server *ts)
{
	return ts != NULL && !ts->failed;
}

/* tls_server_free - release the context and the file texts */
void tls_server_free(struct tls_server **tsp)
{
	if (*tsp == NULL)
		return;
	SSL_CTX_free((*tsp)->ctx);
	forget_pem(*tsp);
	free((*tsp)->cert_name);
	free((*tsp)->key_name);
	free(*tsp);
	*tsp = NULL;
}

/* tls_accept - handshake on the stream's socket, within the stream's
 * time limit, and switch the stream to TLS */
struct tls_conn *tls_accept(struct tls_server *ts, struct stream *s, struct buf *why)
{
	if (tls_server_ready(ts, why) < 0) {
		if (buf_len(why) == 0)
			buf_cat(why, "no usable certificate or key");
		return NULL;
	}
	return tls_conn_start(ts->ctx, s, false, NULL, deadline_in(s->timeout_ms), why);
}
