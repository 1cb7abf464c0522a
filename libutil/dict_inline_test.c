/* dict_inline_test - inline:{...} syntax (bad forms first), folding and
 * listing; static: values; unix:passwd.byname and unix:group.byname. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dict.h"
#include "mem.h"
#include "test.h"

static const struct bad_case {
	const char *spec, *want;
} bad_cases[] = {
	{ "inline:key=value", "inline:key=value: expected {key=value, ...}" },
	{ "inline:{a=b", "expected {key=value, ...}" },
	{ "inline:{a=b, {c=d}", "missing \"}\"" },
	{ "inline:{a=b}, c=d}", "unexpected \"}\"" },
	{ "inline:{a=b, nokey}", "\"nokey\": expected key=value" },
	{ "inline:{a=b, =c}", "missing key before \"=\"" },
	{ "inline:{a=b, { = c }}", "missing key before \"=\"" },
	{ "inline:{a=b, A=c}", "duplicate key \"a\"" },
	{ "inline:{a = value with spaces}", "\"with\": expected key=value" },
	{ "static:{abc", "static:{abc: missing \"}\" at the end" },
	{ "unix:shadow.byname", "unix:shadow.byname: unknown map name" },
};

/* bad_specs - every bad table is an open error that names the problem */
static void bad_specs(void)
{
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		struct buf *why = buf_new(0), *name = buf_new(0);
		struct dict *d;

		buf_printf(name, "dict_inline: bad %s", bad_cases[i].spec);
		test_begin(buf_str(name));
		d = dict_open(bad_cases[i].spec, DICT_FLAG_FOLD_KEY, why);
		test_assert(d == NULL);
		if (strstr(buf_str(why), bad_cases[i].want) == NULL)
			printf("#   why: %s\n", buf_str(why));
		test_assert(strstr(buf_str(why), bad_cases[i].want) != NULL);
		test_end();
		dict_close(&d);
		buf_free(&why);
		buf_free(&name);
	}
}

/* expect - look key up in d; want NULL means "not found" */
static void expect(struct dict *d, const char *key, const char *want)
{
	const char *v = NULL;
	int rc = d ? dict_lookup(d, key, &v) : -2;

	if (want == NULL) {
		test_assert(rc == 0);
	} else {
		test_assert(rc == 1);
		test_assert_str(v, want);
	}
}

/* inline_tables - the documented forms, folding, dict_seq */
static void inline_tables(void)
{
	struct buf *why = buf_new(0), *all = buf_new(0);
	const char *k, *v;
	struct dict *d;

	test_begin("dict_inline: key=value forms and folding");
	d = dict_open("inline:{ key1=value1, Key2 = value2, { key3 = value with, commas },"
		      "k4 =v4 k5= v5\tk6={ braced value }, k7=}", DICT_FLAG_FOLD_KEY, why);
	test_assert(d != NULL);
	expect(d, "key1", "value1");
	expect(d, "KEY2", "value2");
	expect(d, "key3", "value with, commas");
	expect(d, "k4", "v4");
	expect(d, "k5", "v5");
	expect(d, "k6", "braced value");
	expect(d, "k7", "");
	expect(d, "value1", NULL);
	for (int rc = dict_seq(d, DICT_SEQ_FIRST, &k, &v); rc == 1; rc = dict_seq(d, DICT_SEQ_NEXT, &k, &v))
		buf_printf(all, "%s=%s;", k, v);
	test_assert_str(buf_str(all), "key1=value1;key2=value2;key3=value with, commas;k4=v4;k5=v5;"
			"k6=braced value;k7=;");
	test_assert(dict_seq(d, DICT_SEQ_NEXT, &k, &v) == 0);
	test_end();
	dict_close(&d);

	test_begin("dict_inline: no folding without the flag; empty table");
	d = dict_open("inline:{Key=V}", 0, why);
	expect(d, "Key", "V");
	expect(d, "key", NULL);
	dict_close(&d);
	d = dict_open("inline:{ }", 0, why);
	test_assert(d != NULL);
	expect(d, "x", NULL);
	test_end();
	dict_close(&d);
	buf_free(&why);
	buf_free(&all);
}

/* static_tables - every key finds the value */
static void static_tables(void)
{
	struct buf *why = buf_new(0);
	struct dict *d;

	test_begin("dict_static: plain and braced values");
	d = dict_open("static:OK", DICT_FLAG_FOLD_KEY, why);
	expect(d, "anything", "OK");
	expect(d, "", "OK");
	dict_close(&d);
	d = dict_open("static:{ 550 5.7.1 go away }", 0, why);
	expect(d, "x", "550 5.7.1 go away");
	dict_close(&d);
	d = dict_open("static:", 0, why);
	expect(d, "x", "");
	test_end();
	dict_close(&d);
	buf_free(&why);
}

/* unix_tables - root is in passwd and group on every system */
static void unix_tables(void)
{
	struct buf *why = buf_new(0);
	struct dict *d;
	const char *v;

	test_begin("dict_unix: passwd.byname");
	d = dict_open("unix:passwd.byname", DICT_FLAG_FOLD_KEY, why);
	test_assert(d != NULL);
	test_assert(d && dict_lookup(d, "root", &v) == 1 && strncmp(v, "root:", 5) == 0);
	test_assert(d && dict_lookup(d, "root", &v) == 1 && strstr(v, ":0:0:") != NULL);
	expect(d, "ROOT", NULL);
	expect(d, "no-such-user-hato", NULL);
	expect(d, "", NULL);
	test_end();
	dict_close(&d);

	test_begin("dict_unix: group.byname");
	d = dict_open("unix:group.byname", 0, why);
	test_assert(d != NULL);
	test_assert(d && dict_lookup(d, "root", &v) == 1 && strncmp(v, "root:", 5) == 0);
	test_assert(d && dict_lookup(d, "root", &v) == 1 && strstr(v, ":0:") != NULL);
	expect(d, "no-such-group-hato", NULL);
	test_end();
	dict_close(&d);
	buf_free(&why);
}

/* test_dict_inline - entry point */
void test_dict_inline(void)
{
	bad_specs();
	inline_tables();
	static_tables();
	unix_tables();
}
