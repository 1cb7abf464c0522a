/* mime - the streaming MIME structure walker; see mime.h.  The state is
 * where the walker is (top-level headers, a part's headers, a body), the
 * stack of open multipart boundaries, and the header being assembled
 * (bounded by header_limit: the excess is not kept).  Nothing read from
 * the input is trusted: every copy is bounded and every index checked. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "mem.h"
#include "mime.h"

enum state { IN_TOP_HEADERS, IN_PART_HEADERS, IN_BODY };

struct mime {
	struct mime_opts o;
	enum state state;
	enum mime_section section;	/* of the current header block */
	int depth;			/* open multiparts */
	char *boundary[MIME_MAX_DEPTH];
	bool digest[MIME_MAX_DEPTH];	/* the multipart is a multipart/digest */
	bool pending_digest;		/* the multipart in the current headers is */
	bool has_type;			/* the current headers have a Content-Type */
	int part_depth;			/* multiparts around the current part */
	bool nested_next;		/* the part is message/rfc822 */
	char *pending_boundary;		/* multipart seen in the current headers */
	bool last_partial;		/* the line before was a piece */
	struct buf *hdr;		/* the header being assembled */
	struct mime_fields fields;	/* of the current header block */
	struct mime_fields done;	/* of the block that ended last */
	struct mime_line out;
	uint64_t offset, line;
};

/* mime_new - a walker at the start of a message */
struct mime *mime_new(const struct mime_opts *o)
{
	struct mime *w = xcalloc(1, sizeof(*w));

	w->o = *o;
	w->hdr = buf_new(256);
	return w;
}

/* mime_free - release the walker */
void mime_free(struct mime **wp)
{
	struct mime *w = *wp;

	if (w == NULL)
		return;
	for (int i = 0; i < w->depth; i++)
		free(w->boundary[i]);
	free(w->pending_boundary);
	buf_free(&w->hdr);
	free(w);
	*wp = NULL;
}

/* header_name_is - case-insensitive "Name:" test */
static bool header_name_is(const char *h, const char *name)
{
	size_t n;

	if ((h[0] | 0x20) != (name[0] | 0x20))	/* names start with letters */
		return false;
	n = strlen(name);
	return strncasecmp(h, name, n) == 0 && (h[n] == ':' || h[n] == ' ' || h[n] == '\t');
}

/* boundary_of - the boundary= parameter of a Content-Type value, or NULL */
static char *boundary_of(const char *v)
{
	const char *p = strcasestr(v, "boundary=");
	size_t n;

	if (p == NULL)
		return NULL;
	p += strlen("boundary=");
	if (*p == '"') {
		n = strcspn(++p, "\"");
		return n ? xstrndup(p, n) : NULL;
	}
	n = strcspn(p, " \t\r\n;");
	return n ? xstrndup(p, n) : NULL;
}

/* token - copy a lowercase token of v ending at one of stop into out
 * (MIME_TOKEN_MAX + 1 bytes; "" when longer); returns the end */
static const char *token(const char *v, const char *stop, char *out)
{
	size_t n = strcspn(v, stop);

	out[0] = '\0';
	if (n <= MIME_TOKEN_MAX) {
		for (size_t i = 0; i < n; i++)
			out[i] = (char)tolower((unsigned char)v[i]);
		out[n] = '\0';
	}
	return v + n;
}

/* value_of - the value of a header: after the colon and white space */
static const char *value_of(const char *h)
{
	const char *v = strchr(h, ':');

	if (v == NULL)
		return NULL;
	v++;
	while (isspace((unsigned char)*v))
		v++;
	return v;
}

/* note_content_type - type/subtype, a multipart's boundary, message/rfc822 */
static void note_content_type(struct mime *w, const char *v)
{
	const char *end = token(v, "/; \t\r\n(", w->fields.type);

	w->fields.subtype[0] = '\0';
	if (*end == '/')
		token(end + 1, "; \t\r\n(", w->fields.subtype);
	/* prefix tests, as Postfix's: "multipart/" with any subtype */
	w->has_type = true;
	if (strncasecmp(v, "multipart/", 10) == 0) {
		free(w->pending_boundary);
		w->pending_boundary = boundary_of(v);
		w->pending_digest = strcmp(w->fields.subtype, "digest") == 0;
	} else if (strncasecmp(v, "message/rfc822", 14) == 0 &&
		   (w->section != MIME_TOP || w->o.imap)) {
		w->nested_next = true;
	}
}

/* finish_header - the header assembled is complete: note what it says */
static void finish_header(struct mime *w)
{
	const char *h = buf_str(w->hdr), *v;

	if (buf_len(w->hdr) == 0)
		return;
	if (header_name_is(h, "Content-Type") && (v = value_of(h)) != NULL)
		note_content_type(w, v);
	else if (header_name_is(h, "Content-Transfer-Encoding") && (v = value_of(h)) != NULL)
		token(v, "; \t\r\n(", w->fields.encoding);
	buf_reset(w->hdr);
}

/* add_header - one physical header line (or piece) into the header */
static void add_header(struct mime *w, const char *p, size_t len, bool continuation)
{
	size_t have;

	if (continuation && buf_len(w->hdr))
		buf_putc(w->hdr, '\n');
	have = buf_len(w->hdr);
	if (have >= w->o.header_limit)
		return;
	buf_add(w->hdr, p, len < w->o.header_limit - have ? len : w->o.header_limit - have);
}

/* new_block - a header block starts: nothing known about it yet */
static void new_block(struct mime *w, enum mime_section section)
{
	w->section = section;
	w->has_type = false;
	memset(&w->fields, 0, sizeof(w->fields));
}

/* end_block - a header block ended: its body starts */
static void end_block(struct mime *w)
{
	finish_header(w);
	if (w->pending_boundary && w->depth < MIME_MAX_DEPTH) {
		w->digest[w->depth] = w->pending_digest;
		w->boundary[w->depth++] = w->pending_boundary;
		w->fields.has_boundary = true;
	} else {
		free(w->pending_boundary);
	}
	w->pending_boundary = NULL;
	w->state = IN_BODY;
}

/* is_continuation - the line continues the header before */
static bool is_continuation(const struct mime *w, const char *p, size_t len)
{
	return w->last_partial || (len && (p[0] == ' ' || p[0] == '\t'));
}

/* header_line - a line inside a header block that is not its end */
static void header_line(struct mime *w, const char *p, size_t len)
{
	bool cont = is_continuation(w, p, len);

	if (!cont)
		finish_header(w);
	add_header(w, p, len, cont && !w->last_partial);
	w->out.kind = MIME_HEADER;
	w->out.continued = cont;
}

/* header_end - the empty line ending a header block */
static void header_end(struct mime *w)
{
	finish_header(w);
	w->out.kind = MIME_HEADER_END;
	w->out.fields = &w->done;
	/* RFC 2046 section 5.1.5: a digest's part is a message by default */
	if (w->o.imap && w->section == MIME_PART && !w->has_type && w->depth > 0 &&
	    w->digest[w->depth - 1])
		w->nested_next = true;
	if (w->nested_next) {		/* message/rfc822: its headers follow */
		w->done = w->fields;
		w->nested_next = false;
		w->out.nested_follows = true;
		new_block(w, MIME_NESTED);
		return;
	}
	end_block(w);
	w->done = w->fields;
}

/* boundary_line - 1 a part starts, 2 the multipart ends, 0 not a boundary */
static int boundary_line(struct mime *w, const char *p, size_t len)
{
	if (len < 3 || p[0] != '-' || p[1] != '-')
		return 0;
	for (int i = w->depth - 1; i >= 0; i--) {
		size_t bl = strlen(w->boundary[i]);

		if (len < 2 + bl || memcmp(p + 2, w->boundary[i], bl) != 0)
			continue;
		while (w->depth > i + 1)
			free(w->boundary[--w->depth]);
		if (len >= 4 + bl && p[2 + bl] == '-' && p[3 + bl] == '-') {
			free(w->boundary[--w->depth]);
			return 2;
		}
		return 1;
	}
	return 0;
}

/* is_boundary - the line is a boundary of an open multipart (a test:
 * nothing changes) */
static bool is_boundary(const struct mime *w, const char *p, size_t len)
{
	if (len < 3 || p[0] != '-' || p[1] != '-')
		return false;
	for (int i = w->depth - 1; i >= 0; i--) {
		size_t bl = strlen(w->boundary[i]);

		if (len >= 2 + bl && memcmp(p + 2, w->boundary[i], bl) == 0)
			return true;
	}
	return false;
}

/* body_line - a line of a body: a boundary, a closing one, or content */
static void body_line(struct mime *w, const char *p, size_t len)
{
	int b = w->last_partial ? 0 : boundary_line(w, p, len);

	w->out.kind = b == 1 ? MIME_BOUNDARY : b == 2 ? MIME_CLOSE : MIME_BODY;
	if (b == 1) {
		w->state = IN_PART_HEADERS;
		w->nested_next = false;
		new_block(w, MIME_PART);
	}
	if (b != 0)
		w->part_depth = w->depth;
	w->out.section = w->section;
	w->out.depth = w->part_depth;
}

/* top_header_line - a line while the top-level headers are read; false
 * when it is no header and ends them (it is then a body line) */
static bool top_header_line(struct mime *w, const char *p, size_t len, bool partial)
{
	bool cont = is_continuation(w, p, len);

	if (len == 0 && !partial && !cont) {
		header_end(w);
	} else if (!cont && !memchr(p, ':', len) && buf_len(w->hdr) == 0) {
		end_block(w);
		return false;
	} else {
		header_line(w, p, len);
	}
	return true;
}

/* mime_feed - what the next line (or piece, when partial) is */
const struct mime_line *mime_feed(struct mime *w, const char *p, size_t len, bool partial)
{
	w->out = (struct mime_line){ .section = w->section, .depth = w->part_depth,
				     .piece = w->last_partial, .offset = w->offset, .line = w->line };
	switch (w->state) {
	case IN_TOP_HEADERS:
		if (top_header_line(w, p, len, partial))
			break;
		w->done = w->fields;
		w->out.fields = &w->done;
		w->out.headers_ended = true;
		body_line(w, p, len);
		break;
	case IN_PART_HEADERS:
		if (len == 0 && !partial && !w->last_partial) {
			header_end(w);
		} else if (w->o.imap && !w->last_partial && is_boundary(w, p, len)) {
			/* a boundary ends a header that never ended (as Dovecot
			 * reads it); the block has no body */
			finish_header(w);
			free(w->pending_boundary);
			w->pending_boundary = NULL;
			w->nested_next = false;
			w->state = IN_BODY;
			body_line(w, p, len);
		} else {
			header_line(w, p, len);
		}
		break;
	case IN_BODY:
		body_line(w, p, len);
		break;
	}
	w->last_partial = partial;
	w->offset += len + (partial ? 0 : w->o.eol_len);
	w->line += !partial;
	return &w->out;
}
