/* dict_cidr_test - cidr: tables: every bad line first, then IPv4 and IPv6
 * prefixes, bare addresses, negation, if/endif, and hostile keys. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dict.h"
#include "mem.h"
#include "test.h"

/* open_cidr - a cidr: table holding text; *path_r is its file if wanted */
static struct dict *open_cidr(const char *text, char **path_r)
{
	struct buf *spec = buf_new(64), *why = buf_new(0);
	char *path = test_tmpfile(text);
	struct dict *d;

	buf_printf(spec, "cidr:%s", path);
	d = dict_open(buf_str(spec), 0, why);
	buf_free(&spec);
	buf_free(&why);
	if (path_r)
		*path_r = path;
	else
		free(path);
	return d;
}

/* expect - look key up in d; want NULL means "not found" */
static void expect(struct dict *d, const char *key, const char *want)
{
	const char *v = NULL;
	int rc = d ? dict_lookup(d, key, &v) : -2;

	if (want == NULL) {
		if (rc != 0)
			printf("#   key \"%s\": want not found, got rc %d\n", key, rc);
		test_assert(rc == 0);
	} else {
		if (rc != 1)
			printf("#   key \"%s\": want \"%s\", got rc %d\n", key, want, rc);
		test_assert(rc == 1);
		test_assert_str(v, want);
	}
}

static const struct bad_case {
	const char *name, *text, *want;
	int nerrors;
} bad_cases[] = {
	{ "host bits set", "1.2.3.0/24 OK\n1.2.3.4/24 R\n", "line 2: non-null host address bits in \"1.2.3.4/24\"", 1 },
	{ "bad address", "# c\n1.2.3.256 R\n", "line 2: bad network address \"1.2.3.256\"", 1 },
	{ "bad prefix length", "1.2.3.0/33 R\n", "line 1: bad network prefix length", 1 },
	{ "bad IPv6 prefix", "2001:db8::/129 R\n", "line 1: bad network prefix length", 1 },
	{ "no result", "10.0.0.0/8\n", "line 1: a table line with no value", 1 },
	{ "only a bang", "! R\n", "line 1: bad network address \"R\"", 1 },
	{ "endif without if", "10.0.0.0/8 A\nendif\n", "line 2: \"endif\" without \"if\"", 1 },
	{ "if without endif", "if 10.0.0.0/8\n10.1.0.0/16 A\n", "line 1: \"if\" without \"endif\"", 1 },
	{ "if without pattern", "if\nendif\n", "line 1: missing network address", 1 },
	{ "text after if", "if 10.0.0.0/8 x\nendif\n", "line 1: ignoring extra text after the \"if\"", 1 },
	{ "text after endif", "if 10.0.0.0/8\nendif x\n", "line 2: ignoring extra text after \"endif\"", 1 },
	{ "leading continuation", " 10.0.0.0/8 A\n", "line 1: continuation line", 1 },
};

/* bad_lines - every bad line is one warning naming file and line */
static void bad_lines(void)
{
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		struct buf *name = buf_new(64), *want = buf_new(64);
		char *path;
		struct dict *d;

		buf_printf(name, "dict_cidr: %s", c->name);
		test_begin(buf_str(name));
		d = open_cidr(c->text, &path);
		buf_printf(want, "%s, %s", path, c->want);
		test_assert(d != NULL);
		test_expect_log(buf_str(want));
		test_assert(d && d->nerrors == c->nerrors);
		test_end();
		dict_close(&d);
		free(path);
		buf_free(&name);
		buf_free(&want);
	}
}

static const struct lookup_case {
	const char *key, *want;
} lookup_cases[] = {
	{ "", NULL },
	{ "not an address", NULL },
	{ "1.2.3", NULL },
	{ "192.168.1.1/32", NULL },
	{ "10.1.2.3", "TEN" },
	{ "10.255.255.255", "TEN" },
	{ "192.0.2.7", "HOST" },
	{ "192.0.2.8", "NOT-172.16/12" },
	{ "2001:db8::1", "DOC6" },
	{ "[2001:db8:ffff::1]", "DOC6" },
	{ "2001:DB8::1", "DOC6" },
	{ "::1", "LOOP6 with spaces" },
	{ "::2", NULL },
	{ "::ffff:10.9.9.9", "TEN" },
	{ "172.16.5.5", "PRIVATE-BUT-NOT-172.16.0.0/24" },
	{ "172.16.0.5", NULL },
	{ "203.0.113.9", "NOT-172.16/12" },
	{ "198.51.100.1", "FIRST" },
};

/* lookups - first match wins, IPv4, IPv6, negation, nested if */
static void lookups(void)
{
	struct dict *d;

	test_begin("dict_cidr: IPv4, IPv6, negation, if/endif");
	d = open_cidr("# a comment\n"
		      "10.0.0.0/8\tTEN\n"
		      "192.0.2.7 HOST\n"
		      "[2001:db8::]/32 DOC6\n"
		      "::1   LOOP6 with spaces  \n"
		      "198.51.100.0/24 FIRST\n"
		      "198.51.100.1 SECOND\n"
		      "if 172.16.0.0/12\n"
		      "if !172.16.0.0/24\n"
		      "0.0.0.0/0 PRIVATE-BUT-NOT-172.16.0.0/24\n"
		      "endif\n"
		      "ENDIF\n"
		      "if 0.0.0.0/0\n"
		      "  # continued comment\n"
		      "!172.16.0.0/12 NOT-172.16/12\n"
		      "endif\n", NULL);
	test_assert(d && d->nerrors == 0);
	for (size_t i = 0; i < sizeof(lookup_cases) / sizeof(lookup_cases[0]); i++)
		expect(d, lookup_cases[i].key, lookup_cases[i].want);
	test_end();
	dict_close(&d);

	test_begin("dict_cidr: a bad if disables its block");
	d = open_cidr("if 10.0.0.1/8\n0.0.0.0/0 ALL\nendif\n10.0.0.0/8 TEN\n", NULL);
	test_assert(d && d->nerrors == 1);
	expect(d, "10.0.0.1", "TEN");
	expect(d, "11.0.0.1", NULL);
	test_end();
	dict_close(&d);

	test_begin("dict_cidr: IPv6 default route and long keys");
	d = open_cidr("::/0 V6\n", NULL);
	expect(d, "fe80::1", "V6");
	expect(d, "1.2.3.4", NULL);
	expect(d, "fe80:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:1", NULL);
	test_end();
	dict_close(&d);
}

/* limits - the rule count is bounded */
static void limits(void)
{
	struct buf *text = buf_new(0);
	struct dict *d;

	test_begin("dict_cidr: more than 200000 rules");
	for (int i = 0; i < 200001; i++)
		buf_cat(text, "10.0.0.0/8 TEN\n");
	buf_cat(text, "11.0.0.0/8 ELEVEN\n");
	d = open_cidr(buf_str(text), NULL);
	test_expect_log("line 200001: more than 200000 rules; ignoring the rest of the file");
	test_assert(d && d->nerrors == 1);
	expect(d, "10.1.1.1", "TEN");
	expect(d, "11.1.1.1", NULL);
	test_end();
	dict_close(&d);
	buf_free(&text);
}

/* test_dict_cidr - entry point */
void test_dict_cidr(void)
{
	bad_lines();
	lookups();
	limits();
}
