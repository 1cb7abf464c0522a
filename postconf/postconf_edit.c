/* postconf_edit - change main.cf in place for -e, -X and -#.
 *
 * Works on the file's lines, not on parsed values, so it also repairs a
 * main.cf that no longer parses.  Comments, blank lines and every other
 * parameter stay byte for byte.  The new file is written beside the old,
 * fsync'ed, given the old mode and renamed over it, so a crash leaves
 * either the old or the new main.cf, never half of one.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "fsutil.h"
#include "log.h"
#include "mem.h"
#include "postconf.h"

enum line_kind { LINE_OTHER, LINE_START, LINE_CONT };

struct mainfile {
	struct strv *lines;	/* without newlines */
	enum line_kind *kind;
	int *owner;		/* for START and CONT: index of the START line */
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
static void classify(struct mainfile *m)
{
	int owner = -1;

	m->kind = xcalloc(m->lines->len + 1, sizeof(*m->kind));
	m->owner = xcalloc(m->lines->len + 1, sizeof(*m->owner));
	for (size_t i = 0; i < m->lines->len; i++) {
		const char *s = m->lines->items[i];
		size_t skip = s ? strspn(s, " \t\r") : 0;

		m->owner[i] = -1;
		if (s == NULL || s[skip] == '\0' || s[skip] == '#') {
			m->kind[i] = LINE_OTHER;
		} else if (skip > 0 && owner >= 0) {
			m->kind[i] = LINE_CONT;
			m->owner[i] = owner;
		} else if (skip == 0) {
			m->kind[i] = LINE_START;
			m->owner[i] = owner = (int)i;
		}
	}
}

/* load - read main.cf (missing means empty) */
static int load(const char *path, struct mainfile *m)
{
	FILE *fp = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	m->lines = strv_new();
	if (fp == NULL) {
		if (errno != ENOENT) {
			log_error("open %s: %m", path);
			return -1;
		}
	} else {
		while ((n = getline(&line, &cap, fp)) >= 0) {
			if (n > 0 && line[n - 1] == '\n')
				line[--n] = '\0';
			strv_add(m->lines, line);
		}
		free(line);
		fclose(fp);
	}
	classify(m);
	return 0;
}

/* find - index of the START line of name, or -1 */
static int find(const struct mainfile *m, const char *name, int from)
{
	struct buf *tmp = buf_new(64);
	int found = -1;

	for (size_t i = (size_t)from; i < m->lines->len && found < 0; i++) {
		if (m->kind[i] != LINE_START)
			continue;
		line_name(m->lines->items[i], tmp);
		if (strcmp(buf_str(tmp), name) == 0)
			found = (int)i;
	}
	buf_free(&tmp);
	return found;
}

/* apply - edit the logical line starting at index i */
static void apply(struct mainfile *m, int start, char mode, const char *replacement)
{
	for (size_t i = (size_t)start; i < m->lines->len; i++) {
		if (m->owner[i] != start)
			continue;
		if (mode == '#') {
			char *s = xmalloc(strlen(m->lines->items[i]) + 2);

			sprintf(s, "#%s", m->lines->items[i]);
			free(m->lines->items[i]);
			m->lines->items[i] = s;
		} else if ((int)i == start && replacement) {
			free(m->lines->items[i]);
			m->lines->items[i] = xstrdup(replacement);
			continue;
		} else {
			free(m->lines->items[i]);
			m->lines->items[i] = NULL;	/* deleted */
		}
		m->kind[i] = LINE_OTHER;
		m->owner[i] = -1;
	}
}

/* edit_one - one -e/-X/-# argument */
static int edit_one(struct mainfile *m, const char *arg, char mode)
{
	struct buf *name = buf_new(32), *line = buf_new(128);
	const char *eq = strchr(arg, '=');
	int i, rc = 0;

	buf_add(name, arg, mode == 'e' && eq ? (size_t)(eq - arg) : strlen(arg));
	buf_trim(name);
	if (buf_len(name) == 0 || buf_len(name) != strspn(buf_str(name),
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") ||
	    (mode == 'e' && eq == NULL)) {
		log_error("bad %s argument: \"%s\"", mode == 'e' ? "-e name=value" : "parameter name", arg);
		rc = -1;
	} else if (mode == 'e') {
		struct buf *value = buf_new(64);

		buf_set(value, eq + 1);
		buf_trim(value);
		for (size_t k = 0; k < buf_len(value); k++)
			if (value->data[k] == '\n' || value->data[k] == '\r')
				value->data[k] = ' ';
		buf_printf(line, "%s = %s", buf_str(name), buf_str(value));
		buf_free(&value);
		if ((i = find(m, buf_str(name), 0)) >= 0) {
			apply(m, i, 'X', buf_str(line));
			while ((i = find(m, buf_str(name), i + 1)) >= 0)
				apply(m, i, 'X', NULL);
		} else {
			strv_add(m->lines, buf_str(line));
		}
	} else {
		for (i = find(m, buf_str(name), 0); i >= 0; i = find(m, buf_str(name), i + 1))
			apply(m, i, mode, NULL);
	}
	buf_free(&name);
	buf_free(&line);
	return rc;
}

/* save - write the lines to path atomically */
static int save(const char *path, const struct mainfile *m)
{
	struct buf *tmp = buf_new(64), *text = buf_new(4096);
	struct stat st;
	mode_t mode = 0644;
	int fd, rc = -1;

	if (stat(path, &st) == 0)
		mode = st.st_mode & 07777;
	for (size_t i = 0; i < m->lines->len; i++)
		if (m->lines->items[i])
			buf_printf(text, "%s\n", m->lines->items[i]);
	buf_printf(tmp, "%s.tmp.%ld", path, (long)getpid());
	fd = open(buf_str(tmp), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		log_error("create %s: %m", buf_str(tmp));
	else if (write(fd, buf_str(text), buf_len(text)) != (ssize_t)buf_len(text) ||
		 fchmod(fd, mode) < 0 || fsync(fd) < 0)
		log_error("write %s: %m", buf_str(tmp));
	else if (rename(buf_str(tmp), path) < 0)
		log_error("rename %s to %s: %m", buf_str(tmp), path);
	else if (fsutil_fsync_dir_of(path) < 0)
		log_error("fsync directory of %s: %m", path);
	else
		rc = 0;
	if (fd >= 0)
		close(fd);
	if (rc < 0)
		unlink(buf_str(tmp));
	buf_free(&tmp);
	buf_free(&text);
	return rc;
}

/* postconf_edit - apply every argument, then save once */
int postconf_edit(const char *dir, char **args, char mode)
{
	struct buf *path = buf_new(64);
	struct mainfile m = { 0 };
	int rc = 0;

	buf_printf(path, "%s/main.cf", dir);
	if (load(buf_str(path), &m) < 0)
		rc = 1;
	for (size_t i = 0; rc == 0 && args[i]; i++) {
		if (edit_one(&m, args[i], mode) < 0)
			rc = 1;
		free(m.kind);
		free(m.owner);
		classify(&m);	/* appended lines need kinds too */
	}
	if (rc == 0 && save(buf_str(path), &m) < 0)
		rc = 1;
	strv_free(&m.lines);
	free(m.kind);
	free(m.owner);
	buf_free(&path);
	return rc;
}
