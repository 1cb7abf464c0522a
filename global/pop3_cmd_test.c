/* pop3_cmd_test - keywords, arguments, PASS with spaces, the limits and
 * hostile bytes; message numbers at and beyond their range. */
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "pop3_cmd.h"
#include "test.h"

/* parse - a fresh parse of text */
static int parse(struct pop3_cmd *c, const char *text)
{
	return pop3_cmd_parse(text, strlen(text), c);
}

static void test_split(struct pop3_cmd *c)
{
	test_begin("pop3_cmd: keyword upper-cased, arguments split, CRLF or LF");
	test_assert(parse(c, "top 1  10\r\n") == 0);
	test_assert_str(c->name, "TOP");
	test_assert(c->argc == 2);
	test_assert_str(c->argv[0], "1");
	test_assert_str(c->argv[1], "10");
	test_assert(parse(c, "QUIT\n") == 0 && c->argc == 0);
	test_assert(parse(c, "PASS my secret pw\r\n") == 0 && c->argc == 0);
	test_assert_str(c->rest, "my secret pw");
	test_end();
}

static void test_bad(struct pop3_cmd *c)
{
	char *long_line = xmalloc(10240 + 3);

	test_begin("pop3_cmd: empty, not a keyword, control bytes, too long, too many args");
	test_assert(parse(c, "\r\n") < 0);
	test_assert(parse(c, "1RETR\r\n") < 0);
	test_assert(parse(c, "STATUS\r\n") == 0);	/* unknown, not malformed */
	test_assert(parse(c, "RETRIEVEX 1\r\n") < 0);	/* longer than any keyword */
	test_assert(pop3_cmd_parse("RETR \0 1\r\n", 10, c) < 0 && strstr(c->error, "Invalid"));
	test_assert(parse(c, "RETR\x1b 1\r\n") < 0);
	memset(long_line, 'A', 10240);
	memcpy(long_line + 10240, "\r\n", 3);
	test_assert(parse(c, long_line) < 0 && strstr(c->error, "too long"));
	test_assert(parse(c, "LIST 1 2 3 4 5\r\n") < 0);
	free(long_line);
	test_end();
}

static void test_number(void)
{
	unsigned long n = 0;

	test_begin("pop3_cmd_number: 1..2^31-1, digits only");
	test_assert(pop3_cmd_number("1", &n) && n == 1);
	test_assert(pop3_cmd_number("2147483647", &n) && n == 2147483647UL);
	test_assert(!pop3_cmd_number("0", &n));
	test_assert(!pop3_cmd_number("-1", &n));
	test_assert(!pop3_cmd_number("+1", &n));
	test_assert(!pop3_cmd_number("4294967296", &n));
	test_assert(!pop3_cmd_number("2147483648", &n));
	test_assert(!pop3_cmd_number("", &n));
	test_assert(!pop3_cmd_number("1x", &n));
	test_end();
}

void test_pop3_cmd(void)
{
	struct pop3_cmd *c = xmalloc(sizeof(*c));

	test_split(c);
	test_bad(c);
	test_number();
	free(c);
}
