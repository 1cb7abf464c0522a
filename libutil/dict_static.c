/* dict_static - "static:" tables: every lookup finds the same value.
 *
 * "static:value" or "static:{value with spaces}" (braces stripped, the
 * inside trimmed).  An unbalanced brace is an open error.  The table
 * cannot be listed or updated; keys are never looked at.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "dict.h"
#include "mem.h"
#include "tablefile.h"

struct dict_static {
	struct dict dict;
	char *value;
};

/* static_lookup - always found */
static int static_lookup(struct dict *d, const char *key, const char **value_r)
{
	(void)key;
	*value_r = ((struct dict_static *)d)->value;
	return 1;
}

/* static_close - free the value */
static void static_close(struct dict *d)
{
	free(((struct dict_static *)d)->value);
}

/* dict_static_open - the value is the name, or the inside of "{...}" */
struct dict *dict_static_open(const char *name, int flags, struct buf *why)
{
	struct dict *d;
	struct buf *value = buf_new(64);
	size_t len = strlen(name);

	if (name[0] == '{') {
		if (len < 2 || name[len - 1] != '}') {
			buf_printf(why, "static:%s: missing \"}\" at the end", name);
			buf_free(&value);
			return NULL;
		}
		buf_add(value, name + 1, len - 2);
		buf_trim(value);
	} else {
		buf_set(value, name);
	}
	d = dict_alloc_size(sizeof(struct dict_static), "static", name, flags);
	((struct dict_static *)d)->value = buf_steal(&value);
	d->lookup = static_lookup;
	d->close = static_close;
	return d;
}
