/* mime_parts - reading a message's parts and fields with the mime
 * walker, and their serialisation (the format is in mime_parts.h).
 *
 * The file is read in chunks and cut into lines (a CR before the LF is
 * part of the line end); a line longer than a chunk goes to the walker
 * in pieces.  Parts open and close on the walker's events: a header
 * end (a body starts, or a nested message's header), a boundary (the
 * parts inside the multipart end, a new one starts), a closing boundary
 * (the parts inside end; the multipart goes on with its epilogue), the
 * end of the file (everything ends).  Open parts are a stack of indexes
 * into the parts array, the multiparts by nesting level beside it.
 * Nothing is trusted: the stack, the part count and the kept fields are
 * bounded; past a bound the result is flagged and the structure no
 * longer followed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mem.h"
#include "mime_parts.h"

enum { CHUNK = 65536, HEADER_STEP = 8192, HEADER_LIMIT = 16384, NONE = -1 };

static const char *const envelope_names[] = {
	"Date", "Subject", "From", "Sender", "Reply-To", "To", "Cc", "Bcc", "In-Reply-To",
	"Message-ID", NULL
};
static const char *const mime_names[] = {
	"Content-Type", "Content-Transfer-Encoding", "Content-Disposition", "Content-ID",
	"Content-Description", "Content-Language", "Content-Location", "Content-MD5", NULL
};

struct walk {
	struct mime_parts *p;
	struct mime *w;
	size_t cap;
	int stack[MIME_PARTS_DEPTH_MAX];	/* open parts, the message first */
	int top;
	int mp[MIME_MAX_DEPTH + 1];	/* the multipart part of each level */
	int levels;			/* multiparts open, as the walker counts */
	int hdr_part;			/* whose header is being read, or NONE */
	struct buf *dest;		/* where the current header is kept, or NULL */
	bool dest_env;			/* dest is the envelope */
	size_t parts_fields;		/* bytes kept in all parts' fields */
	uint64_t off, voff, line;	/* where the current line starts */
	uint64_t prev_eol, prev_veol;	/* the line end of the line before */
	bool prev_close;		/* the line before closed a multipart */
	bool header_only;		/* stop once the message's header ended */
	bool head_done;			/* the message's header ended */
	bool stop;
	size_t chunk;			/* the read buffer's size (read_size) */
};

/* push - a new part after the current line (len bytes, eol more);
 * false past a limit */
static bool push(struct walk *k, enum mime_part_kind kind, unsigned depth, size_t len,
		 uint64_t eol)
{
	struct mime_part *n;

	if (k->p->len >= MIME_PARTS_MAX || k->top >= MIME_PARTS_DEPTH_MAX) {
		k->p->parts_over = true;
		return false;
	}
	if (k->p->len == k->cap) {
		k->cap = k->cap ? 2 * k->cap : 8;
		k->p->parts = xrealloc(k->p->parts, k->cap * sizeof(*k->p->parts));
	}
	n = &k->p->parts[k->p->len];
	*n = (struct mime_part){ .kind = kind, .depth = depth, .fields = buf_new(0),
				 .hdr_offset = k->off + len + eol,
				 .hdr_voffset = k->voff + len + (eol ? 2 : 0) };
	k->hdr_part = (int)k->p->len;
	k->dest = NULL;
	k->stack[k->top++] = (int)k->p->len++;
	return true;
}

/* end_part - part n ends at end (a file offset; vend, its vsize
 * offset; end_line, the lines before it) */
static void end_part(struct walk *k, int n, uint64_t end, uint64_t vend, uint64_t end_line)
{
	struct mime_part *m = &k->p->parts[n];
	uint64_t body = m->hdr_offset + m->hdr_size;

	if (n == k->hdr_part) {		/* its header never ended */
		m->hdr_size = end > m->hdr_offset ? end - m->hdr_offset : 0;
		m->hdr_vsize = vend > m->hdr_voffset ? vend - m->hdr_voffset : 0;
		k->hdr_part = NONE;
		return;
	}
	m->body_size = end > body ? end - body : 0;
	m->body_vsize = vend > m->body_voffset ? vend - m->body_voffset : 0;
	m->body_lines = end_line > m->body_line ? end_line - m->body_line : 0;
}

/* end_above - end the open parts above part n (all with n NONE) where
 * the current line starts, its line end before it belonging to it */
static void end_above(struct walk *k, int n)
{
	uint64_t end = k->off - k->prev_eol, vend = k->voff - k->prev_veol;
	uint64_t lines = k->line - (k->prev_eol && k->line ? 1 : 0);	/* the line end is
									 * the boundary's */

	/* the end of the file (no boundary), or a boundary right after a
	 * closing one: that line's end stays with the parts (as Dovecot
	 * counts it) */
	if (n == NONE || k->prev_close) {
		end = k->off;
		vend = k->voff;
		lines = k->line;
	}
	int cut = k->hdr_part, top = k->top > 0 ? k->stack[k->top - 1] : NONE;

	/* a nested message whose header's empty line is right before the
	 * boundary: that line end is the boundary's, so the header never
	 * ended (as Dovecot reads it) */
	if (cut == NONE && top != NONE && top != n && n != NONE && !k->prev_close &&
	    k->p->parts[top].kind == MIME_PART_NESTED && k->p->parts[top].body_line == k->line &&
	    k->p->parts[top].hdr_size >= k->prev_eol) {
		k->p->parts[top].hdr_size -= k->prev_eol;
		k->p->parts[top].hdr_vsize -= k->prev_veol;
		cut = top;
	}
	while (k->top > 0 && k->stack[k->top - 1] != n) {
		int m = k->stack[--k->top];

		/* a nested header cut by a boundary: its line end is the
		 * message/rfc822 part's (as Dovecot counts it) */
		if (m != cut && cut != NONE && n != NONE && !k->prev_close)
			end_part(k, m, k->off, k->voff, k->line);
		else if (m == cut && m != k->hdr_part)
			continue;	/* its header and empty body are as above */
		else
			end_part(k, m, end, vend, lines);
	}
}

/* is_named - a header line "Name:" (white space before the colon
 * allowed) with a name from names */
static bool is_named(const char *p, size_t len, const char *const *names)
{
	for (; *names; names++) {
		size_t n, i;

		if (len == 0 || (p[0] | 0x20) != ((*names)[0] | 0x20))	/* names start with letters */
			continue;
		n = i = strlen(*names);
		if (len <= n || strncasecmp(p, *names, n) != 0)
			continue;
		while (i < len && (p[i] == ' ' || p[i] == '\t'))
			i++;
		if (i < len && p[i] == ':')
			return true;
	}
	return false;
}

/* mime_parts_envelope_field - name is one of envelope_names */
bool mime_parts_envelope_field(const char *name)
{
	for (const char *const *n = envelope_names; *n; n++)
		if (strcasecmp(name, *n) == 0)
			return true;
	return false;
}

/* keep - bytes of the header kept in k->dest, within the limits */
static void keep(struct walk *k, const char *p, size_t len)
{
	size_t *used = k->dest_env ? NULL : &k->parts_fields;
	size_t have;

	if (k->dest == NULL)
		return;
	have = used ? *used : buf_len(k->dest);
	if (len > MIME_PARTS_FIELDS_MAX - have) {
		*(k->dest_env ? &k->p->envelope_over : &k->p->parts_over) = true;
		k->dest = NULL;
		return;
	}
	buf_add(k->dest, p, len);
	if (used)
		*used += len;
}

/* header_start - a header begins: keep it when IMAP needs it */
static void header_start(struct walk *k, const char *p, size_t len)
{
	struct mime_part *n = &k->p->parts[k->hdr_part];
	bool env = n->kind != MIME_PART_PART && is_named(p, len, envelope_names);

	k->dest = NULL;
	k->dest_env = false;
	if (env && n->kind == MIME_PART_MESSAGE) {
		k->dest = k->p->envelope_over ? NULL : k->p->envelope;
		k->dest_env = true;
	} else if (env || is_named(p, len, mime_names)) {
		k->dest = n->fields;
	}
}

/* header_done - the header being kept is complete */
static void header_done(struct walk *k)
{
	if (k->dest && buf_len(k->dest))
		keep(k, "\n", 1);
	k->dest = NULL;
}

/* header_line - a header line or piece: unfolded into its header */
static void header_line(struct walk *k, const struct mime_line *l, const char *p, size_t len)
{
	if (k->hdr_part == NONE)
		return;
	if (!l->continued) {
		header_done(k);
		header_start(k, p, len);
	}
	keep(k, p, len);
}

/* body_starts - the header of the part being read ended at body (the
 * offset of the body's first line; eol, the line end counted into it) */
static void body_starts(struct walk *k, const struct mime_line *l, uint64_t eol)
{
	struct mime_part *n = &k->p->parts[k->hdr_part];
	uint64_t veol = eol ? 2 : 0;

	header_done(k);
	n->hdr_size = k->off + eol - n->hdr_offset;
	if (k->hdr_part == 0)
		k->head_done = true;
	n->hdr_vsize = k->voff + veol - n->hdr_voffset;
	n->body_voffset = k->voff + veol;
	n->body_line = k->line + (eol || l->kind == MIME_HEADER_END);
	strcpy(n->type, l->fields->type);
	strcpy(n->subtype, l->fields->subtype);
	strcpy(n->encoding, l->fields->encoding);
	k->hdr_part = NONE;
	if (n == k->p->parts && k->header_only) {
		k->stop = true;
		return;
	}
	if (l->nested_follows)
		push(k, MIME_PART_NESTED, n->depth + 1, 0, eol);
	else if (l->fields->has_boundary && k->levels < MIME_MAX_DEPTH)
		k->mp[++k->levels] = (int)(n - k->p->parts);
}

/* is_open - part m is on the stack */
static bool is_open(const struct walk *k, int m)
{
	for (int i = 0; m != NONE && i < k->top; i++)
		if (k->stack[i] == m)
			return true;
	return false;
}

/* boundary - a part of the multipart at level depth starts, or (close)
 * the multipart's last part ends */
static void boundary(struct walk *k, int depth, size_t len, uint64_t eol, bool close)
{
	int m = depth >= 1 && depth <= MIME_MAX_DEPTH ? k->mp[depth] : NONE;

	k->levels = close ? depth - 1 : depth;
	if (!is_open(k, m))
		return;
	end_above(k, m);
	k->hdr_part = NONE;
	if (!close)
		push(k, MIME_PART_PART, k->p->parts[m].depth + 1, len, eol);
}

/* event - what the walker said about a line: false once the structure
 * is no longer followed and the envelope is complete */
static bool event(struct walk *k, const struct mime_line *l, const char *p, size_t len,
		  uint64_t eol)
{
	if (k->p->parts_over)
		return k->hdr_part == 0;
	if (l->headers_ended && k->hdr_part == 0)
		body_starts(k, l, 0);
	switch (l->kind) {
	case MIME_HEADER:
		header_line(k, l, p, len);
		break;
	case MIME_HEADER_END:
		if (k->hdr_part != NONE)
			body_starts(k, l, eol);
		break;
	case MIME_BOUNDARY:
		boundary(k, l->depth, len, eol, false);
		break;
	case MIME_CLOSE:
		boundary(k, l->depth + 1, len, eol, true);
		break;
	case MIME_BODY:
		break;
	}
	return !k->stop;
}

/* keep_head - the message's header bytes as read, into p->head while
 * they fit MIME_PARTS_HEAD_MAX */
static void keep_head(struct walk *k, const char *p, size_t len, uint64_t eol)
{
	if (k->head_done)
		return;
	if (k->off + len + eol > MIME_PARTS_HEAD_MAX) {
		buf_free(&k->p->head);
		return;
	}
	buf_add(k->p->head, p, len);
	buf_add(k->p->head, eol == 2 ? "\r\n" : "\n", eol);
}

/* feed - one line (or piece) to the walker and the parts */
static bool feed(struct walk *k, const char *p, size_t len, uint64_t eol, bool partial)
{
	const struct mime_line *l;

	if (k->p->head)
		keep_head(k, p, len, eol);
	l = mime_feed(k->w, p, len, partial);
	bool more = event(k, l, p, len, eol);

	k->off += len + eol;
	k->voff += len + (eol ? 2 : 0);
	if (!partial) {
		k->line++;
		k->prev_eol = eol;
		k->prev_veol = eol ? 2 : 0;
		k->prev_close = l->kind == MIME_CLOSE;
	}
	return more;
}

/* next_line - feed the first line of b[*start, end): false when the
 * rest has none (or the parts are no longer followed, *done) */
static bool next_line(struct walk *k, const char *b, size_t *start, size_t end, bool *done)
{
	const char *p = b + *start, *nl = memchr(p, '\n', end - *start);
	size_t len = nl ? (size_t)(nl - p) : end - *start;
	uint64_t eol = 1;

	if (nl == NULL) {
		if (len < k->chunk)
			return false;
		len -= p[len - 1] == '\r';	/* a CR may start the line end */
		*done = !feed(k, p, len, 0, true);
		*start += len;
		return !*done;
	}
	if (len && p[len - 1] == '\r') {
		len--;
		eol = 2;
	}
	*done = !feed(k, p, len, eol, false);
	*start += len + eol;
	return !*done;
}

/* read_size - the read buffer for a file of size bytes (-1: unknown,
 * fd's fstat tells): the file and a byte, at least a page, at most CHUNK
 * (a message file is smaller than CHUNK as a rule: its buffer neither
 * spans nor zeroes more than the file) */
static size_t read_size(int fd, off_t size)
{
	struct stat st;

	if (size < 0)
		size = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? st.st_size : CHUNK;
	if (size >= CHUNK)
		return CHUNK;
	return size < 4096 ? 4096 : (size_t)size + 1;
}

/* read_lines - the whole file through feed; 0 or -1 with why */
static int read_lines(struct walk *k, int fd, off_t size, struct buf *why)
{
	char *b;
	size_t start = 0, end = 0;
	bool done = false;
	ssize_t n = 1;

	k->chunk = read_size(fd, size);
	b = xmalloc_raw(k->chunk);
	while (!done) {
		while (next_line(k, b, &start, end, &done))
			;
		if (done)
			break;
		if (n == 0) {
			if (end > start) {
				feed(k, b + start, end - start, 0, false);
				k->line--;	/* a last line without a line end
						 * is no line: IMAP counts line ends */
			}
			break;
		}
		memmove(b, b + start, end - start);
		end -= start;
		start = 0;
		/* a header alone is read a step at a time: most are short */
		if ((n = read(fd, b + end, k->header_only && k->chunk - end > HEADER_STEP
					   ? HEADER_STEP : k->chunk - end)) < 0 && errno != EINTR) {
			buf_printf(why, "read: %s", strerror(errno));
			free(b);
			return -1;
		}
		end += n > 0 ? (size_t)n : 0;
		n = n < 0 ? 1 : n;
	}
	free(b);
	return 0;
}

/* read_parts - the parts and fields of the message in fd (or its
 * header alone) */
static int read_parts(int fd, off_t size, bool header_only, struct mime_parts **pp,
		      struct buf *why)
{
	struct mime_parts *p = xcalloc(1, sizeof(*p));
	struct walk k = { .p = p, .hdr_part = NONE, .header_only = header_only };
	int rc;

	p->envelope = buf_new(256);
	p->head = buf_new(1024);
	k.w = mime_new(&(struct mime_opts){ .header_limit = HEADER_LIMIT, .eol_len = 1, .imap = true });
	for (int i = 0; i <= MIME_MAX_DEPTH; i++)
		k.mp[i] = NONE;
	push(&k, MIME_PART_MESSAGE, 0, 0, 0);
	rc = read_lines(&k, fd, size, why);
	header_done(&k);
	end_above(&k, NONE);
	mime_free(&k.w);
	if (rc != 0) {
		mime_parts_free(&p);
		return -1;
	}
	if (p->head && (p->len == 0 || p->parts[0].hdr_offset != 0 ||
			buf_len(p->head) < p->parts[0].hdr_size))
		buf_free(&p->head);
	else if (p->head)
		buf_truncate(p->head, (size_t)p->parts[0].hdr_size);
	if (header_only) {
		p->header_only = true;	/* the message's body not measured */
		p->parts[0].body_size = p->parts[0].body_vsize = p->parts[0].body_lines = 0;
	}
	*pp = p;
	return 0;
}

/* mime_parts_read - the parts and fields of the message in fd */
int mime_parts_read(int fd, struct mime_parts **pp, struct buf *why)
{
	return read_parts(fd, -1, false, pp, why);
}

/* mime_parts_read_header - the message's header alone */
int mime_parts_read_header(int fd, struct mime_parts **pp, struct buf *why)
{
	return read_parts(fd, -1, true, pp, why);
}

/* mime_parts_read_sized - see mime_parts.h */
int mime_parts_read_sized(int fd, off_t size, bool header_only, struct mime_parts **pp,
			  struct buf *why)
{
	return read_parts(fd, size < 0 ? 0 : size, header_only, pp, why);
}

/* put_num - a LEB128 varint */
static void put_num(struct buf *b, uint64_t v)
{
	do {
		buf_putc(b, (int)(v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v);
}

/* put_str - a length, then the bytes */
static void put_str(struct buf *b, const void *s, size_t len)
{
	put_num(b, len);
	buf_add(b, s, len);
}

/* mime_parts_encode - "P2", the count, the parts */
void mime_parts_encode(const struct mime_parts *p, struct buf *out)
{
	buf_reset(out);
	buf_cat(out, "P2");
	put_num(out, p->len);
	for (size_t i = 0; i < p->len; i++) {
		const struct mime_part *m = &p->parts[i];

		put_num(out, m->depth);
		buf_putc(out, m->kind);
		put_num(out, m->hdr_offset);
		put_num(out, m->hdr_size);
		put_num(out, m->hdr_vsize);
		put_num(out, m->body_size);
		put_num(out, m->body_vsize);
		put_num(out, m->body_lines);
		put_str(out, m->type, strlen(m->type));
		put_str(out, m->subtype, strlen(m->subtype));
		put_str(out, m->encoding, strlen(m->encoding));
		put_str(out, buf_str(m->fields), buf_len(m->fields));
	}
}

struct reader {
	const unsigned char *p, *end;
	bool bad;
};

/* get_num - a varint of at most 64 bits; bad at the end or above */
static uint64_t get_num(struct reader *r)
{
	uint64_t v = 0;

	for (unsigned shift = 0; !r->bad; shift += 7) {
		if (r->p == r->end || shift > 63 || (shift == 63 && (*r->p & 0x7e))) {
			r->bad = true;
			break;
		}
		v |= (uint64_t)(*r->p & 0x7f) << shift;
		if ((*r->p++ & 0x80) == 0)
			return v;
	}
	return 0;
}

/* get_str - a string of at most max bytes without NUL: into out (max +
 * 1 bytes) or, with out NULL, into b */
static void get_str(struct reader *r, size_t max, char *out, struct buf *b)
{
	uint64_t len = get_num(r);

	if (r->bad || len > max || len > (uint64_t)(r->end - r->p)
	    || (out && memchr(r->p, '\0', len))) {
		r->bad = true;
		return;
	}
	if (out) {
		memcpy(out, r->p, len);
		out[len] = '\0';
	} else {
		buf_add(b, r->p, len);
	}
	r->p += len;
}

/* get_part - one part; its depth and kind checked against the one
 * before (prev NULL: the first) */
static void get_part(struct reader *r, struct mime_part *m, const struct mime_part *prev)
{
	uint64_t depth = get_num(r);

	m->fields = buf_new(0);
	if (r->bad || r->p == r->end)
		goto bad;
	m->kind = *r->p++;
	if (prev == NULL ? depth != 0 || m->kind != MIME_PART_MESSAGE
	    : depth == 0 || depth > prev->depth + 1 || depth >= MIME_PARTS_DEPTH_MAX
	      || (m->kind != MIME_PART_PART && m->kind != MIME_PART_NESTED))
		goto bad;
	m->depth = (unsigned)depth;
	m->hdr_offset = get_num(r);
	m->hdr_size = get_num(r);
	m->hdr_vsize = get_num(r);
	m->body_size = get_num(r);
	m->body_vsize = get_num(r);
	m->body_lines = get_num(r);
	get_str(r, MIME_TOKEN_MAX, m->type, NULL);
	get_str(r, MIME_TOKEN_MAX, m->subtype, NULL);
	get_str(r, MIME_TOKEN_MAX, m->encoding, NULL);
	get_str(r, MIME_PARTS_FIELDS_MAX, NULL, m->fields);
	return;
bad:
	r->bad = true;
}

/* mime_parts_decode - every byte checked; -1 on anything odd */
int mime_parts_decode(const void *data, size_t len, struct mime_parts **pp)
{
	struct reader r = { .p = data, .end = (const unsigned char *)data + len };
	struct mime_parts *p = xcalloc(1, sizeof(*p));
	uint64_t n = 0;

	*pp = NULL;
	p->envelope = buf_new(0);
	if (len < 2 || memcmp(data, "P2", 2) != 0)
		r.bad = true;
	else
		r.p += 2;
	if (!r.bad && ((n = get_num(&r)) == 0 || n > MIME_PARTS_MAX))
		r.bad = true;
	if (!r.bad)
		p->parts = xcalloc(n, sizeof(*p->parts));
	for (; !r.bad && p->len < n; p->len++)
		get_part(&r, &p->parts[p->len], p->len ? &p->parts[p->len - 1] : NULL);
	if (r.bad || r.p != r.end) {
		mime_parts_free(&p);
		return -1;
	}
	*pp = p;
	return 0;
}

/* mime_parts_free - the parts, their fields, the envelope */
void mime_parts_free(struct mime_parts **pp)
{
	struct mime_parts *p = *pp;

	if (p == NULL)
		return;
	for (size_t i = 0; i < p->len; i++)
		buf_free(&p->parts[i].fields);
	free(p->parts);
	buf_free(&p->envelope);
	buf_free(&p->head);
	free(p);
	*pp = NULL;
}
