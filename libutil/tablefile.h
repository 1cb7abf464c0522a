/* tablefile - shared loading code for table files (regexp:, pcre:, cidr:,
 * and the postmap/postalias source files through mapfile.h).
 *
 *   static int rule(void *ctx, const char *line, int lineno) { ... }
 *   if (tablefile_parse(d, path, rule, ctx, why) < 0)  -> cannot read it
 *
 * tablefile_read() reads a whole file, refusing one over TABLEFILE_MAX_SIZE.
 * tablefile_parse() hands each logical line (lline.h: continuation lines,
 * comments and blank lines handled) with its first line number to the
 * backend, which reports its own bad lines with dict_line_error().  A line
 * the reader itself refuses (too long, NUL byte) is reported the same way;
 * when the reader cannot resynchronise, the rest of the file is ignored.
 *
 * tablefile_nest_* keep the if/endif stack: a backend stores rules in an
 * array and, at "endif", learns which "if" rule to point past the block.
 * tablefile_keyword/skip_space/value are the small lexing steps every rule
 * table shares ("if", "endif", the trimmed result of a rule).
 * The table files are the administrator's, but parsing is bounded anyway.
 */
#ifndef HATO_TABLEFILE_H
#define HATO_TABLEFILE_H

#include <stddef.h>

#include "buf.h"
#include "dict.h"

enum {
	TABLEFILE_MAX_SIZE = 256 << 20,	/* bytes in one table file */
	TABLEFILE_MAX_LINE = 65536,	/* bytes in one logical line */
	TABLEFILE_MAX_NEST = 100,	/* if/endif depth */
	TABLEFILE_MAX_LINES = 200000,	/* logical lines (rules) in one rule table */
	TABLEFILE_MAX_ENTRIES = 20000000,	/* lines of a postmap source */
};

/* called per logical line with its first physical line number */
typedef void tablefile_line_fn(void *ctx, const char *line, int lineno);

struct tablefile_nest {
	int depth;
	size_t rule[TABLEFILE_MAX_NEST];	/* index of each open "if" rule */
	int line[TABLEFILE_MAX_NEST];		/* and its line number */
};

int tablefile_read(const char *path, struct buf *text, struct buf *why);
int tablefile_parse(struct dict *d, const char *path, tablefile_line_fn *fn,
		    void *ctx, struct buf *why);
void tablefile_parse_text(struct dict *d, const char *path, const char *text, size_t len,
			  size_t max_lines, tablefile_line_fn *fn, void *ctx);
int tablefile_nest_if(struct tablefile_nest *n, size_t rule, int lineno);
int tablefile_nest_endif(struct tablefile_nest *n, const char *rest, size_t *rule_r,
			 struct buf *why);
void tablefile_nest_finish(struct tablefile_nest *n, struct dict *d, const char *path);
const char *tablefile_keyword(const char *line, const char *word);
const char *tablefile_skip_space(const char *s);
char *tablefile_value(const char *s);

#endif
