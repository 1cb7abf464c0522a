/* smtp_addr_test - next-hop syntax (bad input first) and the parts of the
 * reply reader that need no server: reply lines, enhanced status codes,
 * EHLO keywords, xtext. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "smtp.h"
#include "test.h"

static const struct nexthop_case {
	const char *in;
	int rc;
	const char *host;
	unsigned port;
	bool literal;
} nexthop_cases[] = {
	{ "", -1, NULL, 0, false },
	{ "[", -1, NULL, 0, false },
	{ "[]", -1, NULL, 0, false },
	{ "[host", -1, NULL, 0, false },
	{ "[host]x", -1, NULL, 0, false },
	{ "[host]:", -1, NULL, 0, false },
	{ "[host]:0", -1, NULL, 0, false },
	{ "[host]:65536", -1, NULL, 0, false },
	{ "[host]:25x", -1, NULL, 0, false },
	{ "[host]:nosuchservice", -1, NULL, 0, false },
	{ "host:25:26", -1, NULL, 0, false },
	{ "2001:db8::1", -1, NULL, 0, false },
	{ "bad_name.example", -1, NULL, 0, false },
	{ "-x.example", -1, NULL, 0, false },
	{ "[bad name]", -1, NULL, 0, false },
	{ "example.org", 0, "example.org", 25, false },
	{ "example.org.", 0, "example.org", 25, false },
	{ "example.org:2525", 0, "example.org", 2525, false },
	{ "[mx.example.org]", 0, "mx.example.org", 25, true },
	{ "[mx.example.org]:587", 0, "mx.example.org", 587, true },
	{ "[mx.example.org]:smtp", 0, "mx.example.org", 25, true },
	{ "[192.0.2.1]:2525", 0, "192.0.2.1", 2525, true },
	{ "[2001:db8::1]:25", 0, "2001:db8::1", 25, true },
	{ "[IPv6:2001:db8::1]", 0, "2001:db8::1", 25, true },
	{ "192.0.2.1", 0, "192.0.2.1", 25, true },
};

/* nexthop - smtp_nexthop_parse against the table */
static void nexthop(void)
{
	for (size_t i = 0; i < sizeof(nexthop_cases) / sizeof(nexthop_cases[0]); i++) {
		const struct nexthop_case *c = &nexthop_cases[i];
		struct smtp_nexthop nh;
		struct buf *why = buf_new(0);
		char name[128];
		int rc;

		snprintf(name, sizeof(name), "smtp nexthop \"%s\"", c->in);
		test_begin(name);
		rc = smtp_nexthop_parse(c->in, &nh, why);
		test_assert(rc == c->rc);
		if (rc == 0) {
			test_assert_str(nh.host, c->host);
			test_assert(nh.port == c->port);
			test_assert(nh.literal == c->literal);
		} else {
			test_assert(strstr(buf_str(why), "bad next-hop destination") != NULL);
		}
		buf_free(&why);
		test_end();
	}
	test_begin("smtp nexthop: a host name longer than 255 bytes");
	{
		char *long_name = xmalloc(400);
		struct smtp_nexthop nh;
		struct buf *why = buf_new(0);

		memset(long_name, 'a', 399);
		long_name[0] = '[';
		long_name[398] = ']';
		long_name[399] = '\0';
		test_assert(smtp_nexthop_parse(long_name, &nh, why) == -1);
		test_assert(smtp_nexthop_parse(long_name + 1, &nh, why) == -1);
		free(long_name);
		buf_free(&why);
	}
	test_end();
}

static const struct line_case {
	const char *in;
	int rc, code;
	bool more;
} line_cases[] = {
	{ "", -1, 0, false }, { "25", -1, 0, false }, { "abc", -1, 0, false },
	{ "250x", -1, 0, false }, { "150 info", -1, 0, false }, { "650 no", -1, 0, false },
	{ "2a0 x", -1, 0, false },
	{ "250", 0, 250, false }, { "250 ok", 0, 250, false }, { "250-more", 0, 250, true },
	{ "554 5.7.1 no", 0, 554, false }, { "421-", 0, 421, true },
};

static const struct dsn_case {
	const char *text;
	int code;
	const char *want;
} dsn_cases[] = {
	{ "550", 550, "5.0.0" },
	{ "550 no such user", 550, "5.0.0" },
	{ "550 4.1.1 class differs", 550, "5.0.0" },
	{ "550 5.1.1x junk", 550, "5.0.0" },
	{ "550 5.1234.1 too long", 550, "5.0.0" },
	{ "550 5..1 empty", 550, "5.0.0" },
	{ "550 5.1.1", 550, "5.1.1" },
	{ "550 5.1.1 no such user", 550, "5.1.1" },
	{ "451 4.7.650 greylisted", 451, "4.7.650" },
	{ "250 2.0.0 Ok", 250, "2.0.0" },
};

/* reply - reply lines and enhanced status codes */
static void reply(void)
{
	for (size_t i = 0; i < sizeof(line_cases) / sizeof(line_cases[0]); i++) {
		const struct line_case *c = &line_cases[i];
		char name[128];
		int code = 0;
		bool more = false;

		snprintf(name, sizeof(name), "smtp reply line \"%s\"", c->in);
		test_begin(name);
		test_assert(smtp_reply_parse_line(c->in, strlen(c->in), &code, &more) == c->rc);
		if (c->rc == 0)
			test_assert(code == c->code && more == c->more);
		test_end();
	}
	for (size_t i = 0; i < sizeof(dsn_cases) / sizeof(dsn_cases[0]); i++) {
		const struct dsn_case *c = &dsn_cases[i];
		char name[128], dsn[16];

		snprintf(name, sizeof(name), "smtp reply dsn \"%s\"", c->text);
		test_begin(name);
		smtp_reply_dsn(c->text, c->code, dsn);
		test_assert_str(dsn, c->want);
		test_end();
	}
}

/* ehlo - keywords from an EHLO reply, SIZE limits */
static void ehlo(void)
{
	struct smtp_session ss = { 0 };
	static const char *const lines[] = {
		"250-PIPELINING is the server name, not a keyword", "250-size 1000",
		"250-8BITMIME", "250-DSN", "250-X-UNKNOWN", "250-STARTTLS", "250-PIPELININGX",
		"250 ENHANCEDSTATUSCODES",
	};

	test_begin("smtp EHLO keywords: case-insensitive, whole words, not the first line");
	smtp_reply_init(&ss.reply);
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		strv_add(ss.reply.lines, lines[i]);
	smtp_ehlo_parse(&ss);
	test_assert(ss.features == (SMTP_F_ESMTP | SMTP_F_SIZE | SMTP_F_8BITMIME | SMTP_F_DSN
				    | SMTP_F_STARTTLS | SMTP_F_ENHANCED));
	test_assert(ss.size_limit == 1000);
	test_end();

	test_begin("smtp EHLO: SIZE without a number, or a bad one, is no limit");
	strv_clear(ss.reply.lines);
	strv_add(ss.reply.lines, "250-name");
	strv_add(ss.reply.lines, "250 SIZE");
	smtp_ehlo_parse(&ss);
	test_assert((ss.features & SMTP_F_SIZE) && ss.size_limit == 0);
	strv_clear(ss.reply.lines);
	strv_add(ss.reply.lines, "250-name");
	strv_add(ss.reply.lines, "250 SIZE -5");
	smtp_ehlo_parse(&ss);
	test_assert(ss.size_limit == 0);
	strv_clear(ss.reply.lines);
	strv_add(ss.reply.lines, "250-name");
	strv_add(ss.reply.lines, "250 SIZE 99999999999999999999999");
	smtp_ehlo_parse(&ss);
	test_assert(ss.size_limit == 0 || ss.size_limit == __LONG_MAX__);
	smtp_reply_free(&ss.reply);
	test_end();
}

static const struct xtext_case {
	const char *in, *encoded, *decoded;
} xtext_cases[] = {
	{ "", "", "" },
	{ "a b", "a+20b", "a b" },
	{ "x=y", "x+3Dy", "x=y" },
	{ "a+b", "a+2Bb", "a+b" },		/* "+b" is no escape: encoded */
	{ "a+2Bb", "a+2Bb", "a+b" },		/* xtext already: kept */
	{ "\xc3\xa9", "+C3+A9", "\xc3\xa9" },
	{ "plain@example.org", "plain@example.org", "plain@example.org" },
};

/* xtext - RFC 3461 encoding for ORCPT and ENVID */
static void xtext(void)
{
	for (size_t i = 0; i < sizeof(xtext_cases) / sizeof(xtext_cases[0]); i++) {
		const struct xtext_case *c = &xtext_cases[i];
		struct buf *e = buf_new(0), *d = buf_new(0);
		char name[128];

		snprintf(name, sizeof(name), "smtp xtext \"%s\"", c->encoded);
		test_begin(name);
		xtext_encode(e, c->in);
		test_assert_str(buf_str(e), c->encoded);
		xtext_decode(d, buf_str(e));
		test_assert_str(buf_str(d), c->decoded);
		buf_free(&e);
		buf_free(&d);
		test_end();
	}
}

/* test_smtp_addr - everything above */
void test_smtp_addr(void)
{
	nexthop();
	reply();
	ehlo();
	xtext();
}
