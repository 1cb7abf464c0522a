/* postmap_build - make FILE.lmdb from FILE (or add standard input to it).
 *
 * Every entry goes into a temporary table; only when the whole source was
 * read without a bad line is it committed (renamed over FILE.lmdb).  A
 * duplicate key keeps the first value with a warning (-w: silently, -r:
 * the later value wins), as Postfix does.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dict.h"
#include "log.h"
#include "mem.h"
#include "postmap.h"

struct build {
	const struct postmap_opts *o;
	struct dict *d;
	const char *source;	/* the source's name in messages ("-": stdin) */
	int failed;		/* updates that did not go in */
};

/* postmap_spec - "type:file" for arg, with the default type filled in;
 * "passwd-file:FILE" is "lmdb:FILE" (the syntax is chosen by the caller) */
char *postmap_spec(const struct postmap_opts *o, const char *arg)
{
	const char *colon = strchr(arg, ':');
	struct buf *b = buf_new(0);

	if (strncmp(arg, "passwd-file:", 12) == 0) {
		buf_printf(b, "lmdb:%s", arg + 12);
		return buf_steal(&b);
	}

	if (colon) {
		char *type = xstrndup(arg, (size_t)(colon - arg));
		bool known = dict_type_known(type);

		free(type);
		if (known) {
			buf_set(b, arg);
			return buf_steal(&b);
		}
	}
	buf_printf(b, "%s:%s", o->default_type, arg);
	return buf_steal(&b);
}

/* postmap_syntax - the source syntax for arg: passwd-file: names its own */
enum mapfile_syntax postmap_syntax(const struct postmap_opts *o, const char *arg)
{
	return strncmp(arg, "passwd-file:", 12) == 0 ? MAPFILE_PASSWD : o->syntax;
}

/* add - mapfile callback: one entry into the new table */
static void add(void *ctx, const char *key, const char *value, int lineno)
{
	struct build *b = ctx;
	const char *old;
	int found = b->o->dups == DUPS_REPLACE ? 0 : dict_lookup(b->d, key, &old);

	if (found == 1) {
		if (b->o->dups == DUPS_WARN)
			log_warn("%s.lmdb: duplicate entry: \"%s\"", b->d->name, key);
		return;
	}
	if (found < 0 || dict_update(b->d, key, value) < 0) {
		log_error("%s, line %d: cannot store \"%.100s\" in %s.lmdb: %s", b->source, lineno,
			  key, b->d->name, dict_error(b->d));
		b->failed++;
	}
}

/* open_build - a writable table for spec, refusing unindexed types */
static struct dict *open_build(const struct postmap_opts *o, const char *spec, int flags)
{
	char *type = xstrndup(spec, strcspn(spec, ":"));
	struct buf *why = buf_new(0);
	struct dict *d = NULL;

	if (!dict_type_is_indexed(type))
		log_error("%s: table type \"%s\" is not built by postmap; use it as it is", spec, type);
	else if ((d = dict_open(spec, flags | (o->fold ? DICT_FLAG_FOLD_KEY : 0), why)) == NULL)
		log_error("%s", buf_str(why));
	free(type);
	buf_free(&why);
	return d;
}

/* take_mode - the new table's mode and owner follow the file in path */
static void take_mode(const struct postmap_opts *o, struct dict *d, const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return;
	if (o->inherit_mode)
		d->create_mode = st.st_mode & 07777;
	if (o->inherit_owner && geteuid() == 0) {
		d->create_uid = st.st_uid;
		d->create_gid = st.st_gid;
	}
}

/* finish - commit when everything went in, else leave the old table */
static int finish(struct build *b, const char *source)
{
	int rc = 0;

	if (b->d->nerrors || b->failed) {
		log_error("%s: %d bad line%s; %s.lmdb not changed", source,
			  b->d->nerrors + b->failed, b->d->nerrors + b->failed == 1 ? "" : "s",
			  b->d->name);
		rc = 1;
	} else if (dict_commit(b->d) < 0) {
		log_error("%s", dict_error(b->d));
		rc = 1;
	}
	dict_close(&b->d);
	return rc;
}

/* postmap_build - FILE -> FILE.lmdb */
int postmap_build(const struct postmap_opts *o, const char *arg)
{
	char *spec = postmap_spec(o, arg);
	struct build b = { .o = o };
	struct buf *why = buf_new(0);
	int rc = 1;

	if ((b.d = open_build(o, spec, DICT_FLAG_CREATE)) != NULL) {
		take_mode(o, b.d, b.d->name);
		b.source = b.d->name;
		if (mapfile_parse(b.d, b.d->name, postmap_syntax(o, arg), add, &b, why) < 0) {
			log_error("%s", buf_str(why));
			dict_close(&b.d);
		} else {
			rc = finish(&b, b.d->name);
		}
	}
	buf_free(&why);
	free(spec);
	return rc;
}

/* postmap_incremental - add the entries on standard input (-i) */
int postmap_incremental(const struct postmap_opts *o, const char *arg)
{
	char *spec = postmap_spec(o, arg);
	struct build b = { .o = o };
	struct buf *text = buf_new(4096), *lmdb = buf_new(0);
	int rc = 1;

	if (postmap_read_stdin(text) == 0 && (b.d = open_build(o, spec, DICT_FLAG_WRITE)) != NULL) {
		buf_printf(lmdb, "%s.lmdb", b.d->name);
		take_mode(o, b.d, access(buf_str(lmdb), F_OK) == 0 ? buf_str(lmdb) : b.d->name);
		b.source = "-";
		mapfile_parse_text(b.d, "-", buf_str(text), buf_len(text), postmap_syntax(o, arg), add, &b);
		rc = finish(&b, "standard input");
	}
	buf_free(&text);
	buf_free(&lmdb);
	free(spec);
	return rc;
}

/* postmap_delete - remove key (or each key on stdin for "-") from tables */
int postmap_delete(const struct postmap_opts *o, const char *key, char **args, int n)
{
	struct buf *text = buf_new(256), *lmdb = buf_new(0);
	struct strv *keys;
	int found = 0, errors = 0;

	if (strcmp(key, "-") == 0 ? postmap_read_stdin(text) < 0 : (buf_set(text, key), 0))
		return 1;
	keys = strcmp(key, "-") == 0 ? strv_split(buf_str(text), "\r\n") : strv_new();
	if (strcmp(key, "-") != 0)
		strv_add(keys, key);
	for (int i = 0; i < n; i++) {
		char *spec = postmap_spec(o, args[i]);
		struct dict *d = open_build(o, spec, DICT_FLAG_WRITE);
		int here = 0;

		if (d) {	/* unlike -i, -d never creates a table */
			buf_reset(lmdb);
			buf_printf(lmdb, "%s.lmdb", d->name);
			if (access(buf_str(lmdb), F_OK) != 0) {
				log_error("open %s: %m", buf_str(lmdb));
				dict_close(&d);
			}
		}
		for (size_t k = 0; d && k < keys->len; k++) {
			int rc = dict_delete(d, keys->items[k]);

			if (rc < 0)
				log_error("%s: %s", spec, dict_error(d));
			here += rc > 0;
			errors += rc < 0;
		}
		if (d && here) {
			buf_reset(lmdb);
			buf_printf(lmdb, "%s.lmdb", d->name);
			take_mode(o, d, buf_str(lmdb));
			if (dict_commit(d) < 0)
				log_error("%s", dict_error(d)), errors++;
		}
		errors += d == NULL;
		found += here;
		dict_close(&d);
		free(spec);
	}
	strv_free(&keys);
	buf_free(&text);
	buf_free(&lmdb);
	return errors ? 2 : found ? 0 : 1;
}
