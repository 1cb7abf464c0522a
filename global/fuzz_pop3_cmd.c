/* fuzz_pop3_cmd - libFuzzer target for the POP3 command parser and the
 * login handoff parser: every command that parses has an upper-case
 * keyword, arguments without spaces, and nothing past the line limit;
 * a handoff that parses has a token of hex digits and input within its
 * limit. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "login_handoff.h"
#include "mem.h"
#include "pop3_cmd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* check - abort (a finding) unless cond */
static void check(int cond)
{
	if (!cond)
		abort();
}

/* command - one line through pop3_cmd_parse */
static void command(const uint8_t *data, size_t size)
{
	struct pop3_cmd *c = xmalloc(sizeof(*c));
	unsigned long n;

	if (pop3_cmd_parse((const char *)data, size, c) == 0) {
		check(c->name[0] != '\0' && strlen(c->name) < sizeof(c->name));
		for (const char *p = c->name; *p; p++)
			check(*p >= 'A' && *p <= 'Z');
		check(c->argc >= 0 && c->argc <= POP3_CMD_ARGS_MAX);
		for (int i = 0; i < c->argc; i++) {
			check(strpbrk(c->argv[i], " \t\r\n") == NULL && c->argv[i][0] != '\0');
			if (pop3_cmd_number(c->argv[i], &n))
				check(n >= 1 && n <= 2147483647UL);
		}
	} else {
		check(c->error != NULL);
	}
	free(c);
}

/* handoff - the same bytes as a handoff message */
static void handoff(const uint8_t *data, size_t size)
{
	struct login_handoff h;
	struct buf *why = buf_new(0);

	if (login_handoff_parse(data, size, &h, why) == 0) {
		check(strspn(h.token, "0123456789abcdef") == strlen(h.token) && h.token[0]);
		check(h.input && buf_len(h.input) <= LOGIN_HANDOFF_INPUT_MAX);
		check(h.lport >= 0 && h.lport <= 65535);
	} else {
		check(buf_len(why) > 0);
	}
	login_handoff_clear(&h);
	buf_free(&why);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	command(data, size);
	handoff(data, size);
	return 0;
}
