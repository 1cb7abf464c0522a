/* base64 - RFC 4648 base64, strict.
 *
 *   base64_encode(data, len, out);              // appends, with padding
 *   if (base64_decode(text, len, out, 0) < 0)   // appends the bytes
 *       -> not base64: a bad character, bad padding or a bad length
 *
 *   base64_decode_mime(body, len, out, lenient) // a MIME part's body
 *
 * The decoder accepts no white space and no characters outside the
 * alphabet; BASE64_NOPAD accepts input without '=' padding (as in the
 * Argon2 encoded form) and refuses padding.  Input comes from the network
 * (SASL); the output is at most 3/4 of the input, nothing more is
 * allocated.
 */
#ifndef HATO_BASE64_H
#define HATO_BASE64_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

enum base64_flags { BASE64_NOPAD = 1 << 0 };

void base64_encode(const void *data, size_t len, struct buf *out);
void base64_encode_nopad(const void *data, size_t len, struct buf *out);
int base64_decode(const char *text, size_t len, struct buf *out, int flags);
/* base64_decode_mime - a Content-Transfer-Encoding: base64 body (RFC
 * 2045 6.8): white space and line ends skipped, the text ends at '=';
 * another byte outside the alphabet is -1 (out keeps what came before
 * it), or skipped when lenient (SEARCH reads what it can) */
int base64_decode_mime(const char *text, size_t len, struct buf *out, bool lenient);

#endif
