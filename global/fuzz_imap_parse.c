/* fuzz_imap_parse - libFuzzer target for the IMAP command reader over
 * memory (imap_cmd_parse_line), with small limits and with imapd's:
 * a command that parses has a tag and an upper-case name, no more
 * arguments, list depth or literal bytes than its limits allow, and
 * every string NUL-terminated at its length; one that does not has an
 * error text.  The argument helpers run on every argument.  The same
 * bytes then go through a socketpair to imap_cmd_read, command after
 * command until the end (the stream path: "+ OK", long lines read to
 * their end, what a BAD command's literals leave behind). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "imap_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* check - abort (a finding) unless cond */
static void check(int cond)
{
	if (!cond)
		abort();
}

/* walk - the arguments' invariants; the count of arguments under a */
static size_t walk(const struct imap_arg *a, size_t n, unsigned depth, const struct imap_limits *lim)
{
	size_t count = n;
	const char *s;
	uint32_t u32;
	uint64_t u64;

	check(depth <= lim->depth_max);
	for (size_t i = 0; i < n; i++) {
		if (a[i].type == IMAP_ARG_LIST) {
			check(a[i].str == NULL && (a[i].list != NULL || a[i].list_len == 0));
			count += walk(a[i].list, a[i].list_len, depth + 1, lim);
			continue;
		}
		check(a[i].str != NULL && a[i].str[a[i].len] == '\0');
		if (a[i].type == IMAP_ARG_LITERAL)
			check(a[i].len <= lim->literal_max);
		else
			check(memchr(a[i].str, '\0', a[i].len) == NULL);
		if (a[i].type == IMAP_ARG_ATOM)
			check(a[i].len > 0);
		if (imap_arg_astring(&a[i], &s))
			check(strlen(s) == a[i].len);
		if (imap_arg_number(&a[i], false, &u32))
			check(strtoull(a[i].str, NULL, 10) == u32);
		if (imap_arg_number64(&a[i], &u64))
			check(u64 <= INT64_MAX);
		(void)imap_arg_nstring(&a[i], &s);
		(void)imap_arg_atom_is(&a[i], "NIL");
	}
	return count;
}

/* one - the input under one set of limits */
static void one(const uint8_t *data, size_t size, const struct imap_limits *lim, struct imap_cmd *c)
{
	enum imap_cmd_rc rc = imap_cmd_parse_line((const char *)data, size, lim, c);

	if (rc == IMAP_CMD_OK) {
		check(c->tag[0] != '\0' && c->name[0] != '\0' && c->error == NULL);
		for (const char *p = c->name; *p; p++)
			check(!(*p >= 'a' && *p <= 'z'));
		check(walk(c->args, c->args_len, 0, lim) <= lim->args_max);
	} else {
		check(rc == IMAP_CMD_BAD || rc == IMAP_CMD_CLOSE);
		check(c->error != NULL && c->error[0] != '\0');
	}
}

/* streamed - the input as a client's bytes, every command read */
static void streamed(const uint8_t *data, size_t size, const struct imap_limits *lim)
{
	int sv[2];
	struct stream *s;
	struct imap_cmd *c;
	enum imap_cmd_rc rc;

	if (size > 60000 || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return;
	if (write(sv[1], data, size) != (ssize_t)size) {
		close(sv[0]);
		close(sv[1]);
		return;
	}
	shutdown(sv[1], SHUT_WR);	/* EOF after the input; "+ OK" still lands */
	s = stream_new(sv[0], 1000);
	c = imap_cmd_new();
	for (size_t n = 0; n <= size + 1; n++) {
		rc = imap_cmd_read(s, lim, c);
		if (rc == IMAP_CMD_OK)
			check(walk(c->args, c->args_len, 0, lim) <= lim->args_max);
		else if (rc != IMAP_CMD_EOF)
			check(c->error != NULL);
		if (rc == IMAP_CMD_EOF || rc == IMAP_CMD_CLOSE)
			break;
		check(n < size + 1);	/* every command consumes input */
	}
	imap_cmd_free(&c);
	stream_free(&s);
	close(sv[0]);
	close(sv[1]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct imap_limits small = {
		.line_max = 100, .literal_max = 50, .command_max = 80,
		.args_max = 10, .depth_max = 3, .literal_plus = false,
	};
	static const struct imap_limits login = {
		.line_max = 8192, .literal_max = 8192, .command_max = 8192,
		.args_max = 128, .depth_max = 16, .literal_plus = true,
	};
	struct imap_cmd *c = imap_cmd_new();

	one(data, size, &small, c);
	one(data, size, &login, c);
	one(data, size, &login, c);	/* a second command in the same struct */
	imap_cmd_free(&c);
	streamed(data, size, &small);
	return 0;
}
