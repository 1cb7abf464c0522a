/* dovecot_file - cut a small file of a user's Maildir folder into lines
 * with limits (see dovecot_file.h); loading it is fsutil_load_at. */
#include <string.h>

#include "dovecot_file.h"

/* dovecot_lines_next - one newline-terminated line, checked */
int dovecot_lines_next(struct dovecot_lines *ln, struct buf *line, struct buf *why)
{
	const char *nl = memchr(ln->p, '\n', (size_t)(ln->end - ln->p));
	size_t len;

	if (nl == NULL)
		return 0;	/* nothing left, or a line still being written */
	len = (size_t)(nl - ln->p);
	ln->lineno++;
	if (len > ln->max) {
		buf_printf(why, "%s, line %d: longer than %zu bytes", ln->path, ln->lineno, ln->max);
		return -1;
	}
	if (memchr(ln->p, '\0', len) != NULL) {
		buf_printf(why, "%s, line %d: NUL byte", ln->path, ln->lineno);
		return -1;
	}
	buf_reset(line);
	buf_add(line, ln->p, len);
	ln->p = nl + 1;
	return 1;
}
