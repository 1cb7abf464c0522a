/* dns_test - host name syntax, IP text checks, RBL and PTR name building
 * (IPv4, IPv6 nibbles, IPv4-mapped), names refused before any query, and
 * the reply parser fed crafted packets: bad headers, lying counts, short
 * and overlong data, compression pointers out of range or looping, then
 * good answers and the answer cap.  No test here touches the network. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "dns.h"
#include "mem.h"
#include "test.h"

struct name_case {
	const char *name;
	bool valid;
};

/* test_name_valid - dns_name_valid, bad input first */
static void test_name_valid(void)
{
	static char l63[64], l64[65], n253[254], n254[255], n253dot[255];
	const struct name_case cases[] = {
		{ NULL, false }, { "", false }, { ".", false }, { "..", false },
		{ "a..b", false }, { ".a", false }, { "a.b..", false },
		{ "-a.example", false }, { "a-.example", false }, { "a.-b", false },
		{ "a_b.example", false }, { "a b.example", false }, { "a\tb", false },
		{ "ex\xc3\xa4mple.org", false }, { "a/b", false }, { "a\\.b", false },
		{ "[1.2.3.4]", false }, { "1.2.3.4", false }, { "example.123", false },
		{ "123", false }, { "1.2.3.4.", false }, { l64, false }, { n254, false },
		{ "a", true }, { "localhost", true }, { "example.org", true },
		{ "example.org.", true }, { "Mail-1.Example.ORG", true }, { "a-b.c0m", true },
		{ "1a.example", true }, { "123.example.org", true }, { "xn--bcher-kva.example", true },
		{ "example.1a", true }, { l63, true }, { n253, true }, { n253dot, true },
	};

	memset(l63, 'a', 63);
	memset(l64, 'a', 64);
	/* 253 = 3 * 63 + 61 labels' bytes + 3 dots */
	snprintf(n253, sizeof(n253), "%s.%s.%s.%.61s", l63, l63, l63, l63);
	snprintf(n254, sizeof(n254), "%s.%s.%s.%.62s", l63, l63, l63, l63);
	snprintf(n253dot, sizeof(n253dot), "%s.", n253);
	test_begin("dns_name_valid table");
	test_assert(strlen(n253) == 253 && strlen(n254) == 254);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (dns_name_valid(cases[i].name) != cases[i].valid) {
			printf("#   case %zu \"%.40s\": want %s\n", i, cases[i].name ? cases[i].name : "(null)",
			       cases[i].valid ? "valid" : "invalid");
			test_fail_at(__FILE__, __LINE__, "dns_name_valid");
		}
	test_end();
}

/* test_addr_checks - dns_addr_is_ip, dns_addr_is_ip_literal */
static void test_addr_checks(void)
{
	static const char *not_ip[] = { "", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4",
		" 1.2.3.4", "1.2.3.4 ", "[1.2.3.4]", "::1%lo", "1::2::3", "example.org", "0x1.2.3.4" };
	static const char *ip[] = { "1.2.3.4", "0.0.0.0", "::1", "2001:db8::1", "::ffff:1.2.3.4",
		"2001:DB8:0:0:0:0:0:1" };
	static const char *not_lit[] = { "1.2.3.4", "[1.2.3.4", "1.2.3.4]", "[]", "[::1]",
		"[IPv6:1.2.3.4]", "[IPv6:]", "[1.2.3.256]", "[IPv6:::1", "[tag:x]",
		"[IPv6:2001:db8::1111:2222:3333:4444:5555:6666:7777:8888:9999:aaaa:bbbb:cccc]" };
	static const char *lit[] = { "[1.2.3.4]", "[IPv6:2001:db8::1]", "[ipv6:::1]",
		"[IPv6:::ffff:1.2.3.4]" };

	test_begin("dns_addr_is_ip, dns_addr_is_ip_literal");
	test_assert(!dns_addr_is_ip(NULL) && !dns_addr_is_ip_literal(NULL));
	for (size_t i = 0; i < sizeof(not_ip) / sizeof(*not_ip); i++)
		if (dns_addr_is_ip(not_ip[i]))
			test_fail_str(__FILE__, __LINE__, "dns_addr_is_ip", not_ip[i], "(refused)");
	for (size_t i = 0; i < sizeof(ip) / sizeof(*ip); i++)
		if (!dns_addr_is_ip(ip[i]))
			test_fail_str(__FILE__, __LINE__, "dns_addr_is_ip", ip[i], "(accepted)");
	for (size_t i = 0; i < sizeof(not_lit) / sizeof(*not_lit); i++)
		if (dns_addr_is_ip_literal(not_lit[i]))
			test_fail_str(__FILE__, __LINE__, "dns_addr_is_ip_literal", not_lit[i], "(refused)");
	for (size_t i = 0; i < sizeof(lit) / sizeof(*lit); i++)
		if (!dns_addr_is_ip_literal(lit[i]))
			test_fail_str(__FILE__, __LINE__, "dns_addr_is_ip_literal", lit[i], "(accepted)");
	test_end();
}

struct rbl_case {
	const char *ip, *domain;
	enum dns_status want;
	const char *name;
};

/* test_rbl_names - dns_rbl_name and dns_ptr_name (domain NULL) */
static void test_rbl_names(void)
{
	static char longdom[200];
	const struct rbl_case cases[] = {
		{ NULL, "zen.test", DNS_INVALID, NULL },
		{ "", "zen.test", DNS_INVALID, NULL },
		{ "1.2.3", "zen.test", DNS_INVALID, NULL },
		{ "1.2.3.4/32", "zen.test", DNS_INVALID, NULL },
		{ "[1.2.3.4]", "zen.test", DNS_INVALID, NULL },
		{ "1.2.3.4", "", DNS_INVALID, NULL },
		{ "1.2.3.4", NULL, DNS_INVALID, NULL },
		{ "1.2.3.4", "zen..test", DNS_INVALID, NULL },
		{ "1.2.3.4", ".zen.test", DNS_INVALID, NULL },
		{ "1.2.3.4", "zen test", DNS_INVALID, NULL },
		{ "2001:db8::1", longdom, DNS_INVALID, NULL },	/* 64 + 199 > 253 */
		{ "1.2.3.4", "zen.test", DNS_OK, "4.3.2.1.zen.test" },
		{ "1.2.3.4", "zen.test.", DNS_OK, "4.3.2.1.zen.test." },
		{ "10.0.0.255", "bl.example", DNS_OK, "255.0.0.10.bl.example" },
		{ "::ffff:1.2.3.4", "zen.test", DNS_OK, "4.3.2.1.zen.test" },
		{ "2001:db8::1", "zen.test", DNS_OK,
		  "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.zen.test" },
		{ "2001:DB8:ABCD::F0", "x", DNS_OK,
		  "0.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.c.b.a.8.b.d.0.1.0.0.2.x" },
		{ "1.2.3.4", NULL, DNS_OK, "4.3.2.1.in-addr.arpa" },
		{ "::1", NULL, DNS_OK,
		  "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa" },
		{ "::ffff:192.0.2.7", NULL, DNS_OK, "7.2.0.192.in-addr.arpa" },
		{ "2001:db8::", longdom + 20, DNS_OK, NULL },	/* 64 + 179 fits */
	};
	struct buf *b = buf_new(64);

	memset(longdom, 'a', 199);
	for (size_t i = 60; i < 199; i += 60)
		longdom[i] = '.';
	test_begin("dns_rbl_name, dns_ptr_name");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct rbl_case *c = &cases[i];
		enum dns_status st;

		buf_set(b, "keep");
		if (c->domain == NULL && c->want == DNS_OK)
			st = dns_ptr_name(c->ip, b);
		else
			st = dns_rbl_name(c->ip, c->domain, b);
		if (st != c->want)
			printf("#   case %zu: status %s\n", i, dns_status_str(st));
		test_assert(st == c->want);
		if (c->want != DNS_OK)
			test_assert_str(buf_str(b), "keep");
		else if (c->name)
			test_assert_str(buf_str(b) + 4, c->name);
	}
	test_assert(dns_ptr_name("x", b) == DNS_INVALID);
	test_assert_str(dns_status_str(DNS_TEMPFAIL), "TEMPFAIL");
	buf_free(&b);
	test_end();
}

/* test_query_invalid - bad names are refused before the resolver is used */
static void test_query_invalid(void)
{
	static const char *bad[] = { "", ".", "a..b", ".a", "a b", "a\\.b", "a\nb", "\x80.org" };
	struct buf *why = buf_new(64);
	struct strv *v = strv_new();
	struct dns_mx *mx = (struct dns_mx *)1;
	struct dns_rr *rrs;
	size_t n = 7;
	char big[300];

	test_begin("lookups refuse bad names with DNS_INVALID");
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		test_assert(dns_lookup_a(bad[i], NULL, v, why) == DNS_INVALID);
	test_assert(strstr(buf_str(why), "invalid domain name") != NULL);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	test_assert(dns_lookup_txt(big, NULL, v, why) == DNS_INVALID);
	test_assert(strstr(buf_str(why), "...") != NULL && buf_len(why) < 100);
	test_assert(dns_lookup_a("a\r\nb", NULL, v, why) == DNS_INVALID);
	test_assert_str(buf_str(why), "invalid domain name \"a??b\"");
	test_assert(dns_lookup_mx("a..b", NULL, &mx, &n, why) == DNS_INVALID);
	test_assert(mx == NULL && n == 0);
	test_assert(dns_query(NULL, DNS_T_A, NULL, &rrs, &n, NULL) == DNS_INVALID && rrs == NULL);
	test_assert(dns_lookup_ptr("1.2.3", NULL, v, why) == DNS_INVALID);
	test_assert_str(buf_str(why), "not an IP address: \"1.2.3\"");
	test_assert(dns_fcrdns("example.org", NULL, why, why) == DNS_INVALID);
	test_assert(v->len == 0);
	strv_free(&v);
	buf_free(&why);
	test_end();
}

/* --- crafted replies ---------------------------------------------------- */

/* the question every packet carries: example.org, at offset 12 */
#define QNAME "\x07" "example" "\x03" "org" "\0"
#define PTR_Q "\xc0\x0c"

struct rec {
	const char *owner;	/* raw wire name; NULL: a pointer to the question */
	size_t owner_len;
	unsigned type, class;
	const char *rdata;
	size_t rdlen;
};

struct pkt_case {
	const char *what;
	enum dns_type qtype;
	unsigned flags;		/* header bytes 2-3; 0: 0x8180 (response, RD, RA) */
	int ancount;		/* -1: the number of records */
	struct rec rr[3];
	int nrr;
	int cut;		/* drop this many bytes from the end; -1: add one */
	enum dns_status want;
	size_t want_n;
	const char *want_data;	/* first record, or a substring of why */
	unsigned want_pref;
};

#define R(t, d) { NULL, 0, t, 1, d, sizeof(d) - 1 }
#define RC(t, c, d) { NULL, 0, t, c, d, sizeof(d) - 1 }
#define RO(o, t, d) { o, sizeof(o) - 1, t, 1, d, sizeof(d) - 1 }

static const struct pkt_case pkt_cases[] = {
	{ "query, not a response", DNS_T_A, 0x0100, -1, { R(1, "\1\2\3\4") }, 1, 0,
	  DNS_TEMPFAIL, 0, "not a query response", 0 },
	{ "not opcode QUERY", DNS_T_A, 0x9180, -1, { R(1, "\1\2\3\4") }, 1, 0,
	  DNS_TEMPFAIL, 0, "not a query response", 0 },
	{ "truncated (TC)", DNS_T_A, 0x8380, -1, { R(1, "\1\2\3\4") }, 1, 0,
	  DNS_TEMPFAIL, 0, "truncated reply", 0 },
	{ "NXDOMAIN", DNS_T_A, 0x8183, 0, { { 0 } }, 0, 0, DNS_NOTFOUND, 0, "NXDOMAIN", 0 },
	{ "SERVFAIL", DNS_T_MX, 0x8182, 0, { { 0 } }, 0, 0, DNS_TEMPFAIL, 0, "SERVFAIL", 0 },
	{ "REFUSED", DNS_T_MX, 0x8185, 0, { { 0 } }, 0, 0, DNS_TEMPFAIL, 0, "REFUSED", 0 },
	{ "NOTIMP", DNS_T_MX, 0x8184, 0, { { 0 } }, 0, 0, DNS_TEMPFAIL, 0, "rcode 4", 0 },
	{ "ancount larger than the records", DNS_T_A, 0, 2, { R(1, "\1\2\3\4") }, 1, 0,
	  DNS_TEMPFAIL, 0, "bad counts or lengths", 0 },
	{ "trailing garbage", DNS_T_A, 0, -1, { R(1, "\1\2\3\4") }, 1, -1,
	  DNS_TEMPFAIL, 0, "bad counts or lengths", 0 },
	{ "cut inside the rdata", DNS_T_A, 0, -1, { R(1, "\1\2\3\4") }, 1, 2,
	  DNS_TEMPFAIL, 0, "bad counts or lengths", 0 },
	{ "cut inside the header", DNS_T_A, 0, 0, { { 0 } }, 0, 20,
	  DNS_TEMPFAIL, 0, "short header", 0 },
	{ "A with 5 bytes", DNS_T_A, 0, -1, { R(1, "\1\2\3\4\5") }, 1, 0,
	  DNS_TEMPFAIL, 0, "bad A record", 0 },
	{ "A with 3 bytes", DNS_T_A, 0, -1, { R(1, "\1\2\3") }, 1, 0,
	  DNS_TEMPFAIL, 0, "bad A record", 0 },
	{ "AAAA with 4 bytes", DNS_T_AAAA, 0, -1, { R(28, "\1\2\3\4") }, 1, 0,
	  DNS_TEMPFAIL, 0, "bad AAAA record", 0 },
	{ "MX with only a preference", DNS_T_MX, 0, -1, { R(15, "\0\1") }, 1, 0,
	  DNS_TEMPFAIL, 0, "bad MX record", 0 },
	{ "MX name pointer past the end", DNS_T_MX, 0, -1, { R(15, "\0\1\xc3\xff") }, 1, 0,
	  DNS_TEMPFAIL, 0, "bad MX record", 0 },
	{ "MX name pointer to itself", DNS_T_MX, 0, -1, { R(15, "\0\1\xc0\x2b") }, 1, 0,
	  DNS_TEMPFAIL, 0, "bad MX record", 0 },
	{ "MX name shorter than its rdata", DNS_T_MX, 0, -1, { R(15, "\0\1\1a\0\0") }, 1, 0,
	  DNS_TEMPFAIL, 0, "bad MX record", 0 },
	{ "MX name running past its rdata", DNS_T_MX, 0, -1,
	  { R(15, "\0\1\5mx"), R(1, "\0\0\0\0") }, 2, 0, DNS_TEMPFAIL, 0, "bad MX record", 0 },
	{ "PTR with a reserved label type", DNS_T_PTR, 0, -1, { R(12, "\x41xx\0") }, 1, 0,
	  DNS_TEMPFAIL, 0, "bad PTR record", 0 },
	{ "owner name pointer loop", DNS_T_A, 0, -1, { RO("\xc0\x1d", 1, "\1\2\3\4") }, 1, 0,
	  DNS_TEMPFAIL, 0, "bad answer record", 0 },
	{ "empty TXT", DNS_T_TXT, 0, -1, { R(16, "") }, 1, 0, DNS_TEMPFAIL, 0, "bad TXT record", 0 },
	{ "TXT string past its rdata", DNS_T_TXT, 0, -1, { R(16, "\2ab\5cd") }, 1, 0,
	  DNS_TEMPFAIL, 0, "bad TXT record", 0 },
	{ "NOERROR without answers (NODATA)", DNS_T_MX, 0, 0, { { 0 } }, 0, 0,
	  DNS_NOTFOUND, 0, "no MX record", 0 },
	{ "only a CNAME", DNS_T_A, 0, -1, { R(5, "\3www" PTR_Q) }, 1, 0,
	  DNS_NOTFOUND, 0, "no A record", 0 },
	{ "class CH is skipped", DNS_T_A, 0, -1, { RC(1, 3, "\1\2\3\4") }, 1, 0,
	  DNS_NOTFOUND, 0, "no A record", 0 },
	{ "a bad record of another type is skipped", DNS_T_MX, 0, -1,
	  { R(1, "\1\2\3\4\5"), R(15, "\0\5\3mx1" PTR_Q) }, 2, 0, DNS_OK, 1, "mx1.example.org", 5 },

	{ "A", DNS_T_A, 0, -1, { R(1, "\xc0\0\2\1") }, 1, 0, DNS_OK, 1, "192.0.2.1", 0 },
	{ "CNAME then A", DNS_T_A, 0, -1,
	  { R(5, "\3www" PTR_Q), RO("\3www" PTR_Q, 1, "\x7f\0\0\1") }, 2, 0,
	  DNS_OK, 1, "127.0.0.1", 0 },
	{ "AAAA", DNS_T_AAAA, 0, -1,
	  { R(28, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\1") }, 1, 0, DNS_OK, 1, "2001:db8::1", 0 },
	{ "MX, compressed name", DNS_T_MX, 0, -1, { R(15, "\0\x0a\3mx1" PTR_Q) }, 1, 0,
	  DNS_OK, 1, "mx1.example.org", 10 },
	{ "MX, uncompressed name", DNS_T_MX, 0, -1, { R(15, "\xff\xff\2mx\3net\0") }, 1, 0,
	  DNS_OK, 1, "mx.net", 65535 },
	{ "null MX", DNS_T_MX, 0, -1, { R(15, "\0\0\0") }, 1, 0, DNS_OK, 1, ".", 0 },
	{ "MX name with a dot inside a label is escaped", DNS_T_MX, 0, -1,
	  { R(15, "\0\1\3a.b" PTR_Q) }, 1, 0, DNS_OK, 1, "a\\.b.example.org", 1 },
	{ "PTR", DNS_T_PTR, 0, -1, { R(12, "\4host" PTR_Q) }, 1, 0, DNS_OK, 1, "host.example.org", 0 },
	{ "TXT strings joined, control bytes replaced", DNS_T_TXT, 0, -1,
	  { R(16, "\2ab\3c\r\n\0\1\x7f") }, 1, 0, DNS_OK, 1, "abc???", 0 },
};

/* build - the reply of one case into p; its length */
static size_t build(const struct pkt_case *c, unsigned char *p, size_t cap)
{
	unsigned flags = c->flags ? c->flags : 0x8180;
	unsigned an = c->ancount < 0 ? (unsigned)c->nrr : (unsigned)c->ancount;
	size_t len = 0;

	memcpy(p, "\x12\x34", 2);
	p[2] = (unsigned char)(flags >> 8);
	p[3] = (unsigned char)flags;
	memcpy(p + 4, "\0\1", 2);
	p[6] = 0;
	p[7] = (unsigned char)an;
	memset(p + 8, 0, 4);
	len = 12;
	memcpy(p + len, QNAME, sizeof(QNAME) - 1);
	len += sizeof(QNAME) - 1;
	p[len++] = 0;
	p[len++] = (unsigned char)c->qtype;
	memcpy(p + len, "\0\1", 2);
	len += 2;
	for (int i = 0; i < c->nrr; i++) {
		const struct rec *r = &c->rr[i];

		if (len + r->owner_len + 12 + r->rdlen > cap)
			abort();
		memcpy(p + len, r->owner ? r->owner : PTR_Q, r->owner ? r->owner_len : 2);
		len += r->owner ? r->owner_len : 2;
		p[len++] = 0;
		p[len++] = (unsigned char)r->type;
		p[len++] = 0;
		p[len++] = (unsigned char)r->class;
		memcpy(p + len, "\0\0\x0e\x10", 4);	/* TTL 3600 */
		len += 4;
		p[len++] = (unsigned char)(r->rdlen >> 8);
		p[len++] = (unsigned char)r->rdlen;
		memcpy(p + len, r->rdata, r->rdlen);
		len += r->rdlen;
	}
	if (c->cut < 0)
		p[len++] = 0;
	return len - (c->cut > 0 ? (size_t)c->cut : 0);
}

/* test_parse_table - every crafted reply */
static void test_parse_table(void)
{
	unsigned char pkt[1024];
	struct buf *why = buf_new(64);

	test_begin("dns_parse_answer on crafted replies");
	for (size_t i = 0; i < sizeof(pkt_cases) / sizeof(pkt_cases[0]); i++) {
		const struct pkt_case *c = &pkt_cases[i];
		struct dns_rr *rrs = (struct dns_rr *)1;
		size_t n = 99, len = build(c, pkt, sizeof(pkt));
		enum dns_status st;

		buf_set(why, "");
		st = dns_parse_answer(pkt, len, c->qtype, &rrs, &n, why);
		if (st != c->want || n != c->want_n)
			printf("#   case \"%s\": %s, n=%zu, why \"%s\"\n", c->what, dns_status_str(st),
			       n, buf_str(why));
		test_assert(st == c->want && n == c->want_n);
		if (st == DNS_OK && n > 0) {
			test_assert_str(rrs[0].data, c->want_data);
			test_assert(rrs[0].pref == c->want_pref && rrs[0].type == c->qtype);
		} else if (st != DNS_OK) {
			test_assert(rrs == NULL);
			if (strstr(buf_str(why), c->want_data) == NULL)
				test_fail_str(__FILE__, __LINE__, c->what, buf_str(why), c->want_data);
		}
		dns_rr_free(&rrs, n);
	}
	buf_free(&why);
	test_end();
}

/* test_parse_cap - at most DNS_MAX_ANSWERS records are used */
static void test_parse_cap(void)
{
	unsigned char *pkt = xmalloc(12 + 17 + 150 * 16);
	size_t len;
	struct dns_rr *rrs;
	size_t n;

	test_begin("dns_parse_answer uses at most DNS_MAX_ANSWERS records");
	memcpy(pkt, "\x12\x34\x81\x80\0\1\0\x96\0\0\0\0" QNAME "\0\1\0\1", 12 + 17);
	len = 12 + 17;
	for (int i = 0; i < 150; i++) {
		memcpy(pkt + len, PTR_Q "\0\1\0\1\0\0\0\1\0\4\x0a\0", 14);
		pkt[len + 14] = (unsigned char)(i >> 8);
		pkt[len + 15] = (unsigned char)i;
		len += 16;
	}
	test_assert(dns_parse_answer(pkt, len, DNS_T_A, &rrs, &n, NULL) == DNS_OK);
	test_assert(n == DNS_MAX_ANSWERS);
	test_assert_str(rrs[0].data, "10.0.0.0");
	test_assert_str(rrs[99].data, "10.0.0.99");
	dns_rr_free(&rrs, n);
	test_assert(rrs == NULL);
	/* no answers the cap could hide: a lying count on a big packet */
	pkt[7] = 0x97;
	test_assert(dns_parse_answer(pkt, len, DNS_T_A, &rrs, &n, NULL) == DNS_TEMPFAIL && n == 0);
	free(pkt);
	test_end();
}

void test_dns(void)
{
	test_name_valid();
	test_addr_checks();
	test_rbl_names();
	test_query_invalid();
	test_parse_table();
	test_parse_cap();
}
