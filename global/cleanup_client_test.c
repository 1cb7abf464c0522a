/* cleanup_client_test - the client side of the cleanup protocol
 * (docs/cleanup-protocol.md, version 2) against a fake cleanup: a child
 * listening on public/cleanup below a queue directory in the run's
 * scratch directory, that plays one script and exits 0 when everything
 * it got was right.  Bad greetings first: an error instead of a queue
 * ID, a version 1 cleanup.  Then the whole exchange: the request ({}),
 * nothing more before cleanup's greeting (even past the client's flush
 * size), the queue ID, the records in stream order with their payloads
 * (checked by qrec_check as cleanup checks them), the answer; a maildrop
 * request that cleanup has queued already (queued=yes): 250 at once,
 * and the client sends nothing after its request; a cleanup that goes
 * away before its answer. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "attr.h"
#include "cleanup_client.h"
#include "log.h"
#include "qrec.h"
#include "test.h"

enum script { S_ERROR, S_OLD, S_MESSAGE, S_QUEUED, S_VANISH };
enum { IO_MS = 10000, LINES = 1000, LINE_LEN = 70 };

#define QUEUE_ID "1xTEST0000000000AB"
#define MAILDROP "1xDROP0000000000CD"
/* what S_MESSAGE's cleanup counts: LINES + 2 lines before the greeting,
 * a line in two pieces, LINES after */
#define SUMMARY "V1 F1 A1 S1 O1 N1 R1 M1 L2003 P1 X1 Z1"

/* the first payload the message's records of each type must have */
static const struct { char type; const char *payload; } firsts[] = {
	{ QREC_VERSION, QREC_VERSION_TEXT }, { QREC_FLAGS, "1" },
	{ QREC_ATTR, "client_address=192.0.2.1" }, { QREC_SENDER, "s@example.org" },
	{ QREC_ORCPT, "rfc822;R@example.com" }, { QREC_NOTIFY, "SUCCESS,DELAY" },
	{ QREC_RCPT, "r@example.com" }, { QREC_MESG, "" }, { QREC_LINE, "Subject: hi" },
	{ QREC_PART, "a line in " }, { QREC_XTRA, "" }, { QREC_END, "" },
};

/* queue_dir - a queue directory with public/ */
static const char *queue_dir(void)
{
	static char dir[96];
	char sub[128];

	snprintf(dir, sizeof(dir), "%s/cc-queue", test_datadir());
	mkdir(dir, 0755);
	snprintf(sub, sizeof(sub), "%s/public", dir);
	mkdir(sub, 0755);
	return dir;
}

/* listen_cleanup - a fresh listening socket at public/cleanup */
static int listen_cleanup(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/public/cleanup", queue_dir());
	unlink(sa.sun_path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 4) < 0)
		log_panic("listen %s: %m", sa.sun_path);
	return fd;
}

/* greet - cleanup's greeting: version, queue_id, error, queued */
static bool greet(int fd, int version, const char *id, const char *error, bool queued)
{
	struct attr_out *o = attr_out_new();
	struct buf *why = buf_new(0);
	bool ok;

	attr_put_str(o, "protocol", "cleanup");
	attr_put_int(o, "version", version);
	if (id)
		attr_put_str(o, "queue_id", id);
	if (error)
		attr_put_str(o, "error", error);
	if (queued)
		attr_put_str(o, "queued", "yes");
	attr_end(o);
	ok = attr_write(fd, o, IO_MS, why) == 0;
	attr_out_free(&o);
	buf_free(&why);
	return ok;
}

/* answer - cleanup's final answer */
static bool answer(int fd, int code, const char *dsn, const char *text)
{
	struct attr_out *o = attr_out_new();
	struct buf *why = buf_new(0);
	bool ok;

	attr_put_int(o, "code", code);
	attr_put_str(o, "dsn", dsn);
	attr_put_str(o, "text", text);
	attr_end(o);
	ok = attr_write(fd, o, IO_MS, why) == 0;
	attr_out_free(&o);
	buf_free(&why);
	return ok;
}

/* nothing_more - no byte waits on fd beyond what in holds: nothing */
static bool nothing_more(int fd, const struct attr_in *in)
{
	char c;

	return attr_in_buffered(in) == 0 && recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) < 0 && errno == EAGAIN;
}

/* bytes_until_eof - what the client sends until it closes */
static long bytes_until_eof(int fd)
{
	char data[4096];
	long total = 0;
	ssize_t n;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	while (poll(&pfd, 1, IO_MS) > 0 && (n = read(fd, data, sizeof(data))) > 0)
		total += n;
	return total;
}

/* first_ok - the first record of a type carries its expected payload */
static bool first_ok(int type, const struct buf *p)
{
	for (size_t i = 0; i < sizeof(firsts) / sizeof(firsts[0]); i++)
		if (firsts[i].type == type && strcmp(firsts[i].payload, buf_str(p)) != 0) {
			printf("#   cleanup: first '%c' record \"%s\", want \"%s\"\n", type, buf_str(p), firsts[i].payload);
			return false;
		}
	return true;
}

/* read_records - the client's records up to 'Z', checked as cleanup
 * checks them; how many of each type into summary */
static bool read_records(int fd, struct buf *summary)
{
	struct qrec_reader *r = qrec_reader_fd(fd, IO_MS);
	struct buf *p = buf_new(256), *why = buf_new(0);
	struct qrec_check chk;
	int type = 0, counts[128] = { 0 };
	bool ok = true;

	qrec_check_init(&chk, QREC_CHECK_STREAM);
	while (ok && type != QREC_END && qrec_get(r, &type, p, QREC_MAX_LEN, why) > 0) {
		ok = qrec_check_record(&chk, type, buf_str(p), buf_len(p), qrec_reader_offset(r), why) == 0;
		if (ok && counts[type & 127]++ == 0)
			ok = first_ok(type, p);
	}
	ok = ok && type == QREC_END && qrec_check_end(&chk, why) == 0;
	for (const char *t = "VFASONRMLPXZ"; *t; t++)
		buf_printf(summary, "%s%c%d", t[0] == 'V' ? "" : " ", *t, counts[(int)*t]);
	if (!ok)
		printf("#   cleanup: bad record stream: %s\n", buf_str(why));
	qrec_check_free(&chk);
	qrec_reader_free(&r);
	buf_free(&p);
	buf_free(&why);
	return ok;
}

/* play - the fake cleanup's side of one connection; true when all was
 * as the protocol says.  sync: readable once the client has put its
 * early records (S_MESSAGE) */
static bool play(int fd, enum script sc, int sync)
{
	struct attr_in *in = attr_in_new(0, 0);
	struct buf *why = buf_new(0), *summary = buf_new(64);
	const char *drop;
	bool ok = attr_read(in, fd, IO_MS, why) == 1;
	char c;

	drop = ok ? attr_get(in, "maildrop") : NULL;
	if (sc == S_ERROR || sc == S_OLD) {
		ok = ok && greet(fd, sc == S_OLD ? 1 : 2, sc == S_OLD ? QUEUE_ID : NULL,
				 sc == S_ERROR ? "queue file write error" : NULL, false);
	} else if (sc == S_QUEUED) {
		ok = ok && drop && strcmp(drop, MAILDROP) == 0 && greet(fd, 2, MAILDROP, NULL, true)
		     && answer(fd, 250, "2.0.0", "Ok: queued already") && bytes_until_eof(fd) == 0;
	} else {
		ok = ok && drop == NULL && (sc != S_MESSAGE || read(sync, &c, 1) == 1);
		ok = ok && nothing_more(fd, in) && greet(fd, 2, QUEUE_ID, NULL, false);
		ok = ok && read_records(fd, summary);
		ok = ok && (sc == S_VANISH || answer(fd, 250, "2.0.0", buf_str(summary)));
	}
	attr_in_free(&in);
	buf_free(&why);
	buf_free(&summary);
	return ok;
}

/* fake_cleanup - fork the fake cleanup for one connection; its pid */
static pid_t fake_cleanup(enum script sc, int sync)
{
	int lfd = listen_cleanup(), fd;
	pid_t pid;

	fflush(stdout);
	if ((pid = fork()) == 0) {
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		_exit(fd >= 0 && play(fd, sc, sync) ? 0 : 1);
	}
	close(lfd);
	return pid;
}

/* cleanup_ok - the fake cleanup exited 0 */
static bool cleanup_ok(pid_t pid)
{
	int status = -1;

	waitpid(pid, &status, 0);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* test_bad_greeting - an error instead of a queue ID; version 1 */
static void test_bad_greeting(void)
{
	struct buf *why = buf_new(0);
	struct cleanup_client *cc;
	pid_t pid;

	test_begin("cleanup_client: a greeting with error=, or of version 1, is refused with the reason");
	pid = fake_cleanup(S_ERROR, -1);
	test_assert((cc = cleanup_client_open(queue_dir(), 0, why)) == NULL);
	test_assert_str(buf_str(why), "cleanup: queue file write error");
	cleanup_client_abort(&cc);
	test_assert(cleanup_ok(pid));
	buf_reset(why);
	pid = fake_cleanup(S_OLD, -1);
	test_assert((cc = cleanup_client_open(queue_dir(), 0, why)) == NULL);
	test_assert(strstr(buf_str(why), "version 1 is older than 2") != NULL);
	cleanup_client_abort(&cc);
	test_assert(cleanup_ok(pid));
	test_end();
	buf_free(&why);
}

/* put_lines - n content lines of LINE_LEN bytes */
static void put_lines(struct cleanup_client *cc, int n)
{
	char line[LINE_LEN];

	memset(line, 'x', sizeof(line));
	for (int i = 0; i < n; i++)
		cleanup_client_line(cc, line, sizeof(line), false);
}

/* test_message - the whole exchange, records before the greeting held */
static void test_message(void)
{
	struct buf *why = buf_new(0);
	struct cleanup_result res = { 0 };
	struct cleanup_client *cc;
	int sync[2];
	pid_t pid;

	test_begin("cleanup_client: request, greeting, records in order (held until the greeting), answer");
	if (pipe(sync) < 0)
		log_panic("pipe: %m");
	pid = fake_cleanup(S_MESSAGE, sync[0]);
	cc = cleanup_client_connect(queue_dir(), CLEANUP_F_SMTP, why);
	test_assert(cc != NULL);
	if (cc) {
		cleanup_client_attr(cc, "client_address", "192.0.2.1");
		cleanup_client_sender(cc, "s@example.org");
		cleanup_client_rcpt(cc, "r@example.com", "rfc822;R@example.com", "SUCCESS,DELAY");
		cleanup_client_line(cc, "Subject: hi", 11, false);
		cleanup_client_line(cc, "", 0, false);
		put_lines(cc, LINES);	/* past the flush size: still held */
		test_assert(write(sync[1], "s", 1) == 1);
		test_assert(cleanup_client_ready(cc, why) == 0);
		test_assert_str(cleanup_client_id(cc), QUEUE_ID);
		test_assert(!cleanup_client_queued(cc));
		cleanup_client_line(cc, "a line in ", 10, true);
		cleanup_client_line(cc, "two pieces", 10, false);
		put_lines(cc, LINES);
		test_assert(cleanup_client_finish(cc, &res, why) == 0);
	}
	test_assert(res.code == 250);
	test_assert_str(res.dsn, "2.0.0");
	test_assert_str(res.text, SUMMARY);
	cleanup_client_abort(&cc);
	close(sync[1]);
	test_assert(cleanup_ok(pid));
	close(sync[0]);
	test_end();
	buf_free(&why);
}

/* test_queued - queued=yes: 250 at once, nothing sent after the request */
static void test_queued(void)
{
	struct buf *why = buf_new(0);
	struct cleanup_result res = { 0 };
	struct cleanup_client *cc;
	pid_t pid = fake_cleanup(S_QUEUED, -1);

	test_begin("cleanup_client: maildrop=NAME queued already (queued=yes): 250, nothing sent");
	cc = cleanup_client_open_maildrop(queue_dir(), CLEANUP_F_LOCAL, MAILDROP, why);
	test_assert(cc != NULL);
	if (cc) {
		test_assert(cleanup_client_queued(cc));
		test_assert_str(cleanup_client_id(cc), MAILDROP);
		cleanup_client_sender(cc, "s@example.org");
		cleanup_client_rcpt(cc, "r@example.com", NULL, NULL);
		put_lines(cc, LINES);
		test_assert(cleanup_client_finish(cc, &res, why) == 0);
	}
	test_assert(res.code == 250);
	test_assert_str(res.text, "Ok: queued already");
	cleanup_client_abort(&cc);
	test_assert(cleanup_ok(pid));	/* it saw EOF, and no byte before it */
	test_end();
	buf_free(&why);
}

/* test_vanish - cleanup reads the message and closes without an answer */
static void test_vanish(void)
{
	struct buf *why = buf_new(0);
	struct cleanup_result res = { 0 };
	struct cleanup_client *cc;
	pid_t pid = fake_cleanup(S_VANISH, -1);

	test_begin("cleanup_client: a cleanup that closes without its answer: finish fails");
	cc = cleanup_client_open(queue_dir(), CLEANUP_F_SMTP, why);
	test_assert(cc != NULL);
	if (cc) {
		cleanup_client_sender(cc, "s@example.org");
		cleanup_client_rcpt(cc, "r@example.com", "rfc822;R@example.com", "SUCCESS,DELAY");
		test_assert(cleanup_client_finish(cc, &res, why) == -1);
	}
	test_assert_str(buf_str(why), "cleanup closed the connection without an answer");
	cleanup_client_abort(&cc);
	test_assert(cleanup_ok(pid));
	test_end();
	buf_free(&why);
}

/* test_cleanup_client - every case of this file; SIGPIPE ignored, as in
 * the daemons that are cleanup's clients (server_main) */
void test_cleanup_client(void)
{
	void (*old)(int) = signal(SIGPIPE, SIG_IGN);

	test_bad_greeting();
	test_message();
	test_queued();
	test_vanish();
	signal(SIGPIPE, old);
}
