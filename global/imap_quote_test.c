/* imap_quote_test - atoms, quoted strings and literals as the client
 * gets them: escapes, and bytes a quoted string cannot hold. */
#include <string.h>

#include "imap_quote.h"
#include "test.h"

/* as_n - how s is written by fn: want_len bytes of want */
static bool as_n(void (*fn)(struct buf *, const char *, size_t), const char *s, size_t len,
		 const char *want, size_t want_len)
{
	struct buf *b = buf_new(16);
	bool same;

	fn(b, s, len);
	same = buf_len(b) == want_len && memcmp(buf_str(b), want, want_len) == 0;
	buf_free(&b);
	return same;
}

/* as - the same for a want without NUL */
static bool as(void (*fn)(struct buf *, const char *, size_t), const char *s, size_t len,
	       const char *want)
{
	return as_n(fn, s, len, want, strlen(want));
}

void test_imap_quote(void)
{
	test_begin("imap_quote: quoted with escapes; CR, LF, NUL, 8-bit as a literal");
	test_assert(as(imap_quote_string, "a b", 3, "\"a b\""));
	test_assert(as(imap_quote_string, "a\"b\\c", 5, "\"a\\\"b\\\\c\""));
	test_assert(as(imap_quote_string, "", 0, "\"\""));
	test_assert(as(imap_quote_string, "a\r\nb", 4, "{4}\r\na\r\nb"));
	test_assert(as_n(imap_quote_string, "a\0b", 3, "{3}\r\na\0b", 8));
	test_assert(as(imap_quote_string, "\xc3\xa9", 2, "{2}\r\n\xc3\xa9"));
	test_end();

	test_begin("imap_quote: astrings are atoms where they can be; NIL for NULL");
	test_assert(as(imap_quote_astring, "INBOX", 5, "INBOX"));
	test_assert(as(imap_quote_astring, "a]b", 3, "a]b"));
	test_assert(as(imap_quote_astring, "NIL", 3, "\"NIL\""));
	test_assert(as(imap_quote_astring, "a b", 3, "\"a b\""));
	test_assert(as(imap_quote_astring, "a%", 2, "\"a%\""));
	test_assert(as(imap_quote_nstring, NULL, 0, "NIL"));
	test_end();

	test_begin("imap_quote: after imap_quote_utf8, UTF-8 quoted, other 8-bit a literal");
	imap_quote_utf8(true);
	test_assert(as(imap_quote_string, "\xc3\xa9 \"x\"", 6, "\"\xc3\xa9 \\\"x\\\"\""));
	test_assert(as(imap_quote_string, "\xe9t\xe9", 3, "{3}\r\n\xe9t\xe9"));
	test_assert(as(imap_quote_string, "\xc3\xa9\r\n", 4, "{4}\r\n\xc3\xa9\r\n"));
	test_assert(as(imap_quote_astring, "\xc3\xa9", 2, "\"\xc3\xa9\""));
	imap_quote_utf8(false);
	test_assert(as(imap_quote_string, "\xc3\xa9", 2, "{2}\r\n\xc3\xa9"));
	test_end();
}
