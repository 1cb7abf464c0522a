/* imap_parse_test - the IMAP command reader: every argument kind,
 * nesting, literals ({n}, {n+}, ~{n}), FETCH's bracket atom, each limit,
 * NUL in a quoted string, input cut short; from memory and from a stream
 * (the "+ OK" of a synchronising literal, none for one over the limit,
 * what a BAD command's non-synchronising literal leaves behind). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "imap_parse.h"
#include "mem.h"
#include "test.h"

static const struct imap_limits lim = {
	.line_max = 200, .literal_max = 100, .command_max = 150,
	.args_max = 20, .depth_max = 3, .literal_plus = true,
};

/* PARSE - a string constant that may hold NULs, from memory */
#define PARSE(c, text) imap_cmd_parse_line(text, sizeof(text) - 1, &lim, c)

/* parse - text from memory */
static enum imap_cmd_rc parse(struct imap_cmd *c, const char *text)
{
	return imap_cmd_parse_line(text, strlen(text), &lim, c);
}

static void test_kinds(struct imap_cmd *c)
{
	const char *s;
	uint32_t n;
	uint64_t n64;

	test_begin("imap_parse: tag, name, atom, quoted, NIL, literal, list");
	test_assert(PARSE(c, "a1 login joe \"p w\\\"\\\\\" NIL {3}\r\nx\0y ()\r\n") == IMAP_CMD_OK);
	test_assert_str(c->tag, "a1");
	test_assert_str(c->name, "LOGIN");
	test_assert(c->args_len == 5);
	test_assert(c->args[0].type == IMAP_ARG_ATOM && imap_arg_astring(&c->args[0], &s));
	test_assert_str(s, "joe");
	test_assert(c->args[1].type == IMAP_ARG_STRING && imap_arg_astring(&c->args[1], &s));
	test_assert_str(s, "p w\"\\");
	test_assert(c->args[2].type == IMAP_ARG_NIL && imap_arg_nstring(&c->args[2], &s) && s == NULL);
	test_assert(imap_arg_astring(&c->args[2], &s) && strcmp(s, "NIL") == 0);
	test_assert(c->args[3].type == IMAP_ARG_LITERAL && c->args[3].len == 3);
	test_assert(memcmp(c->args[3].str, "x\0y", 3) == 0 && !imap_arg_astring(&c->args[3], &s));
	test_assert(c->args[4].type == IMAP_ARG_LIST && c->args[4].list_len == 0);
	test_assert(!imap_arg_nstring(&c->args[0], &s));	/* an atom is no nstring */
	test_assert(parse(c, "t NOOP\r\n") == IMAP_CMD_OK && c->args_len == 0);
	test_assert(parse(c, "t noop\n") == IMAP_CMD_OK && strcmp(c->name, "NOOP") == 0);
	test_assert(parse(c, "t X 1 4294967295 4294967296 0 18446744073709551615\r\n") == IMAP_CMD_OK);
	test_assert(imap_arg_number(&c->args[0], true, &n) && n == 1);
	test_assert(imap_arg_number(&c->args[1], true, &n) && n == 4294967295u);
	test_assert(!imap_arg_number(&c->args[2], false, &n));
	test_assert(imap_arg_number64(&c->args[2], &n64) && n64 == 4294967296ull);
	test_assert(!imap_arg_number(&c->args[3], true, &n) && imap_arg_number(&c->args[3], false, &n));
	test_assert(!imap_arg_number64(&c->args[4], &n64));
	test_assert(imap_arg_atom_is(&c->args[0], "1"));
	test_end();
}

static void test_nesting(struct imap_cmd *c)
{
	const struct imap_arg *a;

	test_begin("imap_parse: nested lists, FETCH's bracket atom, runs of spaces");
	test_assert(parse(c, "f FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (From To)]<0.100> (a (b)))\r\n")
		    == IMAP_CMD_OK);
	test_assert(c->args_len == 2 && c->args[1].type == IMAP_ARG_LIST);
	a = c->args[1].list;
	test_assert(c->args[1].list_len == 3);
	test_assert_str(a[1].str, "BODY.PEEK[HEADER.FIELDS (From To)]<0.100>");
	test_assert(a[2].type == IMAP_ARG_LIST && a[2].list_len == 2);
	test_assert(a[2].list[1].type == IMAP_ARG_LIST && a[2].list[1].list_len == 1);
	test_assert_str(a[2].list[1].list[0].str, "b");
	test_assert(parse(c, "f ID  (\"a\"  \"b\")  \r\n") == IMAP_CMD_OK && c->args[0].list_len == 2);
	test_assert(parse(c, "f LIST \"\" %/*\r\n") == IMAP_CMD_OK && strcmp(c->args[1].str, "%/*") == 0);
	test_assert(parse(c, "f STORE 1 +FLAGS (\\Seen)\r\n") == IMAP_CMD_OK);
	test_assert_str(c->args[2].list[0].str, "\\Seen");
	test_assert(parse(c, "f FETCH 1 BODY[\r\n") == IMAP_CMD_BAD);
	test_assert(parse(c, "f X (a\r\n") == IMAP_CMD_BAD && strcmp(c->error, "Missing ')'") == 0);
	test_assert(parse(c, "f X a)\r\n") == IMAP_CMD_BAD && strcmp(c->error, "Unexpected ')'") == 0);
	test_end();
}

static void test_literals(struct imap_cmd *c)
{
	test_begin("imap_parse: literals {n}, {n+}, ~{n}, in lists, sizes");
	test_assert(PARSE(c, "a APPEND INBOX (\\Seen) ~{2}\r\n\0\1 {0+}\r\n\r\n") == IMAP_CMD_OK);
	test_assert(c->args_len == 4 && c->args[2].literal8 && c->args[2].len == 2);
	test_assert(c->args[3].type == IMAP_ARG_LITERAL && c->args[3].len == 0);
	test_assert(parse(c, "a ID ({1}\r\n) x)\r\n") == IMAP_CMD_OK && c->args[0].list_len == 2);
	test_assert(c->args[0].list[0].str[0] == ')');
	test_assert(parse(c, "a X {}\r\n") == IMAP_CMD_BAD && strcmp(c->error, "Invalid literal size") == 0);
	test_assert(parse(c, "a X {1x}\r\n") == IMAP_CMD_BAD);
	test_assert(parse(c, "a X {1+x}\r\n") == IMAP_CMD_BAD &&
		    strcmp(c->error, "Expecting '}' after '+'") == 0);
	test_assert(parse(c, "a X {1} \r\nx\r\n") == IMAP_CMD_BAD &&
		    strcmp(c->error, "Missing LF after literal size") == 0);
	test_assert(parse(c, "a X ~x\r\n") == IMAP_CMD_OK);	/* '~' alone is an atom */
	test_assert(parse(c, "a X {5}\r\nab") == IMAP_CMD_BAD);	/* cut short */
	test_end();
}

static void test_errors(struct imap_cmd *c)
{
	test_begin("imap_parse: bad tags and names, NUL, CR, Dovecot's words");
	test_assert(parse(c, "\r\n") == IMAP_CMD_BAD && c->tag[0] == '\0');
	test_assert_str(c->error, "Error in IMAP command received by server.");
	test_assert(parse(c, "a\r\n") == IMAP_CMD_BAD && strcmp(c->tag, "a") == 0);
	test_assert(parse(c, "a+ NOOP\r\n") == IMAP_CMD_BAD && c->tag[0] == '\0');
	test_assert(parse(c, "a* NOOP\r\n") == IMAP_CMD_BAD && c->tag[0] == '\0');
	test_assert(parse(c, "a NO\x01OP\r\n") == IMAP_CMD_BAD && strcmp(c->tag, "a") == 0);
	test_assert(imap_cmd_parse_line("a X \"a\0b\"\r\n", 11, &lim, c) == IMAP_CMD_BAD);
	test_assert_str(c->error, "NULs not allowed in strings");
	test_assert(parse(c, "a X \"ab\r\n") == IMAP_CMD_BAD && strcmp(c->error, "Missing '\"'") == 0);
	test_assert(parse(c, "a X y\rz\r\n") == IMAP_CMD_BAD);
	test_assert(parse(c, "a X \r") == IMAP_CMD_BAD && strcmp(c->error, "CR sent without LF") == 0);
	test_assert(parse(c, "a ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFG\r\n") == IMAP_CMD_BAD);
	test_assert(parse(c, "a X \"\xc3\xa9\"\r\n") == IMAP_CMD_OK);	/* UTF-8 taken */
	test_end();
}

static void test_limits(struct imap_cmd *c)
{
	char big[400];

	test_begin("imap_parse: line, literal, command, args, depth limits");
	memset(big, 'x', sizeof(big));
	memcpy(big, "a X ", 4);
	memcpy(big + 300, "\r\n", 3);
	test_assert(parse(c, big) == IMAP_CMD_BAD && strcmp(c->error, "Too long argument.") == 0);
	test_assert(parse(c, "a X ((()))\r\n") == IMAP_CMD_OK);
	test_assert(parse(c, "a X (((())))\r\n") == IMAP_CMD_BAD && strcmp(c->error, "Too many '('") == 0);
	test_assert(parse(c, "a X 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20\r\n") == IMAP_CMD_OK);
	test_assert(parse(c, "a X 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 (20)\r\n") == IMAP_CMD_BAD);
	test_assert(parse(c, "a X {101}\r\n") == IMAP_CMD_BAD && strcmp(c->error, "Literal size too large") == 0);
	test_assert(parse(c, "a X {101+}\r\n") == IMAP_CMD_CLOSE);
	test_assert(parse(c, "a X {4294967296}\r\n") == IMAP_CMD_BAD);
	test_assert(parse(c, "a X {99999999999999999999999+}\r\n") == IMAP_CMD_CLOSE);
	memset(big, 'y', 100);
	memcpy(big, "a X {90+}\r\n", 11);
	memcpy(big + 11 + 90, " {90+}\r\n", 9);
	test_assert(parse(c, big) == IMAP_CMD_CLOSE);	/* 180 > command_max */
	test_end();
}

static void test_literal_minus(struct imap_cmd *c)
{
	struct imap_limits minus = lim;
	char *big = xmalloc(5000);

	test_begin("imap_parse: LITERAL- takes {n+} up to 4096 bytes only");
	minus.literal_plus = false;
	minus.literal_max = minus.command_max = minus.line_max = 10000;
	memcpy(big, "a X {4097+}\r\n", 13);
	test_assert(imap_cmd_parse_line(big, 13 + 4097 + 2, &minus, c) == IMAP_CMD_CLOSE);
	memcpy(big, "a X {4096+}\r\n", 13);
	memset(big + 13, 'z', 4096);
	memcpy(big + 13 + 4096, "\r\n", 2);
	test_assert(imap_cmd_parse_line(big, 13 + 4096 + 2, &minus, c) == IMAP_CMD_OK);
	test_assert(c->args[0].len == 4096);
	free(big);
	test_end();
}

/* stream_cmd - input through a socketpair; the server's output in out */
static enum imap_cmd_rc stream_cmd(struct imap_cmd *c, struct stream *s, int peer, const char *in,
				   char *out, size_t out_size)
{
	enum imap_cmd_rc rc;
	ssize_t got;
	size_t n = strlen(in);

	if (n && write(peer, in, n) != (ssize_t)n)
		return IMAP_CMD_EOF;
	rc = imap_cmd_read(s, &lim, c);
	stream_flush(s);
	got = recv(peer, out, out_size - 1, MSG_DONTWAIT);
	out[got > 0 ? got : 0] = '\0';
	return rc;
}

static void test_stream(struct imap_cmd *c)
{
	int sv[2];
	struct stream *s;
	char out[256];

	test_begin("imap_cmd_read: '+ OK' for {n}, none for {n+} or a literal too large");
	test_assert(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	s = stream_new(sv[0], 2000);
	test_assert(stream_cmd(c, s, sv[1], "a LOGIN {3}\r\njoe {2+}\r\npw\r\n", out, sizeof(out))
		    == IMAP_CMD_OK);
	test_assert_str(out, "+ OK\r\n");
	test_assert(c->args_len == 2 && strcmp(c->args[0].str, "joe") == 0);
	test_assert_str(c->args[1].str, "pw");
	test_assert(stream_cmd(c, s, sv[1], "b X {101}\r\n", out, sizeof(out)) == IMAP_CMD_BAD);
	test_assert(out[0] == '\0' && strcmp(c->tag, "b") == 0);
	/* a BAD command's {n+} literal and the line after it are skipped */
	test_assert(stream_cmd(c, s, sv[1], "c X \"\r\nd X (((( {5+}\r\ne Y\r\n\r\nf NOOP\r\n",
			       out, sizeof(out)) == IMAP_CMD_BAD);
	test_assert(imap_cmd_read(s, &lim, c) == IMAP_CMD_BAD && strcmp(c->tag, "d") == 0);
	test_assert(imap_cmd_read(s, &lim, c) == IMAP_CMD_OK && strcmp(c->tag, "f") == 0);
	close(sv[1]);
	test_assert(imap_cmd_read(s, &lim, c) == IMAP_CMD_EOF);
	stream_free(&s);
	close(sv[0]);
	test_end();
}

static void test_stream_long(struct imap_cmd *c)
{
	int sv[2];
	struct stream *s;
	char *big = xmalloc(3100);

	test_begin("imap_cmd_read: a long line is read to its end, BAD with its tag");
	test_assert(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	s = stream_new(sv[0], 2000);
	memset(big, 'x', 3000);
	memcpy(big, "t1 X ", 5);
	memcpy(big + 2990, "\r\nt2 NOOP\r\n", 11);
	test_assert(write(sv[1], big, 3001) == 3001);
	test_assert(imap_cmd_read(s, &lim, c) == IMAP_CMD_BAD && strcmp(c->tag, "t1") == 0);
	test_assert_str(c->error, "Too long argument.");
	test_assert(imap_cmd_read(s, &lim, c) == IMAP_CMD_OK && strcmp(c->tag, "t2") == 0);
	test_assert(write(sv[1], "t3 X {5+}\r\nab", 13) == 13);
	close(sv[1]);
	test_assert(imap_cmd_read(s, &lim, c) == IMAP_CMD_EOF);
	stream_free(&s);
	close(sv[0]);
	free(big);
	test_end();
}

void test_imap_parse(void)
{
	struct imap_cmd *c = imap_cmd_new();

	test_kinds(c);
	test_nesting(c);
	test_literals(c);
	test_errors(c);
	test_limits(c);
	test_literal_minus(c);
	test_stream(c);
	test_stream_long(c);
	imap_cmd_free(&c);
	test_assert(c == NULL);
}
