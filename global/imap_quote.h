/* imap_quote - IMAP strings written for the client (RFC 9051 section 4.3):
 * a quoted string where it can be one, else a literal.
 *
 *   imap_quote_string(out, s, len);    // "text" or {n}\r\ntext
 *   imap_quote_nstring(out, s, len);   // the same, or NIL for s NULL
 *   imap_quote_astring(out, s, len);   // an atom where one will do
 *
 * A quoted string holds no CR, LF, NUL or 8-bit byte and at most
 * IMAP_QUOTE_MAX bytes; '"' and '\' are escaped.  Anything else goes
 * as a literal, so any bytes can be written.  Never fails.
 * imap_quote_utf8(true): from then on, in this process, a quoted string
 * may also hold well-formed UTF-8 (RFC 6855 section 3 uQUOTED-CHAR,
 * after the client's ENABLE UTF8=ACCEPT; imapmail is one session per
 * process); 8-bit bytes that are not UTF-8 still go as a literal.
 */
#ifndef HATO_IMAP_QUOTE_H
#define HATO_IMAP_QUOTE_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

enum { IMAP_QUOTE_MAX = 1024 };

void imap_quote_string(struct buf *out, const char *s, size_t len);
void imap_quote_nstring(struct buf *out, const char *s, size_t len);
void imap_quote_astring(struct buf *out, const char *s, size_t len);
void imap_quote_utf8(bool on);
/* imap_quote_is_atom - may s[0..len) go as an ASTRING-CHAR atom */
bool imap_quote_is_atom(const char *s, size_t len);

#endif
