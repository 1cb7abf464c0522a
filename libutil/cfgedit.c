/* cfgedit - main.cf-syntax files edited line by line; see cfgedit.h. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cfgedit.h"
#include "fsutil.h"
#include "mem.h"
#include "strv.h"

enum { CFGEDIT_MAX_SIZE = 16 << 20 };

enum line_kind { LINE_OTHER, LINE_START, LINE_CONT };

struct cfgedit {
	struct strv *lines;	/* without newlines */
	enum line_kind *kind;
	int *owner;		/* START and CONT: index of the START line, else -1 */
};

/* line_name - the parameter name a START line sets, into out */
static void line_name(const char *line, struct buf *out)
{
	size_t n = 0;

	while (isalnum((unsigned char)line[n]) || line[n] == '_')
		n++;
	buf_reset(out);
	buf_add(out, line, n);
}

/* classify - mark each line as start, continuation or other */
static void classify(struct cfgedit *e)
{
	int owner = -1;

	free(e->kind);
	free(e->owner);
	e->kind = xcalloc(e->lines->len + 1, sizeof(*e->kind));
	e->owner = xcalloc(e->lines->len + 1, sizeof(*e->owner));
	for (size_t i = 0; i < e->lines->len; i++) {
		const char *s = e->lines->items[i];
		size_t skip = strspn(s, " \t\r");

		e->owner[i] = -1;
		if (s[skip] == '\0' || s[skip] == '#') {
			e->kind[i] = LINE_OTHER;
		} else if (skip > 0 && owner >= 0) {
			e->kind[i] = LINE_CONT;
			e->owner[i] = owner;
		} else if (skip == 0) {
			e->kind[i] = LINE_START;
			e->owner[i] = owner = (int)i;
		}
	}
}

/* add_lines - each line of text (split at "\n") to v */
static void add_lines(struct strv *v, const char *text)
{
	const char *nl;

	while ((nl = strchr(text, '\n')) != NULL) {
		strv_addn(v, text, (size_t)(nl - text));
		text = nl + 1;
	}
	strv_add(v, text);
}

/* cfgedit_from_text - the lines of text */
struct cfgedit *cfgedit_from_text(const char *text, size_t len)
{
	struct cfgedit *e = xcalloc(1, sizeof(*e));
	size_t start = 0;

	e->lines = strv_new();
	for (size_t i = 0; i < len; i++) {
		if (text[i] == '\n') {
			strv_addn(e->lines, text + start, i - start);
			start = i + 1;
		}
	}
	if (start < len)
		strv_addn(e->lines, text + start, len - start);
	classify(e);
	return e;
}

/* read_following - path into text, following a symbolic link: 1, or -1 */
static int read_following(const char *path, struct buf *text)
{
	FILE *fp = fopen(path, "re");
	char chunk[8192];
	size_t n;
	int rc = 1;

	if (fp == NULL)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0 && rc > 0) {
		if (buf_len(text) + n > CFGEDIT_MAX_SIZE) {
			errno = EFBIG;
			rc = -1;
		}
		buf_add(text, chunk, n);
	}
	if (ferror(fp))
		rc = -1;
	fclose(fp);
	return rc;
}

/* cfgedit_load - read path (see cfgedit.h) */
struct cfgedit *cfgedit_load(const char *path, int flags, struct buf *why)
{
	struct buf *text = buf_new(4096), *err = buf_new(64);
	struct cfgedit *e = NULL;
	int rc;

	if (flags & CFGEDIT_NOFOLLOW) {
		if ((rc = fsutil_load_at(AT_FDCWD, path, CFGEDIT_MAX_SIZE, text, err)) == 0)
			errno = ENOENT;
	} else {
		rc = read_following(path, text);
	}
	if (rc > 0)
		e = cfgedit_from_text(buf_str(text), buf_len(text));
	else if (buf_len(err))
		buf_cat(why, buf_str(err));
	else
		buf_printf(why, "%s: %s", path, strerror(errno));
	buf_free(&text);
	buf_free(&err);
	return e;
}

/* cfgedit_free - release e */
void cfgedit_free(struct cfgedit **ep)
{
	if (*ep == NULL)
		return;
	strv_free(&(*ep)->lines);
	free((*ep)->kind);
	free((*ep)->owner);
	free(*ep);
	*ep = NULL;
}

/* is_start_of - line i starts a definition of name */
static bool is_start_of(const struct cfgedit *e, size_t i, const char *name, struct buf *tmp)
{
	if (e->kind[i] != LINE_START)
		return false;
	line_name(e->lines->items[i], tmp);
	return strcmp(buf_str(tmp), name) == 0;
}

enum edit_op { OP_SET, OP_REMOVE, OP_COMMENT };

/* rebuild - a new line list with every definition of name changed by op */
static void rebuild(struct cfgedit *e, const char *name, enum edit_op op, const char *text)
{
	struct strv *out = strv_new();
	struct buf *tmp = buf_new(64);
	bool done = false;

	for (size_t i = 0; i < e->lines->len; i++) {
		const char *s = e->lines->items[i];
		int o = e->owner[i];

		if (o < 0 || !is_start_of(e, (size_t)o, name, tmp)) {
			strv_add(out, s);
		} else if (op == OP_COMMENT) {
			buf_reset(tmp);
			buf_printf(tmp, "#%s", s);
			strv_add(out, buf_str(tmp));
		} else if (op == OP_SET && !done && (size_t)o == i) {
			add_lines(out, text);
			done = true;
		}
	}
	if (op == OP_SET && !done)
		add_lines(out, text);
	strv_free(&e->lines);
	e->lines = out;
	classify(e);
	buf_free(&tmp);
}

/* cfgedit_set - see cfgedit.h */
void cfgedit_set(struct cfgedit *e, const char *name, const char *text)
{
	rebuild(e, name, OP_SET, text);
}

/* cfgedit_remove - see cfgedit.h */
void cfgedit_remove(struct cfgedit *e, const char *name)
{
	rebuild(e, name, OP_REMOVE, NULL);
}

/* cfgedit_comment_out - see cfgedit.h */
void cfgedit_comment_out(struct cfgedit *e, const char *name)
{
	rebuild(e, name, OP_COMMENT, NULL);
}

/* cfgedit_append - see cfgedit.h */
void cfgedit_append(struct cfgedit *e, const char *line)
{
	add_lines(e->lines, line);
	classify(e);
}

/* cfgedit_has - see cfgedit.h */
bool cfgedit_has(const struct cfgedit *e, const char *name)
{
	struct buf *tmp = buf_new(64);
	bool found = false;

	for (size_t i = 0; i < e->lines->len && !found; i++)
		found = is_start_of(e, i, name, tmp);
	buf_free(&tmp);
	return found;
}

/* cfgedit_next - see cfgedit.h */
bool cfgedit_next(const struct cfgedit *e, size_t *pos, struct buf *name, struct buf *text,
		  int *line_r)
{
	size_t i = *pos;

	while (i < e->lines->len && e->kind[i] != LINE_START)
		i++;
	if (i >= e->lines->len) {
		*pos = i;
		return false;
	}
	line_name(e->lines->items[i], name);
	buf_set(text, e->lines->items[i]);
	*line_r = (int)i + 1;
	for (i++; i < e->lines->len && e->kind[i] != LINE_START; i++)
		if (e->kind[i] == LINE_CONT)
			buf_printf(text, "\n%s", e->lines->items[i]);
	*pos = i;
	return true;
}

/* cfgedit_comments_before - see cfgedit.h */
void cfgedit_comments_before(const struct cfgedit *e, int line, struct buf *out)
{
	size_t first = line > 1 ? (size_t)line - 1 : 0;

	buf_reset(out);
	while (first > 0 && first <= e->lines->len && e->kind[first - 1] == LINE_OTHER &&
	       e->lines->items[first - 1][strspn(e->lines->items[first - 1], " \t\r")] == '#')
		first--;
	for (size_t i = first; i + 1 < (size_t)line && i < e->lines->len; i++)
		buf_printf(out, "%s%s", buf_len(out) ? "\n" : "", e->lines->items[i]);
}

/* cfgedit_text - see cfgedit.h */
void cfgedit_text(const struct cfgedit *e, struct buf *out)
{
	for (size_t i = 0; i < e->lines->len; i++)
		buf_printf(out, "%s\n", e->lines->items[i]);
}

/* cfgedit_save - see cfgedit.h */
int cfgedit_save(const struct cfgedit *e, const char *path, struct buf *why)
{
	struct buf *text = buf_new(4096);
	struct stat st;
	unsigned mode = 0644;
	int rc;

	if (lstat(path, &st) == 0 && S_ISREG(st.st_mode))
		mode = st.st_mode & 07777;
	cfgedit_text(e, text);
	rc = fsutil_replace(path, buf_str(text), buf_len(text), mode, why);
	buf_free(&text);
	return rc;
}
