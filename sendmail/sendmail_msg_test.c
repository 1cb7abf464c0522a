/* sendmail_msg_test - the message text into content records: line ends,
 * the lone ".", -i, long lines, the From: line, -t recipient counting,
 * the size limit; and the From: line's quoting. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qrec.h"
#include "sendmail.h"
#include "test.h"

/* collect - records as "L:text\n" / "P:text\n" */
static void collect(void *ctx, int type, const char *p, size_t len)
{
	struct buf *out = ctx;

	buf_printf(out, "%c:", type);
	buf_add(out, p, len);
	buf_putc(out, '\n');
}

static const struct {
	const char *name, *in;
	bool ignore_dots;
	long limit;
	const char *want;
	enum sendmail_msg_status status;
	size_t rcpts;
} cases[] = {
	{ "too big", "Subject: aaaaaaaaaaaaaaaa\n\nbody\n", false, 10, NULL, SENDMAIL_MSG_TOO_BIG, 0 },
	{ "empty input: From: only", "", false, 0, "L:From: F\n", SENDMAIL_MSG_MORE, 0 },
	{ "headers, From: added at their end", "Subject: a\n\nbody\n", false, 0,
	  "L:Subject: a\nL:From: F\nL:\nL:body\n", SENDMAIL_MSG_MORE, 0 },
	{ "an existing From: is kept", "from: me\nSubject: a\n\nb\n", false, 0,
	  "L:from: me\nL:Subject: a\nL:\nL:b\n", SENDMAIL_MSG_MORE, 0 },
	{ "CRLF is a line end", "Subject: a\r\n\r\nb\r\n", false, 0,
	  "L:Subject: a\nL:From: F\nL:\nL:b\n", SENDMAIL_MSG_MORE, 0 },
	{ "a bare CR is content, no headers", "a\rb\n", false, 0,
	  "L:From: F\nL:a\rb\n", SENDMAIL_MSG_MORE, 0 },
	{ "a lone dot ends the message", "Subject: a\n\nx\n.\ny\n", false, 0,
	  "L:Subject: a\nL:From: F\nL:\nL:x\n", SENDMAIL_MSG_DOT, 0 },
	{ "a lone dot in CRLF ends it too", "S: a\r\n\r\nx\r\n.\r\ny\r\n", false, 0,
	  "L:S: a\nL:From: F\nL:\nL:x\n", SENDMAIL_MSG_DOT, 0 },
	{ "-i: the dot is content", "Subject: a\n\nx\n.\ny\n", true, 0,
	  "L:Subject: a\nL:From: F\nL:\nL:x\nL:.\nL:y\n", SENDMAIL_MSG_MORE, 0 },
	{ "two dots are content", "S: a\n\n..\n", false, 0, "L:S: a\nL:From: F\nL:\nL:..\n",
	  SENDMAIL_MSG_MORE, 0 },
	{ "a first From_ line is dropped", "From me Mon Jan  1\nSubject: a\n", false, 0,
	  "L:Subject: a\nL:From: F\n", SENDMAIL_MSG_MORE, 0 },
	{ "the last line without a line end", "S: a\n\nlast", false, 0,
	  "L:S: a\nL:From: F\nL:\nL:last\n", SENDMAIL_MSG_MORE, 0 },
	{ "a header continues on a folded line", "Subject: a\n b\nX: y\n", false, 0,
	  "L:Subject: a\nL: b\nL:X: y\nL:From: F\n", SENDMAIL_MSG_MORE, 0 },
	{ "recipient headers, folded, for -t", "To: a@x, B <b@y>\nCc: c@z,\n\td@w\nBcc:\nSubject: s\n",
	  false, 0, "L:To: a@x, B <b@y>\nL:Cc: c@z,\nL:\td@w\nL:Bcc:\nL:Subject: s\nL:From: F\n",
	  SENDMAIL_MSG_MORE, 4 },
	{ "Resent- headers do not count (cleanup ignores them)", "Resent-To: r@x\n\nTo: body@x\n",
	  false, 0, "L:Resent-To: r@x\nL:From: F\nL:\nL:To: body@x\n", SENDMAIL_MSG_MORE, 0 },
	{ "a body line that looks like a header is not counted", "S: s\n\nTo: a@x\n", false, 0,
	  "L:S: s\nL:From: F\nL:\nL:To: a@x\n", SENDMAIL_MSG_MORE, 0 },
};

/* run - one input through a message with from_line "From: F" */
static enum sendmail_msg_status run(const char *in, size_t len, bool dots, long limit,
				    struct buf *out, size_t *rcpts_r)
{
	struct buf *got = out;
	struct sendmail_msg *m = sendmail_msg_new(&(struct sendmail_msg_opts){
		.ignore_dots = dots, .from_line = "From: F", .size_limit = limit }, collect, got);
	enum sendmail_msg_status st = SENDMAIL_MSG_MORE;

	/* 3-byte reads: lines and CRLF pairs span input chunks */
	for (size_t i = 0; i < len && st == SENDMAIL_MSG_MORE; i += 3)
		st = sendmail_msg_input(m, in + i, len - i < 3 ? len - i : 3);
	st = sendmail_msg_end(m);
	if (rcpts_r)
		*rcpts_r = sendmail_msg_header_rcpts(m);
	sendmail_msg_free(&m);
	return st;
}

/* long_lines - 64 KiB pieces; a CR at a piece boundary before LF is a line end */
static void long_lines(void)
{
	size_t n = 65535;
	char *in = malloc(n + 16);
	struct buf *out = buf_new(0);

	test_begin("sendmail_msg: long lines in pieces, CRLF across a piece boundary");
	memcpy(in, "S: a\n\n", 6);
	memset(in + 6, 'x', n);
	memcpy(in + 6 + n, "\r\nend\n", 6);
	test_assert(run(in, n + 12, false, 0, out, NULL) == SENDMAIL_MSG_MORE);
	test_assert(strncmp(buf_str(out), "L:S: a\nL:From: F\nL:\nP:xxx", 25) == 0);
	test_assert(strstr(buf_str(out), "x\nL:\nL:end\n") != NULL);
	test_assert(strchr(buf_str(out), '\r') == NULL);
	test_end();
	free(in);
	buf_free(&out);
}

/* from_lines - quoting in the added From: */
static void from_lines(void)
{
	struct buf *b = buf_new(0);

	test_begin("sendmail_from_line: quoting and qualification");
	sendmail_from_line("Full Name", "joe", "example.org", b);
	test_assert_str(buf_str(b), "From: \"Full Name\" <joe@example.org>");
	sendmail_from_line("A \"B\" \\C\r\nBcc: x", "joe@ex.net", "example.org", b);
	test_assert_str(buf_str(b), "From: \"A \\\"B\\\" \\\\CBcc: x\" <joe@ex.net>");
	sendmail_from_line("", "a b", "example.org", b);
	test_assert_str(buf_str(b), "From: \"a b\"@example.org");
	test_end();
	buf_free(&b);
}

void test_sendmail_msg(void)
{
	struct buf *out = buf_new(0);
	size_t rcpts;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char name[128];

		snprintf(name, sizeof(name), "sendmail_msg: %s", cases[i].name);
		test_begin(name);
		buf_reset(out);
		test_assert(run(cases[i].in, strlen(cases[i].in), cases[i].ignore_dots, cases[i].limit,
				out, &rcpts) == cases[i].status);
		if (cases[i].want)
			test_assert_str(buf_str(out), cases[i].want);
		test_assert(rcpts == cases[i].rcpts);
		test_end();
	}
	long_lines();
	from_lines();
	buf_free(&out);
}
