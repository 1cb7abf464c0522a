/* imapmail_search_text - reading one message for SEARCH's text keys and
 * SENT* dates: the file is walked once with the MIME walker (store/
 * mime.h); each header field is unfolded, its encoded words decoded,
 * folded and offered to the HEADER keys (the message's own header) and
 * the TEXT keys (every header block); each text or message part's
 * body is transfer-decoded, converted to UTF-8 and folded, and offered
 * to BODY and TEXT.  Attachments (other types) and multipart preambles
 * are not text, as in Dovecot.  The message comes from anyone: the
 * walker bounds nesting.  The file is read in chunks, and no further
 * than needed (only the header when no BODY/TEXT key is open); XXX a
 * text part is kept whole while it is read and decoded (a part is
 * bounded by message_size_limit).
 * The index's cached envelope fields (store/mime_parts.h: the top
 * header's fields unfolded as here, one "Name: value" a line, in the
 * file's order) go through the same field_done, for the HEADER keys on
 * those fields and the Date:, so that both ways give one answer.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "imap_date.h"
#include "imapmail_search_decode.h"
#include "imapmail_search_int.h"
#include "mem.h"
#include "mime.h"
#include "mime_parts.h"

enum { READ_CHUNK = 65536 };

struct reader {
	struct imapmail_search *s;
	struct search_file *f;
	size_t open_keys;		/* text keys not hit yet */
	bool date_seen;
	bool top_done;			/* the message's own header has ended */
	bool env_only;			/* reading cached envelope fields */
	struct buf *field;		/* the header field being gathered */
	enum mime_section field_section;
	char charset[SEARCH_CHARSET_MAX + 1];	/* of the block's Content-Type */
	bool text_body;			/* the body being read is text */
	char encoding[MIME_TOKEN_MAX + 1];
	struct buf *body, *tmp, *folded;
	struct buf *view[SH_MODES];	/* the field as each header mode reads it */
};

/* offer - folded text to the BODY / TEXT keys of the given types not hit yet */
static void offer(struct reader *r, const struct buf *text, enum search_key_type t1,
		  enum search_key_type t2)
{
	for (size_t i = 0; i < r->s->n_text; i++) {
		struct search_key *k = r->s->text[i];

		if (k->hit || (k->type != t1 && k->type != t2))
			continue;
		if (memmem(buf_str(text), buf_len(text), buf_str(k->value), buf_len(k->value))) {
			k->hit = true;
			r->open_keys--;
		}
	}
}

/* view - the field's value v as mode reads it, decoded and folded */
static void view(struct reader *r, enum search_hdr_mode mode, const char *v, struct buf *out)
{
	struct buf *src = r->tmp;

	buf_reset(r->tmp);
	buf_reset(out);
	if (mode == SH_ADDRESS) {
		search_address_text(v, strlen(v), r->tmp);
		src = r->folded;
		buf_reset(src);
		search_decode_header(buf_str(r->tmp), buf_len(r->tmp), src);
	} else {
		search_decode_header(v, strlen(v), r->tmp);
		if (mode == SH_LWSP)
			search_compress_lwsp(r->tmp);
	}
	search_fold(buf_str(src), buf_len(src), out);
}

/* header_keys - the message's field name: v to its open HEADER keys,
 * each view made once */
static void header_keys(struct reader *r, const char *name, const char *v)
{
	bool made[SH_MODES] = { false };

	for (size_t i = 0; i < r->s->n_text; i++) {
		struct search_key *k = r->s->text[i];

		if (k->hit || k->type != SK_HEADER || strcasecmp(k->name, name) != 0)
			continue;
		if (!made[k->mode]) {
			view(r, k->mode, v, r->view[k->mode]);
			made[k->mode] = true;
		}
		if (memmem(buf_str(r->view[k->mode]), buf_len(r->view[k->mode]), buf_str(k->value),
			   buf_len(k->value))) {
			k->hit = true;
			r->open_keys--;
		}
	}
}

/* wants - an open key of type t (with a HEADER key: for field name) */
static bool wants(const struct reader *r, enum search_key_type t, const char *name)
{
	for (size_t i = 0; i < r->s->n_text; i++) {
		const struct search_key *k = r->s->text[i];

		if (!k->hit && k->type == t && (t != SK_HEADER || strcasecmp(k->name, name) == 0))
			return true;
	}
	return false;
}

/* header_exists - HEADER name "": the field is there */
static void header_exists(struct reader *r, const char *name)
{
	for (size_t i = 0; i < r->s->n_text; i++) {
		struct search_key *k = r->s->text[i];

		if (!k->hit && k->type == SK_HEADER && buf_len(k->value) == 0 &&
		    strcasecmp(k->name, name) == 0) {
			k->hit = true;
			r->open_keys--;
		}
	}
}

/* field_done - the gathered header field: Content-Type's charset, the
 * Date:, and the keys */
static void field_done(struct reader *r)
{
	char *name = r->field->data, *colon = strchr(name, ':'), *v;
	bool top = r->field_section == MIME_TOP;

	if (buf_len(r->field) == 0 || colon == NULL)
		goto out;
	*colon = '\0';
	v = colon + 1;
	v += strspn(v, " \t");
	for (size_t n = strlen(v); n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'); n--)
		v[n - 1] = '\0';	/* trailing white space of the value */
	if (strcasecmp(name, "Content-Type") == 0)
		search_charset_param(v, r->charset);
	if (top && r->s->needs_date && !r->date_seen && strcasecmp(name, "Date") == 0) {
		time_t t;
		int zone;

		r->date_seen = true;
		if (imap_date_rfc5322(v, strlen(v), &t, &zone) == 0)
			r->f->sent_day = imap_date_day_of(t, zone);
	}
	if (top)
		header_exists(r, name);
	if (top && wants(r, SK_HEADER, name))
		header_keys(r, name, v);
	if (!r->env_only && wants(r, SK_TEXT, NULL)) {
		/* TEXT sees the whole field, its name too (as Dovecot) */
		buf_set(r->tmp, name);
		buf_cat(r->tmp, ": ");
		search_decode_header(v, strlen(v), r->tmp);
		buf_reset(r->folded);
		search_fold(buf_str(r->tmp), buf_len(r->tmp), r->folded);
		offer(r, r->folded, SK_TEXT, SK_TEXT);
	}
out:
	buf_reset(r->field);
}

/* body_done - the text part read so far, to BODY and TEXT */
static void body_done(struct reader *r)
{
	if (r->text_body && buf_len(r->body) > 0 &&
	    (wants(r, SK_BODY, NULL) || wants(r, SK_TEXT, NULL))) {
		buf_reset(r->tmp);
		search_decode_body(buf_str(r->body), buf_len(r->body), r->encoding, r->charset,
				   r->tmp);
		buf_reset(r->folded);
		search_fold(buf_str(r->tmp), buf_len(r->tmp), r->folded);
		offer(r, r->folded, SK_BODY, SK_TEXT);
	}
	buf_reset(r->body);
	r->text_body = false;
}

/* block_done - a header block ended: is the body after it text? */
static void block_done(struct reader *r, const struct mime_line *l)
{
	const struct mime_fields *f = l->fields;

	field_done(r);
	if (l->section == MIME_TOP)
		r->top_done = true;
	r->text_body = !l->nested_follows && (f == NULL || f->type[0] == '\0' ||
					      strcmp(f->type, "text") == 0 ||
					      strcmp(f->type, "message") == 0);
	if (f != NULL)
		memcpy(r->encoding, f->encoding, sizeof(r->encoding));
	else
		r->encoding[0] = '\0';
	if (!r->text_body)
		r->charset[0] = '\0';
}

/* line - one line of the message (without its line end) */
static void line(struct reader *r, struct mime *w, const char *p, size_t len)
{
	const struct mime_line *l = mime_feed(w, p, len, false);

	switch (l->kind) {
	case MIME_HEADER:
		if (!l->continued)
			field_done(r);
		r->field_section = l->section;
		buf_add(r->field, p, len);
		break;
	case MIME_HEADER_END:
		block_done(r, l);
		break;
	case MIME_BOUNDARY:
	case MIME_CLOSE:
		body_done(r);
		r->charset[0] = '\0';
		break;
	case MIME_BODY:
		if (l->headers_ended)
			block_done(r, l);
		if (r->text_body) {
			buf_add(r->body, p, len);
			buf_putc(r->body, '\n');
		}
		break;
	}
}

/* one - a line to the walker, true once nothing more is needed: every
 * text key is hit and the Date: is known, or no BODY/TEXT key is left
 * open when the message's header has ended */
static bool one(struct reader *r, struct mime *w, const char *p, size_t len)
{
	line(r, w, p, len > 0 && p[len - 1] == '\r' ? len - 1 : len);
	if (r->top_done && !wants(r, SK_BODY, NULL) && !wants(r, SK_TEXT, NULL))
		return true;
	return r->open_keys == 0 && (r->top_done || !r->s->needs_date);
}

/* lines - the whole lines in pend, which keeps the rest; true when done */
static bool lines(struct reader *r, struct mime *w, struct buf *pend)
{
	const char *p = buf_str(pend), *end = p + buf_len(pend), *nl;
	bool done = false;

	while (!done && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		done = one(r, w, p, (size_t)(nl - p));
		p = nl + 1;
	}
	memmove(pend->data, p, (size_t)(end - p));
	buf_truncate(pend, (size_t)(end - p));
	return done;
}

/* walk - the file from offset 0, READ_CHUNK at a time, through the
 * walker until done: 0, or -1 on a read error */
static int walk(struct reader *r, int fd)
{
	struct mime *w = mime_new(&(struct mime_opts){ .header_limit = 102400, .eol_len = 1 });
	struct buf *pend = buf_new(READ_CHUNK);
	bool done = false;
	off_t off = 0;
	int rc = 0;

	while (!done) {
		ssize_t n;

		buf_reserve(pend, READ_CHUNK);
		n = pread(fd, pend->data + pend->len, READ_CHUNK, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -1 : 0;
			if (n == 0 && buf_len(pend) > 0)
				(void)one(r, w, buf_str(pend), buf_len(pend));	/* no line end */
			break;
		}
		pend->len += (size_t)n;
		pend->data[pend->len] = '\0';
		off += n;
		done = lines(r, w, pend);
	}
	field_done(r);
	body_done(r);
	mime_free(&w);
	buf_free(&pend);
	return rc;
}

/* reader_reset - r for s and another message: the keys' hits cleared */
static void reader_reset(struct reader *r, struct imapmail_search *s, struct search_file *f)
{
	r->s = s;
	r->f = f;
	r->open_keys = 0;
	r->date_seen = r->top_done = r->env_only = r->text_body = false;
	r->field_section = MIME_TOP;
	r->charset[0] = r->encoding[0] = '\0';
	for (size_t i = 0; i < s->n_text; i++) {
		struct search_key *k = s->text[i];

		/* an empty BODY/TEXT string is found in any message */
		k->hit = k->type != SK_HEADER && buf_len(k->value) == 0;
		r->open_keys += !k->hit;
	}
}

/* reader_init - r for s: the keys' hits cleared, the buffers made */
static void reader_init(struct reader *r, struct imapmail_search *s, struct search_file *f)
{
	*r = (struct reader){ .s = s, .f = f };
	reader_reset(r, s, f);
	r->field = buf_new(256);
	r->body = buf_new(1024);
	r->tmp = buf_new(1024);
	r->folded = buf_new(1024);
	for (int i = 0; i < SH_MODES; i++)
		r->view[i] = buf_new(256);
}

/* reader_free - r's buffers */
static void reader_free(struct reader *r)
{
	for (int i = 0; i < SH_MODES; i++)
		buf_free(&r->view[i]);
	buf_free(&r->field);
	buf_free(&r->body);
	buf_free(&r->tmp);
	buf_free(&r->folded);
}

/* search_text_read - one message's text keys and Date: */
int search_text_read(struct imapmail_search *s, int fd, struct search_file *f)
{
	struct reader r;
	int rc;

	reader_init(&r, s, f);
	rc = walk(&r, fd);
	reader_free(&r);
	return rc;
}

/* line_wanted - the envelope line p..eol ("Name: value") is for the
 * Date: a SENT* key wants, or for an open HEADER key: field_done would
 * do nothing with any other (no TEXT key reads the envelope) */
static bool line_wanted(const struct reader *r, const char *p, const char *eol)
{
	const char *colon = memchr(p, ':', (size_t)(eol - p));
	size_t n;

	if (colon == NULL)
		return false;
	for (n = (size_t)(colon - p); n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'); n--)
		;
	if (r->s->needs_date && !r->date_seen && n == 4 && strncasecmp(p, "Date", 4) == 0)
		return true;
	for (size_t i = 0; i < r->s->n_text; i++) {
		const struct search_key *k = r->s->text[i];

		if (!k->hit && k->type == SK_HEADER && strlen(k->name) == n &&
		    strncasecmp(k->name, p, n) == 0)
			return true;
	}
	return false;
}

/* search_envelope_read - the envelope's lines as the top header's
 * fields, through one reader kept in s for the whole search */
void search_envelope_read(struct imapmail_search *s, const char *env, size_t len,
			  struct search_file *f)
{
	const char *p = env, *end = env + len, *nl, *eol;
	struct reader *r = s->env_reader;

	if (r == NULL) {
		r = s->env_reader = xmalloc(sizeof(*r));
		reader_init(r, s, f);
	} else {
		reader_reset(r, s, f);
	}
	r->env_only = true;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		eol = nl ? nl : end;
		if (line_wanted(r, p, eol)) {
			buf_add(r->field, p, (size_t)(eol - p));
			field_done(r);
		}
		p = nl ? nl + 1 : end;
	}
}

/* search_reader_free - see imapmail_search_int.h */
void search_reader_free(struct imapmail_search *s)
{
	if (s->env_reader == NULL)
		return;
	reader_free(s->env_reader);
	free(s->env_reader);
	s->env_reader = NULL;
}

/* search_envelope_field - a field mime_parts keeps in the envelope */
bool search_envelope_field(const char *name)
{
	return mime_parts_envelope_field(name);
}
