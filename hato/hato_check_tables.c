/* hato_check_tables - warn about indexed tables that are missing or stale.
 *
 * Every "hash:", "btree:" or "lmdb:" table named in main.cf (and in the
 * -o overrides of master.cf, and alias_maps' default) is read from
 * NAME.lmdb, which postmap builds from NAME.  A missing NAME.lmdb makes
 * every lookup fail and the mail defer ("open /etc/aliases.lmdb": every
 * local delivery on a machine where /etc/aliases was never indexed); one
 * older than NAME silently answers from the old text, as Postfix's check
 * warns about stale .db files.  Each problem is one warning with the
 * command that fixes it (newaliases for alias tables, postmap otherwise).
 * Read-only: stat() on paths from the administrator's own main.cf.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dict.h"
#include "hato.h"
#include "log.h"
#include "master_cf.h"
#include "strv.h"

/* table_words - add every word of value that names an indexed table */
static void table_words(const char *value, struct strv *tables)
{
	struct strv *words = strv_split(value, ", \t\r\n");

	for (size_t i = 0; i < words->len; i++) {
		char *w = words->items[i], *colon = strchr(w, ':');
		bool seen = false;

		if (colon == NULL || colon[1] != '/')
			continue;
		*colon = '\0';
		if (dict_type_is_indexed(w)) {
			*colon = ':';
			for (size_t j = 0; j < tables->len && !seen; j++)
				seen = strcmp(tables->items[j], w) == 0;
			if (!seen)
				strv_add(tables, w);
		}
	}
	strv_free(&words);
}

/* has_table - whether the table list of parameter param names spec */
static bool has_table(struct config *c, const char *param, const char *spec)
{
	struct strv *t = strv_new();
	bool found = false;

	table_words(config_get(c, param), t);
	for (size_t i = 0; i < t->len && !found; i++)
		found = strcmp(t->items[i], spec) == 0;
	strv_free(&t);
	return found;
}

/* fix_command - what rebuilds spec: newaliases for alias_database,
 * postalias for another alias table, postmap for the rest */
static void fix_command(struct config *c, const char *dir, const char *spec, struct buf *out)
{
	if (has_table(c, "alias_database", spec))
		buf_printf(out, "newaliases -c %s", dir);
	else
		buf_printf(out, "%s -c %s %s", has_table(c, "alias_maps", spec) ? "postalias" : "postmap",
			   dir, spec);
}

/* is_older - whether a was changed before b */
static bool is_older(const struct stat *a, const struct stat *b)
{
	return a->st_mtim.tv_sec < b->st_mtim.tv_sec ||
	       (a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec < b->st_mtim.tv_nsec);
}

/* check_one - one warning if spec's index is missing or older than its source */
static void check_one(struct config *c, const char *dir, const char *spec)
{
	const char *name = strchr(spec, ':') + 1;
	struct buf *lmdb = buf_new(64), *fix = buf_new(64);
	struct stat src, idx;
	int src_rc = stat(name, &src), idx_rc;

	buf_printf(lmdb, "%s.lmdb", name);
	idx_rc = stat(buf_str(lmdb), &idx);
	fix_command(c, dir, spec, fix);
	if (idx_rc < 0 && src_rc < 0)
		log_warn("%s: neither %s nor %s exists: every lookup in it fails and the mail "
			 "defers (create %s, then run: %s)", spec, name, buf_str(lmdb), name, buf_str(fix));
	else if (idx_rc < 0)
		log_warn("%s: %s is missing: every lookup in it fails and the mail defers (run: %s)",
			 spec, buf_str(lmdb), buf_str(fix));
	else if (src_rc == 0 && is_older(&idx, &src))
		log_warn("%s: %s is older than %s: lookups still answer from the old text (run: %s)",
			 spec, buf_str(lmdb), name, buf_str(fix));
	buf_free(&lmdb);
	buf_free(&fix);
}

/* master_cf_overrides - the -o values of master.cf into tables */
static void master_cf_overrides(const char *dir, struct strv *tables)
{
	struct buf *path = buf_new(64), *why = buf_new(0);
	struct master_cf *mcf;

	buf_printf(path, "%s/master.cf", dir);
	if ((mcf = master_cf_parse_file(buf_str(path), why)) != NULL) {
		for (size_t i = 0; i < mcf->len; i++)
			for (size_t j = 0; j < mcf->entries[i].overrides->len; j++)
				table_words(mcf->entries[i].overrides->items[j], tables);
	}
	master_cf_free(&mcf);
	buf_free(&path);
	buf_free(&why);
}

/* hato_check_tables - warn about each missing or stale indexed table */
void hato_check_tables(struct config *c, const char *dir)
{
	struct strv *names = config_set_names(c), *tables = strv_new();

	table_words(config_get(c, "alias_maps"), tables);
	for (size_t i = 0; i < names->len; i++)
		table_words(config_get(c, names->items[i]), tables);
	master_cf_overrides(dir, tables);
	for (size_t i = 0; i < tables->len; i++)
		check_one(c, dir, tables->items[i]);
	strv_free(&names);
	strv_free(&tables);
}
