/* lline - logical lines of Postfix-style files (main.cf, master.cf, tables).
 *
 *   struct lline ll;
 *   lline_init(&ll, text, len, 65536);
 *   while ((rc = lline_next(&ll, why)) > 0)
 *       use(buf_str(ll.line), ll.start);       // start: first line number
 *
 * A logical line starts with a non-blank character; a line that starts
 * with white space continues it (the newline is dropped, the white space
 * kept).  Blank lines and lines whose first non-blank is '#' are skipped,
 * also between a line and its continuations.  Errors (-1, with a text
 * "line N: problem" in why for the caller to prefix with the file name):
 * a continuation with nothing before it, a logical line longer than the
 * limit, a NUL byte.
 */
#ifndef HATO_LLINE_H
#define HATO_LLINE_H

#include <stddef.h>

#include "buf.h"

struct lline {
	const char *p, *end;
	size_t max;
	int lineno;		/* physical lines read so far */
	int start;		/* first physical line of ll.line */
	int pending;		/* line number of a started line not yet returned */
	struct buf *line;
	struct buf *next;
};

void lline_init(struct lline *ll, const char *text, size_t len, size_t max);
int lline_next(struct lline *ll, struct buf *why);
void lline_done(struct lline *ll);

#endif
