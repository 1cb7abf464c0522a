/* base64 - encode and strictly decode; see base64.h. */
#include <stdint.h>
#include <string.h>

#include "base64.h"

static const char alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* encode - the groups of data; padded when pad */
static void encode(const unsigned char *p, size_t len, struct buf *out, int pad)
{
	char q[4];

	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;
		size_t n = len - i < 3 ? len - i : 3;

		if (n > 1)
			v |= (uint32_t)p[i + 1] << 8;
		if (n > 2)
			v |= p[i + 2];
		q[0] = alphabet[(v >> 18) & 63];
		q[1] = alphabet[(v >> 12) & 63];
		q[2] = n > 1 ? alphabet[(v >> 6) & 63] : '=';
		q[3] = n > 2 ? alphabet[v & 63] : '=';
		buf_add(out, q, pad ? 4 : n + 1);
	}
}

/* base64_encode - append the padded encoding of data */
void base64_encode(const void *data, size_t len, struct buf *out)
{
	encode(data, len, out, 1);
}

/* base64_encode_nopad - append the encoding without '=' padding */
void base64_encode_nopad(const void *data, size_t len, struct buf *out)
{
	encode(data, len, out, 0);
}

/* value - the 6 bits of an alphabet character, -1 for anything else */
static int value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* base64_decode - append the bytes of text; -1 if it is not base64 (out
 * is then left as it was) */
int base64_decode(const char *text, size_t len, struct buf *out, int flags)
{
	size_t start = buf_len(out), pad = 0, n;
	uint32_t acc = 0;

	if (flags & BASE64_NOPAD) {
		if (len % 4 == 1)
			return -1;
	} else {
		if (len % 4 != 0)
			return -1;
		while (pad < 2 && len > pad && text[len - 1 - pad] == '=')
			pad++;
	}
	n = len - pad;
	for (size_t i = 0; i < n; i++) {
		int v = value((unsigned char)text[i]);

		if (v < 0) {
			buf_truncate(out, start);
			return -1;
		}
		acc = acc << 6 | (uint32_t)v;
		if (i % 4 == 3) {
			unsigned char b[3] = { acc >> 16, acc >> 8, acc };
			buf_add(out, b, 3);
			acc = 0;
		}
	}
	/* the last partial group: its unused low bits must be zero */
	if (n % 4 == 2) {
		unsigned char b = (unsigned char)(acc >> 4);
		if (acc & 0xf)
			goto bad;
		buf_add(out, &b, 1);
	} else if (n % 4 == 3) {
		unsigned char b[2] = { acc >> 10, acc >> 2 };
		if (acc & 0x3)
			goto bad;
		buf_add(out, b, 2);
	}
	return 0;
bad:
	buf_truncate(out, start);
	return -1;
}

/* base64_decode_mime - see the header */
int base64_decode_mime(const char *text, size_t len, struct buf *out, bool lenient)
{
	uint32_t acc = 0;
	int bits = 0;

	for (size_t i = 0; i < len && text[i] != '='; i++) {
		unsigned char c = (unsigned char)text[i];
		int v = value(c);

		if (v < 0) {
			if (lenient || c == ' ' || c == '\t' || c == '\r' || c == '\n')
				continue;
			return -1;
		}
		acc = acc << 6 | (uint32_t)v;
		if ((bits += 6) >= 8) {
			bits -= 8;
			buf_putc(out, (int)(acc >> bits & 0xff));
		}
	}
	return 0;
}
