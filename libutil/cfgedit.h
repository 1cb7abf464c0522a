/* cfgedit - edit a file in main.cf syntax line by line, keeping comments,
 * blank lines and every line it is not asked to change byte for byte
 * (postconf -e/-X/-#, hato import).
 *
 *   struct cfgedit *e = cfgedit_load(path, 0, why);   // NULL: why (errno)
 *   cfgedit_set(e, "myhostname", "myhostname = mx.example.com");
 *   cfgedit_save(e, path, why);                     // atomic (fsutil_replace)
 *
 * A parameter is a START line (no leading blank) with the continuation
 * lines (leading blank) after it; comments and blank lines belong to no
 * parameter.  The text of a set may span lines ("name =\n    a,\n    b").
 * It works on lines, not on parsed values, so it also repairs a file that
 * no longer parses.  Nothing here is trusted or untrusted: the files are
 * the administrator's.
 */
#ifndef HATO_CFGEDIT_H
#define HATO_CFGEDIT_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

enum cfgedit_flags {
	CFGEDIT_NOFOLLOW = 1 << 0,	/* refuse a symbolic link, a non-regular file */
};

struct cfgedit;

/* cfgedit_load - read path: NULL with why and errno when it cannot be read
 * (ENOENT when it does not exist) */
struct cfgedit *cfgedit_load(const char *path, int flags, struct buf *why);
struct cfgedit *cfgedit_from_text(const char *text, size_t len);
void cfgedit_free(struct cfgedit **ep);
/* cfgedit_set - the first definition of name becomes text, later ones go;
 * without one, text is appended */
void cfgedit_set(struct cfgedit *e, const char *name, const char *text);
/* cfgedit_remove - every definition of name goes */
void cfgedit_remove(struct cfgedit *e, const char *name);
/* cfgedit_comment_out - every line of every definition of name gets a '#' */
void cfgedit_comment_out(struct cfgedit *e, const char *name);
/* cfgedit_append - a line at the end (a comment, a blank line) */
void cfgedit_append(struct cfgedit *e, const char *line);
/* cfgedit_has - whether name has a definition */
bool cfgedit_has(const struct cfgedit *e, const char *name);
/* cfgedit_next - the next definition from *pos on, in file order: its name,
 * its whole text (lines joined with "\n") and first line number; false at
 * the end */
bool cfgedit_next(const struct cfgedit *e, size_t *pos, struct buf *name, struct buf *text,
		  int *line_r);
/* cfgedit_comments_before - the comment lines right above line (1-based),
 * up to a blank line or a definition, into out (joined with "\n") */
void cfgedit_comments_before(const struct cfgedit *e, int line, struct buf *out);
/* cfgedit_text - the file as it would be written */
void cfgedit_text(const struct cfgedit *e, struct buf *out);
/* cfgedit_save - write atomically, keeping the mode of the old file */
int cfgedit_save(const struct cfgedit *e, const char *path, struct buf *why);

#endif
