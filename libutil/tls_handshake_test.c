/* tls_handshake_test - tls_accept's time limit: a real client gets
 * through; tls_connect (the client side) reaches tls_accept and a line
 * goes each way over the streams, and against a silent server it gives up
 * at its one deadline, signals or not; signals (EINTR) during the handshake neither end it as a
 * timeout nor restart its limit; the stream's timeout bounds the whole
 * handshake, so a client that trickles its hello a byte at a time is cut
 * when the time is up, not after every byte's pause.  The certificate is
 * made here (EC P-256, self-signed). */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "deadline.h"
#include "mem.h"
#include "test.h"
#include "tls.h"

/* pem_text - what write() puts into a memory BIO, as a string */
static char *pem_text(EVP_PKEY *key, X509 *cert)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data, *text;
	long n;

	if (cert ? PEM_write_bio_X509(b, cert) != 1
		 : PEM_write_bio_PrivateKey(b, key, NULL, NULL, 0, NULL, NULL) != 1)
		return NULL;
	n = BIO_get_mem_data(b, &data);
	text = xstrndup(data, (size_t)n);
	BIO_free(b);
	return text;
}

/* make_server - a tls_server on a fresh self-signed certificate */
static struct tls_server *make_server(struct buf *why)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *cert = X509_new();
	X509_NAME *name = X509_get_subject_name(cert);
	char *cert_pem, *key_pem, *cert_file, *key_file;
	struct tls_server *ts;

	ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
	X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
	X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"test", -1, -1, 0);
	X509_set_issuer_name(cert, name);
	X509_set_pubkey(cert, key);
	X509_sign(cert, key, EVP_sha256());
	cert_pem = pem_text(NULL, cert);
	key_pem = pem_text(key, NULL);
	cert_file = test_tmpfile(cert_pem ? cert_pem : "");
	key_file = test_tmpfile(key_pem ? key_pem : "");
	ts = tls_server_new(cert_file, key_file, ">=TLSv1.2", why);
	free(cert_pem);
	free(key_pem);
	free(cert_file);
	free(key_file);
	X509_free(cert);
	EVP_PKEY_free(key);
	return ts;
}

/* client_hello - the first bytes a TLS client sends; their number */
static int client_hello(unsigned char *out, int max)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL *ssl = SSL_new(ctx);
	int n;

	SSL_set_bio(ssl, BIO_new(BIO_s_mem()), BIO_new(BIO_s_mem()));
	(void)SSL_connect(ssl);	/* writes the hello, then wants the answer */
	n = BIO_read(SSL_get_wbio(ssl), out, max);
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	return n;
}

/* client - a child on fd: a real handshake (trickle 0), or the first
 * trickle bytes of a hello, one every 50 ms */
static pid_t client(int fd, int trickle)
{
	unsigned char hello[2048];
	int n = trickle ? client_hello(hello, sizeof(hello)) : 0;
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	if (trickle == 0) {
		SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
		SSL *ssl = SSL_new(ctx);

		SSL_set_fd(ssl, fd);
		_exit(SSL_connect(ssl) == 1 ? 0 : 1);
	}
	for (int i = 0; i < trickle && i < n; i++) {
		if (write(fd, hello + i, 1) != 1)
			_exit(1);
		usleep(50 * 1000);
	}
	pause();
	_exit(0);
}

/* accept_ms - tls_accept on one end of a socketpair, timeout_ms for the
 * stream, the peer a client(trickle) or, for trickle < 0, silent under a
 * signal every 40 ms; how long it took, *ok_r whether it succeeded */
static long long accept_ms(struct tls_server *ts, int timeout_ms, int trickle, bool *ok_r,
			   struct buf *why)
{
	int sv[2];
	pid_t pid = -1, storm = -1;
	struct stream *s;
	struct tls_conn *tc;
	long long t0, ms;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return -1;
	if (trickle >= 0)
		pid = client(sv[1], trickle);
	else
		storm = test_storm_begin(SIGUSR1, 40, 100);
	s = stream_new(sv[0], timeout_ms);
	buf_reset(why);
	t0 = deadline_now();
	tc = tls_accept(ts, s, why);
	ms = deadline_now() - t0;
	*ok_r = tc != NULL;
	if (storm > 0 && test_storm_end(storm) < 1)
		ms = -1;	/* no signal came: the case proves nothing */
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	tls_conn_free(&tc);
	stream_free(&s);
	close(sv[0]);
	close(sv[1]);
	return ms;
}

/* serve_once - a child: tls_accept on fd, answer the first line with "pong" */
static pid_t serve_once(struct tls_server *ts, int fd)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct buf *why = buf_new(0), *line = buf_new(0);
		struct stream *s = stream_new(fd, 5000);
		struct tls_conn *tc = tls_accept(ts, s, why);
		bool ok = tc && stream_getline(s, line, 100) > 0 && strcmp(buf_str(line), "ping\r\n") == 0;

		if (ok)
			stream_printf(s, "pong\r\n");
		ok = ok && stream_flush(s) == 0;
		tls_conn_free(&tc);
		_exit(ok ? 0 : 1);
	}
	return pid;
}

/* client_cases - tls_connect to tls_accept, then to a silent peer */
static void client_cases(struct tls_server *ts, struct buf *why)
{
	struct tls_client *cl = tls_client_new(why);
	struct buf *line = buf_new(0);
	struct tls_conn *tc;
	struct stream *s;
	int sv[2], status = -1;
	long long t0, ms;
	pid_t pid, storm;

	test_begin("tls_connect: the client's handshake with tls_accept; a line each way");
	test_assert(cl != NULL && socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	pid = serve_once(ts, sv[1]);
	s = stream_new(sv[0], 5000);
	tc = cl ? tls_connect(cl, s, "mx.example.test", 5000, why) : NULL;
	test_assert(tc != NULL && strstr(tls_conn_info(tc), "TLSv1.") == tls_conn_info(tc));
	stream_printf(s, "ping\r\n");
	test_assert(stream_flush(s) == 0 && stream_getline(s, line, 100) > 0);
	test_assert(strcmp(buf_str(line), "pong\r\n") == 0);
	waitpid(pid, &status, 0);
	test_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	tls_conn_close(&tc, false);
	stream_free(&s);
	close(sv[0]);
	close(sv[1]);
	test_end();

	test_begin("tls_connect: a silent server: one 600 ms deadline, signals or not");
	test_assert(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	s = stream_new(sv[0], 60000);	/* the stream's limit is not the handshake's */
	storm = test_storm_begin(SIGUSR1, 40, 100);
	buf_reset(why);
	t0 = deadline_now();
	tc = cl ? tls_connect(cl, s, NULL, 600, why) : NULL;
	ms = deadline_now() - t0;
	test_assert(test_storm_end(storm) >= 1);
	test_assert(tc == NULL && strstr(buf_str(why), "timeout") != NULL);
	test_assert(ms >= 590 && ms < 3000);
	tls_conn_close(&tc, true);
	stream_free(&s);
	close(sv[0]);
	close(sv[1]);
	tls_client_free(&cl);
	buf_free(&line);
	test_end();
}

/* test_tls_handshake - every case of this file */
void test_tls_handshake(void)
{
	struct buf *why = buf_new(0);
	struct tls_server *ts = make_server(why);
	long long ms;
	bool ok;

	test_begin("tls_accept: a real client completes the handshake");
	test_assert(ts != NULL);
	if (ts == NULL) {
		test_end();
		buf_free(&why);
		return;
	}
	accept_ms(ts, 10000, 0, &ok, why);
	test_assert(ok);
	test_end();

	test_begin("tls_accept: signals during the handshake neither end it as a timeout nor restart it");
	ms = accept_ms(ts, 600, -1, &ok, why);
	test_assert(!ok);
	test_assert(strstr(buf_str(why), "timeout") != NULL);
	test_assert(ms >= 590 && ms < 3000);
	test_end();

	test_begin("tls_accept: a hello trickled a byte every 50 ms is cut at the 500 ms limit");
	ms = accept_ms(ts, 500, 40, &ok, why);
	test_assert(!ok);
	test_assert(strstr(buf_str(why), "timeout") != NULL);
	test_assert(ms >= 490 && ms < 1500);
	test_end();
	client_cases(ts, why);
	tls_server_free(&ts);
	buf_free(&why);
}
