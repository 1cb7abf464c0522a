/* imapmail_search_decode - message text into SEARCH's form: transfer
 * decoding, charsets to UTF-8, RFC 2047 words, the charset parameter,
 * and the Latin decompositions folding uses.  Private to the search
 * modules (imapmail_search_text.c, imapmail_search_parse.c).  Input is
 * message bytes (hostile); bad encodings are kept, bad charset bytes
 * become U+FFFD. */
#ifndef HATO_IMAPMAIL_SEARCH_DECODE_H
#define HATO_IMAPMAIL_SEARCH_DECODE_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"

enum { SEARCH_CHARSET_MAX = 64 };

/* search_to_utf8 - false (bytes kept) for a charset iconv does not know */
bool search_to_utf8(const char *charset, const char *in, size_t len, struct buf *out);
void search_qp(const char *s, size_t len, bool header, struct buf *out);
void search_decode_header(const char *s, size_t len, struct buf *out);
void search_decode_body(const char *raw, size_t len, const char *encoding, const char *charset,
			struct buf *out);
/* search_address_text - an address field as Dovecot's FROM/TO/CC/BCC
 * read it: comments lose their parentheses, runs of white space outside
 * quoted strings become one space */
void search_address_text(const char *s, size_t len, struct buf *out);
/* search_compress_lwsp - runs of spaces and tabs in b as one space */
void search_compress_lwsp(struct buf *b);
/* search_charset_param - cs has room for SEARCH_CHARSET_MAX + 1 */
void search_charset_param(const char *content_type, char *cs);
/* search_decompose - an upper-case Latin letter with one diacritic: its
 * base letter and combining mark (Unicode canonical decomposition) */
bool search_decompose(uint32_t cp, uint32_t *base_r, uint32_t *mark_r);

#endif
