/* imap_utf7_test - modified UTF-7: refused names first (as Dovecot
 * refuses them), then decoding, encoding and the round trip. */
#include <stdlib.h>
#include <string.h>

#include "imap_utf7.h"
#include "test.h"

static void test_refused(void)
{
	static const char *const bad[] = {
		"a&", "a&Jjo", "&Jjo!-", "&AGE-&AGE-", "&AEE-", "&AAA-", "&-&", "\x7f",
		"caf\xc3\xa9", "&AOk-&AOk-", "&3gE-", "&2D0-", "&AO-", "&AOkA-", "&AOkB-",
		"&Jjo/-", "&-", "tab\there",
	};
	struct buf *b = buf_new(0);

	test_begin("imap_utf7_to_utf8: unclosed, bad alphabet, adjacent runs, "
		   "encoded ASCII and NUL, 8-bit, bad surrogates, leftover bits");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		bool refused = imap_utf7_to_utf8(bad[i], b) < 0;

		if (strcmp(bad[i], "&-") == 0)
			test_assert(!refused);	/* "&-" is '&' */
		else
			test_assert(refused);
		test_assert(imap_utf7_is_valid(bad[i]) == !refused);
		buf_reset(b);
	}
	test_end();

	test_begin("imap_utf7_from_utf8: invalid UTF-8 refused");
	test_assert(imap_utf7_from_utf8("\xc0\xaf", b) < 0);		/* overlong */
	test_assert(imap_utf7_from_utf8("\xed\xa0\x80", b) < 0);	/* surrogate */
	test_assert(imap_utf7_from_utf8("\xf4\x90\x80\x80", b) < 0);	/* > U+10FFFF */
	test_assert(imap_utf7_from_utf8("ab\xe2\x82", b) < 0);	/* cut short */
	test_assert(imap_utf7_from_utf8("\xff", b) < 0);
	test_end();
	buf_free(&b);
}

static void test_codec(void)
{
	static const struct { const char *utf7, *utf8; } cases[] = {
		{ "INBOX", "INBOX" },
		{ "Entw&APw-rfe", "Entw\xc3\xbcrfe" },
		{ "&-", "&" },
		{ "a&-b&-", "a&b&" },
		{ "~peter/mail/&U,BTFw-/&ZeVnLIqe-", "~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e" },
		{ "&2D3eAQ-", "\xf0\x9f\x98\x81" },
		{ "&AOkA6QDp-", "\xc3\xa9\xc3\xa9\xc3\xa9" },
		{ "&AAE-", "\x01" },
	};
	struct buf *b = buf_new(0);

	test_begin("imap_utf7: decoding, encoding, round trip (RFC 3501 examples)");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(b);
		test_assert(imap_utf7_to_utf8(cases[i].utf7, b) == 0);
		test_assert_str(buf_str(b), cases[i].utf8);
		buf_reset(b);
		test_assert(imap_utf7_from_utf8(cases[i].utf8, b) == 0);
		test_assert_str(buf_str(b), cases[i].utf7);
	}
	test_end();
	buf_free(&b);
}

void test_imap_utf7(void)
{
	test_refused();
	test_codec();
}
