/* deliver_test - the qmgr <-> agent protocol over a socketpair: a request
 * sent before the agent's hello is read in order; a hello and a reply that
 * arrive together are both read from one attr_in (the reply is not lost in
 * the buffer); a request too large to send early is refused by
 * deliver_send_early and goes after the hello; an agent that closes
 * leaves every recipient deferred. */
#include <string.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "deliver.h"
#include "test.h"

/* request - a request with n recipients */
static struct deliver_request *request(size_t n)
{
	struct deliver_request *rq = deliver_request_new("1xZZ0000000000000A", "active/1xZZ0000000000000A",
							 "local", "s@example.org");
	char addr[512];

	for (size_t i = 0; i < n; i++) {
		snprintf(addr, sizeof(addr), "rcpt%zu-%0400d@example.com", i, 0);
		deliver_request_add(rq, addr, NULL, NULL, (off_t)(100 + i));
	}
	return rq;
}

/* agent - what an agent does: hello, read the request, every recipient
 * sent; true when the request had nrcpt recipients and the reply went out */
static bool agent(int fd, size_t nrcpt)
{
	struct buf *why = buf_new(0);
	struct deliver_request *rq = deliver_request_read(fd, why);
	bool ok = rq != NULL && rq->nrcpt == nrcpt;

	if (ok) {
		for (size_t i = 0; i < rq->nrcpt; i++)
			deliver_status(rq, i, DELIVER_SENT, "2.0.0", "here", "delivered %zu", i);
		ok = deliver_reply(fd, rq, why) == 0;
	}
	deliver_request_free(&rq);
	buf_free(&why);
	return ok;
}

/* test_early - request before hello; hello and reply read from one buffer */
static void test_early(void)
{
	struct deliver_request *rq = request(2);
	struct attr_in *in = attr_in_new(0, 0);
	struct buf *why = buf_new(0);
	int sv[2];

	test_begin("deliver: an early request, then hello and reply arriving together");
	test_assert(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	test_assert(deliver_send_early(sv[0], rq, why) == 1);
	test_assert(agent(sv[1], 2));	/* hello and reply are both waiting now */
	test_assert(deliver_read_hello(in, sv[0], 1000, why) == 0);
	test_assert(attr_in_buffered(in) > 0);
	test_assert(deliver_read_reply(in, sv[0], rq, why) == 0);
	test_assert(rq->rcpt[0].status == DELIVER_SENT && rq->rcpt[1].status == DELIVER_SENT);
	test_assert_str(rq->rcpt[1].text, "delivered 1");
	test_assert_str(rq->rcpt[0].relay, "here");
	close(sv[0]);
	close(sv[1]);
	test_end();
	deliver_request_free(&rq);
	attr_in_free(&in);
	buf_free(&why);
}

/* test_large - too large to send early: after the hello, as before */
static void test_large(void)
{
	struct deliver_request *rq = request(DELIVER_MAX_RCPT);
	struct attr_in *in = attr_in_new(0, 0);
	struct buf *why = buf_new(0);
	pid_t pid;
	int sv[2], status;

	test_begin("deliver: a request over DELIVER_EARLY_MAX waits for the hello");
	test_assert(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	test_assert(deliver_send_early(sv[0], rq, why) == 0);
	fflush(stdout);
	if ((pid = fork()) == 0) {
		close(sv[0]);
		_exit(agent(sv[1], DELIVER_MAX_RCPT) ? 0 : 1);
	}
	close(sv[1]);
	test_assert(deliver_read_hello(in, sv[0], 5000, why) == 0);
	test_assert(attr_in_buffered(in) == 0);
	test_assert(deliver_send_request(sv[0], rq, why) == 0);
	test_assert(deliver_read_reply(in, sv[0], rq, why) == 0);
	test_assert(rq->rcpt[DELIVER_MAX_RCPT - 1].status == DELIVER_SENT);
	test_assert(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(sv[0]);
	test_end();
	deliver_request_free(&rq);
	attr_in_free(&in);
	buf_free(&why);
}

/* test_gone - the agent reads the request and closes: all deferred */
static void test_gone(void)
{
	struct deliver_request *rq = request(1);
	struct attr_in *in = attr_in_new(0, 0);
	struct buf *why = buf_new(0);
	struct deliver_request *got;
	int sv[2];

	test_begin("deliver: an agent that closes without a reply leaves the recipient deferred");
	test_assert(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	test_assert(deliver_send_early(sv[0], rq, why) == 1);
	got = deliver_request_read(sv[1], why);
	test_assert(got != NULL);
	deliver_request_free(&got);
	close(sv[1]);
	test_assert(deliver_read_hello(in, sv[0], 1000, why) == 0);
	test_assert(deliver_read_reply(in, sv[0], rq, why) == -1);
	test_assert(rq->rcpt[0].status == DELIVER_DEFERRED && rq->rcpt[0].dsn[0] == '4');
	test_assert(strstr(rq->rcpt[0].text, "without a reply") != NULL);
	close(sv[0]);
	test_end();
	deliver_request_free(&rq);
	attr_in_free(&in);
	buf_free(&why);
}

/* test_deliver - every case of this file */
void test_deliver(void)
{
	test_early();
	test_large();
	test_gone();
}
