/* imapmail_render - FETCH's message rendering: ENVELOPE, BODY and
 * BODYSTRUCTURE from the cached fields and parts; BODY[section]<partial>,
 * RFC822.*, BINARY[section]<partial> and BINARY.SIZE from the file.
 *
 *   imapmail_envelope_write(fields, len, out);     // "(date subject ...)"
 *   imapmail_bodystructure_write(p, 0, ext, out);  // BODY / BODYSTRUCTURE
 *   if (imapmail_section_parse("BODY.PEEK[1.MIME]<0.10>", &sec, why) < 0)
 *       -> answer BAD with why
 *   rc = imapmail_section_write(fd, p, &sec, out, why);  // "BODY[1.MIME]<0> {10}\r\n..."
 *   imapmail_section_clear(&sec);
 *
 * fields: mime_parts' unfolded "Name: value\n" lines (p->envelope, or a
 * nested message's part fields); p: from mime_parts_read or _decode; fd:
 * the message file (LF or CRLF), read with pread at the parts' offsets.
 * Every size and byte written counts line ends as CRLF; strings go out
 * through imap_quote.  Dovecot 2.3 decides what the RFCs leave open.
 * Errors: section_parse -1 with why (the caller's BAD); section_write
 * IMAPMAIL_RENDER_ERROR with why (a read failed), _UNKNOWN_CTE (BINARY of
 * an unknown encoding: the caller answers NO [UNKNOWN-CTE], RFC 3516
 * section 4.3), _PARSE (BINARY of base64 that does not decode: NO [PARSE]
 * Invalid data in MIME part, as Dovecot); nothing else fails.
 * Trust: fields, parts and file bytes are the sender's (hostile), the
 * attribute the client's; nothing is sized by them beyond the parts.
 */
#ifndef HATO_IMAPMAIL_RENDER_H
#define HATO_IMAPMAIL_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "mime_parts.h"

enum imapmail_render_rc {
	IMAPMAIL_RENDER_OK = 0,
	IMAPMAIL_RENDER_ERROR = -1,
	IMAPMAIL_RENDER_UNKNOWN_CTE = -2,
	IMAPMAIL_RENDER_PARSE = -3,
};

/* which FETCH item a section came from */
enum imapmail_item {
	IMAPMAIL_ITEM_BODY,		/* BODY[...], BODY.PEEK[...] */
	IMAPMAIL_ITEM_BINARY,		/* BINARY[...], BINARY.PEEK[...] */
	IMAPMAIL_ITEM_BINARY_SIZE,	/* BINARY.SIZE[...] */
	IMAPMAIL_ITEM_RFC822,		/* = BODY[] */
	IMAPMAIL_ITEM_RFC822_HEADER,	/* = BODY.PEEK[HEADER] */
	IMAPMAIL_ITEM_RFC822_TEXT,	/* = BODY[TEXT] */
};

/* what of the part the section names */
enum imapmail_text {
	IMAPMAIL_TEXT_ALL,		/* "" or a part number alone */
	IMAPMAIL_TEXT_HEADER,
	IMAPMAIL_TEXT_FIELDS,		/* HEADER.FIELDS (...) */
	IMAPMAIL_TEXT_FIELDS_NOT,	/* HEADER.FIELDS.NOT (...) */
	IMAPMAIL_TEXT_TEXT,
	IMAPMAIL_TEXT_MIME,
};

enum { IMAPMAIL_SECTION_PARTS_MAX = 64, IMAPMAIL_SECTION_FIELDS_MAX = 1000 };

struct imapmail_section {
	enum imapmail_item item;
	bool seen;			/* fetching it sets \Seen */
	uint32_t part[IMAPMAIL_SECTION_PARTS_MAX];
	size_t part_len;
	enum imapmail_text text;
	struct buf *fields;		/* FIELDS(_NOT): names, upper case, each
					 * ending in NUL */
	size_t fields_len;
	bool partial;			/* <origin.count> given */
	uint64_t origin, count;		/* count UINT64_MAX: no count */
	struct buf *name;		/* the item as the answer names it */
};

/* imapmail_envelope_write - the ENVELOPE list of the fields */
void imapmail_envelope_write(const char *fields, size_t len, struct buf *out);
/* the index cache's field of the rendered ENVELOPE (mail_index_cache_derive);
 * the number goes up whenever imapmail_envelope_write's output changes */
#define IMAPMAIL_ENVELOPE_FIELD "imap-envelope-1"
/* imapmail_envelope_render - the ENVELOPE of fields made of 7-bit
 * bytes into out (true): the same whether UTF8=ACCEPT is on or not;
 * false for 8-bit fields, rendered for each session instead */
bool imapmail_envelope_render(const char *fields, size_t len, struct buf *out);
/* imapmail_bodystructure_write - BODY (extended false) or BODYSTRUCTURE
 * of p->parts[part] and what is inside it */
void imapmail_bodystructure_write(const struct mime_parts *p, size_t part, bool extended,
				  struct buf *out);
/* imapmail_bodystructure_is_multipart - p->parts[n] is a multipart (by
 * its Content-Type, as BODYSTRUCTURE shows it; maybe without parts) */
bool imapmail_bodystructure_is_multipart(const struct mime_parts *p, size_t n);
/* imapmail_section_parse - a FETCH attribute (BODY[..], BODY.PEEK[..],
 * BINARY[..], BINARY.PEEK[..], BINARY.SIZE[..], RFC822, RFC822.HEADER,
 * RFC822.TEXT; any case) into sec: 0, or -1 with why */
int imapmail_section_parse(const char *att, struct imapmail_section *sec, struct buf *why);
/* imapmail_section_clear - free what parse allocated */
void imapmail_section_clear(struct imapmail_section *sec);
/* imapmail_section_write - the item's name, a space and its data */
int imapmail_section_write(int fd, const struct mime_parts *p, const struct imapmail_section *sec,
			   struct buf *out, struct buf *why);
/* imapmail_section_write_fields - HEADER.FIELDS of part 0 (sec) from
 * the message header's bytes h, as imapmail_section_write would give */
void imapmail_section_write_fields(const char *h, size_t len, const struct imapmail_section *sec,
				   struct buf *out);

#endif
