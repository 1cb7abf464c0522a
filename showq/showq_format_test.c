/* showq_format_test - the mailq text and JSON lines of showq: hostile
 * bytes first (control characters, invalid UTF-8, over-long reasons),
 * then Postfix's layout details (status marks, reason lines, the
 * summary), and which recipients postqueue -s matches. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "showq.h"
#include "test.h"

/* msg - a message for the formatter; rcpts "addr=reason|addr|..." */
static struct showq_msg *msg(const char *queue, const char *sender, long size, const char *rcpts)
{
	static struct showq_rcpt r[8];
	static struct showq_msg m;
	static char buf[1024];
	char *save = NULL;
	size_t n = 0;

	snprintf(buf, sizeof(buf), "%s", rcpts);
	for (char *p = strtok_r(buf, "|", &save); p && n < 8; p = strtok_r(NULL, "|", &save)) {
		char *eq = strchr(p, '=');

		if (eq)
			*eq++ = '\0';
		r[n++] = (struct showq_rcpt){ .address = p, .reason = eq };
	}
	m = (struct showq_msg){ .queue = queue, .arrival = 1700000000, .size = size,
				.sender = (char *)sender, .rcpts = r, .nrcpts = n };
	snprintf(m.id, sizeof(m.id), "1nQd3A0fUq00Gx01Kp");
	return &m;
}

#define INDENT "                                                 "	/* 49 */

static const struct {
	const char *name, *queue, *sender, *rcpts, *want;
	bool first;
} text_cases[] = {
	{ "control bytes in addresses become '?'", "deferred", "evil\x1b[2J@x", "a\x07@b",
	  "1nQd3A0fUq00Gx01Kp       100 Tue Nov 14 22:13:20 evil?[2J@x\n" INDENT "a?@b\n", false },
	{ "a reason longer than the line starts at column 0", "deferred", "s@x",
	  "a@b=" "0123456789012345678901234567890123456789012345678901234567890123456789012345678",
	  "1nQd3A0fUq00Gx01Kp       100 Tue Nov 14 22:13:20 s@x\n"
	  "(0123456789012345678901234567890123456789012345678901234567890123456789012345678)\n"
	  INDENT "a@b\n", false },
	{ "the null sender is MAILER-DAEMON; '*' marks active", "active", "", "a@b",
	  "1nQd3A0fUq00Gx01Kp*      100 Tue Nov 14 22:13:20 MAILER-DAEMON\n" INDENT "a@b\n", false },
	{ "'!' marks hold; the heading comes first", "hold", "s@x", "a@b",
	  "-----Queue ID------ --Size-- ---Arrival Time---- --Sender/Recipient------\n"
	  "1nQd3A0fUq00Gx01Kp!      100 Tue Nov 14 22:13:20 s@x\n" INDENT "a@b\n", true },
	{ "one reason line for recipients that share it, right-aligned at column 78", "deferred",
	  "s@x", "a@b=busy|c@d=busy",
	  "1nQd3A0fUq00Gx01Kp       100 Tue Nov 14 22:13:20 s@x\n"
	  "                                                                        (busy)\n"
	  INDENT "a@b\n" INDENT "c@d\n", false },
	{ "'reason unavailable' after a recipient with a reason", "deferred", "s@x", "a@b=busy|c@d",
	  "1nQd3A0fUq00Gx01Kp       100 Tue Nov 14 22:13:20 s@x\n"
	  "                                                                        (busy)\n"
	  INDENT "a@b\n"
	  "                                                          (reason unavailable)\n"
	  INDENT "c@d\n", false },
};

static const struct {
	const char *name, *sender, *rcpts, *want;
} json_cases[] = {
	{ "invalid UTF-8 becomes '?', valid UTF-8 stays", "\xff\xfe@x", "j\xc3\xbcrgen@b=caf\xc3\xa9 \xc0\xaf",
	  "{\"queue_name\": \"deferred\", \"queue_id\": \"1nQd3A0fUq00Gx01Kp\", \"arrival_time\": 1700000000, "
	  "\"message_size\": 100, \"forced_expire\": false, \"sender\": \"??@x\", \"recipients\": "
	  "[{\"address\": \"j\xc3\xbcrgen@b\", \"delay_reason\": \"caf\xc3\xa9 ??\"}]}\n" },
	{ "quotes, backslashes and control bytes are escaped", "a\"b\\c@x", "t\tx@b=line\nbreak",
	  "{\"queue_name\": \"deferred\", \"queue_id\": \"1nQd3A0fUq00Gx01Kp\", \"arrival_time\": 1700000000, "
	  "\"message_size\": 100, \"forced_expire\": false, \"sender\": \"a\\\"b\\\\c@x\", \"recipients\": "
	  "[{\"address\": \"t\\tx@b\", \"delay_reason\": \"line\\nbreak\"}]}\n" },
	{ "no delay_reason without a reason; the null sender", "", "a@b|c@d=",
	  "{\"queue_name\": \"deferred\", \"queue_id\": \"1nQd3A0fUq00Gx01Kp\", \"arrival_time\": 1700000000, "
	  "\"message_size\": 100, \"forced_expire\": false, \"sender\": \"MAILER-DAEMON\", \"recipients\": "
	  "[{\"address\": \"a@b\"}, {\"address\": \"c@d\"}]}\n" },
};

void test_showq_format(void)
{
	struct buf *out = buf_new(256);

	setenv("TZ", "UTC", 1);
	tzset();
	for (size_t i = 0; i < sizeof(text_cases) / sizeof(text_cases[0]); i++) {
		test_begin(text_cases[i].name);
		buf_reset(out);
		showq_text_msg(out, msg(text_cases[i].queue, text_cases[i].sender, 100, text_cases[i].rcpts),
			       text_cases[i].first);
		/* a message after the first starts with the blank separator line */
		test_assert(text_cases[i].first || buf_str(out)[0] == '\n');
		test_assert_str(buf_str(out) + !text_cases[i].first, text_cases[i].want);
		test_end();
	}
	for (size_t i = 0; i < sizeof(json_cases) / sizeof(json_cases[0]); i++) {
		test_begin(json_cases[i].name);
		buf_reset(out);
		showq_json_msg(out, msg("deferred", json_cases[i].sender, 100, json_cases[i].rcpts));
		test_assert_str(buf_str(out), json_cases[i].want);
		test_end();
	}
	test_begin("the summary: empty, one request, Kbytes rounded down");
	buf_reset(out);
	showq_text_end(out, 0, 0);
	test_assert_str(buf_str(out), "Mail queue is empty\n");
	buf_reset(out);
	showq_text_end(out, 1, 1023);
	test_assert_str(buf_str(out), "\n-- 0 Kbytes in 1 Request.\n");
	buf_reset(out);
	showq_text_end(out, 3, 5000);
	test_assert_str(buf_str(out), "\n-- 4 Kbytes in 3 Requests.\n");
	test_end();
	test_begin("postqueue -s: the recipient's domain, nothing looser");
	test_assert(showq_rcpt_at("u@Example.TEST", "example.test"));
	test_assert(showq_rcpt_at("u@example.test.", "example.test"));
	test_assert(showq_rcpt_at("u@example.test", "example.test."));
	test_assert(showq_rcpt_at("u@[192.0.2.1]", "[192.0.2.1]"));
	test_assert(!showq_rcpt_at("u@xexample.test", "example.test"));
	test_assert(!showq_rcpt_at("u@sub.example.test", "example.test"));
	test_assert(!showq_rcpt_at("example.test", "example.test"));
	test_assert(!showq_rcpt_at("u@", ""));
	test_end();
	unsetenv("TZ");
	tzset();
	buf_free(&out);
}
