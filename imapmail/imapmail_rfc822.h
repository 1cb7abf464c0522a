/* imapmail_rfc822 - the RFC 5322 / RFC 2045 lexer under ENVELOPE's
 * addresses and BODYSTRUCTURE's Content-* fields: white space and
 * comments, atoms, dot-atoms, MIME tokens, quoted strings, phrases,
 * domains; and finding a field in mime_parts' unfolded field text.
 *
 *   struct imapmail_rfc822 r = { .p = s, .end = s + len, .comment = c };
 *   if (imapmail_rfc822_skip(&r) > 0 && imapmail_rfc822_phrase(&r, out) ...
 *
 * Every reader returns as Dovecot's lexer does, which the callers'
 * logic follows: -1 bad syntax (nothing more can be read), 0 the input
 * ended, 1 more input follows (the reader skipped the white space and
 * comments after what it read).  The last comment skipped is kept in
 * r.comment when that is not NULL (an address without a name takes it).
 * Input is the sender's: every loop stops at r.end; nothing allocates
 * beyond the output bufs.
 */
#ifndef HATO_IMAPMAIL_RFC822_H
#define HATO_IMAPMAIL_RFC822_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

struct imapmail_rfc822 {
	const char *p, *end;
	struct buf *comment;		/* the last comment's text, or NULL */
};

int imapmail_rfc822_skip(struct imapmail_rfc822 *r);
int imapmail_rfc822_dot_atom(struct imapmail_rfc822 *r, struct buf *out);
int imapmail_rfc822_token(struct imapmail_rfc822 *r, struct buf *out);
int imapmail_rfc822_quoted(struct imapmail_rfc822 *r, struct buf *out);
int imapmail_rfc822_phrase(struct imapmail_rfc822 *r, struct buf *out);
int imapmail_rfc822_domain(struct imapmail_rfc822 *r, struct buf *out);
/* imapmail_rfc822_is_atext - c may be in an atom (8-bit bytes may) */
bool imapmail_rfc822_is_atext(unsigned char c);
/* imapmail_rfc822_field - the value of the first field name in the
 * fields text (after the colon and the white space after it; to the
 * line end), or NULL */
const char *imapmail_rfc822_field(const char *fields, size_t len, const char *name,
				  size_t *vlen);
/* imapmail_rfc822_field_next - the same from offset *at on (start at 0),
 * *at moved past the field found; NULL when there is no more */
const char *imapmail_rfc822_field_next(const char *fields, size_t len, const char *name,
				       size_t *at, size_t *vlen);

#endif
