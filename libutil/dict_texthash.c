/* dict_texthash - "texthash:FILE": a postmap source file read into memory.
 *
 * The same syntax postmap takes ("key whitespace value"), no index to
 * build; the file is read once at open.  A bad line costs one warning
 * "FILE, line N: ..." and is skipped; the first of duplicate keys wins,
 * with a warning, as postmap does.  Keys are folded with
 * DICT_FLAG_FOLD_KEY.  dict_seq lists entries in file order.
 */
#include <stdlib.h>
#include <string.h>

#include "dict.h"
#include "htable.h"
#include "log.h"
#include "mapfile.h"
#include "mem.h"

struct dict_texthash {
	struct dict d;
	struct htable *entries;		/* key -> malloc'ed value */
	struct htable_entry *cursor;
};

/* add_entry - mapfile callback */
static void add_entry(void *ctx, const char *key, const char *value, int lineno)
{
	struct dict_texthash *x = ctx;
	struct buf *k = buf_new(0);

	buf_set(k, key);
	if (x->d.flags & DICT_FLAG_FOLD_KEY)
		buf_lower(k);
	if (htable_get(x->entries, buf_str(k)) != NULL)
		log_warn("%s, line %d: duplicate entry: \"%s\"", x->d.name, lineno, buf_str(k));
	else
		htable_put(x->entries, buf_str(k), xstrdup(value));
	buf_free(&k);
}

/* texthash_lookup - from memory */
static int texthash_lookup(struct dict *d, const char *key, const char **value_r)
{
	struct dict_texthash *x = (struct dict_texthash *)d;

	*value_r = htable_get(x->entries, key);
	return *value_r != NULL;
}

/* texthash_seq - file order */
static int texthash_seq(struct dict *d, enum dict_seq_op op, const char **key_r,
			const char **value_r)
{
	struct dict_texthash *x = (struct dict_texthash *)d;

	x->cursor = op == DICT_SEQ_FIRST ? x->entries->first : x->cursor ? x->cursor->order : NULL;
	if (x->cursor == NULL)
		return 0;
	*key_r = x->cursor->key;
	*value_r = x->cursor->value;
	return 1;
}

/* texthash_close - free the entries */
static void texthash_close(struct dict *d)
{
	struct dict_texthash *x = (struct dict_texthash *)d;

	htable_free(&x->entries, free);
}

/* dict_texthash_open - read the whole file */
struct dict *dict_texthash_open(const char *name, int flags, struct buf *why)
{
	struct dict_texthash *x = (struct dict_texthash *)dict_alloc_size(sizeof(*x), "texthash",
									   name, flags);
	struct dict *d = &x->d;

	x->entries = htable_new(64);
	d->lookup = texthash_lookup;
	d->seq = texthash_seq;
	d->close = texthash_close;
	if (mapfile_parse(d, name, MAPFILE_MAP, add_entry, x, why) < 0)
		dict_close(&d);
	return d;
}
