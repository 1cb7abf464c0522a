/* imapmail_rfc822 - the lexer for header field values (see the header).
 * The rules follow RFC 5322 section 3.2 with its obsolete forms as
 * Dovecot 2.3 reads them: white space (CR and LF too) and nested
 * comments between tokens, a quoted string's escapes and folds removed,
 * white space taken around the dots of a dot-atom, a phrase's words
 * joined by one space, 8-bit bytes taken as atom characters.
 */
#include <string.h>
#include <strings.h>

#include "imapmail_rfc822.h"

/* more - 1 if input is left, else 0 */
static int more(const struct imapmail_rfc822 *r)
{
	return r->p < r->end;
}

/* imapmail_rfc822_is_atext - RFC 5322 atext, and every 8-bit byte */
bool imapmail_rfc822_is_atext(unsigned char c)
{
	if (c >= 0x80)
		return true;
	if (c <= 0x20 || c == 0x7f)
		return false;
	return strchr("()<>[]:;@\\,.\"", c) == NULL;
}

/* is_token - a MIME token character (RFC 2045 section 5.1), '.' too */
static bool is_token(unsigned char c)
{
	if (c == '.')
		return true;
	return imapmail_rfc822_is_atext(c) && strchr("/?=", c) == NULL;
}

/* comment - skip the comment at r->p ('('), keeping its text */
static int comment(struct imapmail_rfc822 *r)
{
	const char *start = ++r->p;
	int level = 1;

	if (r->comment)
		buf_reset(r->comment);
	for (; r->p < r->end; r->p++) {
		if (*r->p == '(') {
			level++;
		} else if (*r->p == ')' && --level == 0) {
			if (r->comment)
				buf_add(r->comment, start, (size_t)(r->p - start));
			r->p++;
			return more(r);
		} else if (*r->p == '\\') {
			if (r->comment)
				buf_add(r->comment, start, (size_t)(r->p - start));
			start = r->p + 1;
			if (++r->p == r->end)
				return -1;
		}
	}
	return -1;
}

/* imapmail_rfc822_skip - white space and comments */
int imapmail_rfc822_skip(struct imapmail_rfc822 *r)
{
	while (r->p < r->end) {
		if (*r->p == ' ' || *r->p == '\t' || *r->p == '\r' || *r->p == '\n') {
			r->p++;
			continue;
		}
		if (*r->p != '(')
			break;
		if (comment(r) < 0)
			return -1;
	}
	return more(r);
}

/* imapmail_rfc822_dot_atom - atext runs joined by dots (white space
 * around the dots allowed, as RFC 822 did) */
int imapmail_rfc822_dot_atom(struct imapmail_rfc822 *r, struct buf *out)
{
	const char *start;
	int rc;

	if (r->p == r->end || !imapmail_rfc822_is_atext((unsigned char)*r->p))
		return -1;
	for (start = r->p++; r->p < r->end;) {
		if (imapmail_rfc822_is_atext((unsigned char)*r->p)) {
			r->p++;
			continue;
		}
		buf_add(out, start, (size_t)(r->p - start));
		if ((rc = imapmail_rfc822_skip(r)) <= 0)
			return rc;
		if (*r->p != '.')
			return 1;
		r->p++;
		buf_putc(out, '.');
		if ((rc = imapmail_rfc822_skip(r)) <= 0)
			return rc;
		start = r->p;
	}
	buf_add(out, start, (size_t)(r->p - start));
	return 0;
}

/* imapmail_rfc822_token - a MIME token (possibly empty) */
int imapmail_rfc822_token(struct imapmail_rfc822 *r, struct buf *out)
{
	const char *start = r->p;

	while (r->p < r->end && is_token((unsigned char)*r->p))
		r->p++;
	buf_add(out, start, (size_t)(r->p - start));
	return more(r) ? imapmail_rfc822_skip(r) : 0;
}

/* imapmail_rfc822_quoted - the quoted string at r->p ('"'), unquoted */
int imapmail_rfc822_quoted(struct imapmail_rfc822 *r, struct buf *out)
{
	const char *start = ++r->p;
	size_t len;

	for (; r->p < r->end; r->p++) {
		switch (*r->p) {
		case '"':
			buf_add(out, start, (size_t)(r->p - start));
			r->p++;
			return imapmail_rfc822_skip(r);
		case '\n':		/* a fold: the line end goes */
			len = (size_t)(r->p - start);
			if (len > 0 && start[len - 1] == '\r')
				len--;
			buf_add(out, start, len);
			start = r->p + 1;
			break;
		case '\\':
			if (++r->p == r->end)
				return -1;
			buf_add(out, start, (size_t)(r->p - start - 1));
			start = r->p;
			break;
		default:
			break;
		}
	}
	return -1;
}

/* atom_or_dots - atext and dots, as they are */
static int atom_or_dots(struct imapmail_rfc822 *r, struct buf *out)
{
	const char *start = r->p;

	while (r->p < r->end && (imapmail_rfc822_is_atext((unsigned char)*r->p) || *r->p == '.'))
		r->p++;
	buf_add(out, start, (size_t)(r->p - start));
	return more(r) ? imapmail_rfc822_skip(r) : 0;
}

/* imapmail_rfc822_phrase - words (and obsolete dots) joined by spaces */
int imapmail_rfc822_phrase(struct imapmail_rfc822 *r, struct buf *out)
{
	int rc;

	if (r->p == r->end)
		return 0;
	if (*r->p == '.')
		return -1;
	for (;;) {
		if (*r->p == '"')
			rc = imapmail_rfc822_quoted(r, out);
		else
			rc = atom_or_dots(r, out);
		if (rc <= 0)
			return rc;
		if (!imapmail_rfc822_is_atext((unsigned char)*r->p) && *r->p != '"' &&
		    *r->p != '.')
			break;
		buf_putc(out, ' ');
	}
	return imapmail_rfc822_skip(r);
}

/* literal - a domain literal "[...]" as it is */
static int literal(struct imapmail_rfc822 *r, struct buf *out)
{
	const char *start = r->p;

	for (; r->p < r->end; r->p++) {
		if (*r->p == '\\') {
			if (++r->p == r->end)
				break;
		} else if (*r->p == ']') {
			r->p++;
			buf_add(out, start, (size_t)(r->p - start));
			return imapmail_rfc822_skip(r);
		}
	}
	return -1;
}

/* imapmail_rfc822_domain - "@" then a dot-atom or a domain literal */
int imapmail_rfc822_domain(struct imapmail_rfc822 *r, struct buf *out)
{
	r->p++;
	if (imapmail_rfc822_skip(r) <= 0)
		return -1;
	if (*r->p == '[')
		return literal(r, out);
	return imapmail_rfc822_dot_atom(r, out);
}

/* imapmail_rfc822_field - the first "name:" line's value */
const char *imapmail_rfc822_field(const char *fields, size_t len, const char *name,
				  size_t *vlen)
{
	size_t at = 0;

	return imapmail_rfc822_field_next(fields, len, name, &at, vlen);
}

/* imapmail_rfc822_field_next - the next "name:" line's value from *at */
const char *imapmail_rfc822_field_next(const char *fields, size_t len, const char *name,
				       size_t *at, size_t *vlen)
{
	const char *p = fields + (*at < len ? *at : len), *end = fields + len;
	size_t n = strlen(name);

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *q = p + n;
		const char *eol = nl ? nl : end;

		if ((size_t)(eol - p) > n && (*p | 0x20) == (*name | 0x20) &&
		    strncasecmp(p, name, n) == 0) {
			while (q < eol && (*q == ' ' || *q == '\t'))
				q++;
			if (q < eol && *q == ':') {
				for (q++; q < eol && (*q == ' ' || *q == '\t');)
					q++;
				*vlen = (size_t)(eol - q);
				*at = (size_t)(eol - fields) + 1;
				return q;
			}
		}
		p = eol + 1;
	}
	return NULL;
}
