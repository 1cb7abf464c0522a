/* imapmail_search_decode - turning message text into what SEARCH
 * compares: transfer decoding (base64, quoted-printable), charsets to
 * UTF-8 (iconv), RFC 2047 encoded words in header values, and case
 * folding.  Everything here reads bytes from messages (hostile): bad
 * encodings are kept as they are, bad charset bytes become U+FFFD,
 * nothing grows beyond a small multiple of the input.
 *   search_fold(s, len, out)                 folded UTF-8 appended
 *   search_decode_body(raw, len, enc, charset, out)
 *   search_decode_header(value, len, out)
 *   search_charset_param(content_type, out)  the charset= parameter
 */
#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wctype.h>

#include "base64.h"
#include "imapmail_search_decode.h"
#include "imapmail_search_int.h"
#include "mem.h"

enum { CHARSET_MAX = SEARCH_CHARSET_MAX };

/* utf8_next - the code point at s[*i] (advancing), or -1 for a bad byte
 * (advancing one) */
static int32_t utf8_next(const unsigned char *s, size_t len, size_t *i)
{
	unsigned char c = s[*i];
	int32_t cp, min;
	size_t n;

	if (c < 0x80) {
		(*i)++;
		return c;
	}
	if ((c & 0xe0) == 0xc0)
		n = 1, cp = c & 0x1f, min = 0x80;
	else if ((c & 0xf0) == 0xe0)
		n = 2, cp = c & 0x0f, min = 0x800;
	else if ((c & 0xf8) == 0xf0)
		n = 3, cp = c & 0x07, min = 0x10000;
	else
		return (*i)++, -1;
	if (*i + n >= len)
		return (*i)++, -1;
	for (size_t k = 1; k <= n; k++) {
		if ((s[*i + k] & 0xc0) != 0x80)
			return (*i)++, -1;
		cp = cp << 6 | (s[*i + k] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return (*i)++, -1;
	*i += n + 1;
	return cp;
}

/* put_cp - cp as UTF-8 */
static void put_cp(uint32_t cp, struct buf *out)
{
	char b[4];
	size_t n;

	if (cp < 0x80) {
		b[0] = (char)cp, n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | cp >> 6), b[1] = (char)(0x80 | (cp & 0x3f)), n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | cp >> 12), b[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f)), n = 3;
	} else {
		b[0] = (char)(0xf0 | cp >> 18), b[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		b[2] = (char)(0x80 | (cp >> 6 & 0x3f)), b[3] = (char)(0x80 | (cp & 0x3f)), n = 4;
	}
	buf_add(out, b, n);
}

/* utf8_locale - C.UTF-8 for towupper_l, made once (NULL: ASCII only) */
static locale_t utf8_locale(void)
{
	static locale_t loc;
	static bool tried;

	if (!tried) {
		tried = true;
		loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	}
	return loc;
}

/* search_fold - upper case (Unicode simple mapping) of UTF-8 text, with
 * Latin letters decomposed (imapmail_search_decomp); a bad byte is kept */
void search_fold(const char *s, size_t len, struct buf *out)
{
	const unsigned char *u = (const unsigned char *)s;
	locale_t loc = utf8_locale();
	size_t i = 0;

	/* room for the whole result: a decomposition turns 2 bytes into 3,
	 * and no other mapping here grows a character by more than that */
	buf_reserve(out, mem_add_size(mem_mul_size(len, 2), 8));
	while (i < len) {
		size_t at = i;
		int32_t cp;
		uint32_t base, mark;

		if (u[i] < 0x80) {	/* the common case, without calls */
			out->data[out->len++] = (char)(u[i] >= 'a' && u[i] <= 'z' ? u[i] - 32 : u[i]);
			i++;
			continue;
		}
		cp = utf8_next(u, len, &i);
		if (cp < 0) {
			buf_putc(out, u[at]);
			continue;
		}
		if (loc != (locale_t)0)
			cp = (int32_t)towupper_l((wint_t)cp, loc);
		if (search_decompose((uint32_t)cp, &base, &mark)) {
			put_cp(base, out);
			put_cp(mark, out);
		} else {
			put_cp((uint32_t)cp, out);
		}
	}
	out->data[out->len] = '\0';
}

/* is_utf8_name - charsets taken as UTF-8 as they are */
static bool is_utf8_name(const char *cs)
{
	return cs[0] == '\0' || strcasecmp(cs, "utf-8") == 0 || strcasecmp(cs, "utf8") == 0 ||
	       strcasecmp(cs, "us-ascii") == 0 || strcasecmp(cs, "ascii") == 0;
}

/* search_to_utf8 - in (in charset cs) as UTF-8: true; false for an
 * unknown charset, whose bytes are kept as they are */
bool search_to_utf8(const char *cs, const char *in, size_t len, struct buf *out)
{
	iconv_t cd;
	char *ip = (char *)in;
	size_t il = len;

	if (is_utf8_name(cs)) {
		buf_add(out, in, len);
		return true;
	}
	if ((cd = iconv_open("UTF-8", cs)) == (iconv_t)-1) {
		buf_add(out, in, len);
		return false;
	}
	while (il > 0) {
		char tmp[4096], *op = tmp;
		size_t ol = sizeof(tmp);
		size_t rc = iconv(cd, &ip, &il, &op, &ol);

		buf_add(out, tmp, (size_t)(op - tmp));
		if (rc == (size_t)-1 && errno == E2BIG)
			continue;
		if (rc == (size_t)-1) {
			put_cp(0xfffd, out);	/* EILSEQ, or EINVAL: cut short */
			ip++, il--;
			iconv(cd, NULL, NULL, NULL, NULL);
		}
	}
	iconv_close(cd);
	return true;
}

/* hexval - a hex digit's value, or -1 */
static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = toupper(c);
	return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* search_qp - quoted-printable (header: '_' is a space) */
void search_qp(const char *s, size_t len, bool header, struct buf *out)
{
	for (size_t i = 0; i < len; i++) {
		int h, l;

		if (s[i] == '_' && header) {
			buf_putc(out, ' ');
		} else if (s[i] != '=') {
			buf_putc(out, s[i]);
		} else if (i + 2 < len && (h = hexval(s[i + 1])) >= 0 && (l = hexval(s[i + 2])) >= 0) {
			buf_putc(out, h << 4 | l);
			i += 2;
		} else {
			/* a soft line break: '=', white space, the line end */
			size_t j = i + 1;

			while (j < len && (s[j] == ' ' || s[j] == '\t' || s[j] == '\r'))
				j++;
			if (j < len && s[j] == '\n')
				i = j;
			else if (j == len)
				i = j - 1;
			else
				buf_putc(out, '=');
		}
	}
}

/* encoded_word - "=?cs?B|Q?text?=" at s[0..len): its length (0 if none
 * is there), with its decoded UTF-8 appended to out; a word in a charset
 * iconv does not know says nothing (as in Dovecot) */
static size_t encoded_word(const char *s, size_t len, struct buf *out, struct buf *tmp)
{
	const char *cs = s + 2, *q1, *enc, *text, *end;
	char charset[CHARSET_MAX + 1];
	size_t cslen, save;

	if (len < 8 || s[0] != '=' || s[1] != '?')
		return 0;
	if ((q1 = memchr(cs, '?', len - 2)) == NULL || q1 + 3 >= s + len || q1[2] != '?')
		return 0;
	enc = q1 + 1;
	text = q1 + 3;
	for (end = text; end + 1 < s + len && !(end[0] == '?' && end[1] == '='); end++)
		if (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r')
			return 0;
	if (end + 1 >= s + len || (*enc != 'B' && *enc != 'b' && *enc != 'Q' && *enc != 'q'))
		return 0;
	cslen = (size_t)(q1 - cs);
	if (cslen == 0 || cslen > CHARSET_MAX)
		return 0;
	memcpy(charset, cs, cslen);
	charset[cslen] = '\0';
	charset[strcspn(charset, "*")] = '\0';	/* RFC 2231 language */
	buf_reset(tmp);
	if (*enc == 'B' || *enc == 'b')
		(void)base64_decode_mime(text, (size_t)(end - text), tmp, true);
	else
		search_qp(text, (size_t)(end - text), true, tmp);
	save = buf_len(out);
	if (!search_to_utf8(charset, buf_str(tmp), buf_len(tmp), out))
		buf_truncate(out, save);
	return (size_t)(end + 2 - s);
}

/* search_decode_header - a header value with its encoded words decoded;
 * white space between two encoded words goes (RFC 2047 6.2) */
void search_decode_header(const char *s, size_t len, struct buf *out)
{
	struct buf *tmp = buf_new(64);
	size_t i = 0, n;

	while (i < len) {
		if ((n = encoded_word(s + i, len - i, out, tmp)) > 0) {
			size_t j = i + n, k = j;

			i = j;
			while (k < len && (s[k] == ' ' || s[k] == '\t' || s[k] == '\r' || s[k] == '\n'))
				k++;
			if (k > j && k < len && s[k] == '=' && k + 1 < len && s[k + 1] == '?') {
				size_t save = buf_len(out);

				if (encoded_word(s + k, len - k, out, tmp) > 0) {
					buf_truncate(out, save);
					i = k;	/* the next word follows without the space */
				}
			}
			continue;
		}
		buf_putc(out, s[i++]);
	}
	buf_free(&tmp);
}

/* search_decode_body - a text part's bytes decoded and in UTF-8 */
void search_decode_body(const char *raw, size_t len, const char *encoding, const char *charset,
			struct buf *out)
{
	struct buf *tmp;

	if (strcmp(encoding, "base64") != 0 && strcmp(encoding, "quoted-printable") != 0) {
		search_to_utf8(charset, raw, len, out);
		return;
	}
	tmp = buf_new(len);
	if (encoding[0] == 'b')
		(void)base64_decode_mime(raw, len, tmp, true);
	else
		search_qp(raw, len, false, tmp);
	search_to_utf8(charset, buf_str(tmp), buf_len(tmp), out);
	buf_free(&tmp);
}

/* search_charset_param - the charset= parameter of a Content-Type value
 * into cs (size CHARSET_MAX + 1), "" if none or too long */
void search_charset_param(const char *v, char *cs)
{
	const char *p = v;

	cs[0] = '\0';
	while ((p = strchr(p, ';')) != NULL) {
		size_t n;

		p++;
		p += strspn(p, " \t\r\n");
		if (strncasecmp(p, "charset", 7) != 0)
			continue;
		p += 7 + strspn(p + 7, " \t");
		if (*p != '=')
			continue;
		p++;
		p += strspn(p, " \t");
		if (*p == '"')
			n = strcspn(++p, "\"");
		else
			n = strcspn(p, " \t;()<>@,:\\\"/[]?=\r\n");
		if (n <= CHARSET_MAX) {
			memcpy(cs, p, n);
			cs[n] = '\0';
		}
		return;
	}
}

/* search_address_text - comments unwrapped, white space runs squeezed */
void search_address_text(const char *s, size_t len, struct buf *out)
{
	bool quoted = false, space = false;
	int depth = 0;

	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (!quoted && (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '(' ||
				(c == ')' && depth > 0))) {
			depth += c == '(' ? 1 : c == ')' ? -1 : 0;
			space = true;	/* a comment separates like white space */
			continue;
		}
		if (space && buf_len(out) > 0)
			buf_putc(out, ' ');
		space = false;
		buf_putc(out, c);
		if (c == '\\' && (quoted || depth > 0) && i + 1 < len)
			buf_putc(out, s[++i]);	/* a quoted pair stays written as one */
		else if (c == '"' && depth == 0)
			quoted = !quoted;
	}
}

/* search_compress_lwsp - in place */
void search_compress_lwsp(struct buf *b)
{
	size_t o = 0;

	for (size_t i = 0; i < b->len; i++) {
		bool ws = b->data[i] == ' ' || b->data[i] == '\t';

		if (ws && o > 0 && b->data[o - 1] == ' ')
			continue;
		b->data[o++] = ws ? ' ' : b->data[i];
	}
	buf_truncate(b, o);
}
