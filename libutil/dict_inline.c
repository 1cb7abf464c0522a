/* dict_inline - "inline:{key=value, ...}" tables written in main.cf.
 *
 * The name is the whole "{...}".  Inside, entries are separated by commas
 * and/or white space; "{ key = value with, commas }" groups one entry (the
 * braces are removed and the inside trimmed), and so does "key={value}".
 * "key = value" with blanks around "=" is one entry too.  Keys are folded
 * when DICT_FLAG_FOLD_KEY is set.  Errors, all at open time with why
 * naming the problem: no outer braces, unbalanced braces, an entry with
 * no "=", an empty key, a duplicate key.  dict_seq lists the entries in
 * the order written.  The text is the administrator's (main.cf).
 */
#include <stdlib.h>
#include <string.h>

#include "dict.h"
#include "htable.h"
#include "mem.h"
#include "strv.h"
#include "tablefile.h"

enum { MAX_DEPTH = 100 };	/* brace nesting inside the table */

struct dict_inline {
	struct dict dict;
	struct htable *entries;		/* key -> malloc'ed value */
	struct htable_entry *cursor;	/* dict_seq position */
};

/* is_sep - whether c separates entries */
static bool is_sep(char c)
{
	return c == ',' || c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* tokenize - split text into entries at separators outside braces */
static int tokenize(const char *text, size_t len, struct strv *tokens, struct buf *why)
{
	size_t i = 0;

	while (i < len) {
		size_t start, depth = 0;

		while (i < len && is_sep(text[i]))
			i++;
		if (i == len)
			break;
		for (start = i; i < len && (depth > 0 || !is_sep(text[i])); i++) {
			if (text[i] == '{' && ++depth > MAX_DEPTH) {
				buf_printf(why, "braces nested more than %d deep", MAX_DEPTH);
				return -1;
			}
			if (text[i] == '}' && depth-- == 0) {
				buf_cat(why, "unexpected \"}\"");
				return -1;
			}
		}
		if (depth > 0) {
			buf_cat(why, "missing \"}\"");
			return -1;
		}
		strv_addn(tokens, text + start, i - start);
	}
	return 0;
}

/* unbrace - "{ text }" -> "text"; other text is only trimmed */
static void unbrace(struct buf *b)
{
	buf_trim(b);
	if (buf_len(b) >= 2 && buf_str(b)[0] == '{' && buf_str(b)[buf_len(b) - 1] == '}') {
		char *inner = xstrndup(buf_str(b) + 1, buf_len(b) - 2);

		buf_set(b, inner);
		free(inner);
		buf_trim(b);
	}
}

/* next_entry - join tokens[*ip...] into one "key=value" in entry */
static void next_entry(char **tokens, size_t *ip, struct buf *entry)
{
	const char *t = tokens[(*ip)++];

	buf_set(entry, t);
	if (t[0] == '{') {
		unbrace(entry);
		return;
	}
	/* "key = value", "key =value", "key= value" arrive as several tokens */
	while (tokens[*ip] && tokens[*ip][0] != '{') {
		const char *next = tokens[*ip];
		bool has_eq = strchr(buf_str(entry), '=') != NULL;
		bool ends_eq = buf_str(entry)[buf_len(entry) - 1] == '=';

		if (!((!has_eq && next[0] == '=') || (ends_eq && strchr(next, '=') == NULL)))
			break;
		buf_cat(entry, next);
		(*ip)++;
	}
}

/* add_entry - split "key=value" and store it; -1 with why when bad */
static int add_entry(struct dict_inline *x, const char *entry, struct buf *why)
{
	const char *eq = strchr(entry, '=');
	struct buf *key, *value;
	int rc = 0;

	if (eq == NULL) {
		buf_printf(why, "\"%s\": expected key=value", entry);
		return -1;
	}
	key = buf_new(32);
	value = buf_new(64);
	buf_add(key, entry, (size_t)(eq - entry));
	buf_trim(key);
	buf_set(value, eq + 1);
	unbrace(value);
	if (x->dict.flags & DICT_FLAG_FOLD_KEY)
		buf_lower(key);
	if (buf_len(key) == 0) {
		buf_printf(why, "\"%s\": missing key before \"=\"", entry);
		rc = -1;
	} else if (htable_get(x->entries, buf_str(key)) != NULL) {
		buf_printf(why, "duplicate key \"%s\"", buf_str(key));
		rc = -1;
	} else {
		htable_put(x->entries, buf_str(key), buf_steal(&value));
	}
	buf_free(&key);
	buf_free(&value);
	return rc;
}

/* parse - fill the table from "{...}"; -1 with why when bad */
static int parse(struct dict_inline *x, const char *name, struct buf *why)
{
	size_t len = strlen(name), i = 0;
	struct strv *tokens = strv_new();
	struct buf *entry = buf_new(64);
	int rc = 0;

	if (len < 2 || name[0] != '{' || name[len - 1] != '}') {
		buf_cat(why, "expected {key=value, ...}");
		rc = -1;
	} else {
		rc = tokenize(name + 1, len - 2, tokens, why);
	}
	while (rc == 0 && i < tokens->len) {
		next_entry(tokens->items, &i, entry);
		rc = add_entry(x, buf_str(entry), why);
	}
	strv_free(&tokens);
	buf_free(&entry);
	return rc;
}

/* inline_lookup - the value stored for key */
static int inline_lookup(struct dict *d, const char *key, const char **value_r)
{
	const char *v = htable_get(((struct dict_inline *)d)->entries, key);

	if (v == NULL)
		return 0;
	*value_r = v;
	return 1;
}

/* inline_seq - the entries in the order written */
static int inline_seq(struct dict *d, enum dict_seq_op op, const char **key_r,
		      const char **value_r)
{
	struct dict_inline *x = (struct dict_inline *)d;

	x->cursor = op == DICT_SEQ_FIRST ? x->entries->first : x->cursor ? x->cursor->order : NULL;
	if (x->cursor == NULL)
		return 0;
	*key_r = x->cursor->key;
	*value_r = x->cursor->value;
	return 1;
}

/* inline_close - free the entries */
static void inline_close(struct dict *d)
{
	htable_free(&((struct dict_inline *)d)->entries, free);
}

/* dict_inline_open - parse name ("{...}") into a table */
struct dict *dict_inline_open(const char *name, int flags, struct buf *why)
{
	struct dict *d = dict_alloc_size(sizeof(struct dict_inline), "inline", name, flags);
	struct dict_inline *x = (struct dict_inline *)d;
	struct buf *err = buf_new(64);

	x->entries = htable_new(16);
	d->lookup = inline_lookup;
	d->seq = inline_seq;
	d->close = inline_close;
	if (parse(x, name, err) < 0) {
		buf_printf(why, "inline:%s: %s", name, buf_str(err));
		dict_close(&d);
	}
	buf_free(&err);
	return d;
}
