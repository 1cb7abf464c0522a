/* master_cf_test - the guide's master.cf, -o forms, and every bad line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "master_cf.h"
#include "mem.h"
#include "test.h"

/* find - the entry for service/type */
static const struct master_cf_entry *find(const struct master_cf *m, const char *svc,
					  enum master_cf_type type)
{
	for (size_t i = 0; m && i < m->len; i++)
		if (strcmp(m->entries[i].service, svc) == 0 && m->entries[i].type == type)
			return &m->entries[i];
	return NULL;
}

/* parse - text as /etc/hato/master.cf */
static struct master_cf *parse(const char *text, struct buf *why)
{
	return master_cf_parse_text("/etc/hato/master.cf", text, strlen(text), why);
}

static const struct bad_case {
	const char *name, *text, *want;
} bad_cases[] = {
	{ "five columns", "smtp inet n - n - - smtpd\nbad inet n - n\n",
	  "/etc/hato/master.cf, line 2: expected at least 8 fields" },
	{ "unknown type", "# c\nx tcp n - n - - smtpd\n", "line 2: unknown service type \"tcp\"" },
	{ "bad maxproc", "x unix n - n - lots prog\n", "line 1: bad maxproc field \"lots\"" },
	{ "bad wakeup", "x unix n - n 6x - prog\n", "line 1: bad wakeup field \"6x\"" },
	{ "bad flag", "x unix maybe - n - - prog\n", "line 1: bad private field \"maybe\"" },
	{ "-o without value", "x unix n - n - - prog -o\n", "line 1: -o without name=value" },
	{ "-o without =", "x unix n - n - - prog -o foo\n", "line 1: -o foo: expected name=value" },
	{ "unbalanced brace", "x unix n - n - - prog -o { a = b\n", "line 1: missing '}'" },
	{ "duplicate", "x unix n - n - - a\n\nx unix n - n - - b\n", "line 3: duplicate service x/unix (first defined at line 1)" },
	{ "leading continuation", "  -o a=b\n", "/etc/hato/master.cf, line 1: continuation line" },
	{ "slash in socket name", "../x unix n - n - - prog\n", "line 1: service name \"../x\"" },
};

/* test_master_cf - entry point */
void test_master_cf(void)
{
	struct buf *why = buf_new(0), *line = buf_new(0);
	struct master_cf *m;
	const struct master_cf_entry *e;
	char path[512];

	test_begin("master_cf: the guide's master.cf");
	snprintf(path, sizeof(path), "%s/tests/examples/vps-guide/master.cf", getenv("HATO_TOP") ? getenv("HATO_TOP") : ".");
	m = master_cf_parse_file(path, why);
	test_assert(m != NULL);
	test_assert(m && m->len == 28);
	if ((e = find(m, "submission", MASTER_CF_INET)) != NULL) {
		test_assert(e->overrides->len == 2);
		test_assert_str(e->overrides->items[1], "smtpd_client_restrictions=permit_sasl_authenticated,reject");
		master_cf_format(e, line);
		test_assert_str(buf_str(line), "submission inet  n       -       n       -       -       smtpd "
				"-o smtpd_sasl_auth_enable=yes -o smtpd_client_restrictions=permit_sasl_authenticated,reject");
	} else
		test_assert(!"submission/inet found");
	e = find(m, "relay", MASTER_CF_UNIX);
	test_assert(e && e->overrides->len == 1 && strcmp(e->overrides->items[0], "smtp_fallback_relay=") == 0);
	e = find(m, "pickup", MASTER_CF_FIFO);
	test_assert(e && e->wakeup == 60 && !e->wakeup_if_used && e->maxproc == 1 && !e->private_);
	e = find(m, "tlsmgr", MASTER_CF_UNIX);
	test_assert(e && e->wakeup == 1000 && e->wakeup_if_used && e->private_ && e->unpriv && !e->chroot);
	e = find(m, "local", MASTER_CF_UNIX);
	test_assert(e && !e->unpriv && e->maxproc == -1);
	master_cf_free(&m);
	test_end();

	test_begin("master_cf: -o forms, braces, other arguments in order");
	m = parse("a unix - - y 60? 1 prog -v -o { x = a b } -o y=1 { arg with space }\n"
		  "# a comment between\n  -o z=\n", why);
	test_assert(m && m->len == 1);
	if (m) {
		e = &m->entries[0];
		test_assert(e->chroot && e->wakeup_if_used && e->overrides->len == 3);
		test_assert_str(e->overrides->items[0], "x=a b");
		test_assert_str(e->overrides->items[2], "z=");
		test_assert(e->args->len == 2);
		test_assert_str(e->args->items[1], "arg with space");
	}
	master_cf_free(&m);
	test_end();

	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		test_begin(bad_cases[i].name);
		buf_reset(why);
		m = parse(bad_cases[i].text, why);
		test_assert(m == NULL);
		if (strstr(buf_str(why), bad_cases[i].want) == NULL)
			test_fail_str(__FILE__, __LINE__, "why", buf_str(why), bad_cases[i].want);
		master_cf_free(&m);
		test_end();
	}
	buf_free(&why);
	buf_free(&line);
}
