/* dict_lmdb_test - "lmdb:"/"hash:" tables: open errors first, then build,
 * commit and reopen, key order, delete, a table that outgrows its first
 * map, over-long keys, readers following a rebuild, uncommitted builds,
 * a table missing at open that postmap creates later,
 * and the guide's access file loaded through mapfile.
 * Every table lives in the run's scratch directory (test_datadir()). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dict.h"
#include "mapfile.h"
#include "maps.h"
#include "mem.h"
#include "test.h"

enum { BIG_ENTRIES = 100000 };

/* table_name - DATADIR/lmdb-NAME, malloc'ed (the table file adds .lmdb) */
static char *table_name(const char *name)
{
	struct buf *b = buf_new(64);

	buf_printf(b, "%s/lmdb-%s", test_datadir(), name);
	return buf_steal(&b);
}

/* open_table - dict_open("hash:NAME", flags); NULL with the reason printed */
static struct dict *open_table(const char *name, int flags)
{
	struct buf *spec = buf_new(64), *why = buf_new(0);
	struct dict *d;

	buf_printf(spec, "hash:%s", name);
	d = dict_open(buf_str(spec), flags, why);
	if (d == NULL)
		printf("#   open %s: %s\n", buf_str(spec), buf_str(why));
	buf_free(&spec);
	buf_free(&why);
	return d;
}

/* build - a new table NAME.lmdb from "key", "value" pairs; 0 committed */
static int build(const char *name, const char *const *pairs)
{
	struct dict *d = open_table(name, DICT_FLAG_CREATE | DICT_FLAG_FOLD_KEY);
	int rc = d ? 0 : -1;

	for (size_t i = 0; d && pairs[i] && rc == 0; i += 2)
		rc = dict_update(d, pairs[i], pairs[i + 1]);
	if (d && rc == 0)
		rc = dict_commit(d);
	if (d && rc != 0)
		printf("#   build %s: %s\n", name, dict_error(d));
	dict_close(&d);
	return rc;
}

/* expect - look key up; want NULL means "not found" */
static void expect(struct dict *d, const char *key, const char *want)
{
	const char *v = NULL;
	int rc = d ? dict_lookup(d, key, &v) : -2;

	if (want == NULL) {
		if (rc != 0)
			printf("#   key \"%.40s\": want not found, got rc %d\n", key, rc);
		test_assert(rc == 0);
	} else {
		if (rc != 1)
			printf("#   key \"%.40s\": want \"%s\", got rc %d\n", key, want, rc);
		test_assert(rc == 1);
		test_assert_str(v, want);
	}
}

/* file_id - inode of path, 0 when it does not exist */
static ino_t file_id(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_ino : 0;
}

/* with_suffix - NAME + suffix, malloc'ed */
static char *with_suffix(const char *name, const char *suffix)
{
	struct buf *b = buf_new(64);

	buf_printf(b, "%s%s", name, suffix);
	return buf_steal(&b);
}

/* open_errors - a missing table, a missing directory, a corrupt file */
static void open_errors(void)
{
	struct buf *why = buf_new(0), *spec = buf_new(0);
	char *name = table_name("missing"), *junk = table_name("junk"), *junk_lmdb;
	struct dict *d;
	FILE *fp;

	test_begin("dict_lmdb: a missing table fails to open; why names NAME.lmdb");
	buf_printf(spec, "hash:%s", name);
	d = dict_open(buf_str(spec), DICT_FLAG_FOLD_KEY, why);
	test_assert(d == NULL);
	test_assert(strstr(buf_str(why), name) != NULL);
	test_assert(strstr(buf_str(why), ".lmdb: No such file or directory") != NULL);
	test_end();
	dict_close(&d);

	test_begin("dict_lmdb: a build in a missing directory fails with the reason");
	buf_reset(why);
	d = dict_open("hash:/nonexistent-hato-dir/table", DICT_FLAG_CREATE, why);
	test_assert(d == NULL);
	test_assert(strstr(buf_str(why), "/nonexistent-hato-dir") != NULL);
	test_end();
	dict_close(&d);

	test_begin("dict_lmdb: a corrupt NAME.lmdb: read and update refuse, a rebuild works");
	junk_lmdb = with_suffix(junk, ".lmdb");
	fp = fopen(junk_lmdb, "w");
	test_assert(fp != NULL);
	for (int i = 0; fp && i < 1000; i++)
		fputs("this is not an lmdb file\n", fp);
	if (fp)
		fclose(fp);
	buf_reset(why);
	buf_reset(spec);
	buf_printf(spec, "hash:%s", junk);
	d = dict_open(buf_str(spec), 0, why);
	test_assert(d == NULL);
	test_assert(strstr(buf_str(why), junk_lmdb) != NULL);
	dict_close(&d);
	buf_reset(why);
	d = dict_open(buf_str(spec), DICT_FLAG_WRITE, why);
	test_assert(d == NULL);
	test_assert(strstr(buf_str(why), junk_lmdb) != NULL);
	dict_close(&d);
	test_assert(build(junk, (const char *const[]){ "k", "v", NULL }) == 0);
	d = open_table(junk, 0);
	expect(d, "k", "v");
	test_end();
	dict_close(&d);

	free(junk_lmdb);
	free(junk);
	free(name);
	buf_free(&why);
	buf_free(&spec);
}

/* basics - build, commit, reopen; folding, spaces, key order */
static void basics(void)
{
	static const char *const pairs[] = {
		"zeta", "last", "Alpha", "first value with  spaces\tand a tab",
		"mike", "m", "beta", "b", "1.2.3.4", "OK", NULL };
	static const char *const order[] = { "1.2.3.4", "alpha", "beta", "mike", "zeta" };
	char *name = table_name("basic"), *path = with_suffix(name, ".lmdb");
	struct dict *d;
	const char *k, *v;
	size_t n = 0;
	int rc;

	test_begin("dict_lmdb: build, commit, reopen; values keep their spaces");
	test_assert(build(name, pairs) == 0);
	test_assert(access(path, F_OK) == 0);
	d = open_table(name, DICT_FLAG_FOLD_KEY);
	expect(d, "zeta", "last");
	expect(d, "ALPHA", "first value with  spaces\tand a tab");
	expect(d, "1.2.3.4", "OK");
	expect(d, "1.2.3", NULL);
	expect(d, "zet", NULL);
	test_end();

	test_begin("dict_lmdb: dict_seq lists folded keys in key order, and restarts");
	for (rc = d ? dict_seq(d, DICT_SEQ_FIRST, &k, &v) : -1; rc == 1;
	     rc = dict_seq(d, DICT_SEQ_NEXT, &k, &v), n++) {
		if (n < sizeof(order) / sizeof(order[0]))
			test_assert_str(k, order[n]);
		if (n == 2)	/* restart mid-way: FIRST begins again */
			break;
	}
	test_assert(rc == 1 && n == 2);
	n = 0;
	for (rc = d ? dict_seq(d, DICT_SEQ_FIRST, &k, &v) : -1; rc == 1;
	     rc = dict_seq(d, DICT_SEQ_NEXT, &k, &v), n++)
		if (n < sizeof(order) / sizeof(order[0]))
			test_assert_str(k, order[n]);
	test_assert(rc == 0);
	test_assert(n == sizeof(order) / sizeof(order[0]));
	test_assert(d && dict_seq(d, DICT_SEQ_NEXT, &k, &v) == 0);	/* stays at the end */
	test_end();
	dict_close(&d);
	free(path);
	free(name);
}

/* updates - read-only tables refuse; an update starts from the old
 * entries; delete; folding off (uses the table basics() built) */
static void updates(void)
{
	char *name = table_name("basic");
	struct dict *d;

	test_begin("dict_lmdb: a read-only table refuses updates");
	d = open_table(name, DICT_FLAG_FOLD_KEY);
	test_assert(d && dict_update(d, "x", "y") == -1);
	test_assert(d && dict_delete(d, "zeta") == -1);
	test_assert(d && dict_commit(d) == 0);	/* nothing to commit */
	expect(d, "zeta", "last");
	test_end();
	dict_close(&d);

	test_begin("dict_lmdb: update keeps the old entries; delete 1, missing 0");
	d = open_table(name, DICT_FLAG_WRITE | DICT_FLAG_FOLD_KEY);
	test_assert(d != NULL);
	if (d) {
		expect(d, "mike", "m");		/* copied from the old table */
		test_assert(dict_delete(d, "MIKE") == 1);
		test_assert(dict_delete(d, "mike") == 0);
		test_assert(dict_delete(d, "nothere") == 0);
		expect(d, "mike", NULL);
		test_assert(dict_update(d, "beta", "replaced") == 0);
		test_assert(dict_update(d, "New", "n") == 0);
		expect(d, "new", "n");	/* the writer sees its own updates */
		test_assert(dict_commit(d) == 0);
	}
	dict_close(&d);
	d = open_table(name, DICT_FLAG_FOLD_KEY);
	expect(d, "mike", NULL);
	expect(d, "beta", "replaced");
	expect(d, "new", "n");
	expect(d, "zeta", "last");
	expect(d, "alpha", "first value with  spaces\tand a tab");
	test_end();
	dict_close(&d);

	test_begin("dict_lmdb: without FOLD_KEY the case is kept");
	d = open_table(name, DICT_FLAG_CREATE);
	test_assert(d && dict_update(d, "MiXed", "1") == 0 && dict_commit(d) == 0);
	dict_close(&d);
	d = open_table(name, 0);
	expect(d, "MiXed", "1");
	expect(d, "mixed", NULL);
	test_end();
	dict_close(&d);
	free(name);
}

/* key_limits - empty and over-long keys */
static void key_limits(void)
{
	char *name = table_name("keys");
	char key511[512], key512[513];
	struct dict *d;

	memset(key511, 'k', sizeof(key511) - 1);
	key511[sizeof(key511) - 1] = '\0';
	memset(key512, 'k', sizeof(key512) - 1);
	key512[sizeof(key512) - 1] = '\0';

	test_begin("dict_lmdb: a key over 511 bytes is an update error, \"not found\" on lookup");
	d = open_table(name, DICT_FLAG_CREATE);
	test_assert(d != NULL);
	if (d) {
		test_assert(dict_update(d, key512, "long") == -1);
		test_assert(strstr(dict_error(d), "longer than 511 bytes") != NULL);
		test_assert(dict_update(d, "", "empty") == -1);
		test_assert(strstr(dict_error(d), "empty key") != NULL);
		test_assert(dict_update(d, key511, "fits") == 0);
		expect(d, key512, NULL);
		test_assert(dict_delete(d, key512) == 0);
		test_assert(dict_commit(d) == 0);
	}
	dict_close(&d);
	d = open_table(name, 0);
	expect(d, key511, "fits");
	expect(d, key512, NULL);
	expect(d, "", NULL);
	test_end();
	dict_close(&d);
	free(name);
}

/* big - a table that outgrows the first 1 MiB map, built and updated */
static void big(void)
{
	char *name = table_name("big"), *path = with_suffix(name, ".lmdb");
	char key[32], value[64], want[64];
	struct dict *d;
	struct stat st;
	const char *k, *v;
	int rc, n = 0, bad = 0;

	test_begin("dict_lmdb: 100000 entries grow the map past 1 MiB; all committed");
	d = open_table(name, DICT_FLAG_CREATE);
	test_assert(d != NULL);
	for (int i = 0; d && i < BIG_ENTRIES; i++) {
		snprintf(key, sizeof(key), "key%06d", (i * 7919) % BIG_ENTRIES);
		snprintf(value, sizeof(value), "value %d with spaces", (i * 7919) % BIG_ENTRIES);
		if (dict_update(d, key, value) != 0) {
			printf("#   update %s: %s\n", key, dict_error(d));
			bad++;
			break;
		}
	}
	test_assert(bad == 0);
	test_assert(d && dict_commit(d) == 0);
	dict_close(&d);
	test_assert(stat(path, &st) == 0 && st.st_size > (1 << 20));
	d = open_table(name, 0);
	for (rc = d ? dict_seq(d, DICT_SEQ_FIRST, &k, &v) : -1; rc == 1;
	     rc = dict_seq(d, DICT_SEQ_NEXT, &k, &v), n++) {
		snprintf(want, sizeof(want), "key%06d", n);
		bad += strcmp(k, want) != 0;
		snprintf(want, sizeof(want), "value %d with spaces", n);
		bad += strcmp(v, want) != 0;
	}
	test_assert(rc == 0);
	if (n != BIG_ENTRIES || bad)
		printf("#   listed %d entries, %d wrong\n", n, bad);
	test_assert(n == BIG_ENTRIES && bad == 0);
	expect(d, "key000000", "value 0 with spaces");
	expect(d, "key099999", "value 99999 with spaces");
	expect(d, "key100000", NULL);
	test_end();
	dict_close(&d);

	test_begin("dict_lmdb: an update of the big table copies every old entry");
	d = open_table(name, DICT_FLAG_WRITE);
	test_assert(d && dict_update(d, "zzz", "added") == 0);
	test_assert(d && dict_delete(d, "key050000") == 1);
	test_assert(d && dict_commit(d) == 0);
	dict_close(&d);
	d = open_table(name, 0);
	n = 0;
	for (rc = d ? dict_seq(d, DICT_SEQ_FIRST, &k, &v) : -1; rc == 1;
	     rc = dict_seq(d, DICT_SEQ_NEXT, &k, &v))
		n++;
	test_assert(rc == 0 && n == BIG_ENTRIES);
	expect(d, "zzz", "added");
	expect(d, "key050000", NULL);
	expect(d, "key050001", "value 50001 with spaces");
	test_end();
	dict_close(&d);
	unlink(path);
	free(path);
	free(name);
}

/* map_edge - tables whose last commit needs more room than the map has
 * left: with 4 KiB pages and 100-byte values, 7906 to 7937 entries once
 * failed with MDB_MAP_FULL at dict_commit() (the window moves with the
 * page size and the LMDB version, so a span around it is built) */
static void map_edge(void)
{
	char *name = table_name("edge");
	char key[32], value[101];
	int failed = 0, wrong = 0;

	memset(value, 'v', sizeof(value) - 1);
	value[sizeof(value) - 1] = '\0';
	test_begin("dict_lmdb: tables that fill the map right up to the commit are built");
	for (int n = 7880; n <= 7960; n += 4) {
		struct dict *d = open_table(name, DICT_FLAG_CREATE);
		const char *k, *v;
		int rc = d ? 0 : -1, count = 0;

		for (int i = 0; d && i < n && rc == 0; i++) {
			snprintf(key, sizeof(key), "key%08d", i);
			rc = dict_update(d, key, value);
		}
		if (rc == 0)
			rc = dict_commit(d);
		if (rc != 0) {
			if (failed++ == 0)
				printf("#   %d entries: %s\n", n, d ? dict_error(d) : "open failed");
			dict_close(&d);
			continue;
		}
		dict_close(&d);
		d = open_table(name, 0);
		for (rc = d ? dict_seq(d, DICT_SEQ_FIRST, &k, &v) : -1; rc == 1;
		     rc = dict_seq(d, DICT_SEQ_NEXT, &k, &v))
			count++;
		wrong += rc != 0 || count != n;
		dict_close(&d);
	}
	test_assert(failed == 0);
	test_assert(wrong == 0);
	test_end();
	free(name);
}

/* uncommitted - closing a build without commit leaves the old table */
static void uncommitted(void)
{
	char *name = table_name("abort"), *path = with_suffix(name, ".lmdb");
	char tmp[512];
	struct dict *d;
	ino_t before;

	test_begin("dict_lmdb: an uncommitted build leaves no tmp file and the old table");
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	test_assert(build(name, (const char *const[]){ "old", "1", NULL }) == 0);
	before = file_id(path);
	d = open_table(name, DICT_FLAG_CREATE);
	test_assert(d && dict_update(d, "new", "2") == 0);
	test_assert(access(tmp, F_OK) == 0);	/* the build goes to NAME.lmdb.tmp.PID */
	dict_close(&d);
	test_assert(access(tmp, F_OK) != 0);
	test_assert(file_id(path) == before && before != 0);
	d = open_table(name, 0);
	expect(d, "old", "1");
	expect(d, "new", NULL);
	test_end();
	dict_close(&d);

	test_begin("dict_lmdb: commit replaces the file (new inode) and applies create_mode");
	d = open_table(name, DICT_FLAG_CREATE);
	if (d) {
		d->create_mode = 0600;
		test_assert(dict_update(d, "new", "2") == 0);
		test_assert(dict_commit(d) == 0);
		test_assert(dict_commit(d) == -1);	/* only once */
	}
	dict_close(&d);
	{
		struct stat st;

		test_assert(stat(path, &st) == 0 && (st.st_mode & 07777) == 0600);
		test_assert(st.st_ino != before);
	}
	test_assert(access(tmp, F_OK) != 0);
	test_end();

	test_begin("dict_lmdb: without create_mode the table is 0644, whatever the umask");
	{
		mode_t mask = umask(077);
		struct stat st;

		test_assert(build(name, (const char *const[]){ "k", "v", NULL }) == 0);
		umask(mask);
		test_assert(stat(path, &st) == 0 && (st.st_mode & 07777) == 0644);
	}
	test_end();
	free(path);
	free(name);
}

/* reopen - a reader follows a rebuild, and keeps its table otherwise */
static void reopen(void)
{
	char *name = table_name("reopen"), *path = with_suffix(name, ".lmdb");
	char *junk = with_suffix(name, ".junk");
	const struct timespec wait = { 1, 100 * 1000 * 1000 };	/* reopen checks once a second */
	struct dict *d;
	FILE *fp;

	test_begin("dict_lmdb: a reader opened before a rebuild sees the new table");
	test_assert(build(name, (const char *const[]){ "key", "old", "gone", "x", NULL }) == 0);
	d = open_table(name, DICT_FLAG_FOLD_KEY);
	expect(d, "key", "old");
	test_assert(build(name, (const char *const[]){ "key", "new", "added", "y", NULL }) == 0);
	nanosleep(&wait, NULL);
	expect(d, "key", "new");
	expect(d, "added", "y");
	expect(d, "gone", NULL);
	test_end();

	test_begin("dict_lmdb: a reader keeps its table when the file is removed or corrupt");
	fp = fopen(junk, "w");
	test_assert(fp != NULL);
	for (int i = 0; fp && i < 1000; i++)
		fputs("not lmdb\n", fp);
	if (fp)
		fclose(fp);
	test_assert(rename(junk, path) == 0);
	nanosleep(&wait, NULL);
	expect(d, "key", "new");
	unlink(path);
	nanosleep(&wait, NULL);
	expect(d, "key", "new");
	test_end();
	dict_close(&d);
	free(junk);
	free(path);
	free(name);
}

/* appears - a table missing when the daemon opened it (a surrogate) is
 * used once postmap builds it, through maps_find as alias_maps and the
 * access maps use it; a table that never opens keeps failing */
static void appears(void)
{
	char *name = table_name("appears");
	const struct timespec wait = { 1, 100 * 1000 * 1000 };	/* tried at most once a second */
	struct buf *spec = buf_new(64);
	struct maps *m;
	const char *v;

	test_begin("dict_lmdb: a table missing at open is used once it is built (no reload)");
	buf_printf(spec, "hash:%s, hash:%s-never", name, name);
	m = maps_open("alias_maps", buf_str(spec), DICT_FLAG_FOLD_KEY);
	test_expect_log("is unavailable: open ");
	test_assert(maps_find(m, "root", &v) == -1);
	test_assert(strstr(maps_error(m), "alias_maps: table hash:") != NULL);
	test_assert(build(name, (const char *const[]){ "root", "admin", NULL }) == 0);
	nanosleep(&wait, NULL);
	test_assert(maps_find(m, "ROOT", &v) == 1);
	test_assert_str(v, "admin");
	test_expect_log("is available now");
	test_assert(maps_find(m, "other", &v) == -1);	/* the second table is still missing */
	test_assert(strstr(maps_error(m), "-never.lmdb") != NULL);
	test_end();
	maps_free(&m);
	buf_free(&spec);
	free(name);
}

/* add_entry - mapfile callback: one entry into the table being built */
static void add_entry(void *ctx, const char *key, const char *value, int lineno)
{
	struct dict *d = ctx;

	(void)lineno;
	test_assert(dict_update(d, key, value) == 0);
}

/* guide_access - the guide's access file, as postmap builds it */
static void guide_access(void)
{
	const char *top = getenv("HATO_TOP") ? getenv("HATO_TOP") : ".";
	struct buf *src = buf_new(0), *why = buf_new(0);
	char *name = table_name("access");
	struct dict *d;

	test_begin("dict_lmdb: the guide's access file via mapfile: 1.2.3.4 OK, 1.2.3.5 REJECT");
	buf_printf(src, "%s/tests/examples/vps-guide/access", top);
	d = open_table(name, DICT_FLAG_CREATE | DICT_FLAG_FOLD_KEY);
	test_assert(d != NULL);
	if (d) {
		test_assert(mapfile_parse(d, buf_str(src), MAPFILE_MAP, add_entry, d, why) == 0);
		if (buf_len(why))
			printf("#   %s\n", buf_str(why));
		test_assert(d->nerrors == 0);
		test_assert(dict_commit(d) == 0);
	}
	dict_close(&d);
	d = open_table(name, DICT_FLAG_FOLD_KEY);
	test_assert(d != NULL);
	if (d) {			/* access_client's walk over it: smtpd/access_test.c */
		expect(d, "1.2.3.4", "OK");
		expect(d, "1.2.3", "REJECT");
		expect(d, "1.2.3.5", NULL);	/* exact lookups do not walk prefixes */
	}
	test_end();
	dict_close(&d);
	free(name);
	buf_free(&src);
	buf_free(&why);
}

/* test_dict_lmdb - every case above */
void test_dict_lmdb(void)
{
	open_errors();
	basics();
	updates();
	key_limits();
	big();
	map_edge();
	uncommitted();
	reopen();
	appears();
	guide_access();
}
