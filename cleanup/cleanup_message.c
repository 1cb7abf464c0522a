/* cleanup_message - headers and content checks; see cleanup_message.h.
 * store/mime says what each line is (whose header, boundary, body).
 * The header and body checks follow header_checks(5):
 * REJECT, DISCARD, HOLD, WARN, INFO, IGNORE, PREPEND, REPLACE, DUNNO, OK
 * (FILTER, REDIRECT and BCC are logged and not acted on yet). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cleanup_message.h"
#include "log.h"
#include "mem.h"

/* emit_text - one logical header (lines joined by "\n") as records */
static void emit_text(struct msg *m, const char *text)
{
	while (true) {
		const char *nl = strchr(text, '\n');
		size_t len = nl ? (size_t)(nl - text) : strlen(text);

		m->emit(m->ctx, 'L', text, len);
		if (nl == NULL)
			break;
		text = nl + 1;
	}
}

/* start - the headers that go first (Received:, PREPEND from smtpd) */
static void start(struct msg *m)
{
	for (size_t i = 0; m->o->prepend && i < m->o->prepend->len; i++)
		emit_text(m, m->o->prepend->items[i]);
}

/* msg_new - a message pass writing through emit */
struct msg *msg_new(const struct msg_opts *o, msg_emit_fn *emit, void *ctx)
{
	struct msg *m = xcalloc(1, sizeof(*m));

	m->o = o;
	m->emit = emit;
	m->ctx = ctx;
	m->reply = buf_new(64);
	m->hdr = buf_new(256);
	m->in_headers = true;
	m->mime = mime_new(&(struct mime_opts){ .header_limit = (size_t)o->header_size_limit,
						.eol_len = 1 });
	m->header_rcpts = strv_new();
	start(m);
	return m;
}

/* msg_free - release the pass */
void msg_free(struct msg **mp)
{
	struct msg *m = *mp;

	if (m == NULL)
		return;
	mime_free(&m->mime);
	free(m->message_id);
	strv_free(&m->header_rcpts);
	buf_free(&m->reply);
	buf_free(&m->hdr);
	free(m);
	*mp = NULL;
}

/* set_verdict - the first REJECT/DISCARD/HOLD wins; REJECT beats HOLD */
static void set_verdict(struct msg *m, enum msg_verdict v, const char *what, const char *text)
{
	static const char *const names[] = { "ok", "reject", "discard", "hold" };

	log_info("%s: %s: %s%s%s", m->o->queue_id, names[v], what, *text ? ": " : "", text);
	if (m->verdict == MSG_REJECT || m->verdict == MSG_DISCARD)
		return;
	m->verdict = v;
	if (v == MSG_REJECT) {
		buf_reset(m->reply);
		if (isdigit((unsigned char)text[0]) && (text[0] == '4' || text[0] == '5'))
			buf_cat(m->reply, text);
		else
			buf_printf(m->reply, "550 5.7.1 %s", *text ? text : "Message content rejected");
	}
}

/* action - apply a checks result to a line; returns the replacement text
 * (malloc'ed), "" to drop the line, or NULL to keep it */
static char *action(struct msg *m, const char *value, const char *what)
{
	size_t n = strcspn(value, " \t");
	const char *text = value + n;

	while (*text == ' ' || *text == '\t')
		text++;
#define IS(word) (n == strlen(word) && strncasecmp(value, word, n) == 0)
	if (IS("REJECT"))
		set_verdict(m, MSG_REJECT, what, text);
	else if (IS("DISCARD"))
		set_verdict(m, MSG_DISCARD, what, text);
	else if (IS("HOLD"))
		set_verdict(m, MSG_HOLD, what, text);
	else if (IS("WARN") || IS("INFO"))
		log_info("%s: %s: %s%s%s", m->o->queue_id, IS("WARN") ? "warning" : "info", what,
			 *text ? ": " : "", text);
	else if (IS("IGNORE") || IS("STRIP"))
		return xstrdup("");
	else if (IS("REPLACE") && *text)
		return xstrdup(text);
	else if (IS("PREPEND") && *text)
		emit_text(m, text);
	else if (IS("FILTER") || IS("REDIRECT") || IS("BCC"))
		log_warn("%s: %s action is not supported yet: %s", m->o->queue_id, value, what);
	else if (!IS("DUNNO") && !IS("OK") && !IS("PASS"))
		log_warn("%s: unknown header/body check action: %s", m->o->queue_id, value);
#undef IS
	return NULL;
}

/* check - look text up in maps; the action's replacement or NULL */
static char *check(struct msg *m, struct maps *maps, const char *text, const char *kind)
{
	const char *value;
	struct buf *what;
	char *r;
	int rc;

	if (maps == NULL || m->verdict == MSG_REJECT || m->verdict == MSG_DISCARD)
		return NULL;
	rc = maps_find(maps, text, &value);
	if (rc < 0) {
		log_warn("%s: %s lookup failed: %s", m->o->queue_id, kind, maps_error(maps));
		set_verdict(m, MSG_REJECT, kind, "451 4.3.0 Temporary lookup failure");
		return NULL;
	}
	if (rc == 0)
		return NULL;
	what = buf_new(128);
	buf_printf(what, "%s %.200s", kind, text);
	r = action(m, value, buf_str(what));
	buf_free(&what);
	return r;
}

/* header_name_is - case-insensitive "Name:" test */
static bool header_name_is(const char *h, const char *name)
{
	size_t n = strlen(name);

	return strncasecmp(h, name, n) == 0 && (h[n] == ':' || h[n] == ' ' || h[n] == '\t');
}

/* note_primary - what the primary headers say: hops, ids, recipients */
static void note_primary(struct msg *m, const char *h)
{
	const char *v = strchr(h, ':');

	v = v ? v + 1 : h + strlen(h);
	while (*v == ' ' || *v == '\t')
		v++;
	if (header_name_is(h, "Received"))
		m->hops++;
	else if (header_name_is(h, "Date"))
		m->seen_date = true;
	else if (header_name_is(h, "From"))
		m->seen_from = true;
	else if (header_name_is(h, "Message-ID")) {
		m->seen_msgid = true;
		free(m->message_id);
		m->message_id = xstrndup(v, strcspn(v, "\r\n"));
	}
	if (header_name_is(h, "To") || header_name_is(h, "Cc") || header_name_is(h, "Bcc")) {
		m->seen_to = true;
		strv_add(m->header_rcpts, v);
	}
}

/* flush_header - check and emit the header collected in m->hdr */
static void flush_header(struct msg *m)
{
	const char *h = buf_str(m->hdr);
	enum mime_section sec = m->hdr_section;
	bool is_mime = strncasecmp(h, "Content-", 8) == 0 || header_name_is(h, "MIME-Version");
	struct maps *maps = is_mime ? m->o->mime_header_checks :
		sec == MIME_TOP ? m->o->header_checks : m->o->nested_header_checks;
	char *r;

	if (buf_len(m->hdr) == 0)
		return;
	if (sec == MIME_TOP)
		note_primary(m, h);
	r = check(m, maps, h, is_mime ? "mime header" : sec == MIME_NESTED ? "nested header" : "header");
	if (sec == MIME_TOP && m->o->strip_bcc && header_name_is(h, "Bcc"))
		r = r ? r : xstrdup("");
	if (r == NULL)
		emit_text(m, h);
	else if (*r)
		emit_text(m, r);
	free(r);
	buf_reset(m->hdr);
	m->hdr_truncated = false;
}

/* add_header_line - one physical header line (or piece) into m->hdr */
static void add_header_line(struct msg *m, const char *p, size_t len, bool continuation)
{
	if (continuation && buf_len(m->hdr))
		buf_putc(m->hdr, '\n');
	if (buf_len(m->hdr) + len > (size_t)m->o->header_size_limit) {
		if (!m->hdr_truncated)
			log_warn("%s: header longer than header_size_limit %ld: truncated",
				 m->o->queue_id, m->o->header_size_limit);
		m->hdr_truncated = true;
		len = buf_len(m->hdr) < (size_t)m->o->header_size_limit ?
			(size_t)m->o->header_size_limit - buf_len(m->hdr) : 0;
	}
	buf_add(m->hdr, p, len);
}

/* end_primary_headers - add what is missing, the hop check, the empty line */
static void end_primary_headers(struct msg *m)
{
	const struct strv *add = m->o->add_if_missing;

	flush_header(m);
	for (size_t i = 0; add && i < add->len; i++) {
		const char *h = add->items[i];

		if ((header_name_is(h, "Date") && !m->seen_date)
		    || (header_name_is(h, "Message-ID") && !m->seen_msgid)
		    || (header_name_is(h, "From") && !m->seen_from)
		    || (header_name_is(h, "To") && !m->seen_to)) {
			emit_text(m, h);
			if (header_name_is(h, "Message-ID") && m->message_id == NULL)
				m->message_id = xstrdup(strchr(h, ':') + 2);
		}
	}
	if (m->hops > m->o->hopcount_limit)
		set_verdict(m, MSG_REJECT, "hopcount", "554 5.4.6 Too many hops");
	m->in_headers = false;
}

/* header_line - a line (or piece) of a header of any header block */
static void header_line(struct msg *m, const struct mime_line *l, const char *p, size_t len)
{
	if (!l->continued)
		flush_header(m);
	m->hdr_section = l->section;
	add_header_line(m, p, len, l->continued && !l->piece);
}

/* header_end - the empty line after a header block */
static void header_end(struct msg *m, const struct mime_line *l)
{
	if (l->section == MIME_TOP)
		end_primary_headers(m);
	else
		flush_header(m);
	m->emit(m->ctx, 'L', "", 0);
	m->body_bytes = 0;
}

/* body_line - a line of the body (of any part), boundaries included */
static void body_line(struct msg *m, const struct mime_line *l, const char *p, size_t len,
		      bool partial)
{
	char *text, *r = NULL;

	if (l->headers_ended) {		/* not a header: the body starts */
		end_primary_headers(m);
		m->emit(m->ctx, 'L', "", 0);
		m->body_bytes = 0;
	}
	if (l->kind == MIME_BODY && m->body_bytes < m->o->body_checks_size_limit) {
		text = xstrndup(p, len);
		r = check(m, m->o->body_checks, text, "body");
		free(text);
	}
	m->body_bytes += (long long)len;
	if (r == NULL)
		m->emit(m->ctx, partial ? 'P' : 'L', p, len);
	else if (*r)
		m->emit(m->ctx, 'L', r, strlen(r));
	free(r);
}

/* msg_line - one content line (partial: a piece, more of it follows) */
void msg_line(struct msg *m, const char *p, size_t len, bool partial)
{
	const struct mime_line *l = mime_feed(m->mime, p, len, partial);

	if (l->kind == MIME_HEADER)
		header_line(m, l, p, len);
	else if (l->kind == MIME_HEADER_END)
		header_end(m, l);
	else
		body_line(m, l, p, len, partial);
}

/* msg_end - end of content: a message that had only headers gets them out */
void msg_end(struct msg *m)
{
	if (m->in_headers) {
		end_primary_headers(m);
		m->emit(m->ctx, 'L', "", 0);
	} else if (buf_len(m->hdr)) {
		flush_header(m);
	}
}
