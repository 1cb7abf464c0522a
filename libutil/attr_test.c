/* attr_test - the attribute codec: bad messages first (every limit, bad and
 * duplicate names, truncation), then accessors, then real sockets (two
 * messages in one read, byte-by-byte delivery from a child, EOF inside a
 * message, read and write timeouts, the handshake) and a random round trip.
 * Sockets are socketpairs and pipes private to each case; the byte-by-byte
 * case forks a writer child, which only writes and exits. */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "attr.h"
#include "buf.h"
#include "mem.h"
#include "test.h"

/* M - a string literal and its length, NUL bytes included */
#define M(s) s, sizeof(s) - 1

struct parse_case {
	const char *label;
	const char *data;
	size_t len;
	size_t max_value, max_message;
	int want;		/* attr_parse_mem() result */
	const char *why;	/* substring of the reason, or the pair count */
	size_t count;
};

static const struct parse_case parse_cases[] = {
	{ "empty input", M(""), 0, 0, -1, "empty input", 0 },
	{ "no terminator", M("a\0b\0"), 0, 0, -1, "not terminated", 0 },
	{ "inside a value", M("a\0b"), 0, 0, -1, "not terminated", 0 },
	{ "inside a name", M("a\0b\0c"), 0, 0, -1, "not terminated", 0 },
	{ "name without value", M("a\0"), 0, 0, -1, "not terminated", 0 },
	{ "upper-case name", M("A\0x\0\0"), 0, 0, -1, "bad byte 0x41", 0 },
	{ "dash in name", M("a-b\0x\0\0"), 0, 0, -1, "bad byte 0x2d", 0 },
	{ "space in name", M("a b\0x\0\0"), 0, 0, -1, "bad byte 0x20", 0 },
	{ "8-bit name", M("\xff\0x\0\0"), 0, 0, -1, "bad byte 0xff", 0 },
	{ "duplicate name", M("a\0\1\0b\0\0a\0\2\0\0"), 0, 0, -1, "duplicate attribute a", 0 },
	{ "trailing bytes", M("a\0b\0\0x"), 0, 0, -1, "1 bytes after", 0 },
	{ "second message", M("\0\0"), 0, 0, -1, "1 bytes after", 0 },
	{ "value over limit", M("k\0" "123456789\0\0"), 8, 0, -1, "attribute k: value longer than 8", 0 },
	{ "message over limit", M("a\0b\0c\0d\0e\0f\0g\0h\0\0"), 0, 12, -1, "message longer than 12", 0 },
	{ "empty message", M("\0"), 0, 0, 0, NULL, 0 },
	{ "empty value", M("a\0\0\0"), 0, 0, 0, NULL, 1 },
	{ "8-bit value", M("a\0\xff\x01\r\n\0b_2\0x y\0\0"), 0, 0, 0, NULL, 2 },
	{ "value at limit", M("k\0" "12345678\0\0"), 8, 0, 0, NULL, 1 },
	{ "message at limit", M("a\0b\0c\0d\0e\0f\0\0"), 0, 13, 0, NULL, 3 },
};

/* test_parse_table - attr_parse_mem() on the table above */
static void test_parse_table(void)
{
	struct buf *why = buf_new(0);

	test_begin("attr: parse_mem table, bad input first");
	for (size_t i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		const struct parse_case *c = &parse_cases[i];
		struct attr_in *in = attr_in_new(c->max_value, c->max_message);
		int rc;

		buf_reset(why);
		rc = attr_parse_mem(in, c->data, c->len, why);
		if (rc != c->want || (c->why && !strstr(buf_str(why), c->why))
		    || (rc == 0 && attr_count(in) != c->count)) {
			printf("#   case \"%s\": rc %d why \"%s\"\n", c->label, rc, buf_str(why));
			test_fail_at(__FILE__, __LINE__, c->label);
		}
		attr_in_free(&in);
	}
	buf_free(&why);
	test_end();
}

/* many_pairs - n distinct pairs "nI\0v\0" and the terminator */
static struct buf *many_pairs(size_t n)
{
	struct buf *b = buf_new(0);

	for (size_t i = 0; i < n; i++) {
		buf_printf(b, "n%zu", i);
		buf_add(b, "\0v", 3);
	}
	buf_putc(b, '\0');
	return b;
}

/* test_parse_limits - name length, pair count and the default value limit */
static void test_parse_limits(void)
{
	struct attr_in *in = attr_in_new(0, 0);
	struct buf *why = buf_new(0), *b = buf_new(0);
	char name[80];

	test_begin("attr: name length, pair count and value limits");
	memset(name, 'a', sizeof(name));
	buf_add(b, name, 65);
	buf_add(b, "\0x\0", 4);
	test_assert(attr_parse_mem(in, buf_str(b), buf_len(b), why) < 0);
	test_assert(strstr(buf_str(why), "name longer than 64") != NULL);
	buf_reset(b);
	buf_add(b, name, 64);
	buf_add(b, "\0x\0", 4);
	test_assert(attr_parse_mem(in, buf_str(b), buf_len(b), why) == 0);
	test_assert(attr_count(in) == 1 && strlen(attr_name(in, 0)) == 64);
	buf_free(&b);

	b = many_pairs(ATTR_MAX_COUNT + 1);
	buf_reset(why);
	test_assert(attr_parse_mem(in, buf_str(b), buf_len(b), why) < 0);
	test_assert(strstr(buf_str(why), "more than 1024 attributes") != NULL);
	buf_free(&b);
	b = many_pairs(ATTR_MAX_COUNT);
	test_assert(attr_parse_mem(in, buf_str(b), buf_len(b), why) == 0);
	test_assert(attr_count(in) == ATTR_MAX_COUNT);
	test_assert_str(attr_get(in, "n1023"), "v");
	buf_free(&b);

	b = buf_new(ATTR_MAX_VALUE + 16);
	buf_add(b, "big\0", 4);
	for (size_t i = 0; i <= ATTR_MAX_VALUE; i++)
		buf_putc(b, 'x');
	buf_add(b, "\0", 2);
	buf_reset(why);
	test_assert(attr_parse_mem(in, buf_str(b), buf_len(b), why) < 0);
	test_assert(strstr(buf_str(why), "attribute big: value longer than 1048576") != NULL);
	buf_truncate(b, buf_len(b) - 3);
	buf_add(b, "\0", 2);
	test_assert(attr_parse_mem(in, buf_str(b), buf_len(b), why) == 0);
	test_assert(strlen(attr_get(in, "big")) == ATTR_MAX_VALUE);
	buf_free(&b);
	buf_free(&why);
	attr_in_free(&in);
	test_end();
}

struct int_case {
	const char *value;
	long long min, max;
	int want;
	long long v;
};

static const struct int_case int_cases[] = {
	{ "", LLONG_MIN, LLONG_MAX, -1, 0 },
	{ "+1", LLONG_MIN, LLONG_MAX, -1, 0 },
	{ "01", LLONG_MIN, LLONG_MAX, -1, 0 },
	{ "-0", LLONG_MIN, LLONG_MAX, -1, 0 },
	{ "-", LLONG_MIN, LLONG_MAX, -1, 0 },
	{ " 1", LLONG_MIN, LLONG_MAX, -1, 0 },
	{ "1 ", LLONG_MIN, LLONG_MAX, -1, 0 },
	{ "1x", LLONG_MIN, LLONG_MAX, -1, 0 },
	{ "0x10", LLONG_MIN, LLONG_MAX, -1, 0 },
	{ "9223372036854775808", LLONG_MIN, LLONG_MAX, -1, 0 },
	{ "-9223372036854775809", LLONG_MIN, LLONG_MAX, -1, 0 },
	{ "11", 0, 10, -1, 0 },
	{ "-1", 0, 10, -1, 0 },
	{ "0", LLONG_MIN, LLONG_MAX, 0, 0 },
	{ "10", 0, 10, 0, 10 },
	{ "-42", -100, 0, 0, -42 },
	{ "9223372036854775807", LLONG_MIN, LLONG_MAX, 0, LLONG_MAX },
	{ "-9223372036854775808", LLONG_MIN, LLONG_MAX, 0, LLONG_MIN },
};

/* test_accessors - attr_get, attr_get_int, attr_require */
static void test_accessors(void)
{
	struct attr_in *in = attr_in_new(0, 0);
	struct attr_out *o = attr_out_new();
	struct buf *why = buf_new(0);
	long long v;

	test_begin("attr: get, strict get_int, require");
	for (size_t i = 0; i < sizeof(int_cases) / sizeof(int_cases[0]); i++) {
		const struct int_case *c = &int_cases[i];

		attr_put_str(o, "n", c->value);
		attr_end(o);
		test_assert(attr_parse_mem(in, buf_str(attr_out_buf(o)),
					   buf_len(attr_out_buf(o)), why) == 0);
		buf_reset(why);
		v = 12345;
		if (attr_get_int(in, "n", c->min, c->max, &v, why) != c->want
		    || (c->want == 0 && v != c->v) || (c->want < 0 && v != 12345)) {
			printf("#   get_int(\"%s\"): why \"%s\"\n", c->value, buf_str(why));
			test_fail_at(__FILE__, __LINE__, c->value);
		}
		attr_out_free(&o);
		o = attr_out_new();
	}
	test_assert(attr_parse_mem(in, M("b\0two\0a\0one\0c\0\0\0"), why) == 0);
	test_assert_str(attr_get(in, "a"), "one");
	test_assert_str(attr_get(in, "c"), "");
	test_assert(attr_get(in, "d") == NULL);
	test_assert_str(attr_name(in, 0), "b");
	test_assert_str(attr_value(in, 1), "one");
	buf_reset(why);
	test_assert(attr_get_int(in, "d", 0, 1, &v, why) < 0);
	test_assert_str(buf_str(why), "missing attribute d");
	test_assert(attr_get_int(in, "a", 0, 1, &v, why) < 0);
	test_assert(strstr(buf_str(why), "attribute a: not a decimal number") != NULL);
	test_assert(attr_require(in, why, "a", "b", "c", (char *)NULL) == 0);
	buf_reset(why);
	test_assert(attr_require(in, why, "a", "x", "c", (char *)NULL) < 0);
	test_assert_str(buf_str(why), "missing attribute x");
	test_assert(attr_parse_mem(in, M("\0"), why) == 0);
	test_assert(attr_get(in, "a") == NULL && attr_count(in) == 0);
	attr_out_free(&o);
	attr_in_free(&in);
	buf_free(&why);
	test_end();
}

/* test_writer - refused values poison the message, encoding is exact */
static void test_writer(void)
{
	struct attr_out *o = attr_out_new();
	struct buf *why = buf_new(0);
	char *big = xmalloc(ATTR_MAX_VALUE + 2);
	int sv[2];

	test_begin("attr: writer refuses NUL and over-long values");
	test_assert(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	test_assert(attr_put_str(o, "a", "1") == 0);
	test_assert(attr_put_mem(o, "bin", "x\0y", 3) < 0);
	test_assert(attr_put_str(o, "c", "3") < 0);	/* already refused */
	attr_end(o);
	test_assert(attr_write(sv[0], o, 1000, why) < 0);
	test_assert_str(buf_str(why), "attribute bin: value contains a NUL byte");
	test_assert(buf_len(attr_out_buf(o)) == 0);
	memset(big, 'x', ATTR_MAX_VALUE + 1);
	test_assert(attr_put_str(o, "big", big) < 0);
	attr_end(o);
	buf_reset(why);
	test_assert(attr_write(sv[0], o, 1000, why) < 0);
	test_assert(strstr(buf_str(why), "attribute big: value longer") != NULL);
	for (int i = 0; i < ATTR_MAX_COUNT; i++)
		test_assert(attr_put_int(o, "n", i) == 0);
	test_assert(attr_put_int(o, "n", 0) < 0);
	attr_end(o);
	test_assert(attr_write(sv[0], o, 1000, why) < 0);

	attr_put_int(o, "n", LLONG_MIN);
	attr_put_str(o, "s", "");
	attr_end(o);
	attr_end(o);
	test_assert(buf_len(attr_out_buf(o)) == 28);
	test_assert(memcmp(buf_str(attr_out_buf(o)), "n\0-9223372036854775808\0s\0\0\0\0", 28) == 0);
	test_assert(attr_write(sv[0], o, 1000, why) == 0);
	free(big);
	close(sv[0]);
	close(sv[1]);
	attr_out_free(&o);
	buf_free(&why);
	test_end();
}

/* send_raw - write bytes to a socket */
static bool send_raw(int fd, const void *p, size_t n)
{
	return write(fd, p, n) == (ssize_t)n;
}

/* test_two_in_one - pipelined messages, then EOF mid-message and clean EOF */
static void test_two_in_one(void)
{
	struct attr_in *in = attr_in_new(0, 0);
	struct buf *why = buf_new(0);
	int sv[2];

	test_begin("attr: two messages in one read, clean EOF");
	test_assert(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	test_assert(send_raw(sv[0], M("a\0one\0\0a\0two\0b\0\0\0")));
	close(sv[0]);
	test_assert(attr_read(in, sv[1], 1000, why) == 1);
	test_assert_str(attr_get(in, "a"), "one");
	test_assert(attr_read(in, sv[1], 1000, why) == 1);
	test_assert_str(attr_get(in, "a"), "two");
	test_assert_str(attr_get(in, "b"), "");
	test_assert(attr_read(in, sv[1], 1000, why) == 0);
	test_assert(buf_len(why) == 0);
	close(sv[1]);
	test_end();

	test_begin("attr: EOF inside a message, then the stream is refused");
	test_assert(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	test_assert(send_raw(sv[0], M("a\0b\0\0c\0d")));
	shutdown(sv[0], SHUT_WR);
	test_assert(attr_read(in, sv[1], 1000, why) == 1);
	test_assert(attr_read(in, sv[1], 1000, why) == -1);
	test_assert(strstr(buf_str(why), "connection closed inside an attribute message") != NULL);
	buf_reset(why);
	test_assert(attr_read(in, sv[1], 1000, why) == -1);
	test_assert(strstr(buf_str(why), "out of step") != NULL);
	close(sv[0]);
	close(sv[1]);
	attr_in_free(&in);
	buf_free(&why);
	test_end();
}

/* trickle - child: write data one byte at a time, pausing between bytes */
static void trickle(int fd, const char *data, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		struct timespec pause = { 0, 200000 };

		if (write(fd, data + i, 1) != 1)
			_exit(1);
		nanosleep(&pause, NULL);
	}
	_exit(0);
}

/* test_byte_by_byte - messages delivered one byte per read() */
static void test_byte_by_byte(void)
{
	static const char data[] = "protocol\0test\0version\0003\0\0x\0y\0\0\0";
	struct attr_in *in = attr_in_new(0, 0);
	struct buf *why = buf_new(0);
	int sv[2], status = -1;
	pid_t pid;

	test_begin("attr: byte-by-byte delivery through a socketpair");
	test_assert(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	fflush(stdout);
	if ((pid = fork()) == 0) {
		close(sv[1]);
		trickle(sv[0], data, sizeof(data) - 1);
	}
	close(sv[0]);
	test_assert(attr_hello_read(in, sv[1], "test", 2, 5000, why) == 3);
	test_assert(attr_read(in, sv[1], 5000, why) == 1);
	test_assert_str(attr_get(in, "x"), "y");
	test_assert(attr_read(in, sv[1], 5000, why) == 1 && attr_count(in) == 0);
	test_assert(attr_read(in, sv[1], 5000, why) == 0);
	test_assert(waitpid(pid, &status, 0) == pid && status == 0);
	if (buf_len(why))
		printf("#   why: %s\n", buf_str(why));
	close(sv[1]);
	attr_in_free(&in);
	buf_free(&why);
	test_end();
}

/* elapsed_ms - milliseconds since *t0 */
static long elapsed_ms(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* test_timeouts - nothing to read; a peer that never reads; early refusal */
static void test_timeouts(void)
{
	struct attr_in *in = attr_in_new(10, 0);
	struct attr_out *o = attr_out_new();
	struct buf *why = buf_new(0);
	struct timespec t0;
	char *chunk = xmalloc(ATTR_MAX_VALUE);
	int sv[2];

	test_begin("attr: read and write timeouts, limits before the message ends");
	test_assert(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	test_assert(attr_read(in, sv[1], 50, why) == -1);
	test_assert_str(buf_str(why), "timeout reading attributes");
	test_assert(elapsed_ms(&t0) >= 45);
	attr_in_free(&in);

	memset(chunk, 'x', ATTR_MAX_VALUE - 1);
	for (int i = 0; i < 8; i++) {
		char name[16];

		snprintf(name, sizeof(name), "v%d", i);
		attr_put_str(o, name, chunk);
	}
	attr_end(o);
	buf_reset(why);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	test_assert(attr_write(sv[0], o, 100, why) == -1);
	test_assert_str(buf_str(why), "timeout writing attributes");
	test_assert(elapsed_ms(&t0) >= 95 && elapsed_ms(&t0) < 5000);

	/* The reader refuses at the 11th value byte, before the message ends. */
	in = attr_in_new(10, 0);
	buf_reset(why);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	test_assert(attr_read(in, sv[1], 5000, why) == -1);
	test_assert_str(buf_str(why), "attribute v0: value longer than 10 bytes");
	test_assert(elapsed_ms(&t0) < 1000);
	close(sv[0]);
	close(sv[1]);
	free(chunk);
	attr_out_free(&o);
	attr_in_free(&in);
	buf_free(&why);
	test_end();
}

/* test_hello - the handshake, over a socketpair and over a pipe */
static void test_hello(void)
{
	struct attr_in *in = attr_in_new(0, 0);
	struct buf *why = buf_new(0);
	int sv[2], p[2];

	test_begin("attr: hello handshake: protocol, version, EOF");
	test_assert(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	test_assert(attr_hello_write(sv[0], "cleanup", 2, 1000, why) == 0);
	test_assert(attr_hello_write(sv[0], "cleanup", 1, 1000, why) == 0);
	test_assert(attr_hello_write(sv[0], "qmgr", 5, 1000, why) == 0);
	test_assert(attr_hello_read(in, sv[1], "cleanup", 2, 1000, why) == 2);
	test_assert(attr_hello_read(in, sv[1], "cleanup", 2, 1000, why) == -1);
	test_assert_str(buf_str(why), "protocol cleanup version 1 is older than 2");
	buf_reset(why);
	test_assert(attr_hello_read(in, sv[1], "cleanup", 1, 1000, why) == -1);
	test_assert_str(buf_str(why), "peer does not speak protocol cleanup");
	close(sv[0]);
	buf_reset(why);
	test_assert(attr_hello_read(in, sv[1], "cleanup", 1, 1000, why) == -1);
	test_assert_str(buf_str(why), "connection closed before the cleanup handshake");
	close(sv[1]);

	test_assert(pipe(p) == 0);
	test_assert(attr_hello_write(p[1], "pipe", 7, 1000, why) == 0);
	close(p[1]);
	test_assert(attr_hello_read(in, p[0], "pipe", 1, 1000, why) == 7);
	test_assert(attr_read(in, p[0], 1000, why) == 0);
	close(p[0]);
	attr_in_free(&in);
	buf_free(&why);
	test_end();
}

/* rnd - xorshift64, deterministic */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* random_message - n pairs with unique random names and random values */
static void random_message(struct attr_out *o, uint64_t *seed,
			   char names[][ATTR_MAX_NAME + 1], char values[][301], size_t n)
{
	static const char namechars[] = "abcdefghijklmnopqrstuvwxyz0123456789_";

	for (size_t i = 0; i < n; i++) {
		int prefix = snprintf(names[i], ATTR_MAX_NAME + 1, "%zu_", i);
		size_t nlen = prefix + rnd(seed) % (ATTR_MAX_NAME + 1 - prefix);
		size_t vlen = rnd(seed) % 301;

		for (size_t j = prefix; j < nlen; j++)
			names[i][j] = namechars[rnd(seed) % (sizeof(namechars) - 1)];
		names[i][nlen] = '\0';
		for (size_t j = 0; j < vlen; j++)
			values[i][j] = (char)(1 + rnd(seed) % 255);
		values[i][vlen] = '\0';
		test_assert(attr_put_str(o, names[i], values[i]) == 0);
	}
	attr_end(o);
}

/* test_round_trip - random strings survive write + read exactly */
static void test_round_trip(void)
{
	static char names[20][ATTR_MAX_NAME + 1], values[20][301];
	struct attr_in *in = attr_in_new(0, 0);
	struct attr_out *o = attr_out_new();
	struct buf *why = buf_new(0);
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	int sv[2];

	test_begin("attr: round trip of random names and values");
	test_assert(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	for (int round = 0; round < 200; round++) {
		size_t n = rnd(&seed) % 21;

		random_message(o, &seed, names, values, n);
		test_assert(attr_write(sv[0], o, 1000, why) == 0);
		test_assert(attr_read(in, sv[1], 1000, why) == 1);
		test_assert(attr_count(in) == n);
		for (size_t i = 0; i < n && i < attr_count(in); i++) {
			test_assert_str(attr_name(in, i), names[i]);
			test_assert_str(attr_value(in, i), values[i]);
			test_assert_str(attr_get(in, names[i]), values[i]);
		}
	}
	if (buf_len(why))
		printf("#   why: %s\n", buf_str(why));
	close(sv[0]);
	close(sv[1]);
	attr_out_free(&o);
	attr_in_free(&in);
	buf_free(&why);
	test_end();
}

/* test_attr - every attr case */
void test_attr(void)
{
	test_parse_table();
	test_parse_limits();
	test_accessors();
	test_writer();
	test_two_in_one();
	test_byte_by_byte();
	test_timeouts();
	test_hello();
	test_round_trip();
}
