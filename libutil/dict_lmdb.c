/* dict_lmdb - "lmdb:" tables (also spelled hash: and btree:): NAME.lmdb.
 *
 * Readers open the file read-only without a lock file (MDB_NOLOCK): a
 * table is never written in place.  A writer (postmap, postalias) builds
 * NAME.lmdb.tmp.PID - copying the old entries first unless the table is
 * created from scratch - and dict_commit() syncs it, renames it over
 * NAME.lmdb and fsyncs the directory, so a reader sees the old table or
 * the new one, never half of either.  Writers of one directory are
 * serialised with flock() on the directory.  Readers notice a new inode
 * (checked at most once a second) and reopen; if that fails they keep the
 * table they had.  Keys longer than LMDB's limit are simply not found.
 */
#include <errno.h>
#include <fcntl.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dict.h"
#include "fsutil.h"
#include "mem.h"
#include "strv.h"

enum {
	LMDB_BATCH = 4096,		/* puts per intermediate commit of a build */
	LMDB_MIN_MAP = 1 << 20,		/* first map size of a new table */
};

struct dict_lmdb {
	struct dict d;
	char *path;			/* NAME.lmdb */
	MDB_env *env;
	MDB_dbi dbi;
	dev_t dev;
	ino_t ino;
	time_t checked;			/* last time the inode was compared */
	struct buf *value, *seq_key;
	MDB_txn *seq_txn;		/* NULL while a writer walks its own txn */
	MDB_cursor *cursor;
	/* writers only */
	char *tmp;			/* NAME.lmdb.tmp.PID */
	int dir_fd;			/* locked directory */
	size_t map_size;
	MDB_txn *txn;
	struct strv *pending;		/* key, value|"" pairs since the last commit */
	struct strv *pending_op;	/* "p" put or "d" delete, one per pair */
};

/* env_open - an environment on path with the given flags and map size */
static int env_open(struct dict_lmdb *x, const char *path, unsigned flags, size_t map,
		    struct buf *why)
{
	MDB_txn *txn;
	int rc;

	if ((rc = mdb_env_create(&x->env)) != 0
	    || (map && (rc = mdb_env_set_mapsize(x->env, map)) != 0)
	    || (rc = mdb_env_open(x->env, path, flags | MDB_NOSUBDIR | MDB_NOLOCK, 0644)) != 0
	    || (rc = mdb_txn_begin(x->env, NULL, flags & MDB_RDONLY, &txn)) != 0) {
		buf_printf(why, "open %s: %s", path, rc == ENOENT ? strerror(rc) : mdb_strerror(rc));
		if (x->env)
			mdb_env_close(x->env);
		x->env = NULL;
		return -1;
	}
	rc = mdb_dbi_open(txn, NULL, 0, &x->dbi);
	mdb_txn_abort(txn);
	if (rc != 0) {
		buf_printf(why, "open %s: %s", path, mdb_strerror(rc));
		mdb_env_close(x->env);
		x->env = NULL;
		return -1;
	}
	return 0;
}

/* remember_inode - note which file the reader has open: fstat its
 * descriptor, because a stat of the path after the open could see a table
 * renamed into place meanwhile, and the reader would never load that one */
static void remember_inode(struct dict_lmdb *x)
{
	struct stat st;
	mdb_filehandle_t fd;

	if (x->env && mdb_env_get_fd(x->env, &fd) == 0 && fstat(fd, &st) == 0) {
		x->dev = st.st_dev;
		x->ino = st.st_ino;
	}
	x->checked = time(NULL);
}

/* end_seq - drop an iteration in progress */
static void end_seq(struct dict_lmdb *x)
{
	if (x->cursor)
		mdb_cursor_close(x->cursor);
	if (x->seq_txn)
		mdb_txn_abort(x->seq_txn);
	x->cursor = NULL;
	x->seq_txn = NULL;
}

/* maybe_reopen - a reader follows postmap's rename to the new table */
static void maybe_reopen(struct dict_lmdb *x)
{
	struct stat st;
	time_t now = time(NULL);
	MDB_env *old = x->env;
	MDB_dbi old_dbi = x->dbi;
	struct buf *why;

	if (x->txn || now == x->checked)
		return;
	x->checked = now;
	if (stat(x->path, &st) != 0 || (st.st_ino == x->ino && st.st_dev == x->dev))
		return;
	why = buf_new(0);
	x->env = NULL;
	end_seq(x);
	if (env_open(x, x->path, MDB_RDONLY, 0, why) == 0) {
		mdb_env_close(old);
		remember_inode(x);
	} else {
		x->env = old;
		x->dbi = old_dbi;
	}
	buf_free(&why);
}

/* set_val - an MDB_val over a C string */
static MDB_val set_val(const char *s)
{
	return (MDB_val){ .mv_size = strlen(s), .mv_data = (void *)s };
}

/* key_fits - LMDB refuses empty keys and keys over its limit */
static bool key_fits(struct dict_lmdb *x, const char *key)
{
	size_t len = strlen(key);

	return len > 0 && len <= (size_t)mdb_env_get_maxkeysize(x->env);
}

/* lmdb_lookup - copy the value out of the map */
static int lmdb_lookup(struct dict *d, const char *key, const char **value_r)
{
	struct dict_lmdb *x = (struct dict_lmdb *)d;
	MDB_txn *txn = x->txn;
	MDB_val k, v;
	int rc;

	maybe_reopen(x);
	if (x->env == NULL)
		return dict_fail(d, "%s: table is closed", x->path);
	if (!key_fits(x, key))
		return 0;
	if (txn == NULL && (rc = mdb_txn_begin(x->env, NULL, MDB_RDONLY, &txn)) != 0)
		return dict_fail(d, "%s: %s", x->path, mdb_strerror(rc));
	k = set_val(key);
	rc = mdb_get(txn, x->dbi, &k, &v);
	if (rc == 0) {
		buf_reset(x->value);
		buf_add(x->value, v.mv_data, v.mv_size);
		*value_r = buf_str(x->value);
	}
	if (txn != x->txn)
		mdb_txn_abort(txn);
	if (rc == 0 || rc == MDB_NOTFOUND)
		return rc == 0;
	return dict_fail(d, "%s: %s", x->path, mdb_strerror(rc));
}

/* apply - one put or delete in the write transaction */
static int apply(struct dict_lmdb *x, char op, const char *key, const char *value)
{
	MDB_val k = set_val(key), v = set_val(value);
	int rc = op == 'p' ? mdb_put(x->txn, x->dbi, &k, &v, 0) : mdb_del(x->txn, x->dbi, &k, NULL);

	return rc == MDB_NOTFOUND && op == 'd' ? 0 : rc;
}

/* grow - double the map after MDB_MAP_FULL and replay the batch */
static int grow(struct dict_lmdb *x)
{
	int rc;

	mdb_txn_abort(x->txn);
	x->txn = NULL;
	x->map_size *= 2;
	if ((rc = mdb_env_set_mapsize(x->env, x->map_size)) != 0
	    || (rc = mdb_txn_begin(x->env, NULL, 0, &x->txn)) != 0)
		return rc;
	for (size_t i = 0; i < x->pending_op->len; i++) {
		rc = apply(x, x->pending_op->items[i][0], x->pending->items[2 * i],
			   x->pending->items[2 * i + 1]);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* commit_txn - commit the write transaction; LMDB may need room for its
 * own pages at commit time, so MDB_MAP_FULL there grows and replays too */
static int commit_txn(struct dict_lmdb *x)
{
	int rc;

	while ((rc = mdb_txn_commit(x->txn)) == MDB_MAP_FULL) {
		x->txn = NULL;		/* the failed commit freed it */
		while ((rc = grow(x)) == MDB_MAP_FULL)
			;
		if (rc != 0)
			return rc;
	}
	x->txn = NULL;
	return rc;
}

/* write_op - apply, growing the map as needed; batches are committed to
 * the temporary file, which no reader sees until dict_commit() */
static int write_op(struct dict_lmdb *x, char op, const char *key, const char *value)
{
	int rc;

	while ((rc = apply(x, op, key, value)) == MDB_MAP_FULL)
		if ((rc = grow(x)) != 0 && rc != MDB_MAP_FULL)
			break;
	if (rc != 0)
		return rc;
	strv_add(x->pending, key);
	strv_add(x->pending, value);
	strv_add(x->pending_op, op == 'p' ? "p" : "d");
	if (x->pending_op->len < LMDB_BATCH)
		return 0;
	if ((rc = commit_txn(x)) != 0)
		return rc;
	strv_clear(x->pending);
	strv_clear(x->pending_op);
	return rc ? rc : mdb_txn_begin(x->env, NULL, 0, &x->txn);
}

/* lmdb_update - add or replace an entry */
static int lmdb_update(struct dict *d, const char *key, const char *value)
{
	struct dict_lmdb *x = (struct dict_lmdb *)d;
	int rc;

	if (x->txn == NULL)
		return dict_fail(d, "%s: not open for update", x->path);
	if (strlen(key) == 0)
		return dict_fail(d, "empty key");
	if (!key_fits(x, key))
		return dict_fail(d, "key is longer than %d bytes", mdb_env_get_maxkeysize(x->env));
	if ((rc = write_op(x, 'p', key, value)) != 0)
		return dict_fail(d, "%s: %s", x->tmp, mdb_strerror(rc));
	return 0;
}

/* lmdb_delete - 1 deleted, 0 not there */
static int lmdb_delete(struct dict *d, const char *key)
{
	struct dict_lmdb *x = (struct dict_lmdb *)d;
	const char *old;
	int rc, found;

	if (x->txn == NULL)
		return dict_fail(d, "%s: not open for update", x->path);
	if ((found = lmdb_lookup(d, key, &old)) <= 0)
		return found;
	if ((rc = write_op(x, 'd', key, "")) != 0)
		return dict_fail(d, "%s: %s", x->tmp, mdb_strerror(rc));
	return 1;
}

/* lmdb_seq - walk the table in key order */
static int lmdb_seq(struct dict *d, enum dict_seq_op op, const char **key_r, const char **value_r)
{
	struct dict_lmdb *x = (struct dict_lmdb *)d;
	MDB_val k, v;
	int rc;

	if (x->env == NULL)
		return dict_fail(d, "%s: table is closed", x->path);
	if (op == DICT_SEQ_FIRST) {
		end_seq(x);
		if ((x->txn == NULL && (rc = mdb_txn_begin(x->env, NULL, MDB_RDONLY, &x->seq_txn)) != 0)
		    || (rc = mdb_cursor_open(x->txn ? x->txn : x->seq_txn, x->dbi, &x->cursor)) != 0) {
			end_seq(x);
			return dict_fail(d, "%s: %s", x->path, mdb_strerror(rc));
		}
	} else if (x->cursor == NULL) {
		return 0;
	}
	rc = mdb_cursor_get(x->cursor, &k, &v, op == DICT_SEQ_FIRST ? MDB_FIRST : MDB_NEXT);
	if (rc != 0) {
		end_seq(x);
		return rc == MDB_NOTFOUND ? 0 : dict_fail(d, "%s: %s", x->path, mdb_strerror(rc));
	}
	buf_reset(x->seq_key);
	buf_add(x->seq_key, k.mv_data, k.mv_size);
	buf_reset(x->value);
	buf_add(x->value, v.mv_data, v.mv_size);
	*key_r = buf_str(x->seq_key);
	*value_r = buf_str(x->value);
	return 1;
}

/* lmdb_commit - sync the temporary table and rename it into place */
static int lmdb_commit(struct dict *d)
{
	struct dict_lmdb *x = (struct dict_lmdb *)d;
	int rc, fd;

	if (x->txn == NULL)
		return dict_fail(d, "%s: not open for update", x->path);
	end_seq(x);
	rc = commit_txn(x);
	if (x->txn)		/* a replay after growing failed */
		mdb_txn_abort(x->txn);
	x->txn = NULL;
	if (rc == 0)
		rc = mdb_env_sync(x->env, 1);
	mdb_env_close(x->env);
	x->env = NULL;
	if (rc != 0)
		return dict_fail(d, "%s: %s", x->tmp, mdb_strerror(rc));
	fd = open(x->tmp, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	/* 0644 unless told otherwise, whatever the umask: readers are daemons */
	if (fd < 0 || fchmod(fd, d->create_mode ? d->create_mode : 0644) != 0
	    || fchown(fd, d->create_uid, d->create_gid) != 0
	    || fsync(fd) != 0 || rename(x->tmp, x->path) != 0) {
		dict_fail(d, "commit %s: %s", x->path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	if (fsutil_fsync_dir_of(x->path) != 0)
		return dict_fail(d, "fsync directory of %s: %s", x->path, strerror(errno));
	XFREE(x->tmp);
	return 0;
}

/* lmdb_close - an uncommitted build is thrown away */
static void lmdb_close(struct dict *d)
{
	struct dict_lmdb *x = (struct dict_lmdb *)d;

	end_seq(x);
	if (x->txn)
		mdb_txn_abort(x->txn);
	if (x->env)
		mdb_env_close(x->env);
	if (x->tmp)
		unlink(x->tmp);
	if (x->dir_fd >= 0)
		close(x->dir_fd);
	free(x->tmp);
	free(x->path);
	buf_free(&x->value);
	buf_free(&x->seq_key);
	strv_free(&x->pending);
	strv_free(&x->pending_op);
}

/* lock_dir - serialise writers of tables in one directory */
static int lock_dir(struct dict_lmdb *x, struct buf *why)
{
	char *dir = xstrdup(x->path), *slash = strrchr(dir, '/');

	if (slash)
		slash[slash == dir] = '\0';
	x->dir_fd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (x->dir_fd < 0 || flock(x->dir_fd, LOCK_EX) != 0) {
		buf_printf(why, "lock directory %s: %s", slash ? dir : ".", strerror(errno));
		free(dir);
		return -1;
	}
	free(dir);
	return 0;
}

/* copy_old - start an update from the entries of the current table */
static int copy_old(struct dict_lmdb *x, struct buf *why)
{
	struct dict_lmdb old = { .path = x->path, .value = buf_new(0), .seq_key = buf_new(0) };
	const char *k, *v;
	int rc = 0, more;

	if (access(x->path, F_OK) != 0 && errno == ENOENT) {
		rc = 0;		/* the first build of this table */
		goto done;
	}
	if (env_open(&old, x->path, MDB_RDONLY, 0, why) != 0) {
		rc = -1;
		goto done;
	}
	old.d.error = x->d.error;
	for (more = lmdb_seq(&old.d, DICT_SEQ_FIRST, &k, &v); more == 1 && rc == 0;
	     more = lmdb_seq(&old.d, DICT_SEQ_NEXT, &k, &v))
		rc = write_op(x, 'p', k, v);
	if (rc != 0 || more < 0)
		buf_printf(why, "copy %s: %s", x->path, rc ? mdb_strerror(rc) : dict_error(&old.d));
	end_seq(&old);
	mdb_env_close(old.env);
	rc = rc != 0 || more < 0 ? -1 : 0;
done:
	buf_free(&old.value);
	buf_free(&old.seq_key);
	return rc;
}

/* open_writer - a temporary table next to the real one */
static int open_writer(struct dict_lmdb *x, struct buf *why)
{
	int rc;

	if (lock_dir(x, why) != 0)
		return -1;
	x->tmp = xmalloc(strlen(x->path) + 32);
	sprintf(x->tmp, "%s.tmp.%ld", x->path, (long)getpid());
	unlink(x->tmp);
	x->map_size = LMDB_MIN_MAP;
	x->pending = strv_new();
	x->pending_op = strv_new();
	if (env_open(x, x->tmp, MDB_NOSYNC, x->map_size, why) != 0)
		return -1;
	if ((rc = mdb_txn_begin(x->env, NULL, 0, &x->txn)) != 0) {
		buf_printf(why, "%s: %s", x->tmp, mdb_strerror(rc));
		return -1;
	}
	if (!(x->d.flags & DICT_FLAG_CREATE))
		return copy_old(x, why);
	return 0;
}

/* dict_lmdb_open - NAME.lmdb for reading, or a build/update of it */
struct dict *dict_lmdb_open(const char *name, int flags, struct buf *why)
{
	struct dict_lmdb *x = (struct dict_lmdb *)dict_alloc_size(sizeof(*x), "lmdb", name, flags);
	struct dict *d = &x->d;
	int rc;

	x->path = xmalloc(strlen(name) + sizeof(".lmdb"));
	sprintf(x->path, "%s.lmdb", name);
	x->dir_fd = -1;
	x->value = buf_new(64);
	x->seq_key = buf_new(64);
	d->lookup = lmdb_lookup;
	d->seq = lmdb_seq;
	d->close = lmdb_close;
	if (flags & (DICT_FLAG_WRITE | DICT_FLAG_CREATE)) {
		d->update = lmdb_update;
		d->delete = lmdb_delete;
		d->commit = lmdb_commit;
		rc = open_writer(x, why);
	} else {
		rc = env_open(x, x->path, MDB_RDONLY, 0, why);
		remember_inode(x);
	}
	if (rc != 0)
		dict_close(&d);
	return d;
}
