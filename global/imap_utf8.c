/* imap_utf8 - UTF-8 checks for IMAP strings and mailbox names (see the
 * header).  One decoder, next(), says what the code point at a position
 * is and how long its sequence; both checks walk it. */
#include <stdint.h>
#include <string.h>

#include "imap_utf8.h"

/* next - the code point of the sequence at s (len bytes left), its
 * length in *n; -1 when the bytes there are not well-formed UTF-8 */
static long next(const unsigned char *s, size_t len, size_t *n)
{
	static const uint32_t min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	uint32_t cp;
	size_t want;

	if (s[0] < 0x80) {
		*n = 1;
		return s[0];
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		want = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		want = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		want = 4, cp = s[0] & 0x07;
	else
		return -1;
	if (want > len)
		return -1;
	for (size_t i = 1; i < want; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return -1;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min[want] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	*n = want;
	return (long)cp;
}

/* imap_utf8_valid - well-formed UTF-8 throughout */
bool imap_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n = 0;

	while (i < len) {
		if (next(p + i, len - i, &n) < 0)
			return false;
		i += n;
	}
	return true;
}

/* imap_utf8_name_ok - Net-Unicode without controls and separators */
bool imap_utf8_name_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), i = 0, n = 0;

	if (len == 0)
		return false;
	while (i < len) {
		long cp = next(p + i, len - i, &n);

		if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029)
			return false;
		i += n;
	}
	return true;
}
