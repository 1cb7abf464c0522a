/* imapmail_section - FETCH BODY[section]<partial>, BINARY[..],
 * BINARY.SIZE[..] and RFC822.*: the attribute parsed, then the bytes.
 *
 *   imapmail_section_parse(att, &sec, why);   // -1: the caller's BAD
 *   imapmail_section_write(fd, p, &sec, out, why);
 *
 * Grammar (RFC 9051 section 9, RFC 3516): section = "[" [part ["."
 * text] / text] "]" where part is nz-numbers joined by dots and text
 * HEADER, HEADER.FIELDS[.NOT] (names), TEXT, or (after a part) MIME;
 * BINARY takes a part only; partial "<origin[.count]>" (the count may
 * be left out, as Dovecot allows).  The answer names the item as
 * Dovecot does: BODY (never .PEEK), the section upper case, header
 * names upper case (quoted when they were), only the origin of a
 * partial ("BODY[]<0>").
 * Parts (RFC 9051 section 6.4.5, as Dovecot finds them): a number picks
 * a multipart's part; a part that is no multipart has only part 1,
 * itself, and only a message/rfc822 has numbers after it (its nested
 * message's).  HEADER, HEADER.FIELDS and TEXT after a part need a
 * message/rfc822 part and name its nested message; MIME is the part's
 * own header.  A part that is not there is the empty string.  BINARY
 * decodes base64 and quoted-printable and keeps NULs (a literal8); in a
 * multipart or message section each encoded part is decoded, its header
 * then saying "binary" (Dovecot's rewrite).  XXX a section is built in
 * memory whole (twice for BINARY); streaming it in pieces is to come.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "imap_quote.h"
#include "base64.h"
#include "fsutil.h"
#include "imapmail_decode.h"
#include "imapmail_render.h"
#include "mem.h"

/* ---- parsing -------------------------------------------------------- */

/* skip_word - s starts with word (any case): true, s moved past it */
static bool skip_word(const char **s, const char *word)
{
	size_t n = strlen(word);

	if (strncasecmp(*s, word, n) != 0)
		return false;
	*s += n;
	return true;
}

/* number - digits into *n (at most 2^63-1): false if none or too big */
static bool number(const char **s, uint64_t *n)
{
	const char *p = *s;

	*n = 0;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (*n > (UINT64_C(1) << 62) / 5)
			return false;
		*n = *n * 10 + (uint64_t)(*p - '0');
	}
	if (p == *s || *n > INT64_MAX)
		return false;
	*s = p;
	return true;
}

/* field_name - one astring of the header list into sec (and the name) */
static bool field_name(const char **s, struct imapmail_section *sec)
{
	struct buf *n = buf_new(32);
	const char *p = *s;
	bool quoted = *p == '"', ok = true;

	if (quoted) {
		for (p++; *p && *p != '"'; p++) {
			if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
				p++;
			buf_putc(n, *p);
		}
		ok = *p++ == '"';
	} else {
		for (; *p && !strchr(" ()\"{\\", *p) && (unsigned char)*p > 0x20; p++)
			buf_putc(n, *p);
	}
	ok = ok && buf_len(n) > 0 && memchr(buf_str(n), '\0', buf_len(n)) == NULL &&
	     sec->fields_len < IMAPMAIL_SECTION_FIELDS_MAX;
	if (ok) {
		for (char *c = n->data; *c; c++)
			if (*c >= 'a' && *c <= 'z')
				*c = (char)(*c - 'a' + 'A');
		buf_add(sec->fields, buf_str(n), buf_len(n) + 1);
		sec->fields_len++;
		if (quoted)
			imap_quote_string(sec->name, buf_str(n), buf_len(n));
		else
			buf_add(sec->name, buf_str(n), buf_len(n));
	}
	buf_free(&n);
	*s = p;
	return ok;
}

/* header_list - " (name name ...)" */
static bool header_list(const char **s, struct imapmail_section *sec)
{
	const char *p = *s;

	if (*p++ != ' ' || *p++ != '(')
		return false;
	buf_cat(sec->name, " (");
	sec->fields = buf_new(64);
	for (;;) {
		if (!field_name(&p, sec))
			return false;
		if (*p == ')')
			break;
		if (*p++ != ' ')
			return false;
		buf_putc(sec->name, ' ');
	}
	buf_putc(sec->name, ')');
	*s = p + 1;
	return true;
}

/* msgtext - HEADER, HEADER.FIELDS[.NOT] (..), TEXT, MIME (with a part) */
static bool msgtext(const char **s, struct imapmail_section *sec)
{
	if (skip_word(s, "HEADER.FIELDS.NOT")) {
		sec->text = IMAPMAIL_TEXT_FIELDS_NOT;
		buf_cat(sec->name, "HEADER.FIELDS.NOT");
		return header_list(s, sec);
	}
	if (skip_word(s, "HEADER.FIELDS")) {
		sec->text = IMAPMAIL_TEXT_FIELDS;
		buf_cat(sec->name, "HEADER.FIELDS");
		return header_list(s, sec);
	}
	if (skip_word(s, "HEADER")) {
		sec->text = IMAPMAIL_TEXT_HEADER;
		buf_cat(sec->name, "HEADER");
	} else if (skip_word(s, "TEXT")) {
		sec->text = IMAPMAIL_TEXT_TEXT;
		buf_cat(sec->name, "TEXT");
	} else if (sec->part_len > 0 && skip_word(s, "MIME")) {
		sec->text = IMAPMAIL_TEXT_MIME;
		buf_cat(sec->name, "MIME");
	} else {
		return false;
	}
	return true;
}

/* section - the text between the brackets, up to the ']' */
static bool section(const char **s, struct imapmail_section *sec)
{
	const char *p = *s;
	uint64_t n;
	bool dot;

	while (*p >= '0' && *p <= '9') {
		if (!number(&p, &n) || n == 0 || n > UINT32_MAX ||
		    sec->part_len == IMAPMAIL_SECTION_PARTS_MAX)
			return false;
		sec->part[sec->part_len++] = (uint32_t)n;
		buf_printf(sec->name, "%s%llu", sec->part_len > 1 ? "." : "", (unsigned long long)n);
		if (*p != '.')
			break;
		p++;
		if (*p < '0' || *p > '9') {
			buf_putc(sec->name, '.');
			break;
		}
	}
	dot = sec->part_len > 0 && p[-1] == '.';
	if (*p == ']' && dot)
		return false;
	if (*p != ']') {
		if (sec->item != IMAPMAIL_ITEM_BODY || (sec->part_len && !dot) || !msgtext(&p, sec))
			return false;
	}
	*s = p;
	return *p == ']';
}

/* partial - "<origin>" or "<origin.count>" and the end of the atom */
static bool partial(const char *p, struct imapmail_section *sec)
{
	if (*p == '\0')
		return true;
	if (*p++ != '<' || !number(&p, &sec->origin))
		return false;
	sec->partial = true;
	if (*p == '.') {
		p++;
		if (!number(&p, &sec->count))
			return false;
	}
	if (*p++ != '>' || *p != '\0')
		return false;
	buf_printf(sec->name, "<%llu>", (unsigned long long)sec->origin);
	return true;
}

/* rfc822 - RFC822, RFC822.HEADER, RFC822.TEXT: true if att is one */
static bool rfc822(const char *att, struct imapmail_section *sec)
{
	static const struct {
		const char *name;
		enum imapmail_item item;
		enum imapmail_text text;
		bool seen;
	} forms[] = {
		{ "RFC822", IMAPMAIL_ITEM_RFC822, IMAPMAIL_TEXT_ALL, true },
		{ "RFC822.HEADER", IMAPMAIL_ITEM_RFC822_HEADER, IMAPMAIL_TEXT_HEADER, false },
		{ "RFC822.TEXT", IMAPMAIL_ITEM_RFC822_TEXT, IMAPMAIL_TEXT_TEXT, true },
	};

	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		if (strcasecmp(att, forms[i].name) == 0) {
			sec->item = forms[i].item;
			sec->text = forms[i].text;
			sec->seen = forms[i].seen;
			buf_cat(sec->name, forms[i].name);
			return true;
		}
	}
	return false;
}

/* imapmail_section_parse - the attribute into sec */
int imapmail_section_parse(const char *att, struct imapmail_section *sec, struct buf *why)
{
	const char *p = att;

	*sec = (struct imapmail_section){ .count = UINT64_MAX, .name = buf_new(32) };
	if (rfc822(att, sec))
		return 0;
	if (skip_word(&p, "BODY")) {
		sec->item = IMAPMAIL_ITEM_BODY;
		sec->seen = !skip_word(&p, ".PEEK");
		buf_cat(sec->name, "BODY[");
	} else if (skip_word(&p, "BINARY")) {
		sec->item = IMAPMAIL_ITEM_BINARY;
		if (skip_word(&p, ".SIZE"))
			sec->item = IMAPMAIL_ITEM_BINARY_SIZE;
		sec->seen = sec->item == IMAPMAIL_ITEM_BINARY && !skip_word(&p, ".PEEK");
		buf_cat(sec->name, sec->item == IMAPMAIL_ITEM_BINARY ? "BINARY[" : "BINARY.SIZE[");
	} else {
		buf_printf(why, "Unknown FETCH attribute");
		goto bad;
	}
	if (*p++ != '[' || !section(&p, sec)) {
		buf_printf(why, "Invalid %s[..] section",
			   sec->item == IMAPMAIL_ITEM_BODY ? "BODY" : "BINARY");
		goto bad;
	}
	buf_putc(sec->name, ']');
	p++;
	if ((sec->item == IMAPMAIL_ITEM_BINARY_SIZE && *p) || !partial(p, sec)) {
		buf_printf(why, "Invalid %s[..] partial",
			   sec->item == IMAPMAIL_ITEM_BODY ? "BODY" : "BINARY");
		goto bad;
	}
	return 0;
bad:
	imapmail_section_clear(sec);
	return -1;
}

/* imapmail_section_clear - free the section's bufs */
void imapmail_section_clear(struct imapmail_section *sec)
{
	buf_free(&sec->fields);
	buf_free(&sec->name);
}

/* ---- finding the part ----------------------------------------------- */

/* first_child - part n's first part inside it, or 0 */
static size_t first_child(const struct mime_parts *p, size_t n)
{
	return n + 1 < p->len && p->parts[n + 1].depth == p->parts[n].depth + 1 ? n + 1 : 0;
}

/* is_multipart - part n is a multipart (maybe one without parts) */
static bool is_multipart(const struct mime_parts *p, size_t n)
{
	return imapmail_bodystructure_is_multipart(p, n);
}

/* is_rfc822 - part n is a message/rfc822 with its nested message */
static bool is_rfc822(const struct mime_parts *p, size_t n)
{
	size_t c = first_child(p, n);

	return c && p->parts[c].kind == MIME_PART_NESTED;
}

/* nth_child - the num'th part inside multipart n, or 0 */
static size_t nth_child(const struct mime_parts *p, size_t n, uint32_t num)
{
	size_t c = first_child(p, n);

	while (c && --num > 0) {
		size_t i = c + 1;

		while (i < p->len && p->parts[i].depth > p->parts[c].depth)
			i++;
		c = i < p->len && p->parts[i].depth == p->parts[c].depth ? i : 0;
	}
	return c;
}

/* find - the part the section names: true with *n_r */
static bool find(const struct mime_parts *p, const struct imapmail_section *sec, size_t *n_r)
{
	size_t cur = 0;

	if (p->len == 0)
		return false;
	for (size_t i = 0; i < sec->part_len; i++) {
		bool more = i + 1 < sec->part_len;

		if (is_multipart(p, cur)) {
			if ((cur = nth_child(p, cur, sec->part[i])) == 0)
				return false;
		} else if (sec->part[i] != 1 || (more && !is_rfc822(p, cur))) {
			return false;
		}
		if (more && is_rfc822(p, cur))
			cur = first_child(p, cur);
	}
	if (sec->part_len > 0 && sec->text != IMAPMAIL_TEXT_ALL && sec->text != IMAPMAIL_TEXT_MIME) {
		if (!is_rfc822(p, cur))
			return false;
		cur = first_child(p, cur);
	}
	*n_r = cur;
	return true;
}

/* ---- the bytes ------------------------------------------------------ */

/* read_at - len bytes of the file at off into out: 0, or -1 with why */
static int read_at(int fd, uint64_t off, uint64_t len, struct buf *out, struct buf *why)
{
	if (fsutil_pread_all(fd, off, (size_t)len, out) == 0)
		return 0;
	buf_printf(why, "read: %s", errno ? strerror(errno) : "the file is shorter");
	return -1;
}

/* header_fields - the header's fields named (or, with not, not named)
 * in sec, and the empty line, CRLF */
static void header_fields(const char *h, size_t len, const struct imapmail_section *sec, bool not,
			  struct buf *out)
{
	struct buf *raw = buf_new(len);
	bool blank = false;
	size_t i = 0;

	while (i < len) {
		size_t end = i, name_end;
		bool match = false;

		do {		/* the field: its line and continuation lines */
			const char *nl = memchr(h + end, '\n', len - end);

			end = nl ? (size_t)(nl - h) + 1 : len;
		} while (end < len && (h[end] == ' ' || h[end] == '\t'));
		for (name_end = i; name_end < end && h[name_end] != ':' && h[name_end] != '\n';)
			name_end++;
		if (name_end < end && h[name_end] == ':') {
			size_t nlen = name_end - i;
			const char *f = buf_str(sec->fields);

			while (nlen > 0 && (h[i + nlen - 1] == ' ' || h[i + nlen - 1] == '\t'))
				nlen--;
			for (size_t k = 0; k < sec->fields_len && !match; k++, f += strlen(f) + 1)
				match = strlen(f) == nlen && strncasecmp(f, h + i, nlen) == 0;
		} else if (end - i <= 2 && (h[i] == '\n' || h[i] == '\r')) {
			blank = true;	/* the empty line */
			break;
		}
		if (match != not)
			buf_add(raw, h + i, end - i);
		i = end;
	}
	/* the empty line ends it; HEADER.FIELDS.NOT of a header without one
	 * has none (Dovecot's filter copies what is there) */
	if (blank || !not)
		buf_add(raw, "\n", 1);
	imapmail_decode_crlf(buf_str(raw), buf_len(raw), false, out);
	buf_free(&raw);
}

/* decoded - part n's body decoded from its encoding into out */
static int decoded(const char *b, size_t len, const struct mime_part *m, struct buf *out)
{
	const char *e = m->encoding;

	if (strcmp(e, "base64") == 0)
		return base64_decode_mime(b, len, out, false) < 0 ? IMAPMAIL_RENDER_ERROR : 0;
	if (strcmp(e, "quoted-printable") == 0) {
		imapmail_decode_qp(b, len, out);
		return 0;
	}
	if (*e && strcmp(e, "7bit") && strcmp(e, "8bit") && strcmp(e, "binary"))
		return IMAPMAIL_RENDER_UNKNOWN_CTE;
	imapmail_decode_crlf(b, len, true, out);
	return 0;
}

/* binary_header - a part's header for BINARY: its
 * Content-Transfer-Encoding fields out, "binary" in before the empty
 * line (as Dovecot rewrites it), CRLF */
static void binary_header(const char *h, size_t len, struct buf *out)
{
	static const char cte[] = "content-transfer-encoding";
	struct buf *raw = buf_new(len + 40);
	size_t i = 0, end;

	while (i < len && h[i] != '\n' && !(h[i] == '\r' && i + 1 < len && h[i + 1] == '\n')) {
		const char *q = h + i + sizeof(cte) - 1;

		end = i;
		do {
			const char *nl = memchr(h + end, '\n', len - end);

			end = nl ? (size_t)(nl - h) + 1 : len;
		} while (end < len && (h[end] == ' ' || h[end] == '\t'));
		while (q < h + end && (*q == ' ' || *q == '\t'))
			q++;
		if (end - i < sizeof(cte) || strncasecmp(h + i, cte, sizeof(cte) - 1) != 0 ||
		    q >= h + end || *q != ':')
			buf_add(raw, h + i, end - i);
		i = end;
	}
	if (buf_len(raw) && raw->data[raw->len - 1] != '\n')
		buf_putc(raw, '\n');
	buf_cat(raw, "Content-Transfer-Encoding: binary\n");
	buf_add(raw, h + i, len - i);
	imapmail_decode_crlf(buf_str(raw), buf_len(raw), true, out);
	buf_free(&raw);
}

/* is_identity - an encoding BINARY leaves as it is */
static bool is_identity(const char *e)
{
	return !*e || !strcmp(e, "7bit") || !strcmp(e, "8bit") || !strcmp(e, "binary");
}

/* raw_crlf - file bytes [from, to) into data, CRLF: 0 or -1 */
static int raw_crlf(int fd, uint64_t from, uint64_t to, struct buf *data, struct buf *why)
{
	struct buf *raw = buf_new(0);
	int rc = to > from ? read_at(fd, from, to - from, raw, why) : 0;

	if (rc == 0)
		imapmail_decode_crlf(buf_str(raw), buf_len(raw), true, data);
	buf_free(&raw);
	return rc;
}

/* binary_leaf - part i's header and body for BINARY: 0, -1, -2, 1 */
static int binary_leaf(int fd, const struct mime_part *m, struct buf *data, struct buf *why)
{
	struct buf *raw = buf_new(0);
	int rc = read_at(fd, m->hdr_offset, m->hdr_size + m->body_size, raw, why);

	if (rc == 0) {
		binary_header(buf_str(raw), (size_t)m->hdr_size, data);
		rc = decoded(buf_str(raw) + m->hdr_size, (size_t)m->body_size, m, data);
		rc = rc == IMAPMAIL_RENDER_ERROR ? 1 : rc;
	}
	buf_free(&raw);
	return rc;
}

/* binary_tree - BINARY of the parts in [first, last) between file
 * offsets from and to: the bytes as they are, but each part encoded in
 * base64 or quoted-printable decoded (with its header saying
 * "binary"): 0, -1 (read error), -2 (an unknown encoding), 1 (data
 * that does not decode) */
static int binary_tree(int fd, const struct mime_parts *p, size_t first, size_t last,
		       uint64_t from, uint64_t to, struct buf *data, struct buf *why)
{
	uint64_t at = from;
	int rc;

	for (size_t i = first; i < last; i++) {
		const struct mime_part *m = &p->parts[i];

		if (is_multipart(p, i) || is_rfc822(p, i) || is_identity(m->encoding))
			continue;
		if (strcmp(m->encoding, "base64") && strcmp(m->encoding, "quoted-printable"))
			return IMAPMAIL_RENDER_UNKNOWN_CTE;
		if (m->hdr_offset < at || m->hdr_offset + m->hdr_size + m->body_size > to ||
		    (m->kind == MIME_PART_NESTED && m->body_size == 0))
			continue;	/* (a nested message's empty body: as Dovecot) */
		if ((rc = raw_crlf(fd, at, m->hdr_offset, data, why)) != 0 ||
		    (rc = binary_leaf(fd, m, data, why)) != 0)
			return rc;
		at = m->hdr_offset + m->hdr_size + m->body_size;
	}
	return raw_crlf(fd, at, to, data, why);
}

/* binary - BINARY[section] of part n: 0, -1, -2, 1 */
static int binary(int fd, const struct mime_parts *p, const struct imapmail_section *sec, size_t n,
		  struct buf *data, struct buf *why)
{
	const struct mime_part *m = &p->parts[n];
	uint64_t body = m->hdr_offset + m->hdr_size;
	size_t last = n + 1;
	struct buf *raw;
	int rc;

	while (last < p->len && p->parts[last].depth > m->depth)
		last++;
	if (sec->part_len == 0)
		return binary_tree(fd, p, 0, p->len, 0, body + m->body_size, data, why);
	if (is_multipart(p, n) || is_rfc822(p, n))
		return binary_tree(fd, p, n + 1, last, body, body + m->body_size, data, why);
	raw = buf_new(0);
	if ((rc = read_at(fd, body, m->body_size, raw, why)) == 0 &&
	    (rc = decoded(buf_str(raw), buf_len(raw), m, data)) == IMAPMAIL_RENDER_ERROR)
		rc = 1;
	buf_free(&raw);
	return rc;
}

/* content - the section's bytes (whole) into data: 0, -1 (a read
 * error, why), -2 (unknown encoding), 1 (BINARY content not decodable) */
static int content(int fd, const struct mime_parts *p, const struct imapmail_section *sec,
		   struct buf *data, struct buf *why)
{
	struct buf *raw = buf_new(0);
	const struct mime_part *m;
	size_t n;
	int rc = 0;

	if (!find(p, sec, &n))
		goto done;
	if (sec->item == IMAPMAIL_ITEM_BINARY || sec->item == IMAPMAIL_ITEM_BINARY_SIZE) {
		rc = binary(fd, p, sec, n, data, why);
		goto done;
	}
	m = &p->parts[n];
	switch (sec->text) {
	case IMAPMAIL_TEXT_ALL:
		if (sec->part_len == 0)
			rc = read_at(fd, 0, m->hdr_size + m->body_size, raw, why);
		else
			rc = read_at(fd, m->hdr_offset + m->hdr_size, m->body_size, raw, why);
		break;
	case IMAPMAIL_TEXT_HEADER:
	case IMAPMAIL_TEXT_MIME:
	case IMAPMAIL_TEXT_FIELDS:
	case IMAPMAIL_TEXT_FIELDS_NOT:
		rc = read_at(fd, m->hdr_offset, m->hdr_size, raw, why);
		break;
	case IMAPMAIL_TEXT_TEXT:
		rc = read_at(fd, m->hdr_offset + m->hdr_size, m->body_size, raw, why);
		break;
	}
	if (rc < 0)
		goto done;
	if (sec->text == IMAPMAIL_TEXT_FIELDS || sec->text == IMAPMAIL_TEXT_FIELDS_NOT)
		header_fields(buf_str(raw), buf_len(raw), sec, sec->text == IMAPMAIL_TEXT_FIELDS_NOT,
			      data);
	else
		imapmail_decode_crlf(buf_str(raw), buf_len(raw), false, data);
done:
	buf_free(&raw);
	return rc;
}

/* emit - "NAME data" (the partial of it) */
static void emit(const struct imapmail_section *sec, const struct buf *data, struct buf *out)
{
	size_t off, len;

	buf_add(out, buf_str(sec->name), buf_len(sec->name));
	if (sec->item == IMAPMAIL_ITEM_BINARY_SIZE) {
		buf_printf(out, " %zu", buf_len(data));
	} else {
		off = sec->origin < buf_len(data) ? (size_t)sec->origin : buf_len(data);
		len = buf_len(data) - off;
		if (sec->count < len)
			len = (size_t)sec->count;
		if (sec->item == IMAPMAIL_ITEM_BINARY && memchr(buf_str(data) + off, '\0', len))
			buf_printf(out, " ~{%zu}\r\n", len);
		else
			buf_printf(out, " {%zu}\r\n", len);
		buf_add(out, buf_str(data) + off, len);
	}
}

/* imapmail_section_write - "NAME data" for the section */
int imapmail_section_write(int fd, const struct mime_parts *p, const struct imapmail_section *sec,
			   struct buf *out, struct buf *why)
{
	struct buf *data = buf_new(0);
	int rc = content(fd, p, sec, data, why);

	if (rc == 0)
		emit(sec, data, out);
	buf_free(&data);
	return rc == 1 ? IMAPMAIL_RENDER_PARSE : rc < 0 ? rc : IMAPMAIL_RENDER_OK;
}

/* imapmail_section_write_fields - the same for HEADER.FIELDS of the
 * message from its header's bytes h (a cached copy) */
void imapmail_section_write_fields(const char *h, size_t len, const struct imapmail_section *sec,
				   struct buf *out)
{
	struct buf *data = buf_new(len);

	header_fields(h, len, sec, false, data);
	emit(sec, data, out);
	buf_free(&data);
}
