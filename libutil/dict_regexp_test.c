/* dict_regexp_test - regexp: and pcre: tables: every bad line first, then
 * the guide's header_checks/body_checks, substitution, negation, if/endif,
 * flags, and the per-lookup match limit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dict.h"
#include "mem.h"
#include "test.h"

/* open_text - a table of the given type holding text; *path_r is its file */
static struct dict *open_text(const char *type, const char *text, char **path_r)
{
	struct buf *spec = buf_new(64), *why = buf_new(0);
	char *path = test_tmpfile(text);
	struct dict *d;

	buf_printf(spec, "%s:%s", type, path);
	d = dict_open(buf_str(spec), DICT_FLAG_FOLD_KEY, why);
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
			printf("#   key \"%s\": want not found, got rc %d value \"%s\"\n", key, rc,
			       v ? v : "(null)");
		test_assert(rc == 0);
	} else {
		test_assert(rc == 1);
		test_assert_str(v, want);
	}
}

static const struct bad_case {
	const char *name, *type, *text, *want;
	int nerrors;
} bad_cases[] = {
	{ "bad pattern", "regexp", "/ok/ A\n/a(/ R\n", "line 2: bad regular expression: missing closing parenthesis at offset 2", 1 },
	{ "bad pcre pattern", "pcre", "/a[/ R\n", "line 1: bad regular expression:", 1 },
	{ "missing delimiter", "regexp", "# c\n/abc R\n", "line 2: missing closing delimiter \"/\"", 1 },
	{ "unknown flag", "regexp", "/abc/q R\n", "line 1: unknown flag \"q\"", 1 },
	{ "pcre-only flag in regexp", "regexp", "/abc/s R\n", "line 1: unknown flag \"s\"", 1 },
	{ "basic regexp flag", "regexp", "/abc/x R\n", "line 1: POSIX basic regular expressions", 1 },
	{ "unknown pcre flag", "pcre", "/abc/iQ R\n", "line 1: unknown flag \"Q\"", 1 },
	{ "no result", "regexp", "/a/ A\n\n/abc/\n", "line 3: a table line with no value", 1 },
	{ "no result, blanks", "pcre", "/abc/i   \t\n", "line 1: a table line with no value", 1 },
	{ "group out of range", "regexp", "/(a)/ $2\n", "line 1: $2 out of range: the pattern has 1 group", 1 },
	{ "braced out of range", "pcre", "/(a)(b)/ ${10}\n", "line 1: $10 out of range", 1 },
	{ "group in negated rule", "regexp", "!/(a)/ $1\n", "line 1: $1 in the result of a negated rule", 1 },
	{ "non-numeric", "regexp", "/(a)/ $foo\n", "line 1: non-numeric replacement index \"$foo\"", 1 },
	{ "unclosed brace", "regexp", "/(a)/ ${1\n", "line 1: missing \"}\" after \"${\"", 1 },
	{ "empty index", "regexp", "/(a)/ ${}\n", "line 1: empty replacement index", 1 },
	{ "huge index", "regexp", "/(a)/ $9999999999\n", "line 1: replacement index \"$9999999999\" out of range", 1 },
	{ "endif without if", "regexp", "/a/ A\nendif\n", "line 2: \"endif\" without \"if\"", 1 },
	{ "if without endif", "pcre", "/a/ A\nif /b/\n/c/ C\n", "line 2: \"if\" without \"endif\"", 1 },
	{ "text after endif", "regexp", "if /a/\nendif x\n", "line 2: ignoring extra text after \"endif\"", 1 },
	{ "text after if", "regexp", "if /a/ x\nendif\n", "line 1: ignoring extra text after the \"if\" pattern", 1 },
	{ "bad if pattern", "regexp", "if /a(/\n/./ ALL\nendif\n", "line 1: bad regular expression", 1 },
	{ "missing pattern", "regexp", "!\n", "line 1: missing pattern", 1 },
	{ "leading continuation", "regexp", "  /a/ A\n/b/ B\n", "line 1: continuation line", 1 },
};

/* bad_lines - every bad line is one warning naming file and line */
static void bad_lines(void)
{
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		struct buf *name = buf_new(64), *want = buf_new(64);
		char *path;
		struct dict *d;

		buf_printf(name, "dict_regexp: %s", c->name);
		test_begin(buf_str(name));
		d = open_text(c->type, c->text, &path);
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

/* limits - over-long lines, deep nesting, a missing file */
static void limits(void)
{
	struct buf *text = buf_new(0), *why = buf_new(0);
	struct dict *d;

	test_begin("dict_regexp: over-long line, the rest is still read");
	buf_cat(text, "/");
	for (int i = 0; i < 70000; i++)
		buf_putc(text, 'a');
	buf_cat(text, "/ LONG\n/^b/ B\n");
	d = open_text("regexp", buf_str(text), NULL);
	test_expect_log("line 1: logical line longer than 65536 bytes");
	expect(d, "b", "B");
	test_end();
	dict_close(&d);

	test_begin("dict_regexp: if nested too deeply");
	buf_reset(text);
	for (int i = 0; i < 101; i++)
		buf_cat(text, "if /a/\n");
	d = open_text("regexp", buf_str(text), NULL);
	test_expect_log("line 101: \"if\" nested more than 100 deep");
	test_assert(d && d->nerrors == 101);
	test_end();
	dict_close(&d);

	test_begin("dict_regexp: missing file is an open error");
	d = dict_open("regexp:/nonexistent/table", 0, why);
	test_assert(d == NULL);
	test_assert(strstr(buf_str(why), "open /nonexistent/table") != NULL);
	test_end();
	buf_free(&text);
	buf_free(&why);
}

/* guide - the guide's header_checks and body_checks */
static void guide(void)
{
	const char *top = getenv("HATO_TOP") ? getenv("HATO_TOP") : ".";
	struct buf *spec = buf_new(0), *why = buf_new(0), *big = buf_new(0);
	struct dict *d;

	test_begin("dict_regexp: the guide's header_checks");
	buf_printf(spec, "regexp:%s/tests/examples/vps-guide/header_checks", top);
	d = dict_open(buf_str(spec), 0, why);
	test_assert(d != NULL && d->nerrors == 0);
	expect(d, "From: Foo <#bar@example.org>", "REJECT");
	expect(d, "from: foo <#bar@example.org>", "REJECT");
	expect(d, "From: <bar@example.org>", NULL);
	expect(d, "Return-Path: <#x@example.net>", "REJECT");
	buf_cat(big, "From: ");	/* a 100 KB header line: bounded, no crash */
	for (int i = 0; i < 100000; i++)
		buf_putc(big, i % 7 ? 'a' : '<');
	expect(d, buf_str(big), NULL);
	test_end();
	dict_close(&d);

	test_begin("dict_regexp: the guide's body_checks");
	buf_reset(spec);
	buf_printf(spec, "regexp:%s/tests/examples/vps-guide/body_checks", top);
	d = dict_open(buf_str(spec), 0, why);
	test_assert(d != NULL && d->nerrors == 0);
	expect(d, "see example.com here", "REJECT");
	expect(d, "example.com", "REJECT");
	expect(d, "> quoted example.com", NULL);
	expect(d, "nothing here", NULL);
	test_end();
	dict_close(&d);
	buf_free(&spec);
	buf_free(&why);
	buf_free(&big);
}

static const struct lookup_case {
	const char *key, *want;
} subst_cases[] = {
	{ "joe@example.com", "FOUND joe" },
	{ "JOE@EXAMPLE.COM", "FOUND JOE" },	/* keys are not folded */
	{ "abcdefghijk", "k-a-$-$" },
	{ "y", "[][y]" },
	{ "a/b", "ESC" },
	{ "pipe/x", "PIPE" },
	{ "continued", "ONE TWO" },
	{ "first", "FIRST" },
	{ "nothing", NULL },
};

/* substitution - $n, ${n}, $(n), $$, unset groups, delimiters */
static void substitution(void)
{
	struct dict *d;

	test_begin("dict_regexp: substitution and delimiters");
	d = open_text("regexp",
		      "/^(.*)@example\\.com$/ FOUND $1\n"
		      "/^(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)$/ ${11}-$(1)-$$-$\n"
		      "/^(x)?(y)$/ [$1][$2]\n"
		      "/^a\\/b$/ ESC\n"
		      "|^pipe/x$| PIPE\n"
		      "/^continued$/ ONE\n"
		      " TWO\n"
		      "/^first$/ FIRST\n"
		      "/^first$/ SECOND\n", NULL);
	test_assert(d && d->nerrors == 0);
	for (size_t i = 0; i < sizeof(subst_cases) / sizeof(subst_cases[0]); i++)
		expect(d, subst_cases[i].key, subst_cases[i].want);
	test_end();
	dict_close(&d);
}

/* blocks - negation and if/endif per regexp_table(5) */
static void blocks(void)
{
	struct dict *d;

	test_begin("dict_regexp: negation");
	d = open_text("regexp", "!/^abc/ NOTABC\n", NULL);
	expect(d, "xyz", "NOTABC");
	expect(d, "abcdef", NULL);
	expect(d, "ABC", NULL);
	test_end();
	dict_close(&d);

	test_begin("dict_regexp: if/endif, nested and negated");
	d = open_text("pcre",
		      "if /@example\\.com$/\n"
		      "/^joe@/ JOE\n"
		      "endif\n"
		      "/^joe@/ OTHERJOE\n"
		      "if !/^a/\n"
		      "  # a comment inside a block\n"
		      "IF /b$/\n"
		      "/./ NOT-A-B\n"
		      "endif\n"
		      "endif\n"
		      "/^z/ Z\n", NULL);
	test_assert(d && d->nerrors == 0);
	expect(d, "joe@example.com", "JOE");
	expect(d, "joe@example.org", "OTHERJOE");
	expect(d, "xb", "NOT-A-B");
	expect(d, "ab", NULL);
	expect(d, "xc", NULL);
	expect(d, "zz", "Z");
	test_end();
	dict_close(&d);

	test_begin("dict_regexp: a bad if disables its block");
	d = open_text("regexp", "if !/a(/\n/./ ALL\nendif\n/^x/ X\n", NULL);
	test_assert(d && d->nerrors == 1);
	expect(d, "x", "X");
	expect(d, "y", NULL);
	test_end();
	dict_close(&d);
}

/* flags - case, multi-line, and the pcre-only flags */
static void flags(void)
{
	struct dict *d;

	test_begin("dict_regexp: regexp flags");
	d = open_text("regexp", "/^abc$/i CASE\n/^ABC/ NOCASE\n/^b$/m ML\n/^a.c$/ DOT\n", NULL);
	test_assert(d && d->nerrors == 0);
	expect(d, "abc", "CASE");
	expect(d, "ABC", "NOCASE");
	expect(d, "x\nb", "ML");
	expect(d, "a\nc", "DOT");	/* POSIX: "." matches a newline */
	test_end();
	dict_close(&d);

	test_begin("dict_regexp: pcre flags");
	d = open_text("pcre", "/^a.c$/s DOT\n/^b$/m ML\n/ a b /x EXT\n/c/A ANCH\n"
		      "/^(d+)/U $1\n/^e$/X OLD\n/^f$/E END\n/^g/ G\n", NULL);
	test_assert(d && d->nerrors == 0);
	expect(d, "a\nc", "DOT");
	expect(d, "x\nb", "ML");
	expect(d, "ab", "EXT");
	expect(d, "cx", "ANCH");
	expect(d, "xc", NULL);
	expect(d, "ddd", "d");
	expect(d, "e", "OLD");
	expect(d, "f\n", NULL);
	expect(d, "G", "G");
	test_end();
	dict_close(&d);
}

/* match_limit - a runaway pattern is a temporary error, never "not found" */
static void match_limit(void)
{
	struct buf *key = buf_new(0);
	struct dict *d;
	const char *v;

	test_begin("dict_regexp: match limit is a temporary error");
	d = open_text("pcre", "/^(\\w+\\s?)*$/ SLOW\n", NULL);
	for (int i = 0; i < 40; i++)
		buf_cat(key, "a");
	buf_cat(key, "!");
	test_assert(d && dict_lookup(d, buf_str(key), &v) == -1);
	test_assert(d && strstr(dict_error(d), "line 1:") != NULL);
	test_expect_log("line 1: lookup of a 41-byte key:");
	test_end();
	dict_close(&d);
	buf_free(&key);
}

/* test_dict_regexp - entry point */
void test_dict_regexp(void)
{
	bad_lines();
	limits();
	guide();
	substitution();
	blocks();
	flags();
	match_limit();
}
