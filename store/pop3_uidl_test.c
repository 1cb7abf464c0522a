/* pop3_uidl_test - pop3_uidl_format against what Dovecot 2.3 gives:
 * refusals first (unknown variables and modifiers, %m, a missing value,
 * a trailing '%', results over 70 bytes or with a space), then the
 * default "%08Xu%08Xv" (lowercase hex, as Dovecot's X), long names,
 * widths, offsets, zero padding, the other modifiers; then the
 * configuration-time check. */
#include <string.h>

#include "pop3_uidl.h"
#include "test.h"

#define FNAME "1700000001.M1P2.host,S=120"

static const struct uidl_case {
	const char *format;
	uint32_t uid, uidvalidity;
	const char *filename, *guid;
	const char *want;	/* NULL: refused */
	const char *want_why;
} cases[] = {
	{ "%x", 1, 1, NULL, NULL, NULL, "unknown variable %x" },
	{ "%{foo}", 1, 1, NULL, NULL, NULL, "unknown variable %{foo}" },
	{ "%{uid", 1, 1, NULL, NULL, NULL, "bad %{...}" },
	{ "%m", 1, 1, NULL, NULL, NULL, "%m (MD5 of the header) is not supported" },
	{ "%{md5}", 1, 1, NULL, NULL, NULL, "%m (MD5 of the header) is not supported" },
	{ "%Hu", 1, 1, NULL, NULL, NULL, "modifier H not supported" },
	{ "%XMu", 1, 1, NULL, NULL, NULL, "modifier M not supported" },
	{ "%g", 1, 1, FNAME, NULL, NULL, "no value for %g" },
	{ "%f", 1, 1, NULL, "g", NULL, "no value for %f" },
	{ "%f", 1, 1, "", "g", NULL, "no value for %f" },
	{ "abc%", 1, 1, NULL, NULL, NULL, "ends in '%'" },
	{ "%01000u", 1, 1, NULL, NULL, NULL, "width or offset above 999" },
	{ "%u %v", 1, 2, NULL, NULL, NULL, "UIDL has byte 0x20" },
	{ "%f", 1, 1, "a\tb", NULL, NULL, "UIDL has byte 0x09" },
	{ "%f%f%f", 1, 1, FNAME, NULL, NULL, "is not 1 to 70 characters" },
	{ "%071u", 1, 1, NULL, NULL, NULL, "is not 1 to 70 characters" },
	/* as Dovecot 2.3 gives them */
	{ "%08Xu%08Xv", 1, 1700000000, NULL, NULL, "000000016553f100", NULL },
	{ "%08Xu%08Xv", 4294967294u, 4294967295u, NULL, NULL, "fffffffeffffffff", NULL },
	{ "%08XUu%08XUv", 255, 1700000000, NULL, NULL, "000000FF6553F100", NULL },
	{ "%Xu%Xv", 255, 1, NULL, NULL, "ff1", NULL },
	{ "%u.%v", 1, 1700000000, NULL, NULL, "1.1700000000", NULL },
	{ "%{uid}-%{uidvalidity}", 7, 9, NULL, NULL, "7-9", NULL },
	{ "%v.%f", 3, 9, FNAME, NULL, "9." FNAME, NULL },
	{ "%g", 3, 9, FNAME, "3f0b2e0c6a1d5e64", "3f0b2e0c6a1d5e64", NULL },
	{ "%{guid}", 3, 9, FNAME, FNAME, FNAME, NULL },
	{ "%%%u", 1, 1, NULL, NULL, "%1", NULL },
	{ "%4u", 123456, 1, NULL, NULL, "1234", NULL },
	{ "%04u", 12, 1, NULL, NULL, "0012", NULL },
	{ "%04u", 123456, 1, NULL, NULL, "123456", NULL },
	{ "%-5f", 1, 1, "abcdefgh", NULL, "abcde", NULL },
	{ "%3.2f", 1, 1, "abcdefgh", NULL, "de", NULL },
	{ "%-3.f", 1, 1, "abcdefgh", NULL, "fgh", NULL },
	{ "%-30.f", 1, 1, "abcdefgh", NULL, "abcdefgh", NULL },
	{ "%30.f-", 1, 1, "abcdefgh", NULL, "-", NULL },
	{ "%.-2f", 1, 1, "abcdefgh", NULL, "abcdef", NULL },
	{ "%.-20f", 1, 1, "abcdefgh", NULL, "abcdefgh", NULL },
	{ "%.9u", 1, 1, NULL, NULL, "1", NULL },
	{ "%.09u", 1, 1, NULL, NULL, "000000001", NULL },
	{ "%2.05u", 123, 1, NULL, NULL, "00003", NULL },
	{ "%Rf", 1, 1, "abcdefgh", NULL, "hgfedcba", NULL },
	{ "%Lf%Uf", 1, 1, "aBc", NULL, "abcABC", NULL },
	{ "%Xf", 1, 1, "abc", NULL, "0", NULL },
	{ "%Ef", 1, 1, "a'b\"c\\", NULL, "a\\'b\\\"c\\\\", NULL },
};

/* run_case - one table entry */
static void run_case(const struct uidl_case *c)
{
	struct pop3_uidl_vars v = { .uid = c->uid, .uidvalidity = c->uidvalidity,
				    .filename = c->filename, .guid = c->guid };
	struct buf *out = buf_new(0), *why = buf_new(0), *name = buf_new(0);
	int rc = pop3_uidl_format(out, c->format, &v, why);

	buf_printf(name, "pop3_uidl: \"%s\" -> %s", c->format, c->want ? c->want : "refused");
	test_begin(buf_str(name));
	if (c->want) {
		test_assert(rc == 0);
		test_assert_str(buf_str(out), c->want);
	} else {
		test_assert(rc == -1);
		if (strstr(buf_str(why), c->want_why) == NULL)
			test_assert_str(buf_str(why), c->want_why);
	}
	test_end();
	buf_free(&out);
	buf_free(&why);
	buf_free(&name);
}

/* check - pop3_uidl_check refuses what no message could expand */
static void check(void)
{
	struct buf *why = buf_new(0);

	test_begin("pop3_uidl: check accepts Dovecot's formats, refuses unknown ones");
	test_assert(pop3_uidl_check("%08Xu%08Xv", why) == 0);
	test_assert(pop3_uidl_check("%f", why) == 0);
	test_assert(pop3_uidl_check("%{uidvalidity}.%g", why) == 0);
	test_assert(pop3_uidl_check("%m", why) == -1);
	test_assert(pop3_uidl_check("%08Xq", why) == -1);
	test_assert(strstr(buf_str(why), "unknown variable %q") != NULL);
	test_end();
	buf_free(&why);
}

void test_pop3_uidl(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
	check();
}
