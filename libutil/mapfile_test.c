/* mapfile_test - postmap ("key whitespace value") and postalias ("name:
 * value") source syntax, table-driven: bad input first (each bad line is
 * one "FILE, line N: problem" warning and one d->nerrors), then comments,
 * continuation lines, CRLF line ends and quoted alias names.  Entries are
 * compared as "key=value@line;" strings; nothing is folded here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dict.h"
#include "mapfile.h"
#include "mem.h"
#include "test.h"

static const struct mapfile_case {
	const char *name;
	enum mapfile_syntax syntax;
	const char *text;
	size_t len;		/* 0: strlen(text); else text holds a NUL byte */
	const char *want_log;	/* NULL: no warning at all */
	int nerrors;
	const char *want;	/* the entries; NULL: not checked */
} cases[] = {
	/* bad input */
	{ "map: key without value", MAPFILE_MAP, "a b\nnovalue\nc d\n", 0,
	  "src, line 2: expected format: key whitespace value", 1, "a=b@1;c=d@3;" },
	{ "map: key and blanks only", MAPFILE_MAP, "key \t  \n", 0,
	  "src, line 1: expected format: key whitespace value", 1, "" },
	{ "map: key and CR only", MAPFILE_MAP, "key\r\nk2 v2\r\n", 0,
	  "src, line 1: expected format: key whitespace value", 1, "k2=v2@2;" },
	{ "map: two bad lines, two warnings", MAPFILE_MAP, "a\n# c\nb\n", 0,
	  "src, line 3: expected format: key whitespace value", 2, "" },
	{ "aliases: no colon", MAPFILE_ALIASES, "root joe\nok: x\n", 0,
	  "src, line 1: need name:value pair", 1, "ok=x@2;" },
	{ "aliases: empty name", MAPFILE_ALIASES, ": joe\n", 0,
	  "src, line 1: missing name before \":\"", 1, "" },
	{ "aliases: empty quoted name", MAPFILE_ALIASES, "\"\": joe\n", 0,
	  "src, line 1: missing name before \":\"", 1, "" },
	{ "aliases: no value", MAPFILE_ALIASES, "a: b\nroot:  \t\r\n", 0,
	  "src, line 2: missing value after \":\"", 1, "a=b@1;" },
	{ "aliases: unterminated quote hides the colon", MAPFILE_ALIASES, "\"root: joe\n", 0,
	  "src, line 1: need name:value pair", 1, "" },
	{ "aliases: quoted colon only", MAPFILE_ALIASES, "\"a:b\" joe\n", 0,
	  "src, line 1: need name:value pair", 1, "" },
	{ "map: continuation with nothing to continue", MAPFILE_MAP, "  a b\nc d\n", 0,
	  "src, line 1: continuation line (it starts with white space) with nothing to continue",
	  1, "c=d@2;" },
	{ "map: NUL byte", MAPFILE_MAP, "a b\nc\0d e\nf g\n", 10,
	  "src, line 2: NUL byte in line", 1, NULL },
	{ "map: NUL byte in the first line", MAPFILE_MAP, "a\0b c\n", 6,
	  "src, line 1: NUL byte in line", 1, NULL },
	{ "aliases: NUL byte in a continuation", MAPFILE_ALIASES, "a: b\n c\0\n", 9,
	  "src, line 2: NUL byte in line", 1, NULL },
	/* good input */
	{ "map: empty text", MAPFILE_MAP, "", 0, NULL, 0, "" },
	{ "map: comments and blank lines", MAPFILE_MAP,
	  "# comment\n\n   \n\t\na b\n   # indented comment\n#x y\nc d\n", 0, NULL, 0,
	  "a=b@5;c=d@8;" },
	{ "map: blanks around the value go, inside stay", MAPFILE_MAP,
	  "k1 \t v a  l \t\nk2\tv2\nKEY Value\n", 0, NULL, 0,
	  "k1=v a  l@1;k2=v2@2;KEY=Value@3;" },
	{ "map: continuation lines keep their white space", MAPFILE_MAP,
	  "a b\n  c\n\td\ne f\n", 0, NULL, 0, "a=b  c\td@1;e=f@4;" },
	{ "map: a comment between a line and its continuation", MAPFILE_MAP,
	  "a b\n# note\n  c\n", 0, NULL, 0, "a=b  c@1;" },
	{ "map: value on a continuation line", MAPFILE_MAP, "key\n  value\n", 0, NULL, 0,
	  "key=value@1;" },
	{ "map: CRLF line ends", MAPFILE_MAP, "a b\r\n\r\n# c\r\nc  d e \r\n  f\r\n", 0, NULL, 0,
	  "a=b@1;c=d e \r  f@4;" },
	{ "map: no newline at the end", MAPFILE_MAP, "a b\nlast one", 0, NULL, 0,
	  "a=b@1;last=one@2;" },
	{ "aliases: plain, spaced and tight", MAPFILE_ALIASES,
	  "postmaster: root\nMixed :  a, b\ntight:x\n", 0, NULL, 0,
	  "postmaster=root@1;Mixed=a, b@2;tight=x@3;" },
	{ "aliases: quoted names", MAPFILE_ALIASES,
	  "\"with space\": joe\n\"a:b\": c\n\"q\\\"x\": bob\n\"back\\\\slash\": d\n", 0, NULL, 0,
	  "with space=joe@1;a:b=c@2;q\"x=bob@3;back\\slash=d@4;" },
	{ "aliases: the value keeps its colons and quotes", MAPFILE_ALIASES,
	  "a: \"|/bin/prog x\", :include:/etc/list\n", 0, NULL, 0,
	  "a=\"|/bin/prog x\", :include:/etc/list@1;" },
	{ "aliases: continuation and CRLF", MAPFILE_ALIASES,
	  "list: a,\r\n  b\r\nroot: c\r\n", 0, NULL, 0, "list=a,\r  b@1;root=c@3;" },
};

/* collect - mapfile callback: append "key=value@line;" */
static void collect(void *ctx, const char *key, const char *value, int lineno)
{
	buf_printf(ctx, "%s=%s@%d;", key, value, lineno);
}

/* run_case - one table entry through mapfile_parse_text */
static void run_case(const struct mapfile_case *c)
{
	struct buf *name = buf_new(64), *got = buf_new(64);
	struct dict *d = dict_alloc("test", "src", 0);

	buf_printf(name, "mapfile: %s", c->name);
	test_begin(buf_str(name));
	mapfile_parse_text(d, "src", c->text, c->len ? c->len : strlen(c->text), c->syntax,
			   collect, got);
	if (c->want_log)
		test_expect_log(c->want_log);
	else
		test_assert(!test_logged("src, line"));
	if (d->nerrors != c->nerrors)
		printf("#   nerrors %d, want %d\n", d->nerrors, c->nerrors);
	test_assert(d->nerrors == c->nerrors);
	if (c->want)
		test_assert_str(buf_str(got), c->want);
	test_end();
	dict_close(&d);
	buf_free(&name);
	buf_free(&got);
}

/* long_lines - a logical line over 64 KiB, alone and through continuations */
static void long_lines(void)
{
	struct buf *text = buf_new(0), *got = buf_new(0);
	struct dict *d = dict_alloc("test", "src", 0);

	test_begin("mapfile: a line over 65536 bytes is refused, the next one is read");
	buf_cat(text, "# first\nlong ");
	for (int i = 0; i < 70000; i++)
		buf_putc(text, 'v');
	buf_cat(text, "\nnext line\n");
	mapfile_parse_text(d, "src", buf_str(text), buf_len(text), MAPFILE_MAP, collect, got);
	test_expect_log("src, line 2: logical line longer than 65536 bytes");
	test_assert(d->nerrors == 1);
	test_assert_str(buf_str(got), "next=line@3;");
	test_end();

	test_begin("mapfile: continuations past 65536 bytes: refused, rest of file ignored");
	buf_reset(text);
	buf_reset(got);
	d->nerrors = 0;
	buf_cat(text, "ok 1\nlist: a\n");
	for (int i = 0; i < 1000; i++)
		buf_cat(text, "  aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa,\n");
	buf_cat(text, "after: x\n");
	mapfile_parse_text(d, "src", buf_str(text), buf_len(text), MAPFILE_ALIASES, collect, got);
	test_expect_log("src, line 2: logical line longer than 65536 bytes");
	test_assert(d->nerrors >= 1);
	test_assert(strstr(buf_str(got), "list=") == NULL);
	test_assert(strstr(buf_str(got), "after=") == NULL);
	test_end();
	dict_close(&d);
	buf_free(&text);
	buf_free(&got);
}

/* files - mapfile_parse names the file in its messages */
static void files(void)
{
	char *path = test_tmpfile("a b\nbad\n\"q\": x\n");
	struct dict *d = dict_alloc("test", path, 0);
	struct buf *got = buf_new(0), *why = buf_new(0), *want = buf_new(0);

	test_begin("mapfile: mapfile_parse reads the file; messages name it");
	test_assert(mapfile_parse(d, path, MAPFILE_MAP, collect, got, why) == 0);
	buf_printf(want, "%s, line 2: expected format: key whitespace value", path);
	test_expect_log(buf_str(want));
	test_assert_str(buf_str(got), "a=b@1;\"q\":=x@3;");
	test_end();

	test_begin("mapfile: a missing file is an error with the reason");
	test_assert(mapfile_parse(d, "/nonexistent/hato-src", MAPFILE_MAP, collect, got, why) == -1);
	test_assert(strstr(buf_str(why), "/nonexistent/hato-src") != NULL);
	test_end();
	dict_close(&d);
	free(path);
	buf_free(&got);
	buf_free(&why);
	buf_free(&want);
}

/* test_mapfile - every case above */
void test_mapfile(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
	long_lines();
	files();
}
