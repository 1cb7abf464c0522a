/* addr_test - SMTP paths (bad input first, every relay trick, the limits,
 * NUL/CR/LF, SMTPUTF8, lenient forms), quoting round trips,
 * recipient_delimiter splitting and RFC 5322 address lists.
 * Each table row names its input; a failing row prints what the parser
 * returned, so one "not ok" line points at the exact case. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "buf.h"
#include "mem.h"
#include "strv.h"
#include "test.h"

/* Flags of struct addr_path in the table: N null, R had_route,
 * Q quoted_local, T trailing_dot, L literal. */
struct path_case {
	const char *in;
	size_t len;		/* 0: strlen(in) */
	int flags;
	int want;		/* bytes consumed, or -1 */
	const char *local;	/* or, for -1, a substring of the reason */
	const char *domain;
	const char *bits;
	bool routing;		/* addr_local_has_routing(local) */
};

#define NUL_F ADDR_F_ALLOW_NULL
#define U8 ADDR_F_SMTPUTF8
#define LEN ADDR_F_LENIENT
#define PM ADDR_F_POSTMASTER

static const struct path_case path_cases[] = {
	{ "", 0, 0, -1, "missing address", NULL, NULL, false },
	{ "a@b", 0, 0, -1, "missing '<'", NULL, NULL, false },
	{ "<>", 0, 0, -1, "null address <> not allowed", NULL, NULL, false },
	{ "<a@b", 0, 0, -1, "missing '>'", NULL, NULL, false },
	{ "<a@b>x", 0, 0, -1, "unexpected text after the address", NULL, NULL, false },
	{ "<a@b>\r\n", 0, 0, -1, "unexpected text after the address", NULL, NULL, false },
	{ "<user@other@ourdomain>", 0, 0, -1, "more than one '@'", NULL, NULL, false },
	{ "<user@other@ourdomain>", 0, LEN | U8, -1, "more than one '@'", NULL, NULL, false },
	{ "<a b@c>", 0, 0, -1, "invalid character ' ' in the local part", NULL, NULL, false },
	{ "< a@b>", 0, 0, -1, "invalid character ' ' in the local part", NULL, NULL, false },
	{ "<a@b c>", 0, 0, -1, "invalid character ' ' in the domain", NULL, NULL, false },
	{ "<\"a b@c>", 0, 0, -1, "unbalanced quote", NULL, NULL, false },
	{ "<a\"b\"@c>", 0, 0, -1, "invalid character '\"' in the local part", NULL, NULL, false },
	{ "<a@[1.2.3.4>", 0, 0, -1, "unbalanced '['", NULL, NULL, false },
	{ "<a@[1.2.3.256]>", 0, 0, -1, "bad address literal [1.2.3.256]", NULL, NULL, false },
	{ "<a@[1.2.3]>", 0, 0, -1, "bad address literal", NULL, NULL, false },
	{ "<a@[IPv6:1::2::3]>", 0, 0, -1, "bad address literal", NULL, NULL, false },
	{ "<a@[tag:content]>", 0, 0, -1, "bad address literal", NULL, NULL, false },
	{ "<a@[1.2.3.4]]>", 0, 0, -1, "invalid character ']' in the domain", NULL, NULL, false },
	{ "<a@x[1.2.3.4]>", 0, 0, -1, "invalid character '[' in the domain", NULL, NULL, false },
	{ "<a@b..c>", 0, 0, -1, "empty label", NULL, NULL, false },
	{ "<a@.b>", 0, 0, -1, "empty label", NULL, NULL, false },
	{ "<a@b..>", 0, 0, -1, "empty label", NULL, NULL, false },
	{ "<a@>", 0, 0, -1, "empty domain", NULL, NULL, false },
	{ "<a@.>", 0, 0, -1, "empty label", NULL, NULL, false },
	{ "<a@-b.c>", 0, 0, -1, "starts or ends with '-'", NULL, NULL, false },
	{ "<a@b-.c>", 0, 0, -1, "starts or ends with '-'", NULL, NULL, false },
	{ "<a@b!c>", 0, 0, -1, "invalid character '!' in the domain", NULL, NULL, false },
	{ "<a..b@c>", 0, 0, -1, "empty atom", NULL, NULL, false },
	{ "<.a@c>", 0, 0, -1, "empty atom", NULL, NULL, false },
	{ "<a.@c>", 0, 0, -1, "ends with a dot", NULL, NULL, false },
	{ "<..@c>", 0, LEN, -1, "local part without an atom", NULL, NULL, false },
	{ "<user>", 0, 0, -1, "missing domain", NULL, NULL, false },
	{ "<\"\">", 0, LEN, -1, "empty local part without a domain", NULL, NULL, false },
	{ "<postmaster>", 0, 0, -1, "missing domain", NULL, NULL, false },
	{ "<\"postmaster\">", 0, PM, -1, "missing domain", NULL, NULL, false },
	{ "<@a>", 0, 0, -1, "invalid character '>' in the source route", NULL, NULL, false },
	{ "<@a,b:c@d>", 0, 0, -1, "invalid character ',' in the source route", NULL, NULL, false },
	{ "<@a:>", 0, 0, -1, "invalid character '>' in the local part", NULL, NULL, false },
	{ "<a\0b@c>", 7, 0, -1, "NUL byte in the local part", NULL, NULL, false },
	{ "<a@b\0>", 6, 0, -1, "NUL byte in the domain", NULL, NULL, false },
	{ "<a@b>\0", 6, 0, -1, "unexpected text after the address", NULL, NULL, false },
	{ "<a@b\rc>", 0, 0, -1, "control character 0x0d in the domain", NULL, NULL, false },
	{ "<a\n@c>", 0, 0, -1, "control character 0x0a in the local part", NULL, NULL, false },
	{ "<\"a\nb\"@c>", 0, 0, -1, "control character 0x0a in the quoted local part", NULL, NULL, false },
	{ "<\"a\\\r\"@c>", 0, 0, -1, "control character 0x0d in the quoted local part", NULL, NULL, false },
	{ "<a\x7f@c>", 0, 0, -1, "control character 0x7f", NULL, NULL, false },
	{ "<\xc3\xbc@c>", 0, 0, -1, "non-ASCII local part without SMTPUTF8", NULL, NULL, false },
	{ "<a@b\xc3\xbc.c>", 0, 0, -1, "non-ASCII domain without SMTPUTF8", NULL, NULL, false },
	{ "<\"\xc3\xbc\"@c>", 0, 0, -1, "non-ASCII quoted local part without SMTPUTF8", NULL, NULL, false },
	{ "<\xc0\x80@c>", 0, U8, -1, "malformed UTF-8 in the local part", NULL, NULL, false },
	{ "<a@\xed\xa0\x80.c>", 0, U8, -1, "malformed UTF-8 in the domain", NULL, NULL, false },
	{ "<a@\xc3>", 0, U8, -1, "malformed UTF-8 in the domain", NULL, NULL, false },
	{ "user@dom>", 0, LEN, -1, "invalid character '>' in the domain", NULL, NULL, false },
	{ "   ", 0, LEN, -1, "missing address", NULL, NULL, false },

	{ "<>", 0, NUL_F, 2, "", "", "N", false },
	{ "<> SIZE=10", 0, NUL_F, 2, "", "", "N", false },
	{ "<a@b>", 0, 0, 5, "a", "b", "", false },
	{ "<a@b> SIZE=10 BODY=8BITMIME", 0, 0, 5, "a", "b", "", false },
	{ "<user%other@ourdomain>", 0, 0, 22, "user%other", "ourdomain", "", true },
	{ "<\"user@other\"@ourdomain>", 0, 0, 24, "user@other", "ourdomain", "Q", true },
	{ "<@ourdomain:user@other>", 0, 0, 23, "user", "other", "R", false },
	{ "<@a.example,@[10.0.0.1]:user@other>", 0, 0, 35, "user", "other", "R", false },
	{ "<other!user@ourdomain>", 0, 0, 22, "other!user", "ourdomain", "", true },
	{ "<user@other.>", 0, 0, 13, "user", "other.", "T", false },
	{ "<user@[1.2.3.4]>", 0, 0, 16, "user", "[1.2.3.4]", "L", false },
	{ "<user@[IPv6:2001:db8::1]>", 0, 0, 25, "user", "[IPv6:2001:db8::1]", "L", false },
	{ "<user@[ipv6:::ffff:1.2.3.4]>", 0, 0, 28, "user", "[ipv6:::ffff:1.2.3.4]", "L", false },
	{ "<USER%OTHER@OurDomain>", 0, 0, 22, "USER%OTHER", "OurDomain", "", true },
	{ "<Mixed.Case@Example.COM>", 0, 0, 24, "Mixed.Case", "Example.COM", "", false },
	{ "<\"a b\"@x>", 0, 0, 9, "a b", "x", "Q", false },
	{ "<\"a\\\"b\\\\c\"@x>", 0, 0, 13, "a\"b\\c", "x", "Q", false },
	{ "<\"\"@x>", 0, 0, 6, "", "x", "Q", false },
	{ "<a.b+c-d_e@sub_1.ex-ample.org>", 0, 0, 30, "a.b+c-d_e", "sub_1.ex-ample.org", "", false },
	{ "<Postmaster>", 0, PM, 12, "Postmaster", "", "", false },
	{ "<\xc3\xbc@b\xc3\xbc.c>", 0, U8, 10, "\xc3\xbc", "b\xc3\xbc.c", "", false },
	{ "<\"\xc3\xbc x\"@c>", 0, U8, 10, "\xc3\xbc x", "c", "Q", false },
	{ "user@dom SIZE=1", 0, LEN, 8, "user", "dom", "", false },
	{ "  <a@b> SIZE=1", 0, LEN, 7, "a", "b", "", false },
	{ "<a..b@c>", 0, LEN, 8, "a..b", "c", "", false },
	{ "<a.@docomo.ne.jp>", 0, LEN, 17, "a.", "docomo.ne.jp", "", false },
	{ "<user>", 0, LEN, 6, "user", "", "", false },
	{ "user", 0, LEN, 4, "user", "", "", false },
	{ "<> ", 0, NUL_F | LEN, 2, "", "", "N", false },
};

/* path_bits - the flags of a parsed path as letters */
static void path_bits(const struct addr_path *p, char *out)
{
	if (p->null)
		*out++ = 'N';
	if (p->had_route)
		*out++ = 'R';
	if (p->quoted_local)
		*out++ = 'Q';
	if (p->trailing_dot)
		*out++ = 'T';
	if (p->literal)
		*out++ = 'L';
	*out = '\0';
}

/* check_path_case - one row; false with a diagnostic on mismatch */
static bool check_path_case(const struct path_case *c, struct buf *why)
{
	size_t len = c->len ? c->len : strlen(c->in);
	struct addr_path p;
	char bits[8];
	int rc;
	bool ok;

	buf_reset(why);
	rc = addr_parse_path(c->in, len, c->flags, &p, why);
	if (rc < 0) {
		ok = c->want < 0 && strstr(buf_str(why), c->local) != NULL && p.local == NULL;
	} else {
		path_bits(&p, bits);
		ok = rc == c->want && strcmp(p.local, c->local) == 0
		    && strcmp(p.domain, c->domain) == 0 && strcmp(bits, c->bits) == 0
		    && addr_local_has_routing(p.local) == c->routing && buf_len(why) == 0;
	}
	if (!ok)
		printf("#   \"%s\": rc %d local \"%s\" domain \"%s\" why \"%s\"\n", c->in, rc,
		       rc < 0 ? "" : p.local, rc < 0 ? "" : p.domain, buf_str(why));
	addr_path_free(&p);
	return ok;
}

/* test_path_table - addr_parse_path() on the table above */
static void test_path_table(void)
{
	struct buf *why = buf_new(0);

	test_begin("addr: parse_path table, bad input and relay tricks");
	for (size_t i = 0; i < sizeof(path_cases) / sizeof(path_cases[0]); i++)
		if (!check_path_case(&path_cases[i], why))
			test_fail_at(__FILE__, __LINE__, path_cases[i].in);
	buf_free(&why);
	test_end();
}

/* labels - a domain of n bytes: 63-byte labels joined by dots */
static void labels(struct buf *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		buf_putc(b, (i % 64 == 63) ? '.' : 'd');
}

/* try_path - "<" local "@" domain ">", parsed; the result and the reason */
static int try_path(size_t local, size_t domain, struct buf *why)
{
	struct buf *b = buf_new(600);
	struct addr_path p;
	int rc;

	buf_putc(b, '<');
	for (size_t i = 0; i < local; i++)
		buf_putc(b, 'l');
	buf_putc(b, '@');
	labels(b, domain);
	buf_putc(b, '>');
	buf_reset(why);
	rc = addr_parse_path(buf_str(b), buf_len(b), 0, &p, why);
	addr_path_free(&p);
	buf_free(&b);
	return rc;
}

/* test_path_limits - 64/255/256 octets and 63-byte labels */
static void test_path_limits(void)
{
	struct buf *why = buf_new(0);
	struct addr_path p;

	test_begin("addr: local 64, domain 255, path 256, label 63");
	test_assert(try_path(65, 10, why) < 0);
	test_assert(strstr(buf_str(why), "local part longer than 64") != NULL);
	test_assert(try_path(64, 10, why) == 77);
	test_assert(try_path(1, 256, why) < 0);
	test_assert(strstr(buf_str(why), "domain longer than 255") != NULL);
	test_assert(try_path(1, 253, why) < 0);
	test_assert(strstr(buf_str(why), "path longer than 256") != NULL);
	test_assert(try_path(1, 252, why) == 256);
	test_assert(try_path(64, 189, why) == 256);
	test_assert(try_path(64, 190, why) < 0);
	test_assert(addr_parse_path("<a@" "0123456789012345678901234567890123456789012345678901234567890123"
				    ">", 68, 0, &p, why) < 0);
	test_assert(strstr(buf_str(why), "label longer than 63") != NULL);
	buf_reset(why);
	test_assert(addr_parse_path("<\"012345678901234567890123456789012345678901234567890123456789012\"@x>",
				    69, 0, &p, why) < 0);	/* 65 octets as sent */
	test_assert(strstr(buf_str(why), "local part longer than 64") != NULL);
	buf_free(&why);
	test_end();
}

/* test_routing - the relay tricks smtpd must see through */
static void test_routing(void)
{
	struct buf *why = buf_new(0);
	struct addr_path p;
	char dom[] = "OurDomain.EXAMPLE";

	test_begin("addr: sender-specified routing and domain folding");
	test_assert(addr_local_has_routing("user%other"));
	test_assert(addr_local_has_routing("user@other"));
	test_assert(addr_local_has_routing("other!user"));
	test_assert(!addr_local_has_routing("user.name+tag"));
	test_assert_str(addr_domain_fold(dom), "ourdomain.example");
	test_assert(addr_parse_path("<USER%OTHER@OurDomain>", 22, 0, &p, why) == 22);
	test_assert(addr_local_has_routing(p.local));
	test_assert_str(addr_domain_fold(p.domain), "ourdomain");
	addr_path_free(&p);
	test_assert(addr_parse_path("<@ourdomain:user@other>", 23, 0, &p, why) == 23);
	test_assert(p.had_route && strcmp(p.domain, "other") == 0);
	addr_path_free(&p);
	test_assert(p.local == NULL && p.domain == NULL);
	buf_free(&why);
	test_end();
}

struct quote_case {
	const char *local, *quoted;
};

static const struct quote_case quote_cases[] = {
	{ "a", "a" },
	{ "a.b+c", "a.b+c" },
	{ "", "\"\"" },
	{ "a b", "\"a b\"" },
	{ "a..b", "\"a..b\"" },
	{ ".a", "\".a\"" },
	{ "a.", "\"a.\"" },
	{ "a\"b", "\"a\\\"b\"" },
	{ "a\\b", "\"a\\\\b\"" },
	{ "user@other", "\"user@other\"" },
	{ "\xc3\xbc", "\xc3\xbc" },
	{ "a\tb\r", "\"a\tb\r\"" },
};

/* test_quoting - quote/unquote and external/internal round trips */
static void test_quoting(void)
{
	struct buf *b = buf_new(0), *back = buf_new(0), *why = buf_new(0);

	test_begin("addr: quote_local, unquote, external, internal round trips");
	for (size_t i = 0; i < sizeof(quote_cases) / sizeof(quote_cases[0]); i++) {
		const struct quote_case *c = &quote_cases[i];

		buf_reset(b);
		buf_reset(back);
		addr_quote_local(b, c->local);
		test_assert_str(buf_str(b), c->quoted);
		test_assert(addr_unquote(back, buf_str(b), buf_len(b), why) == 0);
		test_assert_str(buf_str(back), c->local);
		buf_reset(b);
		buf_reset(back);
		addr_external(b, c->local, "example.com");
		test_assert(addr_internal(back, buf_str(b), why) == 0);
		test_assert(buf_len(back) == strlen(c->local) + 12);
		test_assert(strncmp(buf_str(back), c->local, strlen(c->local)) == 0);
		test_assert_str(buf_str(back) + strlen(c->local), "@example.com");
	}
	buf_reset(b);
	addr_external(b, "", "");
	test_assert_str(buf_str(b), "");
	addr_external(b, "a@b", "");
	test_assert_str(buf_str(b), "\"a@b\"");
	buf_reset(back);
	test_assert(addr_internal(back, "\"a@b\"@c", why) == 0);
	test_assert_str(buf_str(back), "a@b@c");
	buf_reset(why);
	test_assert(addr_unquote(back, "\"abc", 4, why) < 0);
	test_assert_str(buf_str(why), "unbalanced quote in the local part");
	buf_reset(why);
	test_assert(addr_internal(back, "abc\\", why) < 0);
	test_assert_str(buf_str(why), "backslash at the end of the local part");
	buf_free(&b);
	buf_free(&back);
	buf_free(&why);
	test_end();
}

struct ext_case {
	const char *local, *delims, *base, *ext;	/* base NULL: no split */
};

static const struct ext_case ext_cases[] = {
	{ "user", "+", NULL, NULL },
	{ "+tag", "+", NULL, NULL },
	{ "user+tag", "", NULL, NULL },
	{ "user+tag", NULL, NULL, NULL },
	{ "owner-list", "-", NULL, NULL },
	{ "list-request", "-", NULL, NULL },
	{ "owner-list+x", "+-", NULL, NULL },
	{ "user+tag", "+", "user", "tag" },
	{ "user+tag", "+-", "user", "tag" },
	{ "user-tag+x", "+-", "user", "tag+x" },
	{ "user+", "+", "user", "" },
	{ "user++x", "+", "user", "+x" },
	{ "owner-list", "+", NULL, NULL },
	{ "list+x-request", "+-", "list", "x-request" },
};

/* test_split_ext - recipient_delimiter */
static void test_split_ext(void)
{
	test_begin("addr: split_ext (recipient_delimiter)");
	for (size_t i = 0; i < sizeof(ext_cases) / sizeof(ext_cases[0]); i++) {
		const struct ext_case *c = &ext_cases[i];
		char *base = (char *)"x", *ext = (char *)"x";
		bool split = addr_split_ext(c->local, c->delims, &base, &ext);

		if (split != (c->base != NULL) || (!split && (base || ext))
		    || (split && (strcmp(base, c->base) != 0 || strcmp(ext, c->ext) != 0))) {
			printf("#   \"%s\" \"%s\": %d\n", c->local, c->delims ? c->delims : "(null)", split);
			test_fail_at(__FILE__, __LINE__, c->local);
		}
		free(base);
		free(ext);
	}
	test_end();
}

struct list_case {
	const char *in;
	size_t len;		/* 0: strlen(in) */
	int want;		/* addresses, or -1 */
	const char *out;	/* joined with "|", or a substring of the reason */
};

static const struct list_case list_cases[] = {
	{ "\"abc", 0, -1, "unbalanced quote" },
	{ "(abc", 0, -1, "unbalanced '('" },
	{ "a@b (x (y) z", 0, -1, "unbalanced '('" },
	{ "a@b)", 0, -1, "unbalanced ')'" },
	{ "a@b]", 0, -1, "unbalanced ']'" },
	{ "a@[1.2.3.4", 0, -1, "unbalanced '['" },
	{ "a@[1.[2]", 0, -1, "'[' inside a domain literal" },
	{ "<a@b", 0, -1, "missing '>'" },
	{ "Foo <a b@c>", 0, -1, "bad local part in <...>" },
	{ "<@a x@y>", 0, -1, "bad source route" },
	{ "a@b c@d", 0, -1, "missing ','" },
	{ "john doe@x", 0, -1, "white space between words" },
	{ "a@b;", 0, -1, "';' outside a group" },
	{ "g1: g2: a@b;;", 0, -1, "group inside a group" },
	{ "a@", 0, -1, "missing domain after '@'" },
	{ "a@\"b\"", 0, -1, "missing domain after '@'" },
	{ "@b", 0, -1, "missing local part" },
	{ "a\\b@c", 0, -1, "stray backslash" },
	{ "Foo Bar", 0, -1, "words without an address" },
	{ "a\0b@c", 5, -1, "control character" },
	{ "\"a\\\0\"@b", 7, -1, "control character in a quoted string" },
	{ "(a\001)b@c", 0, -1, "control character in a comment" },
	{ "a\x7f@c", 0, -1, "control character" },
	{ ">", 0, -1, "unexpected character" },
	{ "\"user@other\"", 0, -1, "'@' in a local part without a domain" },
	{ "Foo <\"a@b\">", 0, -1, "'@' in a local part without a domain" },
	{ "a@b, \"\"", 0, -1, "empty local part without a domain" },

	{ "", 0, 0, "" },
	{ " \t(just a comment)\r\n ", 0, 0, "" },
	{ "a@b", 0, 1, "a@b" },
	{ "\"Foo Bar\" <a@b>, Baz <c@d>", 0, 2, "a@b|c@d" },
	{ "Foo (comment (nested \\) ) here) <a@b>", 0, 1, "a@b" },
	{ "a@b (Real Name)", 0, 1, "a@b" },
	{ "undisclosed-recipients:;", 0, 0, "" },
	{ "grp: a@b, c@d;, e@f", 0, 3, "a@b|c@d|e@f" },
	{ "grp: a@b", 0, 1, "a@b" },
	{ "g1: a@b;, g2: c@d, e@f;", 0, 3, "a@b|c@d|e@f" },
	{ "\"a b\"@c", 0, 1, "a b@c" },
	{ "\"user@other\"@ourdomain", 0, 1, "user@other@ourdomain" },
	{ "postmaster, john", 0, 2, "postmaster|john" },
	{ "a@b,\r\n\tc@d", 0, 2, "a@b|c@d" },
	{ "<@route,@r2:a@b>", 0, 1, "a@b" },
	{ "John Q. Public <jqp@example.com>", 0, 1, "jqp@example.com" },
	{ "a . b @ c . d", 0, 1, "a.b@c.d" },
	{ "a@[1.2.3.4]", 0, 1, "a@[1.2.3.4]" },
	{ ", ,a@b,,", 0, 1, "a@b" },
	{ "<>", 0, 0, "" },
	{ "\"a\\\"b\"@c", 0, 1, "a\"b@c" },
	{ "\"a\\\r\\\n b\"@c", 0, 1, "a b@c" },
	{ "=?utf-8?q?Gr=C3=BC=C3=9Fe?= <a@b>", 0, 1, "a@b" },
	{ "\"a\r\n b\"@c", 0, 1, "a b@c" },
	{ "a.@docomo.ne.jp", 0, 1, "a.@docomo.ne.jp" },
	{ "USER%OTHER@OurDomain", 0, 1, "USER%OTHER@OurDomain" },
	{ "\xc3\xbc@b\xc3\xbc.c", 0, 1, "\xc3\xbc@b\xc3\xbc.c" },
	{ "a@b.", 0, 1, "a@b." },
};

/* test_list_table - addr_list_parse() on the table above */
static void test_list_table(void)
{
	struct buf *why = buf_new(0);

	test_begin("addr: list_parse table: names, comments, groups, obsolete forms");
	for (size_t i = 0; i < sizeof(list_cases) / sizeof(list_cases[0]); i++) {
		const struct list_case *c = &list_cases[i];
		struct strv *v = strv_new();
		int rc;
		char *joined;

		strv_add(v, "already there");
		buf_reset(why);
		rc = addr_list_parse(c->in, c->len ? c->len : strlen(c->in), v, why);
		joined = strv_join(v, "|");
		if (rc != c->want || (rc < 0 && (!strstr(buf_str(why), c->out) || v->len != 1))
		    || (rc >= 0 && strcmp(joined + 13 + (rc > 0), c->out) != 0)) {
			printf("#   \"%s\": rc %d got \"%s\" why \"%s\"\n", c->in, rc, joined, buf_str(why));
			test_fail_at(__FILE__, __LINE__, c->in);
		}
		free(joined);
		strv_free(&v);
	}
	buf_free(&why);
	test_end();
}

/* test_list_limits - the address count and comment depth */
static void test_list_limits(void)
{
	struct buf *b = buf_new(0), *why = buf_new(0);
	struct strv *v = strv_new();

	test_begin("addr: list_parse limits: 10000 addresses, comments 32 deep");
	for (int i = 0; i < ADDR_MAX_LIST; i++)
		buf_cat(b, "a@b,");
	test_assert(addr_list_parse(buf_str(b), buf_len(b), v, why) == ADDR_MAX_LIST);
	strv_free(&v);
	v = strv_new();
	buf_cat(b, "c@d");
	test_assert(addr_list_parse(buf_str(b), buf_len(b), v, why) == -1);
	test_assert(strstr(buf_str(why), "too many addresses") != NULL && v->len == 0);
	buf_reset(b);
	for (int i = 0; i < ADDR_MAX_COMMENT_DEPTH; i++)
		buf_putc(b, '(');
	for (int i = 0; i < ADDR_MAX_COMMENT_DEPTH; i++)
		buf_putc(b, ')');
	buf_cat(b, "a@b");
	test_assert(addr_list_parse(buf_str(b), buf_len(b), v, why) == 1);
	buf_set(b, "(");
	for (int i = 0; i < ADDR_MAX_COMMENT_DEPTH; i++)
		buf_cat(b, "(x)");
	buf_reset(why);
	test_assert(addr_list_parse(buf_str(b), buf_len(b), v, why) == -1);
	buf_reset(b);
	for (int i = 0; i <= ADDR_MAX_COMMENT_DEPTH; i++)
		buf_putc(b, '(');
	for (int i = 0; i <= ADDR_MAX_COMMENT_DEPTH; i++)
		buf_putc(b, ')');
	buf_cat(b, "a@b");
	buf_reset(why);
	test_assert(addr_list_parse(buf_str(b), buf_len(b), v, why) == -1);
	test_assert_str(buf_str(why), "comments nested too deeply");
	strv_free(&v);
	buf_free(&b);
	buf_free(&why);
	test_end();
}

/* test_addr - every addr case */
void test_addr(void)
{
	test_path_table();
	test_path_limits();
	test_routing();
	test_quoting();
	test_split_ext();
	test_list_table();
	test_list_limits();
}
