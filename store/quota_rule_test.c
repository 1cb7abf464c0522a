/* quota_rule_test - Dovecot's quota_rule values as hato reads them:
 * units (storage in kilobytes without one), several rules, "?" and "*",
 * and bad ones refused with a reason that names the parameter. */
#include <stdio.h>
#include <string.h>

#include "quota_rule.h"
#include "test.h"

static const struct rule_case {
	const char *text;
	const char *want_why;		/* NULL: parses */
	long long bytes, count;
	bool set, force;
} cases[] = {
	{ "", NULL, 0, 0, false, false },
	{ "*:storage=1G", NULL, 1LL << 30, 0, true, true },
	{ "*:storage=100", NULL, 102400, 0, true, true },
	{ "*:storage=100k", NULL, 102400, 0, true, true },
	{ "*:storage=2M", NULL, 2LL << 20, 0, true, true },
	{ "*:storage=1T", NULL, 1LL << 40, 0, true, true },
	{ "*:storage=1GB", NULL, 1LL << 30, 0, true, true },
	{ "*:storage=10B", NULL, 10, 0, true, true },
	{ "*:bytes=1000", NULL, 1000, 0, true, true },
	{ "*:bytes=1k", NULL, 1024, 0, true, true },
	{ "*:messages=10000", NULL, 0, 10000, true, true },
	{ "*:storage=1M:messages=50", NULL, 1LL << 20, 50, true, true },
	{ "*:storage=1G  *:messages=10", NULL, 1LL << 30, 10, true, true },
	{ "?:storage=1M", NULL, 1LL << 20, 0, true, false },
	{ "?:storage=1M *:messages=5", NULL, 1LL << 20, 5, true, true },
	{ "*:storage=0", NULL, 0, 0, true, true },
	{ "*:storage=1X", "quota_rule: \"*:storage=1X\": unknown unit \"X\"", 0, 0, false, false },
	{ "*:storage=", "quota_rule: \"*:storage=\": not a number", 0, 0, false, false },
	{ "*:storage=10%", "percentages are not supported", 0, 0, false, false },
	{ "*:storage=+10M", "relative limits", 0, 0, false, false },
	{ "storage=1G", "no \"MASK:\"", 0, 0, false, false },
	{ "Trash:storage=+100M", NULL, 0, 0, false, false },
	{ "*:storage=1G Trash:storage=+10%", NULL, 1LL << 30, 0, true, true },
	{ "Trash:ignore *:messages=9", NULL, 0, 9, true, true },
	{ "Trash:", "not mailbox \"Trash\"", 0, 0, false, false },
	{ "Sent:storage=+100M", "only \"*\" and \"?\" rules are supported, not mailbox \"Sent\"", 0, 0, false, false },
	{ "*:ignore", "\"ignore\" is for mailbox rules", 0, 0, false, false },
	{ "*:backend=1G", "\"backend=\" is not supported", 0, 0, false, false },
	{ "*:quota=1G", "unknown limit \"quota\"", 0, 0, false, false },
	{ "*:storage=1G:", "unknown limit \"\"", 0, 0, false, false },
	{ "*:storage=99999999999999999999", "number too large", 0, 0, false, false },
	{ "*:storage=9999999999999T", "number too large", 0, 0, false, false },
	{ "*:storage=-1", "relative limits", 0, 0, false, false },
};

/* run_case - one entry through quota_rule_parse */
static void run_case(const struct rule_case *c)
{
	struct quota_rule r;
	struct buf *why = buf_new(0), *name = buf_new(0);
	int rc = quota_rule_parse(c->text, "quota_rule", &r, why);

	buf_printf(name, "quota_rule: \"%s\"", c->text);
	test_begin(buf_str(name));
	if (c->want_why) {
		test_assert(rc == -1);
		test_assert(strncmp(buf_str(why), "quota_rule: \"", 13) == 0);
		if (strstr(buf_str(why), c->want_why) == NULL)
			test_assert_str(buf_str(why), c->want_why);
	} else {
		test_assert(rc == 0);
		test_assert_str(buf_str(why), "");
		test_assert(r.bytes_limit == c->bytes);
		test_assert(r.count_limit == c->count);
		test_assert(r.set == c->set);
		test_assert(r.force == c->force);
	}
	test_end();
	buf_free(&why);
	buf_free(&name);
}

void test_quota_rule(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
}
