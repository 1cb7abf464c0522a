/* dict - the table registry, generic entry points and the surrogate table
 * (a table that did not open, tried again at each use).  See dict.h.
 * Keys are folded here (not in each backend) when the table was opened
 * with DICT_FLAG_FOLD_KEY. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dict.h"
#include "log.h"
#include "mem.h"

static const struct dict_type {
	const char *type;
	dict_open_fn *open;
	bool indexed;		/* built by postmap into NAME.lmdb */
} dict_types[] = {
	{ "lmdb", dict_lmdb_open, true },
	{ "hash", dict_lmdb_open, true },
	{ "btree", dict_lmdb_open, true },
	{ "texthash", dict_texthash_open, false },
	{ "regexp", dict_regexp_open, false },
	{ "pcre", dict_pcre_open, false },
	{ "cidr", dict_cidr_open, false },
	{ "inline", dict_inline_open, false },
	{ "static", dict_static_open, false },
	{ "unix", dict_unix_open, false },
	{ "proxy", dict_proxy_open, false },
};

/* find_type - the registry entry for a type name, or NULL */
static const struct dict_type *find_type(const char *type)
{
	for (size_t i = 0; i < sizeof(dict_types) / sizeof(dict_types[0]); i++)
		if (strcmp(dict_types[i].type, type) == 0)
			return &dict_types[i];
	return NULL;
}

/* dict_type_known - whether "type" names a supported table type */
bool dict_type_known(const char *type)
{
	return find_type(type) != NULL;
}

/* dict_type_is_indexed - whether postmap builds an index for "type" */
bool dict_type_is_indexed(const char *type)
{
	const struct dict_type *t = find_type(type);

	return t && t->indexed;
}

/* dict_list_types - call fn for every type name (postconf -m) */
void dict_list_types(void (*fn)(const char *type, void *ctx), void *ctx)
{
	for (size_t i = 0; i < sizeof(dict_types) / sizeof(dict_types[0]); i++)
		fn(dict_types[i].type, ctx);
}

/* dict_alloc - a table with no methods yet; backends fill them in */
struct dict *dict_alloc(const char *type, const char *name, int flags)
{
	return dict_alloc_size(sizeof(struct dict), type, name, flags);
}

/* dict_alloc_size - a zeroed block of size bytes that starts with a struct
 * dict, for backends that embed it in their own state (freed whole) */
struct dict *dict_alloc_size(size_t size, const char *type, const char *name, int flags)
{
	struct dict *d = xcalloc(1, size < sizeof(*d) ? sizeof(*d) : size);

	d->type = xstrdup(type);
	d->name = xstrdup(name);
	d->flags = flags;
	d->create_uid = (uid_t)-1;
	d->create_gid = (gid_t)-1;
	d->error = buf_new(0);
	d->key = buf_new(0);
	return d;
}

/* dict_open - split "type:name" and call the backend */
struct dict *dict_open(const char *spec, int flags, struct buf *why)
{
	const char *colon = strchr(spec, ':');
	const struct dict_type *t;
	char *type;
	struct dict *d;

	if (colon == NULL || colon == spec) {
		buf_printf(why, "table \"%s\": expected type:name", spec);
		return NULL;
	}
	type = xstrndup(spec, (size_t)(colon - spec));
	t = find_type(type);
	if (t == NULL) {
		buf_printf(why, "table \"%s\": unsupported table type \"%s\"", spec, type);
		free(type);
		return NULL;
	}
	d = t->open(colon + 1, flags, why);
	if (d != NULL && strcmp(d->type, type) != 0) {
		free(d->type);
		d->type = type;
		type = NULL;
	}
	free(type);
	return d;
}

/* A table that would not open: a call tries to open it again (at most once
 * a second, as lmdb readers look for a new file: an open may be costly),
 * so a table that postmap creates later is used without a reload; until
 * then every lookup fails with the reason. */
struct surrogate {
	struct dict d;
	char *spec;		/* "type:name", for the next try */
	struct dict *real;	/* the table once it opened */
	time_t tried;		/* the last failed open */
};

/* surrogate_real - the real table, opened now if it can be */
static struct dict *surrogate_real(struct surrogate *s)
{
	time_t now = time(NULL);
	struct buf *why;

	if (s->real || now == s->tried)
		return s->real;
	s->tried = now;
	why = buf_new(0);
	s->real = dict_open(s->spec, s->d.flags, why);
	if (s->real) {
		log_info("table %s is available now", s->spec);
		s->d.nerrors = s->real->nerrors;
	} else {
		buf_set(s->d.error, buf_str(why));
	}
	buf_free(&why);
	return s->real;
}

/* surrogate_lookup - look up in the real table once it opens; the key is
 * folded already */
static int surrogate_lookup(struct dict *d, const char *key, const char **value_r)
{
	struct dict *real = surrogate_real((struct surrogate *)d);
	int rc;

	if (real == NULL)
		return -1;
	if ((rc = real->lookup(real, key, value_r)) < 0)
		buf_set(d->error, dict_error(real));
	return rc;
}

/* surrogate_seq - iterate the real table once it opens */
static int surrogate_seq(struct dict *d, enum dict_seq_op op, const char **key_r,
			 const char **value_r)
{
	struct dict *real = surrogate_real((struct surrogate *)d);
	int rc;

	if (real == NULL)
		return -1;
	if ((rc = dict_seq(real, op, key_r, value_r)) < 0)
		buf_set(d->error, dict_error(real));
	return rc;
}

/* surrogate_close - close the real table */
static void surrogate_close(struct dict *d)
{
	struct surrogate *s = (struct surrogate *)d;

	dict_close(&s->real);
	free(s->spec);
}

/* dict_open_surrogate - dict_open, or a table that fails with the reason
 * until the table can be opened */
struct dict *dict_open_surrogate(const char *spec, int flags)
{
	struct buf *why = buf_new(0);
	struct dict *d = dict_open(spec, flags, why);

	if (d == NULL) {
		const char *colon = strchr(spec, ':');
		char *type = colon ? xstrndup(spec, (size_t)(colon - spec)) : xstrdup("");
		struct surrogate *s;

		log_warn("table %s is unavailable: %s", spec, buf_str(why));
		d = dict_alloc_size(sizeof(*s), type, colon ? colon + 1 : spec, flags);
		s = (struct surrogate *)d;
		s->spec = xstrdup(spec);
		s->tried = time(NULL);
		buf_set(d->error, buf_str(why));
		d->lookup = surrogate_lookup;
		d->seq = surrogate_seq;
		d->close = surrogate_close;
		free(type);
	}
	buf_free(&why);
	return d;
}

/* fold - the key as the backend should see it */
static const char *fold(struct dict *d, const char *key)
{
	if (!(d->flags & DICT_FLAG_FOLD_KEY))
		return key;
	buf_set(d->key, key);
	buf_lower(d->key);
	return buf_str(d->key);
}

/* dict_lookup - 1 found, 0 not found, -1 temporary error */
int dict_lookup(struct dict *d, const char *key, const char **value_r)
{
	*value_r = NULL;
	return d->lookup(d, fold(d, key), value_r);
}

/* dict_update - add or replace an entry of a writable table */
int dict_update(struct dict *d, const char *key, const char *value)
{
	if (d->update == NULL)
		return dict_fail(d, "table %s:%s is read-only", d->type, d->name);
	return d->update(d, fold(d, key), value);
}

/* dict_delete - 1 deleted, 0 not there, -1 error */
int dict_delete(struct dict *d, const char *key)
{
	if (d->delete == NULL)
		return dict_fail(d, "table %s:%s is read-only", d->type, d->name);
	return d->delete(d, fold(d, key));
}

/* dict_seq - iterate: 1 an entry, 0 the end, -1 error */
int dict_seq(struct dict *d, enum dict_seq_op op, const char **key_r, const char **value_r)
{
	if (d->seq == NULL)
		return dict_fail(d, "table %s:%s cannot be listed", d->type, d->name);
	return d->seq(d, op, key_r, value_r);
}

/* dict_commit - make updates visible to readers (atomic for lmdb) */
int dict_commit(struct dict *d)
{
	return d->commit ? d->commit(d) : 0;
}

/* dict_close - release a table and clear the pointer; uncommitted updates are dropped */
void dict_close(struct dict **dp)
{
	struct dict *d = *dp;

	if (d == NULL)
		return;
	if (d->close)
		d->close(d);
	buf_free(&d->error);
	buf_free(&d->key);
	free(d->type);
	free(d->name);
	free(d);
	*dp = NULL;
}

/* dict_error - why the last call failed */
const char *dict_error(const struct dict *d)
{
	return buf_str(d->error);
}

/* dict_fail - set the error text and return -1 */
int dict_fail(struct dict *d, const char *fmt, ...)
{
	va_list ap;

	buf_reset(d->error);
	va_start(ap, fmt);
	buf_vprintf(d->error, fmt, ap);
	va_end(ap);
	return -1;
}

/* dict_line_error - warn "FILE, line N: problem" and count it */
void dict_line_error(struct dict *d, const char *file, int line, const char *fmt, ...)
{
	struct buf *msg = buf_new(128);
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(msg, fmt, ap);
	va_end(ap);
	log_warn("%s, line %d: %s", file, line, buf_str(msg));
	buf_free(&msg);
	d->nerrors++;
}
