/* pop3mail_copy_test - CRLF, dot-stuffing and TOP's cut, whole and split
 * at every byte (a CR and its LF in different reads). */
#include <string.h>

#include "pop3mail.h"
#include "test.h"

/* copy - text through pop3_copy in pieces of at most step bytes */
static void copy(const char *text, long lines, size_t step, struct buf *out)
{
	struct pop3_copy cp;
	size_t len = strlen(text);

	buf_reset(out);
	pop3_copy_init(&cp, lines);
	for (size_t at = 0; at < len; at += step)
		pop3_copy_bytes(&cp, text + at, len - at < step ? len - at : step, out);
	pop3_copy_end(&cp, out);
}

/* same_at_every_split - the answer does not depend on the read size */
static bool same_at_every_split(const char *text, long lines, const char *want)
{
	struct buf *out = buf_new(64);
	bool same = true;

	for (size_t step = 1; step <= strlen(text) + 1; step++) {
		copy(text, lines, step, out);
		same = same && strcmp(buf_str(out), want) == 0;
	}
	buf_free(&out);
	return same;
}

static void test_retr(void)
{
	test_begin("pop3_copy: LF and CRLF become CRLF, dots doubled, last line ended");
	test_assert(same_at_every_split("A: b\n\n.x\nend", -1, "A: b\r\n\r\n..x\r\nend\r\n.\r\n"));
	test_assert(same_at_every_split("A: b\r\n\r\n.\r\nz\r\n", -1, "A: b\r\n\r\n..\r\nz\r\n.\r\n"));
	test_assert(same_at_every_split("", -1, ".\r\n"));
	test_assert(same_at_every_split("a\rb\n", -1, "a\rb\r\n.\r\n"));	/* a lone CR stays */
	test_assert(same_at_every_split("\r.x\na\r\r\n", -1, "\r..x\r\na\r\r\n.\r\n"));
	test_assert(same_at_every_split("..\n.\n", -1, "...\r\n..\r\n.\r\n"));
	test_end();
}

static void test_top(void)
{
	test_begin("pop3_copy: TOP n sends the header, the empty line, n body lines");
	test_assert(same_at_every_split("H: 1\nH: 2\n\nl1\nl2\nl3\n", 0, "H: 1\r\nH: 2\r\n\r\n.\r\n"));
	test_assert(same_at_every_split("H: 1\n\nl1\n.l2\nl3\n", 2, "H: 1\r\n\r\nl1\r\n..l2\r\n.\r\n"));
	test_assert(same_at_every_split("H: 1\r\n\r\nl1\r\nl2\r\n", 5, "H: 1\r\n\r\nl1\r\nl2\r\n.\r\n"));
	test_assert(same_at_every_split("H: 1\nno body", 3, "H: 1\r\nno body\r\n.\r\n"));
	test_end();
}

void test_pop3mail_copy(void)
{
	test_retr();
	test_top();
}
