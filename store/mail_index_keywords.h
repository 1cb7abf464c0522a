/* mail_index_keywords - a folder's IMAP keywords and their Maildir
 * letters ('a' is keyword 0 ... 'z' 25, in the ":2," flags), kept in the
 * index and mirrored in the folder's dovecot-keywords, so that Dovecot
 * and other Maildir tools read the same mapping.
 *
 *   struct strv *names;
 *   mail_index_keywords(idx, "INBOX", folder_fd, &names, why);
 *   // names->items[i]: letter 'a' + i, "" for a free letter
 *   char letter;
 *   rc = mail_index_keyword_letter(idx, "INBOX", folder_fd, "$Junk", true,
 *                                  &letter, why);
 *   // 1 letter, 0 none (create false), -1 error, MAIL_INDEX_KEYWORDS_FULL
 *
 * The first use of a folder takes its dovecot-keywords (a user moved
 * from Dovecot keeps the keywords of the letters in the file names).
 * Names are IMAP atoms (RFC 3501 flag-keyword) of at most 128 bytes and
 * match without regard to case, as Dovecot matches them; the case first
 * given is kept.  A new name takes the lowest letter free in both the
 * index and the file.  The folder_fd is the folder's directory (the
 * index does not know the Maildir++ layout); the file is replaced with
 * a temporary file and a rename, never through a symbolic link.
 */
#ifndef HATO_MAIL_INDEX_KEYWORDS_H
#define HATO_MAIL_INDEX_KEYWORDS_H

#include <stdbool.h>

#include "buf.h"
#include "mail_index.h"
#include "strv.h"

enum { MAIL_INDEX_KEYWORDS_FULL = -2 };	/* 26 letters taken: IMAP's NO */

/* mail_index_keywords - the folder's names by letter into *names_r
 * (allocated; trailing free letters left out): 0, or -1 with why */
int mail_index_keywords(struct mail_index *idx, const char *folder, int folder_fd,
			struct strv **names_r, struct buf *why);
/* mail_index_keyword_letter - the letter of name; with create, a new
 * name gets one and dovecot-keywords is rewritten */
int mail_index_keyword_letter(struct mail_index *idx, const char *folder, int folder_fd,
			      const char *name, bool create, char *letter_r, struct buf *why);

#endif
