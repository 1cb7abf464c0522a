/* imapmail_decode - CRLF conversion, base64 and quoted-printable
 * decoding for FETCH (see the header; base64 is libutil's).  Each is one pass over bytes
 * in memory.
 */
#include <string.h>

#include "imapmail_decode.h"

/* imapmail_decode_crlf - LF (not after CR) as CRLF; NUL as 0x80 unless
 * nul, since an IMAP literal holds no NUL (Dovecot does the same; BINARY
 * keeps them, in a literal8) */
void imapmail_decode_crlf(const char *p, size_t len, bool nul, struct buf *out)
{
	size_t start = 0;

	buf_reserve(out, len + len / 16 + 2);
	for (size_t i = 0; i < len; i++) {
		if (p[i] == '\n' && (i == 0 || p[i - 1] != '\r')) {
			buf_add(out, p + start, i - start);
			buf_add(out, "\r\n", 2);
			start = i + 1;
		} else if (p[i] == '\0' && !nul) {
			buf_add(out, p + start, i - start);
			buf_putc(out, 0x80);
			start = i + 1;
		}
	}
	buf_add(out, p + start, len - start);
}

/* hex - a hex digit's value, or -1 */
static int hex(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* qp_line - one line (without its line end): true if it ended soft */
static bool qp_line(const char *p, size_t len, struct buf *out)
{
	while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t' || p[len - 1] == '\r'))
		len--;
	for (size_t i = 0; i < len; i++) {
		int h, l;

		if (p[i] != '=') {
			buf_putc(out, p[i]);
			continue;
		}
		if (i + 1 == len)
			return true;
		if (i + 2 < len && (h = hex((unsigned char)p[i + 1])) >= 0 &&
		    (l = hex((unsigned char)p[i + 2])) >= 0) {
			buf_putc(out, h * 16 + l);
			i += 2;
		} else {
			buf_putc(out, '=');
		}
	}
	return false;
}

/* imapmail_decode_qp - quoted-printable, hard line ends as CRLF */
void imapmail_decode_qp(const char *p, size_t len, struct buf *out)
{
	size_t start = 0;

	while (start < len) {
		const char *nl = memchr(p + start, '\n', len - start);
		size_t end = nl ? (size_t)(nl - p) : len;

		if (!qp_line(p + start, end - start, out) && nl)
			buf_add(out, "\r\n", 2);
		start = end + 1;
	}
}
