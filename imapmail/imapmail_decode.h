/* imapmail_decode - Content-Transfer-Encoding decoders for FETCH BINARY
 * (RFC 3516) and CRLF conversion for BODY[] (RFC 9051 section 2.3.1:
 * every line end sent is CRLF).
 *
 *   imapmail_decode_crlf(p, len, nul, out);     // LF -> CRLF, NUL -> 0x80
 *                                               // (kept with nul: BINARY)
 *   base64_decode_mime(p, len, out, false) < 0  // not base64 (libutil)
 *   imapmail_decode_qp(p, len, out);            // never fails
 *
 * base64 is libutil/base64.h's base64_decode_mime (a byte outside the
 * alphabet is an error: Dovecot then answers BINARY with NIL).
 * Quoted-printable (section
 * 6.7): =XX decoded, a soft line break ("=" at a line end, white space
 * allowed after it) removed, white space at a line end dropped, every
 * hard line end written as CRLF; a malformed "=" is kept as it is.
 * Input is the message's (hostile); output is at most the input's size
 * (twice for CRLF), appended to out.
 */
#ifndef HATO_IMAPMAIL_DECODE_H
#define HATO_IMAPMAIL_DECODE_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

void imapmail_decode_crlf(const char *p, size_t len, bool nul, struct buf *out);
void imapmail_decode_qp(const char *p, size_t len, struct buf *out);

#endif
