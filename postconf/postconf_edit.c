/* postconf_edit - change main.cf in place for -e, -X and -#.
 *
 * The line editor is libutil/cfgedit.c: it works on the file's lines, not
 * on parsed values, so it also repairs a main.cf that no longer parses.
 * Comments, blank lines and every other parameter stay byte for byte.
 * The new file is written beside the old, fsync'ed, given the old mode and
 * renamed over it, so a crash leaves either the old or the new main.cf,
 * never half of one.  A missing main.cf is an empty one.
 */
#include <errno.h>
#include <string.h>

#include "cfgedit.h"
#include "log.h"
#include "postconf.h"

/* edit_one - one -e/-X/-# argument */
static int edit_one(struct cfgedit *e, const char *arg, char mode)
{
	struct buf *name = buf_new(32), *line = buf_new(128);
	const char *eq = strchr(arg, '=');
	int rc = 0;

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
		cfgedit_set(e, buf_str(name), buf_str(line));
	} else if (mode == '#') {
		cfgedit_comment_out(e, buf_str(name));
	} else {
		cfgedit_remove(e, buf_str(name));
	}
	buf_free(&name);
	buf_free(&line);
	return rc;
}

/* postconf_edit - apply every argument, then save once */
int postconf_edit(const char *dir, char **args, char mode)
{
	struct buf *path = buf_new(64), *why = buf_new(64);
	struct cfgedit *e;
	int rc = 0;

	buf_printf(path, "%s/main.cf", dir);
	if ((e = cfgedit_load(buf_str(path), 0, why)) == NULL && errno == ENOENT)
		e = cfgedit_from_text("", 0);
	if (e == NULL) {
		log_error("open %s", buf_str(why));
		rc = 1;
	}
	for (size_t i = 0; rc == 0 && args[i]; i++)
		if (edit_one(e, args[i], mode) < 0)
			rc = 1;
	if (rc == 0 && cfgedit_save(e, buf_str(path), why) < 0) {
		log_error("%s", buf_str(why));
		rc = 1;
	}
	cfgedit_free(&e);
	buf_free(&path);
	buf_free(&why);
	return rc;
}
