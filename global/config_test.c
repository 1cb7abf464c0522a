/* config_test - main.cf parsing, expansion, validation and typed params. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "mem.h"
#include "params.h"
#include "test.h"

/* read_text - parse text as /etc/hato/main.cf */
static struct config *read_text(const char *text, int flags, struct buf *why)
{
	buf_reset(why);
	return config_read_text("/etc/hato/main.cf", text, strlen(text), flags, why);
}

static const struct bad_case {
	const char *name, *text, *want;
} bad_cases[] = {
	{ "unterminated ${", "a = x\nb = ${a\n", "/etc/hato/main.cf, line 2: parameter \"b\": unmatched '{'" },
	{ "self reference", "# c\na = $a\n", "/etc/hato/main.cf, line 2: parameter \"a\" refers to itself" },
	{ "indirect loop", "a = $b\nb = x ${a}\n", "refers to itself" },
	{ "missing =", "\nfoo bar\n", "/etc/hato/main.cf, line 2: missing '=' after parameter name \"foo\"" },
	{ "leading continuation", "  x = 1\n", "/etc/hato/main.cf, line 1: continuation line" },
	{ "bad number", "message_size_limit = 10k\n", "line 1: bad numerical value for message_size_limit: \"10k\"" },
	{ "bad bool", "x = 1\ndisable_vrfy_command = maybe\n", "line 2: bad boolean value for disable_vrfy_command" },
	{ "bad time", "smtpd_timeout = 5x\n", "line 1: bad time value for smtpd_timeout" },
	{ "out of range", "default_process_limit = 0\n", "line 1: value of default_process_limit out of range" },
	{ "bad name in ${}", "a = ${ b}\n", "line 1: parameter \"a\": bad parameter name" },
	{ "no name", "= value\n", "line 1: missing parameter name" },
};

/* test_bad_input - each bad main.cf gives one message naming file and line */
static void test_bad_input(void)
{
	struct buf *why = buf_new(0);

	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *bc = &bad_cases[i];
		struct config *c;

		test_begin(bc->name);
		c = read_text(bc->text, CONFIG_STRICT | CONFIG_QUIET, why);
		test_assert(c == NULL);
		if (strstr(buf_str(why), bc->want) == NULL)
			test_fail_str(__FILE__, __LINE__, "why", buf_str(why), bc->want);
		config_free(&c);
		test_end();
	}
	buf_free(&why);
}

static const struct expand_case {
	const char *text, *name, *want;
} expand_cases[] = {
	{ "a = 1\nb = x$a${a}$(a)y\n", "b", "x111y" },
	{ "a = 1\nb = ${a?yes}${c?no}\n", "b", "yes" },
	{ "b = ${c:empty}\n", "b", "empty" },
	{ "a = 1\nb = ${a?{one}:{none}} ${c?{one}:{none}}\n", "b", "one none" },
	{ "b = $$a cost $ 5\n", "b", "$a cost $ 5" },
	{ "b = $undefined.\n", "b", "." },
	{ "mydomain = example.org\nb = $mydestination\n", "b", "" },
	{ "myhostname = mx.example.org\n", "mydomain", "example.org" },
	{ "x =\n  one,\n# comment inside\n\ttwo\n", "x", "one,\ttwo" },
	{ "a = b\na = c\n", "a", "c" },
};

/* test_expansion - the $ forms */
static void test_expansion(void)
{
	struct buf *why = buf_new(0);

	for (size_t i = 0; i < sizeof(expand_cases) / sizeof(expand_cases[0]); i++) {
		const struct expand_case *ec = &expand_cases[i];
		struct config *c = read_text(ec->text, CONFIG_STRICT | CONFIG_QUIET, why);
		char name[64];

		snprintf(name, sizeof(name), "expansion %zu: %s", i, ec->name);
		test_begin(name);
		test_assert(c != NULL);
		if (c && strcmp(ec->name, "b") == 0 && i == 6) {
			/* mydestination's default mentions $mydomain */
			test_assert(strstr(config_get(c, "mydestination"), "localhost.example.org") != NULL);
		} else if (c) {
			test_assert_str(config_get(c, ec->name), ec->want);
		}
		config_free(&c);
		test_end();
	}
	buf_free(&why);
}

/* test_params - typed values, defaults, overrides, unknown names */
static void test_params(void)
{
	struct buf *why = buf_new(0);
	struct config *c;
	struct params *p;

	test_begin("params: defaults, types, units, overrides");
	c = read_text("message_size_limit = 5242880\nsmtpd_helo_required = yes\n"
		      "maximal_queue_lifetime = 2\nsmtpd_timeout = 1m\nmy_list = a b\n"
		      "relay_domains = $my_list\nunused_thing = 1\n", CONFIG_STRICT, why);
	test_assert(c != NULL);
	test_expect_log("main.cf, line 7: unknown parameter \"unused_thing\"");
	test_assert(!test_logged("\"my_list\""));
	test_assert(config_override(c, "smtpd_timeout=10s", why) == 0);
	p = c ? config_params(c, why) : NULL;
	test_assert(p != NULL);
	if (p) {
		test_assert(p->message_size_limit == 5242880);
		test_assert(p->smtpd_helo_required);
		test_assert(!p->disable_vrfy_command);
		test_assert(p->maximal_queue_lifetime == 2 * 86400);
		test_assert(p->smtpd_timeout == 10);
		test_assert(p->bounce_queue_lifetime == 5 * 86400);
		test_assert_str(p->relay_domains, "a b");
		test_assert_str(p->forward_path, "$home/.forward${recipient_delimiter}${extension}, $home/.forward");
		test_assert(strstr(p->smtpd_banner, " ESMTP hato") != NULL);
	}
	params_free(&p);
	config_free(&c);
	test_end();

	/* found by fuzz_config: the computed default of mydomain refers back
	 * to myhostname, which refers to mydomain: no endless recursion */
	test_begin("params: myhostname = x.$mydomain ends the default cycle");
	c = read_text("myhostname = mail.$mydomain\n", CONFIG_STRICT, why);
	test_assert(c != NULL);
	if (c)
		test_assert_str(config_get(c, "myhostname"), "mail.localdomain");
	config_free(&c);
	test_end();
	buf_free(&why);
}

/* test_config - entry point */
/* test_param_find - every parameter is found as itself; others are not */
static void test_param_find(void)
{
	size_t n, found = 0;
	const struct param_info *t = param_table(&n);

	test_begin("params: param_find finds each of the table's names, and no other");
	for (size_t i = 0; i < n; i++)
		found += param_find(t[i].name) == &t[i];
	test_assert(found == n && n > 200);
	test_assert(param_find("no_such_parameter") == NULL);
	test_assert(param_find("") == NULL);
	test_assert(param_find("myhostnamex") == NULL);
	test_assert(param_find("myhostname") != NULL);
	test_end();
}

/* test_lenient - CONFIG_LENIENT keeps the lines that parse and reports the
 * first that does not (hato status finds queue_directory in a broken main.cf) */
static void test_lenient(void)
{
	struct buf *why = buf_new(0);
	struct config *c;

	test_begin("CONFIG_LENIENT: bad lines skipped, the first named, the rest kept");
	c = read_text("a = 1\nnot an assignment\nqueue_directory = /q\n= x\nb = 2\n",
		      CONFIG_QUIET | CONFIG_LENIENT, why);
	test_assert(c != NULL);
	test_assert(c && strcmp(config_get(c, "queue_directory"), "/q") == 0);
	test_assert(c && strcmp(config_get(c, "b"), "2") == 0);
	test_assert(strcmp(buf_str(why), "/etc/hato/main.cf, line 2: missing '=' after parameter name \"not\"") == 0);
	config_free(&c);
	test_assert(read_text("a = 1\nnot an assignment\n", CONFIG_QUIET, why) == NULL);
	test_end();
	buf_free(&why);
}

void test_config(void)
{
	test_lenient();
	test_param_find();
	test_bad_input();
	test_expansion();
	test_params();
}
