/* stream_deflate_test - a stream over a socketpair with the deflate
 * layer, the peer speaking raw zlib: lines both ways, input buffered
 * before the start taken over, a large reply through a full socket
 * (EAGAIN, the same bytes again), a small input that inflates to 8 MB
 * read in bounded pieces, garbage and a clean end of the peer's stream. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "mem.h"
#include "stream_deflate.h"
#include "test.h"

/* zpack - raw deflate of p (sync flush, or finish) into out */
static void zpack(const void *p, size_t n, bool finish, struct buf *out)
{
	z_stream z = { 0 };
	unsigned char tmp[4096];

	deflateInit2(&z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
	z.next_in = (Bytef *)(uintptr_t)p;
	z.avail_in = (uInt)n;
	do {
		z.next_out = tmp;
		z.avail_out = sizeof(tmp);
		deflate(&z, finish ? Z_FINISH : Z_SYNC_FLUSH);
		buf_add(out, tmp, sizeof(tmp) - z.avail_out);
	} while (z.avail_out == 0);
	deflateEnd(&z);
}

/* zunpack - read fd until EOF or want bytes inflated; into out */
static bool zunpack(int fd, size_t want, struct buf *out)
{
	z_stream z = { 0 };
	unsigned char in[4096], tmp[4096];
	ssize_t r;
	bool ok = true;

	inflateInit2(&z, -15);
	while (buf_len(out) < want && (r = read(fd, in, sizeof(in))) > 0) {
		z.next_in = in;
		z.avail_in = (uInt)r;
		do {
			int rc;

			z.next_out = tmp;
			z.avail_out = sizeof(tmp);
			rc = inflate(&z, Z_SYNC_FLUSH);
			if (rc != Z_OK && rc != Z_BUF_ERROR)
				ok = false;
			buf_add(out, tmp, sizeof(tmp) - z.avail_out);
		} while (ok && (z.avail_in > 0 || z.avail_out == 0));
	}
	inflateEnd(&z);
	return ok;
}

/* send_all - the whole buffer to fd */
static void send_all(int fd, const struct buf *b)
{
	(void)!write(fd, buf_str(b), buf_len(b));
}

/* test_lines - lines both ways, buffered input taken over */
static void test_lines(void)
{
	int sv[2];
	struct stream *s;
	struct stream_deflate *z;
	struct buf *line = buf_new(0), *wire = buf_new(0), *got = buf_new(0), *why = buf_new(0);

	test_begin("stream_deflate: input buffered before the start is inflated, lines both ways");
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	s = stream_new(sv[0], 5000);
	buf_cat(wire, "a COMPRESS DEFLATE\r\n");
	zpack("b NOOP\r\nc LOGOUT\r\n", 18, false, wire);
	send_all(sv[1], wire);
	test_assert(stream_getline(s, line, 1000) == 1);
	test_assert_str(buf_str(line), "a COMPRESS DEFLATE\r\n");
	stream_puts(s, "a OK Begin compression.\r\n");
	test_assert(stream_flush(s) == 0);
	test_assert((z = stream_deflate_start(s, why)) != NULL);
	test_assert(stream_getline(s, line, 1000) == 1);
	test_assert_str(buf_str(line), "b NOOP\r\n");
	test_assert(stream_getline(s, line, 1000) == 1);
	test_assert_str(buf_str(line), "c LOGOUT\r\n");
	stream_puts(s, "* BYE Logging out\r\n");
	test_assert(stream_flush(s) == 0);
	stream_puts(s, "c OK Logout completed.\r\n");
	test_assert(stream_flush(s) == 0);
	buf_reset(line);
	test_assert(read(sv[1], (char[64]){ 0 }, 25) == 25);	/* the plain OK */
	test_assert(zunpack(sv[1], 43, got));
	test_assert(buf_len(got) == 43);
	test_assert(memcmp(buf_str(got), "* BYE Logging out\r\nc OK Logout completed.\r\n", 43) == 0);
	buf_reset(wire);
	zpack("d NOOP\r\n", 8, true, wire);		/* then the end of the stream */
	send_all(sv[1], wire);
	test_assert(stream_getline(s, line, 1000) == 1);
	test_assert_str(buf_str(line), "d NOOP\r\n");
	test_assert(stream_getline(s, line, 1000) == 0);
	test_assert(s->state == STREAM_EOF);
	stream_free(&s);
	stream_deflate_free(&z);
	close(sv[0]);
	close(sv[1]);
	buf_free(&line); buf_free(&wire); buf_free(&got); buf_free(&why);
	test_end();
}

/* test_large - 4 MB out through a socket a child drains slowly */
static void test_large(void)
{
	enum { N = 4 * 1024 * 1024 };
	int sv[2], status = -1;
	struct stream *s;
	struct stream_deflate *z;
	struct buf *why = buf_new(0), *data = buf_new(N);
	unsigned int x = 12345;
	pid_t pid;

	test_begin("stream_deflate: a large reply through a full socket arrives whole");
	for (size_t i = 0; i < N; i++) {
		x = x * 1103515245 + 12345;
		buf_putc(data, (int)(x >> 16) & 0xff);	/* hardly compressible */
	}
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	if ((pid = fork()) == 0) {
		struct buf *got = buf_new(N);

		close(sv[0]);
		usleep(100 * 1000);		/* the writer meets a full socket */
		_exit(zunpack(sv[1], N, got) && buf_len(got) == N &&
		      memcmp(buf_str(got), buf_str(data), N) == 0 ? 0 : 1);
	}
	close(sv[1]);
	s = stream_new(sv[0], 10000);
	test_assert((z = stream_deflate_start(s, why)) != NULL);
	stream_write(s, buf_str(data), N);
	test_assert(stream_flush(s) == 0);
	waitpid(pid, &status, 0);
	test_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	stream_free(&s);
	stream_deflate_free(&z);
	close(sv[0]);
	buf_free(&why); buf_free(&data);
	test_end();
}

/* test_bomb - 8 MB of zeros from a few KB, in bounded reads */
static void test_bomb(void)
{
	enum { N = 8 * 1024 * 1024 };
	int sv[2];
	struct stream *s;
	struct stream_deflate *z;
	struct buf *why = buf_new(0), *wire = buf_new(0);
	char *zeros = xcalloc(1, N), piece[STREAM_BUFSIZE * 2];
	size_t total = 0;
	bool bounded = true, zero = true;
	ssize_t r;

	test_begin("stream_deflate: a small input inflating to 8 MB comes in pieces of the buffer");
	zpack(zeros, N, true, wire);
	test_assert(buf_len(wire) < 64 * 1024);
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	s = stream_new(sv[0], 5000);
	test_assert((z = stream_deflate_start(s, why)) != NULL);
	send_all(sv[1], wire);
	close(sv[1]);
	while ((r = stream_read(s, piece, sizeof(piece))) > 0) {
		bounded &= r <= STREAM_BUFSIZE;
		for (ssize_t i = 0; i < r; i++)
			zero &= piece[i] == 0;
		total += (size_t)r;
	}
	test_assert(r == 0 && total == N && bounded && zero);
	stream_free(&s);
	stream_deflate_free(&z);
	close(sv[0]);
	free(zeros);
	buf_free(&why); buf_free(&wire);
	test_end();
}

/* test_garbage - not a deflate stream: an I/O error, not a crash */
static void test_garbage(void)
{
	int sv[2];
	struct stream *s;
	struct stream_deflate *z;
	struct buf *why = buf_new(0), *line = buf_new(0);

	test_begin("stream_deflate: garbage ends the stream as an error");
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	s = stream_new(sv[0], 5000);
	test_assert((z = stream_deflate_start(s, why)) != NULL);
	(void)!write(sv[1], "\xff\xff\xff\xff b NOOP\r\n", 12);
	test_assert(stream_getline(s, line, 1000) == -1);
	test_assert(s->state == STREAM_ERROR);
	test_assert(stream_getline(s, line, 1000) == -1);
	stream_free(&s);
	stream_deflate_free(&z);
	close(sv[0]);
	close(sv[1]);
	buf_free(&why); buf_free(&line);
	test_end();
}

/* test_stream_deflate - the cases above */
void test_stream_deflate(void)
{
	signal(SIGPIPE, SIG_IGN);
	test_lines();
	test_large();
	test_bomb();
	test_garbage();
}
