/* imap_utf8_test - well-formed UTF-8 (RFC 3629's edges: overlong forms,
 * surrogates, beyond U+10FFFF, cut short) and the mailbox names RFC 6855
 * section 3 allows (no controls, C1, U+2028/U+2029, empty). */
#include <string.h>

#include "imap_utf8.h"
#include "test.h"

/* valid - imap_utf8_valid of a NUL-terminated string */
static bool valid(const char *s)
{
	return imap_utf8_valid(s, strlen(s));
}

void test_imap_utf8(void)
{
	test_begin("imap_utf8: well-formed UTF-8");
	test_assert(valid(""));
	test_assert(valid("plain ASCII"));
	test_assert(valid("Entw\xc3\xbcrfe"));
	test_assert(valid("\xe6\x97\xa5\xe6\x9c\xac"));		/* 日本 */
	test_assert(valid("\xf0\x9f\x93\xa7"));			/* U+1F4E7 */
	test_assert(valid("\xf4\x8f\xbf\xbf"));			/* U+10FFFF */
	test_assert(imap_utf8_valid("a\0b", 3));
	test_assert(!valid("\xe9t\xe9"));				/* Latin-1 */
	test_assert(!valid("\xc0\xaf"));				/* overlong '/' */
	test_assert(!valid("\xe0\x80\xaf"));
	test_assert(!valid("\xf0\x80\x80\xaf"));
	test_assert(!valid("\xed\xa0\x80"));				/* U+D800 */
	test_assert(!valid("\xf4\x90\x80\x80"));			/* U+110000 */
	test_assert(!valid("\xc3"));					/* cut short */
	test_assert(!imap_utf8_valid("\xe6\x97\xa5", 2));
	test_assert(!valid("\x80"));
	test_assert(!valid("\xc3\xc3"));
	test_end();

	test_begin("imap_utf8: mailbox names (RFC 6855 section 3)");
	test_assert(imap_utf8_name_ok("Entw\xc3\xbcrfe"));
	test_assert(imap_utf8_name_ok("a&b.\xe6\x97\xa5"));
	test_assert(!imap_utf8_name_ok(""));
	test_assert(!imap_utf8_name_ok("a\tb"));
	test_assert(!imap_utf8_name_ok("a\x7f"));
	test_assert(!imap_utf8_name_ok("a\xc2\x85"));			/* U+0085 NEL */
	test_assert(!imap_utf8_name_ok("a\xe2\x80\xa8"));		/* U+2028 */
	test_assert(!imap_utf8_name_ok("a\xe2\x80\xa9"));		/* U+2029 */
	test_assert(!imap_utf8_name_ok("a\xe9"));
	test_end();
}
