/* imap_utf7 - modified UTF-7 <-> UTF-8 (see the header).  Decoding
 * gathers the run's base64 into 16-bit units, then pairs surrogates;
 * encoding does the reverse, one run per stretch of non-ASCII. */
#include <stdint.h>
#include <string.h>

#include "imap_utf7.h"

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

/* b64_value - the 6 bits of c, or -1 */
static int b64_value(unsigned char c)
{
	const char *p = c != '\0' ? strchr(b64, c) : NULL;

	return p != NULL ? (int)(p - b64) : -1;
}

/* put_utf8 - code point cp as UTF-8 */
static void put_utf8(uint32_t cp, struct buf *out)
{
	if (cp < 0x80) {
		buf_putc(out, (int)cp);
	} else if (cp < 0x800) {
		buf_putc(out, (int)(0xc0 | cp >> 6));
		buf_putc(out, (int)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		buf_putc(out, (int)(0xe0 | cp >> 12));
		buf_putc(out, (int)(0x80 | (cp >> 6 & 0x3f)));
		buf_putc(out, (int)(0x80 | (cp & 0x3f)));
	} else {
		buf_putc(out, (int)(0xf0 | cp >> 18));
		buf_putc(out, (int)(0x80 | (cp >> 12 & 0x3f)));
		buf_putc(out, (int)(0x80 | (cp >> 6 & 0x3f)));
		buf_putc(out, (int)(0x80 | (cp & 0x3f)));
	}
}

/* unit - one UTF-16 unit u of a run; *high holds a pending high surrogate */
static int unit(uint32_t u, uint32_t *high, struct buf *out)
{
	if (*high != 0) {
		if (u < 0xdc00 || u > 0xdfff)
			return -1;
		put_utf8(0x10000 + ((*high - 0xd800) << 10) + (u - 0xdc00), out);
		*high = 0;
		return 0;
	}
	if (u >= 0xd800 && u <= 0xdbff) {
		*high = u;
		return 0;
	}
	if ((u >= 0xdc00 && u <= 0xdfff) || u == 0 || (u >= 0x20 && u < 0x7f))
		return -1;	/* a lone low surrogate, NUL, printable ASCII */
	put_utf8(u, out);
	return 0;
}

/* run - the base64 run at *sp (after '&', not "&-") up to and past '-' */
static int run(const char **sp, struct buf *out)
{
	const char *s = *sp;
	uint32_t bits = 0, high = 0;
	int nbits = 0, v, units = 0;

	for (; *s != '-'; s++) {
		if ((v = b64_value((unsigned char)*s)) < 0)
			return -1;
		bits = (bits << 6 | (uint32_t)v) & 0xffffff;
		nbits += 6;
		if (nbits >= 16) {
			nbits -= 16;
			if (unit(bits >> nbits & 0xffff, &high, out) < 0)
				return -1;
			units++;
		}
	}
	if (units == 0 || high != 0 || nbits >= 6 || (bits & ((1u << nbits) - 1)) != 0)
		return -1;
	*sp = s + 1;
	return 0;
}

/* imap_utf7_to_utf8 - decode in, appending to out */
int imap_utf7_to_utf8(const char *in, struct buf *out)
{
	const char *s = in;

	while (*s != '\0') {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c > 0x7e)
			return -1;
		if (c != '&') {
			buf_putc(out, c);
			s++;
		} else if (s[1] == '-') {
			buf_putc(out, '&');
			s += 2;
		} else {
			s++;
			if (run(&s, out) < 0)
				return -1;
			if (s[0] == '&' && s[1] != '-')
				return -1;	/* "&..-&..-": one run would do */
		}
	}
	return 0;
}

/* imap_utf7_is_valid - in decodes */
bool imap_utf7_is_valid(const char *in)
{
	struct buf *b = buf_new(64);
	int rc = imap_utf7_to_utf8(in, b);

	buf_free(&b);
	return rc == 0;
}

/* next_cp - one UTF-8 code point at *sp, strictly; -1 if invalid */
static int32_t next_cp(const unsigned char **sp)
{
	const unsigned char *s = *sp;
	uint32_t cp, min;
	int n;

	if (s[0] < 0x80)
		n = 0, cp = s[0], min = 0;
	else if ((s[0] & 0xe0) == 0xc0)
		n = 1, cp = s[0] & 0x1f, min = 0x80;
	else if ((s[0] & 0xf0) == 0xe0)
		n = 2, cp = s[0] & 0x0f, min = 0x800;
	else if ((s[0] & 0xf8) == 0xf0)
		n = 3, cp = s[0] & 0x07, min = 0x10000;
	else
		return -1;
	for (int i = 1; i <= n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return -1;	/* also stops at the NUL */
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	*sp = s + n + 1;
	return (int32_t)cp;
}

/* put_run - the UTF-16 units in units (native order) as one run "&...-" */
static void put_run(const struct buf *units, struct buf *out)
{
	uint32_t bits = 0;
	int nbits = 0;

	buf_putc(out, '&');
	for (size_t i = 0; i + 2 <= buf_len(units); i += 2) {
		uint16_t u;

		memcpy(&u, units->data + i, sizeof(u));
		bits = (bits << 16 | u) & 0xffffff;
		nbits += 16;
		while (nbits >= 6) {
			nbits -= 6;
			buf_putc(out, b64[bits >> nbits & 0x3f]);
		}
	}
	if (nbits > 0)
		buf_putc(out, b64[bits << (6 - nbits) & 0x3f]);
	buf_putc(out, '-');
}

/* imap_utf7_from_utf8 - encode in, appending to out; a stretch of
 * characters outside printable ASCII becomes one run */
int imap_utf7_from_utf8(const char *in, struct buf *out)
{
	const unsigned char *s = (const unsigned char *)in;
	struct buf *units = buf_new(64);
	int rc = 0;

	for (;;) {
		int32_t cp = *s != '\0' ? next_cp(&s) : 0;
		uint16_t u[2];

		if (cp < 0) {
			rc = -1;
			break;
		}
		if ((cp >= 0x20 && cp < 0x7f) || cp == 0) {
			if (buf_len(units) > 0)
				put_run(units, out);
			buf_reset(units);
			if (cp == 0)
				break;
			buf_cat(out, cp == '&' ? "&-" : (char[2]){ (char)cp, '\0' });
			continue;
		}
		if (cp >= 0x10000) {
			u[0] = (uint16_t)(0xd800 + ((cp - 0x10000) >> 10));
			u[1] = (uint16_t)(0xdc00 + ((cp - 0x10000) & 0x3ff));
			buf_add(units, u, sizeof(u));
		} else {
			u[0] = (uint16_t)cp;
			buf_add(units, u, sizeof(u[0]));
		}
	}
	buf_free(&units);
	return rc;
}
