/* qrec_test - the record codec: varints, limits, truncation, the fd reader
 * (large records through a pipe, timeouts), line splitting, the sizes
 * record and the stream-mode checker.  Bad input first. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mem.h"
#include "qrec.h"
#include "test.h"

/* test_varints - decoding table, then encode/decode round trips */
static void test_varints(void)
{
	static const struct {
		const char *in;
		size_t len;
		int rc;
		uint32_t v;
	} cases[] = {
		{ "\x80\x80\x80\x80\x80\x01", 6, -1, 0 },	/* six bytes */
		{ "\x80\x80\x80\x80\x80", 5, -1, 0 },		/* a sixth would follow */
		{ "\x80\x80\x80\x80\x10", 5, -1, 0 },		/* 2^32: 5-byte overflow */
		{ "\xff\xff\xff\xff\x7f", 5, -1, 0 },
		{ "\x80\x00", 2, -1, 0 },			/* not minimal */
		{ "\xff\x80\x00", 3, -1, 0 },
		{ "", 0, 0, 0 },				/* needs more */
		{ "\x80", 1, 0, 0 },
		{ "\x80\x80\x80\x80", 4, 0, 0 },
		{ "\x00", 1, 1, 0 },
		{ "\x7f", 1, 1, 127 },
		{ "\x80\x01", 2, 2, 128 },
		{ "\x80\x80\x80\x80\x01", 5, 5, 1u << 28 },
		{ "\xff\xff\xff\xff\x0f", 5, 5, UINT32_MAX },
		{ "\x05" "extra", 6, 1, 5 },			/* stops at its end */
	};
	static const uint32_t values[] = { 0, 1, 127, 128, 16383, 16384, (1u << 21) - 1, 1u << 21,
					   (1u << 28) - 1, 1u << 28, QREC_MAX_LEN, UINT32_MAX };

	test_begin("qrec: varints: 0, 127, 128, 2^28, 2^32-1; overflow, 6 bytes, non-minimal");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t v = 12345;
		int rc = qrec_varint_get((const unsigned char *)cases[i].in, cases[i].len, &v);

		if (rc != cases[i].rc || (rc > 0 && v != cases[i].v)) {
			printf("#   case %zu: rc %d v %u\n", i, rc, v);
			test_assert(!"varint case");
		}
	}
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		unsigned char enc[QREC_VARINT_MAX];
		size_t n = qrec_varint_put(enc, values[i]);
		uint32_t v = 0;

		test_assert(qrec_varint_get(enc, n, &v) == (int)n && v == values[i]);
		test_assert(qrec_varint_get(enc, n - 1, &v) == 0);	/* every prefix is short */
	}
	test_end();
}

/* expect_get_error - reading in must end in an error with a reason */
static void expect_get_error(const char *in, size_t len, size_t max_len, const char *reason)
{
	struct qrec_reader *r = qrec_reader_mem(in, len);
	struct buf *p = buf_new(0), *why = buf_new(0);
	int type, rc;

	while ((rc = qrec_get(r, &type, p, max_len, why)) == 1)
		;
	test_assert(rc == -1);
	if (strstr(buf_str(why), reason) == NULL)
		test_assert_str(buf_str(why), reason);
	test_assert(qrec_get(r, &type, p, max_len, why) == -1);	/* stays failed */
	test_assert(!qrec_reader_is_io_error(r));
	qrec_reader_free(&r);
	buf_free(&p);
	buf_free(&why);
}

/* test_get_errors - bad records in memory */
static void test_get_errors(void)
{
	struct buf *b = buf_new(0);
	unsigned char enc[QREC_VARINT_MAX];
	size_t n;

	test_begin("qrec: bad records: over-long, bad varint, truncated header and payload");
	buf_putc(b, 'L');
	n = qrec_varint_put(enc, QREC_MAX_LEN + 1);
	buf_add(b, enc, n);
	expect_get_error(buf_str(b), buf_len(b), QREC_MAX_LEN, "exceeds the limit");
	expect_get_error(buf_str(b), buf_len(b), (size_t)-1, "exceeds the limit");
	expect_get_error("L\x05hello", 7, 4, "offset 0: record length 5 exceeds the limit 4");
	expect_get_error("L\x80\x80\x80\x80\x80\x01", 7, QREC_MAX_LEN, "offset 0: bad record length");
	expect_get_error("L\x80\x00", 3, QREC_MAX_LEN, "bad record length");
	expect_get_error("L", 1, QREC_MAX_LEN, "offset 0: truncated record header");
	expect_get_error("L\x80", 2, QREC_MAX_LEN, "truncated record header");
	expect_get_error("L\x05hell", 6, QREC_MAX_LEN, "offset 0: truncated record: 4 of 5 bytes");
	expect_get_error("M\x00L\x03", 4, QREC_MAX_LEN, "offset 2: truncated record");
	test_end();

	test_begin("qrec: empty input is a clean EOF; records, offsets, binary payloads");
	{
		struct qrec_reader *r = qrec_reader_mem("", 0);
		struct buf *p = buf_new(0), *why = buf_new(0);
		int type = 0;

		test_assert(qrec_get(r, &type, p, QREC_MAX_LEN, why) == 0);
		qrec_reader_free(&r);
		buf_reset(b);
		test_assert(qrec_put(b, QREC_LINE, "a\0b\r", 4) == 0);
		test_assert(qrec_put_str(b, QREC_SENDER, "") == 0);
		test_assert(qrec_putf(b, QREC_FLAGS, "%d", 42) == 0);
		test_assert(qrec_put(b, QREC_LINE, "x", QREC_MAX_LEN + 1) == -1);
		r = qrec_reader_mem(buf_str(b), buf_len(b));
		test_assert(qrec_get(r, &type, p, QREC_MAX_LEN, why) == 1 && type == 'L');
		test_assert(buf_len(p) == 4 && memcmp(buf_str(p), "a\0b\r", 4) == 0);
		test_assert(qrec_reader_offset(r) == 6);
		test_assert(qrec_get(r, &type, p, QREC_MAX_LEN, why) == 1 && type == 'S');
		test_assert(buf_len(p) == 0 && qrec_reader_offset(r) == 8);
		test_assert(qrec_get(r, &type, p, QREC_MAX_LEN, why) == 1 && type == 'F');
		test_assert_str(buf_str(p), "42");
		test_assert(qrec_get(r, &type, p, QREC_MAX_LEN, why) == 0);
		test_assert(qrec_reader_seek(r, 6, why) == 0);
		test_assert(qrec_get(r, &type, p, QREC_MAX_LEN, why) == 1 && type == 'S');
		test_assert(qrec_reader_seek(r, 1000, why) == -1);
		qrec_reader_free(&r);
		buf_free(&p);
		buf_free(&why);
	}
	test_end();
	buf_free(&b);
}

/* writer_child - write all of b to fd in small pieces, then exit */
static void writer_child(int fd, const struct buf *b)
{
	for (size_t off = 0; off < buf_len(b);) {
		size_t n = buf_len(b) - off < 7777 ? buf_len(b) - off : 7777;
		ssize_t w = write(fd, buf_str(b) + off, n);

		if (w <= 0)
			_exit(1);
		off += (size_t)w;
	}
	_exit(0);
}

/* test_fd_reader - big records through a pipe, byte offsets, timeouts */
static void test_fd_reader(void)
{
	struct buf *b = buf_new(0), *p = buf_new(0), *why = buf_new(0);
	char *big = xmalloc(QREC_MAX_LEN);
	int fds[2], type = 0, status = 0;
	struct qrec_reader *r;
	pid_t pid;

	test_begin("qrec: fd reader: a 1 MiB record and small ones through a pipe");
	memset(big, 'x', QREC_MAX_LEN);
	big[0] = '\0';
	qrec_put_str(b, QREC_VERSION, QREC_VERSION_TEXT);
	qrec_put(b, QREC_LINE, big, QREC_MAX_LEN);
	for (int i = 0; i < 1000; i++)
		qrec_putf(b, QREC_LINE, "line %d", i);
	test_assert(pipe(fds) == 0);
	if ((pid = fork()) == 0) {
		close(fds[0]);
		writer_child(fds[1], b);
	}
	close(fds[1]);
	r = qrec_reader_fd(fds[0], 5000);
	test_assert(qrec_get(r, &type, p, QREC_MAX_LEN, why) == 1 && type == 'V');
	test_assert(qrec_get(r, &type, p, QREC_MAX_LEN, why) == 1 && buf_len(p) == QREC_MAX_LEN);
	test_assert(memcmp(buf_str(p), big, QREC_MAX_LEN) == 0);
	for (int i = 0; i < 1000; i++)
		test_assert(qrec_get(r, &type, p, QREC_MAX_LEN, why) == 1 && type == 'L');
	test_assert_str(buf_str(p), "line 999");
	test_assert(qrec_get(r, &type, p, QREC_MAX_LEN, why) == 0);
	test_assert(qrec_reader_offset(r) == (off_t)buf_len(b));
	qrec_reader_free(&r);
	close(fds[0]);
	waitpid(pid, &status, 0);
	test_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	test_end();

	test_begin("qrec: fd reader: timeout with nothing written, and mid-record");
	test_assert(socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
	r = qrec_reader_fd(fds[0], 100);
	buf_reset(why);
	test_assert(qrec_get(r, &type, p, QREC_MAX_LEN, why) == -1);
	test_assert(strstr(buf_str(why), "timeout after 100 ms") != NULL);
	test_assert(qrec_reader_is_io_error(r));
	qrec_reader_free(&r);
	test_assert(write(fds[1], "L\x05he", 4) == 4);
	r = qrec_reader_fd(fds[0], 100);
	buf_reset(why);
	test_assert(qrec_get(r, &type, p, QREC_MAX_LEN, why) == -1);
	test_assert(strstr(buf_str(why), "timeout") != NULL);
	qrec_reader_free(&r);
	close(fds[1]);
	close(fds[0]);
	test_end();
	free(big);
	buf_free(&b);
	buf_free(&p);
	buf_free(&why);
}

/* test_lines_and_sizes - qrec_put_line splitting; the 'C' record */
static void test_lines_and_sizes(void)
{
	static const char *const bad_sizes[] = {
		"", "1 2 3 4",
		"              1               2               3              -4",
		"              1               2               3              4x",
		"              1               2               3               4 ",
		"              1,              2               3               4",
		"                               2               3               4",
	};
	struct buf *b = buf_new(0), *p = buf_new(0), *why = buf_new(0);
	char *line = xmalloc(10000);
	struct qrec_sizes s = { 1, 22, 333, 4444 }, t;
	struct qrec_reader *r;
	int type = 0;

	test_begin("qrec: sizes record: fixed width round trip, malformed ones refused");
	for (size_t i = 0; i < sizeof(bad_sizes) / sizeof(bad_sizes[0]); i++)
		test_assert(qrec_sizes_parse(bad_sizes[i], strlen(bad_sizes[i]), &t) == -1);
	qrec_put_sizes(b, &s);
	test_assert(buf_len(b) == 2 + QREC_SIZES_LEN);
	test_assert(qrec_sizes_parse(buf_str(b) + 2, QREC_SIZES_LEN, &t) == 0);
	test_assert(t.content_offset == 1 && t.content_size == 22 && t.xtra_offset == 333
		    && t.rcpt_count == 4444);
	test_end();

	test_begin("qrec: a 10000-byte line becomes P P L; a partial line ends in P");
	buf_reset(b);
	memset(line, 'a', 10000);
	qrec_put_line(b, line, 10000, false);
	qrec_put_line(b, line, 100, true);
	qrec_put_line(b, line, 0, true);	/* nothing */
	qrec_put_line(b, line, 0, false);	/* an empty line */
	r = qrec_reader_mem(buf_str(b), buf_len(b));
	test_assert(qrec_get(r, &type, p, QREC_MAX_LEN, why) == 1 && type == 'P' && buf_len(p) == 4096);
	test_assert(qrec_get(r, &type, p, QREC_MAX_LEN, why) == 1 && type == 'P' && buf_len(p) == 4096);
	test_assert(qrec_get(r, &type, p, QREC_MAX_LEN, why) == 1 && type == 'L' && buf_len(p) == 1808);
	test_assert(qrec_get(r, &type, p, QREC_MAX_LEN, why) == 1 && type == 'P' && buf_len(p) == 100);
	test_assert(qrec_get(r, &type, p, QREC_MAX_LEN, why) == 1 && type == 'L' && buf_len(p) == 0);
	test_assert(qrec_get(r, &type, p, QREC_MAX_LEN, why) == 0);
	qrec_reader_free(&r);
	test_end();
	free(line);
	buf_free(&b);
	buf_free(&p);
	buf_free(&why);
}

/* check_seq - run "TYPE:payload|TYPE:payload" through a checker */
static int check_seq(enum qrec_check_mode mode, const char *seq, struct buf *why)
{
	struct qrec_check c;
	struct buf *p = buf_new(0);
	long off = 0;
	int rc = 0;

	qrec_check_init(&c, mode);
	buf_reset(why);
	for (const char *s = seq; rc == 0 && *s; ) {
		const char *end = strchr(s, '|');
		size_t n = end ? (size_t)(end - s) : strlen(s);

		buf_reset(p);
		buf_add(p, s + 2, n - 2);	/* "T:" prefix */
		rc = qrec_check_record(&c, s[0], buf_str(p), buf_len(p), off, why);
		off += (long)n;
		s += end ? n + 1 : n;
	}
	if (rc == 0)
		rc = qrec_check_end(&c, why);
	qrec_check_free(&c);
	buf_free(&p);
	return rc;
}

/* test_stream_checker - the cleanup stream's record order */
static void test_stream_checker(void)
{
	static const struct {
		const char *seq, *err;
	} cases[] = {
		{ "S:a@b", "no version record" },
		{ "V:hato-queue 1|C:x", "malformed sizes" },
		{ "V:hato-queue 2", "unsupported format version \"2\"" },
		{ "V:hato-queue 1|S:a@b|r:c@d|M:|X:|Z:", "done recipient in a stream" },
		{ "V:hato-queue 1|S:a@b|R:c@d|M:|L:x|X:|Z:|Z:", "data after the end record" },
		{ "V:hato-queue 1|S:a@b|R:c@d|M:|L:x", "incomplete: no end record after the content" },
		{ "V:hato-queue 1|S:a@b|T:1.000000|T:2.000000", "second arrival time" },
		{ "V:hato-queue 1|S:a@b|N:NEVER,SUCCESS", "malformed notify" },
		{ "V:hato-queue 1|S:a@b|N:SUCCESS,", "malformed notify" },
		{ "V:hato-queue 1|S:a@b|O:rfc822;x|O:rfc822;y", "two original recipient records" },
		{ "V:hato-queue 1|S:a@b|R:|", "malformed recipient" },
		{ "V:hato-queue 1|S:a@b|A:=x", "malformed attribute" },
		{ "V:hato-queue 1|S:a@b|A:x-y=1", "malformed attribute" },
		{ "V:hato-queue 1|S:a@b|M:|X:|E:|A:x=1", "attribute record out of order" },
		{ "V:hato-queue 1|S:a@b|M:|X:|E:|E:", "extracted envelope record out of order" },
		{ "V:hato-queue 1|S:a@b|M:|X:|E:|N:NEVER|Z:", "notify record without a recipient" },
		{ "V:hato-queue 1|S:a@b|M:|X:|Z:", NULL },		/* -t: no recipients yet */
		{ "V:hato-queue 1|A:helo_name=x|S:|N:success,delay|R:c@d|M:|P:ab|L:c|X:|E:|W:w|R:e@f|Z:",
		  NULL },
	};
	struct buf *why = buf_new(0);

	test_begin("qrec: stream checker: order and payloads");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = check_seq(QREC_CHECK_STREAM, cases[i].seq, why);

		if (cases[i].err == NULL ? rc != 0 : rc == 0 || !strstr(buf_str(why), cases[i].err)) {
			printf("#   case %zu: rc %d why \"%s\"\n", i, rc, buf_str(why));
			test_assert(!"stream case");
		}
	}
	test_assert(qrec_type_known('Z') && !qrec_type_known('q') && !qrec_type_known('D'));
	test_assert_str(qrec_type_name('r'), "done recipient");
	test_end();
	buf_free(&why);
}

/* test_qrec - every case of this file */
void test_qrec(void)
{
	test_varints();
	test_get_errors();
	test_fd_reader();
	test_lines_and_sizes();
	test_stream_checker();
}
