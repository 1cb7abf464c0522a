/* imapmail_bodystructure - FETCH BODY and BODYSTRUCTURE (RFC 9051
 * section 7.5.2, RFC 3501 section 7.4.2) from mime_parts' parts.
 *
 *   imapmail_bodystructure_write(p, 0, extended, out);
 *
 * A part's Content-* fields are parsed here (the parts keep them raw):
 * type/subtype with the parameters (RFC 2045 section 5.1; RFC 2231
 * continuations joined as Dovecot joins them: "name*" with the
 * charset'language' prefix kept when a piece is extended, pieces with
 * a gap left apart), the encoding token, the disposition with its
 * parameters, the language tags; id, description, MD5 and location go
 * as their text.  The first field of a name counts.  Defaults as
 * Dovecot 2.3 writes them: no Content-Type is "text" "plain"; a text
 * part without a charset gets ("charset" "us-ascii"); no encoding is
 * "7bit"; a multipart without a subtype "x-unknown", one without parts
 * a single empty text/plain part.  A part is a multipart when it has
 * parts inside (mime_parts made them from its boundary), a
 * message/rfc822 when a nested message follows it.  Sizes and lines are
 * the parts' CRLF counts.  Never fails; the fields are the sender's.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "imap_quote.h"
#include "imapmail_render.h"
#include "imapmail_rfc822.h"
#include "mem.h"

enum { PARAMS_MAX = 256 };

/* what a multipart without parts holds (Dovecot writes this) */
#define EMPTY_PART "\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 0 0"

struct param {
	char *key, *value;
	unsigned idx;			/* RFC 2231 piece number */
	bool extended;			/* "key*n*": the value is %-encoded */
};

struct params {
	struct param list[PARAMS_MAX];
	size_t len;
};

/* value_of - a field's value in part n's fields, or NULL */
static const char *value_of(const struct mime_part *m, const char *name, size_t *len)
{
	return imapmail_rfc822_field(buf_str(m->fields), buf_len(m->fields), name, len);
}

/* params_add - one parameter */
static void params_add(struct params *ps, const char *k, size_t klen, const char *v, size_t vlen,
		       unsigned idx, bool ext)
{
	struct param *q;

	if (ps->len == PARAMS_MAX)
		return;
	q = &ps->list[ps->len++];
	q->key = xmalloc(klen + 1);
	memcpy(q->key, k, klen);
	q->value = xmalloc(vlen + 1);
	memcpy(q->value, v, vlen);
	q->idx = idx;
	q->extended = ext;
}

/* params_free - the parameters' strings */
static void params_free(struct params *ps)
{
	for (size_t i = 0; i < ps->len; i++) {
		free(ps->list[i].key);
		free(ps->list[i].value);
	}
	ps->len = 0;
}

/* one_param - "; key=value" into key and value (tmp: key NUL value):
 * -1 bad, 0 at the end, 1 read */
static int one_param(struct imapmail_rfc822 *r, struct buf *tmp, size_t *vpos)
{
	int rc;

	buf_reset(tmp);
	if (r->p == r->end)
		return 0;
	if (*r->p != ';')
		return -1;
	r->p++;
	if (imapmail_rfc822_skip(r) <= 0 || imapmail_rfc822_token(r, tmp) <= 0 || buf_len(tmp) == 0)
		return -1;
	buf_putc(tmp, '\0');
	*vpos = buf_len(tmp);
	if (*r->p != '=')
		return -1;
	r->p++;
	if ((rc = imapmail_rfc822_skip(r)) <= 0) {
		/* no value */
	} else if (*r->p == '"') {
		rc = imapmail_rfc822_quoted(r, tmp);
	} else if (*r->p == '=') {	/* broken: name==?utf-8?b?...?= */
		while (r->p < r->end && !strchr("; \t\r\n", *r->p))
			buf_putc(tmp, *r->p++);
	} else {
		rc = imapmail_rfc822_token(r, tmp);
	}
	return rc < 0 ? -1 : 1;
}

/* split_2231 - "key*n" or "key*n*": true with the piece's key length */
static bool split_2231(const char *key, size_t *klen, unsigned *idx, bool *ext)
{
	const char *star = strchr(key, '*'), *p;

	if (star == NULL)
		return false;
	*klen = (size_t)(star - key);
	*idx = 0;
	p = star[1] ? star + 1 : star;	/* "key*" alone: one extended piece */
	for (; *p >= '0' && *p <= '9'; p++)
		*idx = *idx * 10 + (unsigned)(*p - '0') % 1000000;
	*ext = *p == '*';
	p += *ext;
	return *p == '\0';
}

/* piece_cmp - order RFC 2231 pieces by key, then number */
static int piece_cmp(const void *a, const void *b)
{
	const struct param *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c != 0)
		return c;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* join_pieces - RFC 2231 pieces into whole parameters (added to ps) */
static void join_pieces(struct params *pieces, struct params *ps)
{
	struct buf *v = buf_new(64), *k = buf_new(32);
	size_t i, j, next;

	qsort(pieces->list, pieces->len, sizeof(pieces->list[0]), piece_cmp);
	for (i = 0; i < pieces->len; i = next) {
		bool ok = true, ext = false;
		unsigned want = 0;

		for (j = i; j < pieces->len && strcasecmp(pieces->list[i].key, pieces->list[j].key) == 0; j++) {
			ok = ok && pieces->list[j].idx == want++;
			ext = ext || pieces->list[j].extended;
		}
		next = j;
		if (!ok) {		/* a gap: left as they came */
			for (j = i; j < next; j++) {
				buf_reset(k);
				buf_printf(k, pieces->list[j].extended ? "%s*%u*" : "%s*%u",
					   pieces->list[j].key, pieces->list[j].idx);
				params_add(ps, buf_str(k), buf_len(k), pieces->list[j].value,
					   strlen(pieces->list[j].value), 0, false);
			}
			continue;
		}
		buf_reset(v);
		if (ext && !pieces->list[i].extended)
			buf_cat(v, "''");
		for (j = i; j < next; j++) {
			const char *s = pieces->list[j].value;

			if (ext && !pieces->list[j].extended) {
				for (; *s; s++)
					buf_cat(v, *s == '%' ? "%25" : (char[]){ *s, 0 });
			} else {
				buf_cat(v, s);
			}
		}
		buf_set(k, pieces->list[i].key);
		if (ext)
			buf_putc(k, '*');
		params_add(ps, buf_str(k), buf_len(k), buf_str(v), buf_len(v), 0, false);
	}
	buf_free(&v);
	buf_free(&k);
}

/* parse_params - the parameters after a value, continuations joined */
static void parse_params(struct imapmail_rfc822 *r, struct params *ps)
{
	struct params *pieces = xmalloc(sizeof(*pieces));
	struct buf *tmp = buf_new(64);
	size_t vpos = 0, klen;
	unsigned idx;
	bool ext;
	int rc;

	while ((rc = one_param(r, tmp, &vpos)) != 0) {
		const char *key = buf_str(tmp);

		if (rc < 0) {		/* skip a byte and try again */
			if (r->p == r->end)
				break;
			r->p++;
			continue;
		}
		if (split_2231(key, &klen, &idx, &ext))
			params_add(pieces, key, klen, key + vpos, buf_len(tmp) - vpos, idx, ext);
		else
			params_add(ps, key, strlen(key), key + vpos, buf_len(tmp) - vpos, 0, false);
	}
	join_pieces(pieces, ps);
	params_free(pieces);
	free(pieces);
	buf_free(&tmp);
}

/* write_params - ("k" "v" ...) or NIL; a text part gets a charset */
static void write_params(const struct params *ps, bool text, struct buf *out)
{
	bool charset = false;

	if (ps->len == 0 && !text) {
		buf_cat(out, "NIL");
		return;
	}
	buf_putc(out, '(');
	for (size_t i = 0; i < ps->len; i++) {
		if (i > 0)
			buf_putc(out, ' ');
		charset = charset || strcasecmp(ps->list[i].key, "charset") == 0;
		imap_quote_string(out, ps->list[i].key, strlen(ps->list[i].key));
		buf_putc(out, ' ');
		imap_quote_string(out, ps->list[i].value, strlen(ps->list[i].value));
	}
	if (text && !charset)
		buf_cat(out, ps->len ? " \"charset\" \"us-ascii\"" : "\"charset\" \"us-ascii\"");
	buf_putc(out, ')');
}

struct ctype {
	struct buf *type, *subtype;	/* type NULL: no Content-Type */
	struct params ps;
};

/* content_type - parse part m's Content-Type into ct */
static void content_type(const struct mime_part *m, struct ctype *ct)
{
	size_t len = 0;
	const char *v = value_of(m, "Content-Type", &len);
	struct imapmail_rfc822 r = { .p = v, .end = v ? v + len : NULL };
	int rc = -1;

	ct->ps.len = 0;
	if (v == NULL)
		return;
	ct->type = buf_new(16);
	ct->subtype = buf_new(16);
	/* a type alone ("garbage") stays; anything else broken is "" "" */
	if (imapmail_rfc822_skip(&r) <= 0 || imapmail_rfc822_token(&r, ct->type) <= 0 ||
	    buf_len(ct->type) == 0)
		return;
	if (*r.p == '/') {
		r.p++;
		if (imapmail_rfc822_skip(&r) > 0)
			rc = imapmail_rfc822_token(&r, ct->subtype);
	}
	if (rc < 0 || buf_len(ct->subtype) == 0 || (r.p < r.end && *r.p != ';')) {
		buf_reset(ct->type);
		buf_reset(ct->subtype);
		return;
	}
	parse_params(&r, &ct->ps);
}

/* ctype_free - what content_type allocated */
static void ctype_free(struct ctype *ct)
{
	buf_free(&ct->type);
	buf_free(&ct->subtype);
	params_free(&ct->ps);
}

/* nstring_field - a field's text as an nstring */
static void nstring_field(const struct mime_part *m, const char *name, struct buf *out)
{
	size_t len = 0;
	const char *v = value_of(m, name, &len);

	imap_quote_nstring(out, v, len);
}

/* encoding - the Content-Transfer-Encoding token, "7bit" by default */
static void encoding(const struct mime_part *m, struct buf *out)
{
	size_t len = 0;
	const char *v = value_of(m, "Content-Transfer-Encoding", &len);
	struct imapmail_rfc822 r = { .p = v, .end = v ? v + len : NULL };
	struct buf *tok = buf_new(16);

	if (v && imapmail_rfc822_skip(&r) >= 0 && imapmail_rfc822_token(&r, tok) >= 0 &&
	    imapmail_rfc822_skip(&r) == 0 && buf_len(tok) > 0)
		imap_quote_string(out, buf_str(tok), buf_len(tok));
	else
		buf_cat(out, "\"7bit\"");
	buf_free(&tok);
}

/* disposition - ("type" params) or NIL */
static void disposition(const struct mime_part *m, struct buf *out)
{
	size_t len = 0;
	const char *v = value_of(m, "Content-Disposition", &len);
	struct imapmail_rfc822 r = { .p = v, .end = v ? v + len : NULL };
	struct buf *tok = buf_new(16);
	struct params *ps = xmalloc(sizeof(*ps));

	if (v && imapmail_rfc822_skip(&r) >= 0 && imapmail_rfc822_token(&r, tok) >= 0) {
		parse_params(&r, ps);
		buf_putc(out, '(');
		imap_quote_string(out, buf_str(tok), buf_len(tok));
		buf_putc(out, ' ');
		write_params(ps, false, out);
		buf_putc(out, ')');
	} else {
		buf_cat(out, "NIL");
	}
	params_free(ps);
	free(ps);
	buf_free(&tok);
}

/* language - ("tag" ...) or NIL */
static void language(const struct mime_part *m, struct buf *out)
{
	size_t len = 0, n = 0;
	const char *v = value_of(m, "Content-Language", &len);
	struct imapmail_rfc822 r = { .p = v, .end = v ? v + len : NULL };
	struct buf *tag = buf_new(16);

	if (v)
		imapmail_rfc822_skip(&r);
	while (v && r.p < r.end && imapmail_rfc822_is_atext((unsigned char)*r.p)) {
		const char *s = r.p;

		while (r.p < r.end && imapmail_rfc822_is_atext((unsigned char)*r.p))
			r.p++;
		buf_set(tag, "");
		buf_add(tag, s, (size_t)(r.p - s));
		buf_cat(out, n++ ? " " : "(");
		imap_quote_string(out, buf_str(tag), buf_len(tag));
		if (imapmail_rfc822_skip(&r) <= 0 || *r.p != ',')
			break;
		r.p++;
		imapmail_rfc822_skip(&r);
	}
	buf_cat(out, n ? ")" : "NIL");
	buf_free(&tag);
}

/* child - the index of part n's first child, or 0 when it has none */
static size_t child(const struct mime_parts *p, size_t n)
{
	return n + 1 < p->len && p->parts[n + 1].depth == p->parts[n].depth + 1 ? n + 1 : 0;
}

/* sibling - the next part at the same depth inside the same parent, or 0 */
static size_t sibling(const struct mime_parts *p, size_t n)
{
	for (size_t i = n + 1; i < p->len && p->parts[i].depth >= p->parts[n].depth; i++)
		if (p->parts[i].depth == p->parts[n].depth)
			return i;
	return 0;
}

static void write_part(const struct mime_parts *p, size_t n, bool ext,
		       struct buf *out);

/* write_dsp_lang_loc - " disposition language location", the end of
 * every part's extension data */
static void write_dsp_lang_loc(const struct mime_part *m, struct buf *out)
{
	buf_putc(out, ' ');
	disposition(m, out);
	buf_putc(out, ' ');
	language(m, out);
	buf_putc(out, ' ');
	nstring_field(m, "Content-Location", out);
}

/* write_ext - the single-part extension data after the fields */
static void write_ext(const struct mime_part *m, struct buf *out)
{
	buf_putc(out, ' ');
	nstring_field(m, "Content-MD5", out);
	write_dsp_lang_loc(m, out);
}

/* write_multipart - (part)(part) "subtype" [ext] */
static void write_multipart(const struct mime_parts *p, size_t n, const struct ctype *ct,
			    bool ext, struct buf *out)
{
	const struct mime_part *m = &p->parts[n];
	size_t c = child(p, n);

	if (c == 0)
		buf_cat(out, ext ? "(" EMPTY_PART " NIL NIL NIL NIL)" : "(" EMPTY_PART ")");
	for (; c; c = sibling(p, c)) {
		buf_putc(out, '(');
		write_part(p, c, ext, out);
		buf_putc(out, ')');
	}
	buf_putc(out, ' ');
	if (ct->type)
		imap_quote_string(out, buf_str(ct->subtype), buf_len(ct->subtype));
	else
		buf_cat(out, "\"x-unknown\"");
	if (!ext)
		return;
	buf_putc(out, ' ');
	write_params(&ct->ps, false, out);
	write_dsp_lang_loc(m, out);
}

/* write_single - a non-multipart part's fields */
static void write_single(const struct mime_parts *p, size_t n, const struct ctype *ct,
			 bool ext, struct buf *out)
{
	const struct mime_part *m = &p->parts[n];
	size_t c = child(p, n);
	bool rfc822 = c && p->parts[c].kind == MIME_PART_NESTED;
	bool text = !rfc822 && (ct->type == NULL || strcasecmp(buf_str(ct->type), "text") == 0);

	if (rfc822) {
		buf_cat(out, "\"message\" \"rfc822\"");
	} else if (ct->type == NULL) {
		buf_cat(out, "\"text\" \"plain\"");
	} else {
		imap_quote_string(out, buf_str(ct->type), buf_len(ct->type));
		buf_putc(out, ' ');
		imap_quote_string(out, buf_str(ct->subtype), buf_len(ct->subtype));
	}
	buf_putc(out, ' ');
	write_params(&ct->ps, text, out);
	buf_putc(out, ' ');
	nstring_field(m, "Content-ID", out);
	buf_putc(out, ' ');
	nstring_field(m, "Content-Description", out);
	buf_putc(out, ' ');
	encoding(m, out);
	buf_printf(out, " %llu", (unsigned long long)m->body_vsize);
	if (text) {
		buf_printf(out, " %llu", (unsigned long long)m->body_lines);
	} else if (rfc822) {
		const struct mime_part *nm = &p->parts[c];

		buf_putc(out, ' ');
		imapmail_envelope_write(buf_str(nm->fields), buf_len(nm->fields), out);
		buf_cat(out, " (");
		write_part(p, c, ext, out);
		buf_printf(out, ") %llu", (unsigned long long)m->body_lines);
	}
	if (ext)
		write_ext(m, out);
}

/* is_multi - with ct part n's parsed Content-Type: a multipart */
static bool is_multi(const struct mime_parts *p, size_t n, const struct ctype *ct)
{
	return ct->type && strcasecmp(buf_str(ct->type), "multipart") == 0 &&
	       (child(p, n) == 0 || p->parts[child(p, n)].kind == MIME_PART_PART);
}

/* imapmail_bodystructure_is_multipart - part n is a multipart (by its
 * type: one without parts too) */
bool imapmail_bodystructure_is_multipart(const struct mime_parts *p, size_t n)
{
	struct ctype *ct = xmalloc(sizeof(*ct));
	bool multi;

	content_type(&p->parts[n], ct);
	multi = is_multi(p, n, ct);
	ctype_free(ct);
	free(ct);
	return multi;
}

/* write_part - one part's body structure (without its parentheses) */
static void write_part(const struct mime_parts *p, size_t n, bool ext,
		       struct buf *out)
{
	struct ctype *ct = xmalloc(sizeof(*ct));
	const struct mime_part *m = &p->parts[n];
	bool multi;

	content_type(m, ct);
	multi = is_multi(p, n, ct);
	if (multi)
		write_multipart(p, n, ct, ext, out);
	else
		write_single(p, n, ct, ext, out);
	ctype_free(ct);
	free(ct);
}

/* imapmail_bodystructure_write - BODY or BODYSTRUCTURE of part n */
void imapmail_bodystructure_write(const struct mime_parts *p, size_t part, bool extended,
				  struct buf *out)
{
	buf_putc(out, '(');
	if (part < p->len)
		write_part(p, part, extended, out);
	else
		buf_cat(out, EMPTY_PART);
	buf_putc(out, ')');
}
