/* stream_test - stream's time limits: per wait, per line with
 * stream_set_per_record (a client trickling one byte at a time), for
 * content, extended by min_rate, and shortened mid-wait by stream_set_wake;
 * signals (EINTR) do not restart a wait's limit; stream_wait_input reports
 * the client or a second descriptor. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "stream.h"
#include "test.h"

/* trickle - a child that writes "HELO x\r\n" one byte every 60 ms */
static pid_t trickle(int fd)
{
	pid_t pid = fork();

	if (pid == 0) {
		const char *msg = "HELO x\r\n";

		for (const char *p = msg; *p; p++) {
			if (write(fd, p, 1) != 1)
				_exit(1);
			usleep(60 * 1000);
		}
		_exit(0);
	}
	return pid;
}

/* read_trickled - stream_getline over a trickling peer; the result */
static int read_trickled(bool per_record, long min_rate, bool content, struct buf *line)
{
	int sv[2], rc;
	pid_t pid;
	struct stream *s;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return -2;
	pid = trickle(sv[1]);
	close(sv[1]);
	s = stream_new(sv[0], 200);
	stream_set_per_record(s, per_record, min_rate);
	if (content)
		stream_content_begin(s);
	rc = stream_getline(s, line, 512);
	stream_content_end(s);
	stream_free(&s);
	close(sv[0]);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return rc;
}

/* shorten - the wake function: 100 ms from now on */
static void shorten(struct stream *s, void *ctx)
{
	(*(int *)ctx)++;
	stream_set_timeout(s, 100);
}

/* wait_woken - ms until a 10 s wait of an idle peer ends, when the wake
 * fd turns readable 100 ms into it; *calls_r: how often fn ran */
static long wait_woken(struct buf *line, int *calls_r)
{
	int sv[2], wake[2];
	struct timespec t0, t1;
	struct stream *s;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0 || pipe(wake) < 0)
		return -1;
	if ((pid = fork()) == 0) {
		usleep(100 * 1000);
		_exit(write(wake[1], "S", 1) == 1 ? 0 : 1);
	}
	s = stream_new(sv[0], 10000);
	stream_set_wake(s, wake[0], shorten, calls_r);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (stream_getline(s, line, 512) != -1 || s->state != STREAM_TIMEOUT)
		*calls_r = -100;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	waitpid(pid, NULL, 0);
	stream_free(&s);
	close(sv[0]);
	close(sv[1]);
	close(wake[0]);
	close(wake[1]);
	return (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
}

/* wait_stormed - ms until a 600 ms wait on an idle peer times out while
 * a signal arrives every 40 ms for 4 s; *hits_r: how many arrived */
static long wait_stormed(struct buf *line, int *hits_r)
{
	struct timespec t0, t1;
	struct stream *s;
	int sv[2];
	pid_t storm;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return -1;
	s = stream_new(sv[0], 600);
	storm = test_storm_begin(SIGUSR1, 40, 100);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (stream_getline(s, line, 512) != -1 || s->state != STREAM_TIMEOUT)
		*hits_r = -100;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	*hits_r += test_storm_end(storm);
	stream_free(&s);
	close(sv[0]);
	close(sv[1]);
	return (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
}

/* test_wait_input - stream_wait_input: the client, the other fd, neither */
static void test_wait_input(struct buf *line)
{
	int sv[2], other[2];
	struct stream *s;
	struct timespec t0, t1;

	test_begin("stream_wait_input: neither ready: 0 after the stream's limit, the stream goes on");
	test_assert(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0 && pipe(other) == 0);
	s = stream_new(sv[0], 300);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	test_assert(stream_wait_input(s, other[0]) == 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	test_assert((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 >= 290);
	test_assert(s->state == STREAM_OK);
	test_end();

	test_begin("stream_wait_input: the other fd readable: DEADLINE_FD2");
	test_assert(write(other[1], "x", 1) == 1);
	test_assert(stream_wait_input(s, other[0]) == DEADLINE_FD2);
	test_end();

	test_begin("stream_wait_input: client input comes first, buffered input at once");
	test_assert(write(sv[1], "DONE\r\nNOOP\r\n", 12) == 12);
	test_assert(stream_wait_input(s, other[0]) == DEADLINE_FD);
	test_assert(stream_getline(s, line, 512) == 1);
	test_assert_str(buf_str(line), "DONE\r\n");
	stream_release(s);	/* "NOOP" is unread: kept */
	test_assert(stream_wait_input(s, -1) == DEADLINE_FD);
	test_assert(stream_getline(s, line, 512) == 1);
	test_assert_str(buf_str(line), "NOOP\r\n");
	test_end();

	test_begin("stream_release: the emptied buffer reads on after its pages went back");
	memset(s->in, 'x', sizeof(s->in));
	stream_release(s);
	test_assert(s->in_pos == 0 && s->in_len == 0 && s->in[sizeof(s->in) / 2] == '\0');
	test_assert(write(sv[1], "a\r\nb\r\n", 6) == 6);
	test_assert(stream_getline(s, line, 512) == 1);
	test_assert_str(buf_str(line), "a\r\n");
	test_assert(stream_getline(s, line, 512) == 1);
	test_assert_str(buf_str(line), "b\r\n");
	test_end();

	test_begin("stream_wait_input: the client hung up: DEADLINE_FD, then EOF");
	close(sv[1]);
	test_assert(stream_wait_input(s, -1) == DEADLINE_FD);
	test_assert(stream_getline(s, line, 512) == 0);
	test_end();
	stream_free(&s);
	close(sv[0]);
	close(other[0]);
	close(other[1]);
}

/* test_stream - per-wait limit lets a trickle through; per-line cuts it */
void test_stream(void)
{
	struct buf *line = buf_new(0);

	test_begin("stream: 200 ms per wait, a byte every 60 ms: the line arrives");
	test_assert(read_trickled(false, 0, false, line) == 1);
	test_assert_str(buf_str(line), "HELO x\r\n");
	test_end();

	test_begin("stream: 200 ms per line, a byte every 60 ms: timeout");
	test_assert(read_trickled(true, 0, false, line) == -1);
	test_assert(buf_len(line) < 8);
	test_end();

	test_begin("stream: content, 200 ms + 100 ms per byte (min_rate 10): the line arrives");
	test_assert(read_trickled(true, 10, true, line) == 1);
	test_assert_str(buf_str(line), "HELO x\r\n");
	test_end();

	test_begin("stream: content, 200 ms + 1 ms per byte (min_rate 1000): timeout");
	test_assert(read_trickled(true, 1000, true, line) == -1);
	test_end();

	test_begin("stream: a 10 s wait shortened to 100 ms by the wake fd mid-wait: timeout");
	int calls = 0;
	long ms = wait_woken(line, &calls);
	test_assert(calls == 1);
	test_assert(ms >= 150 && ms < 2000);
	test_end();

	test_begin("stream: signals every 40 ms for 4 s do not restart a 600 ms wait");
	int hits = 0;
	ms = wait_stormed(line, &hits);
	test_assert(hits >= 1);
	test_assert(ms >= 590 && ms < 3000);
	test_end();
	test_wait_input(line);
	buf_free(&line);
}
