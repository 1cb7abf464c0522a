/* dovecot_keywords - read a Maildir folder's dovecot-keywords, which
 * names the keyword letters in Dovecot's file names (":2,Sab": 'a' is
 * keyword 0, 'b' keyword 1, up to 'z', 25).
 *
 *   struct dovecot_keywords kw;
 *   if (dovecot_keywords_read(folder_fd, &kw, why) > 0) use(kw.name[0]);
 *   dovecot_keywords_clear(&kw);
 *   dovecot_keywords_format(&kw, text);   // the file's text, to write
 *
 * Format: one "<index> <name>" line per keyword, index 0-25.  Names are
 * IMAP atoms: 1-128 bytes of 0x21-0x7e without ( ) { % * " \ ].  Trust:
 * the file is the user's; a bad line, a repeated index or a file over
 * 64 KB refuses the file as a whole (-1, "PATH, line N: problem").
 */
#ifndef HATO_DOVECOT_KEYWORDS_H
#define HATO_DOVECOT_KEYWORDS_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

enum { DOVECOT_KEYWORDS_MAX = 26 };	/* 'a' to 'z' */

struct dovecot_keywords {
	char *name[DOVECOT_KEYWORDS_MAX];	/* NULL where the file has none */
};

/* dovecot_keywords_parse - text into kw (which must be zeroed or
 * cleared); 0, or -1 with why and kw empty */
int dovecot_keywords_parse(const char *text, size_t len, const char *path,
			   struct dovecot_keywords *kw, struct buf *why);
/* dovecot_keywords_read - "dovecot-keywords" below dir_fd: 1, 0 absent, -1 */
int dovecot_keywords_read(int dir_fd, struct dovecot_keywords *kw, struct buf *why);
/* dovecot_keywords_name_ok - may s be a keyword name (an atom as above)? */
bool dovecot_keywords_name_ok(const char *s);
/* dovecot_keywords_format - kw as the file's text, into out */
void dovecot_keywords_format(const struct dovecot_keywords *kw, struct buf *out);
/* dovecot_keywords_clear - free the names */
void dovecot_keywords_clear(struct dovecot_keywords *kw);

#endif
