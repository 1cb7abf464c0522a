/* imap_utf8 - UTF-8 where IMAP allows it (RFC 6855 UTF8=ACCEPT, RFC 9051
 * IMAP4rev2): checks of the bytes a client sends or a message holds.
 *
 *   imap_utf8_valid(s, len)   -> true: s[0..len) is well-formed UTF-8
 *   imap_utf8_name_ok(s)      -> true: s may be a UTF-8 mailbox name
 *
 * Well-formed is RFC 3629's: no overlong form, no surrogate (U+D800 to
 * U+DFFF), nothing beyond U+10FFFF, no sequence cut short; ASCII bytes
 * (NUL too) are well-formed.  A mailbox name must moreover be
 * Net-Unicode as RFC 6855 section 3 asks: not empty, no control
 * character (U+0000-U+001F, U+007F-U+009F), no line or paragraph
 * separator (U+2028, U+2029).  Input is hostile; nothing is allocated;
 * neither fails otherwise.
 */
#ifndef HATO_IMAP_UTF8_H
#define HATO_IMAP_UTF8_H

#include <stdbool.h>
#include <stddef.h>

bool imap_utf8_valid(const char *s, size_t len);
bool imap_utf8_name_ok(const char *s);

#endif
