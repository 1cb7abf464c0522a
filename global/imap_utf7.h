/* imap_utf7 - IMAP's modified UTF-7 mailbox names (RFC 3501 section
 * 5.1.3) to and from UTF-8.
 *
 *   imap_utf7_to_utf8("Entw&APw-rfe", out)  -> 0, "Entwürfe" appended
 *   imap_utf7_from_utf8("Entwürfe", out)    -> 0, "Entw&APw-rfe" appended
 *   imap_utf7_is_valid(name)                 -> true / false
 *
 * Decoding is strict, as a client's name is refused rather than guessed
 * at: bytes outside printable ASCII, an '&' not closed by '-', a
 * character outside the modified base64 alphabet, bits left over that
 * are not zero or make a whole byte, UTF-16 that is not whole or has
 * an unpaired surrogate, an encoded NUL or printable ASCII character
 * (non-shortest), and two encoded runs side by side ("&...-&...-",
 * which one run would have said) are all -1, as Dovecot refuses them.
 * Encoding refuses UTF-8 that is not valid (overlong forms, surrogates,
 * beyond U+10FFFF, cut short) and NUL.  On -1 out may hold a part of
 * the result; the caller discards it.  Input is hostile; nothing is
 * allocated beyond out's growth, which is bounded by the input.
 */
#ifndef HATO_IMAP_UTF7_H
#define HATO_IMAP_UTF7_H

#include <stdbool.h>

#include "buf.h"

int imap_utf7_to_utf8(const char *in, struct buf *out);
int imap_utf7_from_utf8(const char *in, struct buf *out);
bool imap_utf7_is_valid(const char *in);

#endif
