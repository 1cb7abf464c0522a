/* dovecot_file - loading the small text files Dovecot keeps in a Maildir
 * folder (dovecot-uidlist, dovecot-keywords) and cutting them into lines,
 * for dovecot_uidlist and dovecot_keywords.
 *
 *   rc = fsutil_load_at(dir_fd, "dovecot-uidlist", max, text, why);
 *   struct dovecot_lines ln = { .p = text, .end = text + len, .max = 4096 };
 *   while ((rc = dovecot_lines_next(&ln, line, why)) > 0) use(line, ln.lineno);
 *
 * Trust: the folder is the user's.  fsutil_load_at opens the file with
 * O_NOFOLLOW; it must be a regular file of at most max bytes.  A line longer than
 * max or holding a NUL byte is an error; an unterminated last line is
 * not returned (a writer may be appending it).  Errors read
 * "NAME, line N: problem" / "NAME: problem".
 */
#ifndef HATO_DOVECOT_FILE_H
#define HATO_DOVECOT_FILE_H

#include <stddef.h>

#include "buf.h"
#include "fsutil.h"

struct dovecot_lines {
	const char *p, *end;	/* what is left */
	size_t max;		/* longest line, newline not counted */
	const char *path;	/* for messages */
	int lineno;		/* of the line last returned */
};

/* dovecot_lines_next - the next line into line: 1, 0 at the end, -1 why */
int dovecot_lines_next(struct dovecot_lines *ln, struct buf *line, struct buf *why);

#endif
