/* tablefile - loading code shared by the rule tables; see tablefile.h.
 * A file over TABLEFILE_MAX_SIZE is refused whole; a bad line costs one
 * warning "FILE, line N: problem" and d->nerrors, never the process. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "lline.h"
#include "log.h"
#include "mem.h"
#include "tablefile.h"

/* tablefile_read - the whole file in text; -1 with why on failure */
int tablefile_read(const char *path, struct buf *text, struct buf *why)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char chunk[8192];
	ssize_t n;

	if (fd < 0) {
		buf_printf(why, "open %s: %s", path, strerror(errno));
		return -1;
	}
	buf_reset(text);
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			buf_printf(why, "read %s: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		if (buf_len(text) + (size_t)n > TABLEFILE_MAX_SIZE) {
			buf_printf(why, "%s: file is larger than %d bytes", path, TABLEFILE_MAX_SIZE);
			close(fd);
			return -1;
		}
		buf_add(text, chunk, (size_t)n);
	}
	close(fd);
	return 0;
}

/* tablefile_parse - call fn for every logical line of path */
int tablefile_parse(struct dict *d, const char *path, tablefile_line_fn *fn,
		    void *ctx, struct buf *why)
{
	struct buf *text = buf_new(4096);

	if (tablefile_read(path, text, why) < 0) {
		buf_free(&text);
		return -1;
	}
	tablefile_parse_text(d, path, buf_str(text), buf_len(text), TABLEFILE_MAX_LINES, fn, ctx);
	buf_free(&text);
	return 0;
}

/* tablefile_parse_text - the same for text already in memory; path names
 * it in messages ("-" for standard input) */
void tablefile_parse_text(struct dict *d, const char *path, const char *text, size_t len,
			  size_t max_lines, tablefile_line_fn *fn, void *ctx)
{
	struct buf *err = buf_new(64);
	struct lline ll;
	size_t nlines = 0;
	int rc;

	lline_init(&ll, text, len, TABLEFILE_MAX_LINE);
	for (;;) {
		buf_reset(err);
		rc = lline_next(&ll, err);
		if (rc == 0)
			break;
		if (rc > 0 && ++nlines > max_lines) {
			dict_line_error(d, path, ll.start, "more than %d rules; ignoring the rest of the file",
					(int)max_lines);
			break;
		}
		if (rc > 0) {
			fn(ctx, buf_str(ll.line), ll.start);
			continue;
		}
		/* lline's text is "line N: problem"; a half-read logical line
		 * cannot be resumed safely, so give up on the rest of the file */
		log_warn("%s, %s%s", path, buf_str(err),
			 ll.pending ? "; ignoring the rest of the file" : "");
		d->nerrors++;
		if (ll.pending)
			break;
	}
	lline_done(&ll);
	buf_free(&err);
}

/* tablefile_nest_if - remember an open "if"; -1 when nested too deeply */
int tablefile_nest_if(struct tablefile_nest *n, size_t rule, int lineno)
{
	if (n->depth >= TABLEFILE_MAX_NEST)
		return -1;
	n->rule[n->depth] = rule;
	n->line[n->depth] = lineno;
	n->depth++;
	return 0;
}

/* tablefile_nest_endif - close the innermost "if" (rest: the text after
 * "endif"); -1 with why when none is open; extra text is only reported */
int tablefile_nest_endif(struct tablefile_nest *n, const char *rest, size_t *rule_r,
			 struct buf *why)
{
	if (n->depth == 0) {
		buf_cat(why, "\"endif\" without \"if\"");
		return -1;
	}
	n->depth--;
	*rule_r = n->rule[n->depth];
	if (*tablefile_skip_space(rest) != '\0')
		buf_cat(why, "ignoring extra text after \"endif\"");
	return 0;
}

/* tablefile_nest_finish - report each "if" still open at the end of the file */
void tablefile_nest_finish(struct tablefile_nest *n, struct dict *d, const char *path)
{
	while (n->depth > 0) {
		n->depth--;
		dict_line_error(d, path, n->line[n->depth], "\"if\" without \"endif\"");
	}
}

/* tablefile_keyword - the text after word (any case) at the start of line,
 * or NULL when line does not start with that word */
const char *tablefile_keyword(const char *line, const char *word)
{
	size_t n = strlen(word);

	if (strncasecmp(line, word, n) != 0 || isalnum((unsigned char)line[n]) || line[n] == '_')
		return NULL;
	return line + n;
}

/* tablefile_skip_space - the first non-blank at or after s */
const char *tablefile_skip_space(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	return s;
}

/* tablefile_value - s without surrounding blanks, malloc'ed; NULL if empty */
char *tablefile_value(const char *s)
{
	size_t len;

	s = tablefile_skip_space(s);
	len = strlen(s);
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	return len ? xstrndup(s, len) : NULL;
}

