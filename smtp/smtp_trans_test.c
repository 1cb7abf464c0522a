/* smtp_trans_test - a whole session and transaction over a socketpair:
 * the server's replies are written in advance, then what the client sent
 * is compared byte for byte (dot-stuffing, CRLF, a long line, NUL and a
 * bare CR, content that does not end in a line end, BODY=8BITMIME,
 * pipelining), and the results per recipient: sent, a 4xx kept pending
 * for the next server or deferred at the last one, a lost connection. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "mem.h"
#include "smtp.h"
#include "test.h"

static const char main_cf[] = "myhostname = mx.example.test\nmydomain = example.test\n";

static struct config *test_config;
static struct params *test_cf;

struct fixture {
	struct smtp_global g;
	struct smtp_deliv d;
	struct smtp_session *ss;
	int server;			/* the server's end of the socketpair */
};

/* make_qfile - a queue file with awkward content; its path */
static char *make_qfile(void)
{
	struct buf *why = buf_new(0), *path = buf_new(0), *qdir = buf_new(0);
	struct qfile_out *qf;
	char *big = xmalloc(10000);

	buf_printf(qdir, "%s/smtpq", test_datadir());
	mkdir(buf_str(qdir), 0700);
	buf_printf(path, "%s/incoming", buf_str(qdir));
	mkdir(buf_str(path), 0700);
	if ((qf = qfile_create(buf_str(qdir), "incoming", why)) == NULL)
		log_panic("qfile_create: %s", buf_str(why));
	memset(big, 'L', 10000);
	qfile_out_put(qf, QREC_TIME, "1700000000.000001", 17);
	qfile_out_put(qf, QREC_SENDER, "a@example.org", 13);
	qfile_out_put(qf, QREC_RCPT, "b@example.com", 13);
	qfile_out_put(qf, QREC_MESG, "", 0);
	qfile_out_line(qf, "Subject: caf\xc3\xa9", 14, false);
	qfile_out_line(qf, "", 0, false);
	qfile_out_line(qf, ".x", 2, false);
	qfile_out_line(qf, ".", 1, false);
	qfile_out_line(qf, big, 4096, true);
	qfile_out_line(qf, big, 10000 - 4096, false);
	qfile_out_line(qf, "a\0b\rc", 5, false);
	qfile_out_line(qf, ".no newline", 11, true);
	qfile_out_put(qf, QREC_XTRA, "", 0);
	qfile_out_put(qf, QREC_END, "", 0);
	if (qfile_commit(qf, why) < 0)
		log_panic("qfile_commit: %s", buf_str(why));
	buf_reset(path);
	buf_printf(path, "%s", qfile_out_path(qf));
	qfile_abort(&qf);
	free(big);
	buf_free(&why);
	buf_free(&qdir);
	return buf_steal(&path);
}

/* fixture_init - a delivery of the test file to nrcpt recipients, the
 * server's replies already waiting in the socket */
static void fixture_init(struct fixture *f, const char *path, size_t nrcpt, const char *replies)
{
	const struct params *cf = test_cf;
	struct buf *why = buf_new(0);
	struct smtp_addr a = { .host = "mx.test", .addr = "192.0.2.1", .family = 2, .port = 25 };
	int sv[2], st, big = 1 << 20;

	memset(f, 0, sizeof(*f));
	f->g.cf = cf;
	f->d.g = &f->g;
	f->d.rq = deliver_request_new("TESTID", "incoming/TESTID", "[mx.test]", "a@example.org");
	for (size_t i = 0; i < nrcpt; i++) {
		char rcpt[64];

		snprintf(rcpt, sizeof(rcpt), "r%zu@example.com", i);
		deliver_request_add(f->d.rq, rcpt, NULL, NULL, 0);
	}
	f->d.state = xcalloc(nrcpt, sizeof(*f->d.state));
	f->d.pending = nrcpt;
	f->d.eightbit = -1;
	f->d.last.text = buf_new(0);
	if ((f->d.qf = qfile_open(path, QFILE_ANY_OWNER, &st, why)) == NULL)
		log_panic("qfile_open: %s", buf_str(why));
	f->d.size = qfile_sizes(f->d.qf)->content_size;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		log_panic("socketpair: %m");
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	if (write(sv[0], replies, strlen(replies)) != (ssize_t)strlen(replies))
		log_panic("write: %m");
	shutdown(sv[0], SHUT_WR);
	f->server = sv[0];
	f->ss = smtp_session_new(cf, sv[1], &a, "[mx.test]");
	buf_free(&why);
}

/* client_bytes - everything the client sent */
static struct buf *client_bytes(struct fixture *f)
{
	struct buf *b = buf_new(20000);
	char chunk[8192];
	ssize_t n;

	shutdown(f->ss->fd, SHUT_WR);
	while ((n = read(f->server, chunk, sizeof(chunk))) > 0)
		buf_add(b, chunk, (size_t)n);
	return b;
}

/* fixture_free - everything */
static void fixture_free(struct fixture *f)
{
	smtp_session_close(&f->ss, false);
	close(f->server);
	qfile_close(&f->d.qf);
	deliver_request_free(&f->d.rq);
	free(f->d.state);
	buf_free(&f->d.last.text);
}

/* expected_wire - the client's side of a good session */
static struct buf *expected_wire(void)
{
	struct buf *b = buf_new(20000);

	buf_cat(b, "EHLO mx.example.test\r\nMAIL FROM:<a@example.org> BODY=8BITMIME\r\n"
		"RCPT TO:<r0@example.com>\r\nRCPT TO:<r1@example.com>\r\nDATA\r\n"
		"Subject: caf\xc3\xa9\r\n\r\n..x\r\n..\r\n");
	for (int i = 0; i < 10000; i++)
		buf_putc(b, 'L');
	buf_cat(b, "\r\n");
	buf_add(b, "a\0b\rc\r\n", 7);
	buf_cat(b, "..no newline\r\n.\r\n");
	return b;
}

/* good - everything accepted: the bytes on the wire and the statuses */
static void good(const char *path)
{
	struct fixture f;
	struct smtp_why why = { .text = buf_new(0) };
	struct buf *got, *want = expected_wire();

	test_begin("smtp transaction: the bytes on the wire, results sent");
	fixture_init(&f, path, 2, "220 mx.test ESMTP\r\n250-mx.test\r\n250-PIPELINING\r\n"
		     "250 8BITMIME\r\n250 2.1.0 ok\r\n250 2.1.5 ok\r\n250 2.1.5 ok\r\n354 go\r\n"
		     "250 2.0.0 Ok: queued as Q1\r\n");
	test_assert(smtp_session_start(&f.g, f.ss, false, &why) == 0);
	test_assert(f.ss->features & SMTP_F_PIPELINING);
	smtp_transaction(&f.d, f.ss, true);
	got = client_bytes(&f);
	test_assert(buf_len(got) == buf_len(want) && memcmp(buf_str(got), buf_str(want), buf_len(want)) == 0);
	test_assert(f.d.pending == 0);
	test_assert(f.d.rq->rcpt[0].status == DELIVER_SENT && f.d.rq->rcpt[1].status == DELIVER_SENT);
	test_assert_str(f.d.rq->rcpt[1].text, "250 2.0.0 Ok: queued as Q1");
	test_assert_str(f.d.rq->rcpt[1].relay, "mx.test[192.0.2.1]:25");
	test_expect_log("TESTID: to=<r1@example.com>, relay=mx.test[192.0.2.1]:25, delay=");
	fixture_free(&f);
	buf_free(&got);
	buf_free(&want);
	buf_free(&why.text);
	test_end();
}

/* soft - a 4xx RCPT: pending when another server follows, else deferred */
static void soft(const char *path)
{
	static const char replies[] = "220 mx.test\r\n250 mx.test\r\n250 ok\r\n"
				      "450 4.2.1 busy\r\n250 ok\r\n354 go\r\n250 done\r\n";
	struct fixture f;
	struct smtp_why why = { .text = buf_new(0) };

	test_begin("smtp transaction: 4xx to RCPT, not the last server: kept for the next");
	fixture_init(&f, path, 2, replies);
	test_assert(smtp_session_start(&f.g, f.ss, false, &why) == 0);
	smtp_transaction(&f.d, f.ss, false);
	test_assert(f.d.pending == 1 && f.d.state[0] == SMTP_RCPT_PENDING);
	test_assert(f.d.rq->rcpt[1].status == DELIVER_SENT);
	test_assert_str(buf_str(f.d.last.text),
			"host mx.test[192.0.2.1] said: 450 4.2.1 busy (in reply to RCPT TO command)");
	fixture_free(&f);
	test_end();

	test_begin("smtp transaction: 4xx to RCPT at the last server: deferred 4.2.1");
	fixture_init(&f, path, 2, replies);
	test_assert(smtp_session_start(&f.g, f.ss, false, &why) == 0);
	smtp_transaction(&f.d, f.ss, true);
	test_assert(f.d.pending == 0 && f.d.rq->rcpt[0].status == DELIVER_DEFERRED);
	test_assert_str(f.d.rq->rcpt[0].dsn, "4.2.1");
	fixture_free(&f);
	buf_free(&why.text);
	test_end();
}

/* lost - the server goes away after the RCPT replies */
static void lost(const char *path)
{
	struct fixture f;
	struct smtp_why why = { .text = buf_new(0) };

	test_begin("smtp transaction: the server hangs up at DATA: deferred 4.4.2");
	fixture_init(&f, path, 1, "220 mx.test\r\n250 mx.test\r\n250 ok\r\n250 ok\r\n");
	test_assert(smtp_session_start(&f.g, f.ss, false, &why) == 0);
	smtp_transaction(&f.d, f.ss, true);
	test_assert(f.d.rq->rcpt[0].status == DELIVER_DEFERRED && f.ss->broken);
	test_assert_str(f.d.rq->rcpt[0].text, "lost connection with mx.test[192.0.2.1] while sending DATA command");
	fixture_free(&f);
	test_end();

	test_begin("smtp session: a reply line without a code is a protocol error");
	fixture_init(&f, path, 1, "220 mx.test\r\nhello\r\n");
	test_assert(smtp_session_start(&f.g, f.ss, false, &why) == -1);
	test_assert(strstr(buf_str(why.text), "protocol error with mx.test[192.0.2.1]") != NULL);
	fixture_free(&f);
	buf_free(&why.text);
	test_end();
}

/* test_smtp_trans - the cases above on one queue file */
void test_smtp_trans(void)
{
	struct buf *why = buf_new(0);
	char *path = make_qfile();

	test_config = config_read_text("test/main.cf", main_cf, sizeof(main_cf) - 1, 0, why);
	if (test_config == NULL || (test_cf = config_params(test_config, why)) == NULL)
		log_panic("config: %s", buf_str(why));
	good(path);
	soft(path);
	lost(path);
	free(path);
	params_free(&test_cf);
	config_free(&test_config);
	buf_free(&why);
}
