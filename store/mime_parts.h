/* mime_parts - a message file's MIME structure and the header fields
 * IMAP's ENVELOPE and BODYSTRUCTURE are built from, read once with the
 * mime walker, and a compact serialisation of it for the index's cache.
 *
 *   struct mime_parts *p;
 *   mime_parts_read(fd, &p, why);     // p->parts[0] is the message
 *   mime_parts_encode(p, out);        // bytes for the cache
 *   mime_parts_decode(data, len, &q); // checked; -1 on anything odd
 *   mime_parts_free(&p);
 *
 * Parts come in pre-order; a part's parent is the nearest part before it
 * with depth one less.  Kinds: the message (part 0), a part of a
 * multipart, the message inside a message/rfc822 part (the part's one
 * child).  Offsets and sizes are bytes of the file; the vsizes count
 * every line end as CRLF, as IMAP does, and the lines are line ends
 * (a last line without one is not counted).  A part's header ends with its
 * empty line; as RFC 2046 says, the line end before a boundary belongs
 * to the boundary, not to the body before it.
 * Fields are header lines unfolded (each line end before a continuation
 * removed, a CR before a line end dropped), one "Name: value\n" each, in
 * the file's order: p->envelope has the message's Date, Subject, From,
 * Sender, Reply-To, To, Cc, Bcc, In-Reply-To and Message-ID; a part's
 * fields its Content-Type, -Transfer-Encoding, -Disposition, -ID,
 * -Description, -Language, -Location and -MD5 (with a nested message,
 * its envelope fields too).  Parameters are left in the values (their
 * parsing is BODYSTRUCTURE's).
 * Limits (the input is hostile): at most MIME_PARTS_FIELDS_MAX bytes of
 * fields kept for the envelope and for all the parts together, at most
 * MIME_PARTS_MAX parts, MIME_PARTS_DEPTH_MAX deep; what passes one is
 * not cut but flagged (envelope_over, parts_over) and not to be cached.
 * Serialisation (integers are LEB128 varints, strings a varint length
 * then the bytes): "P2" ("P1", an older count of lines, is refused and
 * so filled again), the number of parts, then per part its depth,
 * kind (a byte: 'M' message, 'P' part, 'N' nested message), header
 * offset, header size, header vsize, body size, body vsize, body lines,
 * then type, subtype, encoding (lowercase; "" when not given) and the
 * fields.
 */
#ifndef HATO_MIME_PARTS_H
#define HATO_MIME_PARTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"
#include "mime.h"

enum {
	MIME_PARTS_FIELDS_MAX = 60 * 1024,
	MIME_PARTS_MAX = 1000,
	MIME_PARTS_DEPTH_MAX = 2 * MIME_MAX_DEPTH + 2,
};

enum mime_part_kind { MIME_PART_MESSAGE = 'M', MIME_PART_PART = 'P', MIME_PART_NESTED = 'N' };

struct mime_part {
	unsigned depth;
	enum mime_part_kind kind;
	uint64_t hdr_offset, hdr_size, hdr_vsize;
	uint64_t body_size, body_vsize, body_lines;
	char type[MIME_TOKEN_MAX + 1], subtype[MIME_TOKEN_MAX + 1];
	char encoding[MIME_TOKEN_MAX + 1];
	struct buf *fields;
	/* while reading: where the header and the body start */
	uint64_t hdr_voffset, body_voffset, body_line;
};

enum { MIME_PARTS_HEAD_MAX = 262144 };

struct mime_parts {
	struct mime_part *parts;
	size_t len;
	struct buf *envelope;
	bool envelope_over;		/* the envelope fields passed the limit */
	bool parts_over;		/* the parts passed a limit */
	bool header_only;		/* mime_parts_read_header's: parts[0]'s
					 * header and the envelope alone */
	struct buf *head;		/* parts[0]'s header as read, or NULL
					 * (longer than MIME_PARTS_HEAD_MAX) */
};

/* mime_parts_read - parse the message file fd (read from where it is):
 * 0, or -1 with why on a read error */
int mime_parts_read(int fd, struct mime_parts **pp, struct buf *why);
/* mime_parts_read_header - as mime_parts_read, but only as far as the
 * message's header: p->envelope, and parts[0] (len 1) with its header's
 * offset, size and vsize, type, subtype and encoding; no body sizes, no
 * part below it (header_only set: not a structure to encode) */
int mime_parts_read_header(int fd, struct mime_parts **pp, struct buf *why);
/* mime_parts_read_sized - mime_parts_read (or _header) of a file whose
 * size the caller has from its own fstat (it sizes the read buffer) */
int mime_parts_read_sized(int fd, off_t size, bool header_only, struct mime_parts **pp,
			  struct buf *why);
/* mime_parts_envelope_field - name (a field name, any case) is one the
 * envelope keeps */
bool mime_parts_envelope_field(const char *name);
/* mime_parts_encode - p's parts (not the envelope) into out */
void mime_parts_encode(const struct mime_parts *p, struct buf *out);
/* mime_parts_decode - bytes from mime_parts_encode: 0, or -1 */
int mime_parts_decode(const void *data, size_t len, struct mime_parts **pp);
void mime_parts_free(struct mime_parts **pp);

#endif
