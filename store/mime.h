/* mime - a streaming MIME structure walker: fed one content line at a
 * time, it says what each line is (a header line of the top-level
 * message, of a MIME part or of a message/rfc822 part's message; the
 * empty line that ends a header block; a boundary that starts a part;
 * a closing boundary; a body line).  cleanup's header and body checks
 * use it, and imapd's BODYSTRUCTURE is to be built on the same events.
 *
 *   struct mime *w = mime_new(&(struct mime_opts){ .header_limit = 102400 });
 *   const struct mime_line *l = mime_feed(w, p, len, partial);
 *   switch (l->kind) { case MIME_HEADER: ... }   // valid until the next feed
 *   mime_free(&w);
 *
 * Lines come without their line end; partial marks a piece of a longer
 * line (more of it follows).  Each header block's Content-Type
 * (type/subtype, the boundary= parameter, quoted or not, name in any
 * case) and Content-Transfer-Encoding are reported with the empty line
 * that ends it (l->fields).  A multipart's boundary is matched as a
 * prefix of a line starting "--", innermost multipart first, so
 * trailing whitespace (or anything) may follow it; "--b--" closes the
 * multipart and every one opened inside it.  Each line carries its byte
 * offset and number, counting opts.eol_len bytes of line end after each
 * complete line, so a caller can size the parts.
 * Input is hostile: multiparts nest at most MIME_MAX_DEPTH deep (a deeper
 * multipart's boundaries are body lines), and a header is kept for
 * parsing up to opts.header_limit bytes (which also bounds a boundary).
 * Header lines inside a part's header block are never boundaries (with
 * opts.imap they are: a boundary ends a header block that never ended).
 */
#ifndef HATO_MIME_H
#define HATO_MIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { MIME_MAX_DEPTH = 20, MIME_TOKEN_MAX = 79 };

enum mime_kind {
	MIME_HEADER,		/* a line (or piece) of a header */
	MIME_HEADER_END,	/* the empty line ending a header block */
	MIME_BOUNDARY,		/* "--b": a part starts, its headers follow */
	MIME_CLOSE,		/* "--b--": the multipart ends */
	MIME_BODY,		/* preamble, epilogue, or a body line */
};

enum mime_section {
	MIME_TOP,		/* the message itself */
	MIME_PART,		/* a part of a multipart */
	MIME_NESTED,		/* the message inside a message/rfc822 part */
};

/* what a header block said; empty strings when it did not */
struct mime_fields {
	char type[MIME_TOKEN_MAX + 1];		/* lowercase, "" if absent or too long */
	char subtype[MIME_TOKEN_MAX + 1];
	char encoding[MIME_TOKEN_MAX + 1];	/* Content-Transfer-Encoding, lowercase */
	bool has_boundary;			/* a multipart with a usable boundary */
};

struct mime_line {
	enum mime_kind kind;
	enum mime_section section;	/* of the line's header block; for a body
					 * line, of the last header block */
	int depth;			/* multiparts around the part: 0 at the top;
					 * after a closing boundary, the outer one's */
	bool continued;			/* MIME_HEADER: belongs to the header before */
	bool piece;			/* the input line before was partial */
	bool headers_ended;		/* MIME_BODY: the top-level headers ended at
					 * this line, which is no header (no empty line) */
	bool nested_follows;		/* MIME_HEADER_END: a message/rfc822's headers follow */
	const struct mime_fields *fields;	/* MIME_HEADER_END, and MIME_BODY with
						 * headers_ended: the block's fields */
	uint64_t offset;		/* of the line's first byte */
	uint64_t line;			/* number of complete lines before it */
};

struct mime_opts {
	size_t header_limit;		/* bytes of one header kept for parsing */
	size_t eol_len;			/* line end bytes counted after each line */
	bool imap;			/* message/rfc822 at the top too, and a
					 * multipart/digest's parts without a
					 * Content-Type messages (RFC 2046
					 * section 5.1.5), and a boundary ends a
					 * part's header block, as IMAP's structure
					 * (Dovecot) wants them */
};

struct mime;

struct mime *mime_new(const struct mime_opts *o);
const struct mime_line *mime_feed(struct mime *w, const char *p, size_t len, bool partial);
void mime_free(struct mime **wp);

#endif
