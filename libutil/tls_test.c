/* tls_test - server-side TLS against a real OpenSSL client, with a
 * throw-away CA and server certificate made here (P-256 keys, written as
 * PEM into the run's scratch directory).  Bad input first: a missing
 * file, a file without PEM, a key that does not match the certificate
 * (reported once, then unusable).  Then a STARTTLS exchange over a
 * socketpair: the client (a child, its own client context, verifying the
 * chain and the host name) pipelines a command after STARTTLS that must
 * not survive the handshake; lines go both ways over the TLS transport
 * of the stream on each side.  A client that trusts another CA, or
 * expects another host name, fails verification and the server reports a
 * failed handshake; so does a client below the server's minimum
 * protocol; a client that says nothing costs the stream's timeout. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "log.h"
#include "mem.h"
#include "test.h"
#include "tls.h"

enum { HOST_OK = 0, HOST_NO_TLS = 10, HOST_NOT_VERIFIED = 11, HOST_NO_CHAIN = 12, HOST_NO_LINE = 13 };

static struct {
	char ca[96], other_ca[96], chain[96], key[96], other_key[96], combined[96], junk[96];
} pem;

/* new_cert - a certificate for cn with key, signed by issuer (itself
 * when NULL); a CA, or a server for mail.example.test */
static X509 *new_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key, bool ca)
{
	static long serial;
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();
	X509V3_CTX v3;
	X509_EXTENSION *ext;

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), ++serial);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_subject_name(x, name);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
	X509_set_pubkey(x, key);
	X509V3_set_ctx(&v3, issuer ? issuer : x, x, NULL, NULL, 0);
	ext = ca ? X509V3_EXT_conf_nid(NULL, &v3, NID_basic_constraints, "critical,CA:TRUE")
		 : X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name, "DNS:mail.example.test");
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256());
	X509_NAME_free(name);
	return x;
}

/* write_pem - certificates (NULL-ended) and a key (or NULL) into path */
static void write_pem(char *path, const char *name, X509 *const *certs, EVP_PKEY *key)
{
	FILE *fp;

	snprintf(path, sizeof(pem.ca), "%s/tls-%s.pem", test_datadir(), name);
	if ((fp = fopen(path, "w")) == NULL)
		log_panic("%s: %m", path);
	for (; *certs; certs++)
		PEM_write_X509(fp, *certs);
	if (key)
		PEM_write_PrivateKey(fp, key, NULL, NULL, 0, NULL, NULL);
	fclose(fp);
}

/* make_pems - a CA, a server certificate it signed, another CA, keys */
static void make_pems(void)
{
	EVP_PKEY *ca_key = EVP_EC_gen("P-256"), *key = EVP_EC_gen("P-256"), *other = EVP_EC_gen("P-256");
	X509 *ca = new_cert(ca_key, "hato test CA", NULL, NULL, true);
	X509 *srv = new_cert(key, "mail.example.test", ca, ca_key, false);
	X509 *other_ca = new_cert(other, "another CA", NULL, NULL, true);
	char *junk = test_tmpfile("not a certificate\n");

	write_pem(pem.ca, "ca", (X509 *[]){ ca, NULL }, NULL);
	write_pem(pem.other_ca, "other-ca", (X509 *[]){ other_ca, NULL }, NULL);
	write_pem(pem.chain, "chain", (X509 *[]){ srv, ca, NULL }, NULL);
	write_pem(pem.key, "key", (X509 *[]){ NULL }, key);
	write_pem(pem.other_key, "other-key", (X509 *[]){ NULL }, other);
	write_pem(pem.combined, "combined", (X509 *[]){ srv, ca, NULL }, key);
	snprintf(pem.junk, sizeof(pem.junk), "%s", junk);
	free(junk);
	X509_free(ca);
	X509_free(srv);
	X509_free(other_ca);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(key);
	EVP_PKEY_free(other);
}

/* now_ms - a monotonic clock in ms */
static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* test_bad_files - what tls_server_new and tls_server_ready refuse */
static void test_bad_files(void)
{
	struct buf *why = buf_new(0);
	struct tls_server *ts;
	struct stream *s;

	test_begin("tls: a missing file, a file without PEM, a key that is not the certificate's");
	test_assert(tls_server_new("/nonexistent/cert.pem", "", ">=TLSv1.2", why) == NULL);
	test_assert(strstr(buf_str(why), "/nonexistent/cert.pem: No such file") != NULL);
	buf_reset(why);
	test_assert(tls_server_new(pem.chain, pem.junk, ">=TLSv1.2", why) == NULL);
	test_assert(strstr(buf_str(why), "no PEM data") != NULL);
	buf_reset(why);
	ts = tls_server_new(pem.chain, pem.other_key, ">=TLSv1.2", why);
	test_assert(ts != NULL && tls_server_usable(ts));	/* only read so far */
	test_assert(ts && tls_server_ready(ts, why) < 0 && strstr(buf_str(why), pem.other_key) != NULL);
	test_assert(ts && !tls_server_usable(ts));
	buf_reset(why);
	test_assert(ts && tls_server_ready(ts, why) < 0 && buf_len(why) == 0);	/* said once */
	s = stream_new(-1, 100);
	test_assert(ts && tls_accept(ts, s, why) == NULL && strstr(buf_str(why), "no usable certificate") != NULL);
	stream_free(&s);
	tls_server_free(&ts);
	buf_reset(why);
	ts = tls_server_new(pem.combined, "", ">=TLSv1.2", why);
	test_assert(ts != NULL && tls_server_ready(ts, why) == 0);	/* the key in the certificate file */
	tls_server_free(&ts);
	test_end();
	buf_free(&why);
}

/* read_clear - in the client: bytes up to and including the next "\n" */
static bool read_clear(int fd, const char *want)
{
	char line[64];
	size_t n = 0;

	while (n < sizeof(line) - 1 && read(fd, line + n, 1) == 1 && line[n++] != '\n')
		continue;
	line[n] = '\0';
	return strcmp(line, want) == 0;
}

/* exchange - in the client, over TLS: "hello" from the server, "pong" back */
static bool exchange(int fd, SSL *ssl)
{
	struct stream *s = stream_new(fd, 5000);
	struct buf *line = buf_new(64);
	bool ok;

	stream_set_transport(s, tls_stream_read, tls_stream_write, ssl);
	ok = stream_getline(s, line, 64) > 0 && strcmp(buf_str(line), "hello\r\n") == 0;
	stream_puts(s, "pong\r\n");
	ok = ok && stream_flush(s) == 0;
	return ok;
}

/* client - in a child: STARTTLS in the clear with a command pipelined
 * after it, then a handshake trusting ca_file and checking host, at most
 * max_version; exits with one of HOST_* */
static void __attribute__((noreturn)) client(int fd, const char *ca_file, const char *host, int max_version)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL *ssl;
	static const char cmds[] = "STARTTLS\r\nINJECTED\r\n";

	if (write(fd, cmds, sizeof(cmds) - 1) != sizeof(cmds) - 1 || !read_clear(fd, "220 go\r\n"))
		_exit(HOST_NO_TLS);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	SSL_CTX_set_max_proto_version(ctx, max_version);
	if (SSL_CTX_load_verify_locations(ctx, ca_file, NULL) != 1 || (ssl = SSL_new(ctx)) == NULL)
		_exit(HOST_NO_TLS);
	SSL_set_fd(ssl, fd);
	SSL_set_tlsext_host_name(ssl, host);
	SSL_set1_host(ssl, host);
	if (SSL_connect(ssl) != 1)
		_exit(SSL_get_verify_result(ssl) == X509_V_OK ? HOST_NO_TLS : HOST_NOT_VERIFIED);
	if (sk_X509_num(SSL_get_peer_cert_chain(ssl)) != 2)
		_exit(HOST_NO_CHAIN);	/* the server sends its CA as the chain */
	_exit(exchange(fd, ssl) ? HOST_OK : HOST_NO_LINE);
}

/* handshake - a STARTTLS exchange with a client child (its exit code
 * into *client_rc); the server's connection, NULL with why.  On success
 * "hello" goes out and the next line in is in line. */
static struct tls_conn *handshake(struct tls_server *ts, const char *ca_file, const char *host,
				  int max_version, int *client_rc, struct buf *line, struct buf *why)
{
	int sv[2], status = -1;
	struct stream *s;
	struct tls_conn *tc = NULL;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		log_panic("socketpair: %m");
	fflush(stdout);
	if ((pid = fork()) == 0) {
		close(sv[0]);
		client(sv[1], ca_file, host, max_version);
	}
	close(sv[1]);
	s = stream_new(sv[0], 5000);
	buf_reset(line);
	if (stream_getline(s, line, 64) > 0 && strcmp(buf_str(line), "STARTTLS\r\n") == 0) {
		stream_puts(s, "220 go\r\n");
		tc = tls_accept(ts, s, why);	/* flushes "220 go" first */
	}
	buf_reset(line);
	if (tc) {
		stream_puts(s, "hello\r\n");
		if (stream_flush(s) < 0 || stream_getline(s, line, 64) <= 0)
			buf_set(line, "(nothing)");
	}
	close(sv[0]);	/* the child fails fast if the server did */
	waitpid(pid, &status, 0);
	*client_rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	stream_free(&s);
	return tc;
}

/* test_handshake - STARTTLS, verified, lines both ways, no injection */
static void test_handshake(void)
{
	struct buf *why = buf_new(0), *line = buf_new(64);
	struct tls_server *ts = tls_server_new(pem.chain, pem.key, ">=TLSv1.2", why);
	struct tls_conn *tc;
	int rc;

	test_begin("tls: STARTTLS with a verified chain; a command sent before the handshake is dropped");
	test_assert(ts != NULL);
	tc = ts ? handshake(ts, pem.ca, "mail.example.test", TLS1_3_VERSION, &rc, line, why) : NULL;
	test_assert(tc != NULL);
	test_assert(rc == HOST_OK);
	test_assert_str(buf_str(line), "pong\r\n");	/* not "INJECTED" */
	test_assert(tc && strncmp(tls_conn_info(tc), "TLSv1.3 with cipher ", 20) == 0);
	if (buf_len(why))
		printf("#   why: %s\n", buf_str(why));
	tls_conn_free(&tc);
	tls_server_free(&ts);
	test_end();
	buf_free(&why);
	buf_free(&line);
}

/* refused - a handshake the client makes with ca_file, host, max_version:
 * true when it fails on both sides, the client exiting with want */
static bool refused(const char *protocols, const char *ca_file, const char *host, int max_version, int want)
{
	struct buf *why = buf_new(0), *line = buf_new(64);
	struct tls_server *ts = tls_server_new(pem.chain, pem.key, protocols, why);
	struct tls_conn *tc = NULL;
	int rc = -1;
	bool ok;

	if (ts)
		tc = handshake(ts, ca_file, host, max_version, &rc, line, why);
	ok = ts != NULL && tc == NULL && rc == want && strstr(buf_str(why), "TLS handshake: ") != NULL;
	if (!ok)
		printf("#   client exit %d (want %d), server: %s\n", rc, want, buf_str(why));
	tls_conn_free(&tc);
	tls_server_free(&ts);
	buf_free(&why);
	buf_free(&line);
	return ok;
}

/* test_verify_failed - another CA, another name: the client refuses */
static void test_verify_failed(void)
{
	test_begin("tls: a client that trusts another CA, or expects another host, fails verification");
	test_assert(refused(">=TLSv1.2", pem.other_ca, "mail.example.test", TLS1_3_VERSION, HOST_NOT_VERIFIED));
	test_assert(refused(">=TLSv1.2", pem.ca, "other.example.test", TLS1_3_VERSION, HOST_NOT_VERIFIED));
	test_end();
}

/* test_min_version - ">=TLSv1.3" refuses a TLSv1.2 client */
static void test_min_version(void)
{
	test_begin("tls: a server with >=TLSv1.3 refuses a client that stops at TLSv1.2");
	test_assert(refused(">=TLSv1.3", pem.ca, "mail.example.test", TLS1_2_VERSION, HOST_NO_TLS));
	test_end();
}

/* test_timeout - a client that never says hello costs one timeout (a
 * watchdog child holds the client end for 10 s, then closes it: a
 * handshake that waited for ever would end in EOF, not a timeout) */
static void test_timeout(void)
{
	struct buf *why = buf_new(0);
	struct tls_server *ts = tls_server_new(pem.chain, pem.key, ">=TLSv1.2", why);
	struct stream *s;
	long long t0;
	int sv[2];
	pid_t watchdog;

	test_begin("tls: a client silent after STARTTLS: the handshake ends at the stream's timeout");
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		log_panic("socketpair: %m");
	fflush(stdout);
	if ((watchdog = fork()) == 0) {
		close(sv[0]);
		sleep(10);
		_exit(0);
	}
	close(sv[1]);
	s = stream_new(sv[0], 300);
	t0 = now_ms();
	test_assert(ts && tls_accept(ts, s, why) == NULL);
	test_assert(strstr(buf_str(why), "timeout") != NULL);
	test_assert(now_ms() - t0 >= 290 && now_ms() - t0 < 5000);
	kill(watchdog, SIGKILL);
	waitpid(watchdog, NULL, 0);
	stream_free(&s);
	close(sv[0]);
	tls_server_free(&ts);
	test_end();
	buf_free(&why);
}

/* test_tls - every case of this file; SIGPIPE ignored, as in a daemon
 * (server_main): a peer that is gone is an error, not the end */
void test_tls(void)
{
	void (*old)(int) = signal(SIGPIPE, SIG_IGN);

	make_pems();
	test_bad_files();
	test_handshake();
	test_verify_failed();
	test_min_version();
	test_timeout();
	signal(SIGPIPE, old);
}
