/* imap_quote - IMAP strings for the client: quoted or literal (see the
 * header).  The choice depends only on the bytes (and whether UTF-8 is
 * on), so equal input gives equal output. */
#include <string.h>
#include <strings.h>

#include "imap_quote.h"
#include "imap_utf8.h"

static bool utf8_ok;			/* imap_quote_utf8() */

/* imap_quote_utf8 - may quoted strings hold UTF-8 from now on */
void imap_quote_utf8(bool on)
{
	utf8_ok = on;
}

/* quotable - may s[0..len) go between double quotes */
static bool quotable(const char *s, size_t len)
{
	if (len > IMAP_QUOTE_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\0' || c == '\r' || c == '\n' || (c >= 0x80 && !utf8_ok))
			return false;
	}
	return !utf8_ok || imap_utf8_valid(s, len);
}

void imap_quote_string(struct buf *out, const char *s, size_t len)
{
	if (!quotable(s, len)) {
		buf_printf(out, "{%zu}\r\n", len);
		buf_add(out, s, len);
		return;
	}
	buf_putc(out, '"');
	for (size_t i = 0, run = 0; i <= len; i++) {	/* runs between the escapes */
		if (i < len && s[i] != '"' && s[i] != '\\')
			continue;
		buf_add(out, s + run, i - run);
		if (i < len)
			buf_putc(out, '\\');
		run = i;
	}
	buf_putc(out, '"');
}

void imap_quote_nstring(struct buf *out, const char *s, size_t len)
{
	if (s == NULL)
		buf_cat(out, "NIL");
	else
		imap_quote_string(out, s, len);
}

/* imap_quote_is_atom - ASTRING-CHAR: ATOM-CHAR or ']'; not "NIL" */
bool imap_quote_is_atom(const char *s, size_t len)
{
	if (len == 0 || len > IMAP_QUOTE_MAX || (len == 3 && strncasecmp(s, "NIL", 3) == 0))
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= 0x20 || c >= 0x7f || strchr("(){%*\"\\", c) != NULL)
			return false;
	}
	return true;
}

void imap_quote_astring(struct buf *out, const char *s, size_t len)
{
	if (imap_quote_is_atom(s, len))
		buf_add(out, s, len);
	else
		imap_quote_string(out, s, len);
}
