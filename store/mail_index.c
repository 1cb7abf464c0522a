/* mail_index - opening, rebuilding and reading the per-user index (the
 * interface is in mail_index.h; the sync in mail_index_sync.c).
 *
 * The index directory is created 0700 and opened without following a
 * symbolic link; it must be owned by the caller, and data.mdb and
 * lock.mdb in it must be regular files or absent.  LMDB itself opens the
 * files by path: a user who swaps them for links between that check and
 * the open only fools their own process (no privilege is involved).
 * Every process holds a shared flock() on the directory while it has the
 * environment open; an index LMDB refuses (garbage, a truncated file, a
 * wrong format version) is deleted and made anew only under an exclusive
 * one, so no process is left writing to a file another has replaced.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mail_index_cache.h"
#include "mail_index_int.h"
#include "mem.h"

#define INDEX_DIR "hato-index.lmdb"

enum { INDEX_CORRUPT = -2, INDEX_DBS_MAX = 4, MAP_MAX_SHIFT = 40 };

size_t mail_index_map_first = 64 << 20;	/* it doubles when full; address space only */

/* is_corrupt - LMDB errors that mean the file is not a usable index */
static bool is_corrupt(int rc)
{
	return rc == MDB_INVALID || rc == MDB_VERSION_MISMATCH || rc == MDB_CORRUPTED
	    || rc == MDB_PAGE_NOTFOUND || rc == MDB_BAD_DBI;
}

/* files_ok - data.mdb and lock.mdb are absent or regular files */
static int files_ok(struct mail_index *idx, struct buf *why)
{
	static const char *const names[] = { "data.mdb", "lock.mdb" };
	struct stat st;

	for (size_t i = 0; i < 2; i++) {
		if (fstatat(idx->dir_fd, names[i], &st, AT_SYMLINK_NOFOLLOW) != 0) {
			if (errno == ENOENT)
				continue;
			buf_printf(why, "%s/%s: %s", idx->path, names[i], strerror(errno));
			return -1;
		}
		if (!S_ISREG(st.st_mode)) {
			buf_printf(why, "%s/%s: not a regular file", idx->path, names[i]);
			return -1;
		}
	}
	return 0;
}

/* open_dir - create and open the index directory, shared-locked */
static int open_dir(struct mail_index *idx, struct buf *why)
{
	struct stat st;

	if (mkdirat(idx->maildir_fd, INDEX_DIR, 0700) != 0 && errno != EEXIST) {
		buf_printf(why, "create %s: %s", idx->path, strerror(errno));
		return -1;
	}
	idx->dir_fd = openat(idx->maildir_fd, INDEX_DIR,
			     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (idx->dir_fd < 0 || fstat(idx->dir_fd, &st) != 0) {
		int err = errno;	/* O_DIRECTORY|O_NOFOLLOW on a link: ENOTDIR */

		if (fstatat(idx->maildir_fd, INDEX_DIR, &st, AT_SYMLINK_NOFOLLOW) == 0
		    && S_ISLNK(st.st_mode))
			buf_printf(why, "open %s: a symbolic link", idx->path);
		else
			buf_printf(why, "open %s: %s", idx->path, strerror(err));
		return -1;
	}
	if (st.st_uid != geteuid()) {
		buf_printf(why, "%s: owned by uid %ld, not by us", idx->path, (long)st.st_uid);
		return -1;
	}
	if (flock(idx->dir_fd, LOCK_SH) != 0) {
		buf_printf(why, "lock %s: %s", idx->path, strerror(errno));
		return -1;
	}
	return files_ok(idx, why);
}

/* check_version - the version record: written into an empty index,
 * anything else there is a format we do not read */
static int check_version(struct mail_index *idx, MDB_txn *txn)
{
	MDB_val k = { 1, "V" }, v, want = { strlen(MAIL_INDEX_VERSION), MAIL_INDEX_VERSION };
	MDB_stat st;
	int rc;

	if ((rc = mdb_get(txn, idx->dbi, &k, &v)) == 0)
		return v.mv_size == want.mv_size && memcmp(v.mv_data, want.mv_data, v.mv_size) == 0
		    ? 0 : MDB_INVALID;
	if (rc != MDB_NOTFOUND || (rc = mdb_stat(txn, idx->dbi, &st)) != 0)
		return rc;
	return st.ms_entries ? MDB_INVALID : mdb_put(txn, idx->dbi, &k, &want, 0);
}

/* env_open - the LMDB environment: 0, -1, or INDEX_CORRUPT.
 * MDB_NOMETASYNC: a commit syncs its data but not the meta page, so a
 * crash may undo the last commit, never break the database (LMDB's
 * word).  The index is a cache of the Maildir: what a lost commit knew
 * (UIDs) is in dovecot-uidlist, written and synced before the commit,
 * and the next sync finds the rest again. */
static int env_open(struct mail_index *idx, struct buf *why)
{
	MDB_txn *txn = NULL;
	int rc;

	if ((rc = mdb_env_create(&idx->env)) == 0
	    && (rc = mdb_env_set_mapsize(idx->env, idx->map_size)) == 0
	    && (rc = mdb_env_set_maxdbs(idx->env, INDEX_DBS_MAX)) == 0
	    && (rc = mdb_env_open(idx->env, idx->path, MDB_NOTLS | MDB_NOMETASYNC, 0600)) == 0
	    && (rc = mail_index_txn_begin(idx, 0, &txn)) == 0
	    && (rc = mdb_dbi_open(txn, NULL, 0, &idx->dbi)) == 0
	    && (rc = check_version(idx, txn)) == 0
	    && (rc = mdb_dbi_open(txn, "keywords", MDB_CREATE, &idx->kw_dbi)) == 0
	    && (rc = mdb_dbi_open(txn, "cache", MDB_CREATE, &idx->cache_dbi)) == 0) {
		rc = mdb_txn_commit(txn);
		txn = NULL;
	}
	if (txn)
		mdb_txn_abort(txn);
	if (rc == 0)
		return 0;
	buf_printf(why, "open %s: %s", idx->path, mdb_strerror(rc));
	if (idx->env)
		mdb_env_close(idx->env);
	idx->env = NULL;
	return is_corrupt(rc) ? INDEX_CORRUPT : -1;
}

/* rebuild - delete an index LMDB refused and make a new one, unless
 * another process has it open */
static int rebuild(struct mail_index *idx, struct buf *why)
{
	if (flock(idx->dir_fd, LOCK_EX | LOCK_NB) != 0) {
		buf_printf(why, "; not rebuilt: %s", errno == EWOULDBLOCK ? "in use" : strerror(errno));
		return -1;
	}
	if ((unlinkat(idx->dir_fd, "data.mdb", 0) != 0 && errno != ENOENT)
	    || (unlinkat(idx->dir_fd, "lock.mdb", 0) != 0 && errno != ENOENT)) {
		buf_printf(why, "; not rebuilt: %s", strerror(errno));
		return -1;
	}
	buf_reset(why);
	if (env_open(idx, why) != 0 || flock(idx->dir_fd, LOCK_SH) != 0)
		return -1;
	return 0;
}

/* mail_index_open - open, create or rebuild the Maildir's index */
int mail_index_open(int maildir_fd, const char *maildir_path, struct mail_index **idxp,
		    struct buf *why)
{
	struct mail_index *idx = xcalloc(1, sizeof(*idx));
	int rc;

	*idxp = NULL;
	idx->maildir_fd = fcntl(maildir_fd, F_DUPFD_CLOEXEC, 0);
	idx->dir_fd = -1;
	idx->map_size = mail_index_map_first;
	idx->vanished_max = MAIL_INDEX_VANISHED_MAX;
	idx->path = xmalloc(strlen(maildir_path) + sizeof("/" INDEX_DIR));
	sprintf(idx->path, "%s/%s", maildir_path, INDEX_DIR);
	if (idx->maildir_fd < 0) {
		buf_printf(why, "%s: %s", maildir_path, strerror(errno));
		rc = -1;
	} else if ((rc = open_dir(idx, why)) == 0 && (rc = env_open(idx, why)) == INDEX_CORRUPT)
		rc = rebuild(idx, why);
	if (rc != 0) {
		mail_index_close(&idx);
		return -1;
	}
	*idxp = idx;
	return 0;
}

/* mail_index_close - the environment, the lock, the handle */
void mail_index_close(struct mail_index **idxp)
{
	struct mail_index *idx = *idxp;

	if (idx == NULL)
		return;
	if (idx->batch) {	/* the cache's waiting fills, if they can be written */
		struct buf *why = buf_new(0);

		(void)mail_index_cache_batch_end(idx, why);
		buf_free(&why);
	}
	if (idx->env)
		mdb_env_close(idx->env);
	if (idx->dir_fd >= 0)
		close(idx->dir_fd);
	if (idx->maildir_fd >= 0)
		close(idx->maildir_fd);
	free(idx->path);
	free(idx);
	*idxp = NULL;
}

/* mail_index_txn_begin - after another process grew the map, LMDB wants
 * us to adopt its size first */
int mail_index_txn_begin(struct mail_index *idx, unsigned flags, MDB_txn **txnp)
{
	int rc = mdb_txn_begin(idx->env, NULL, flags, txnp);

	if (rc == MDB_MAP_RESIZED && (rc = mdb_env_set_mapsize(idx->env, 0)) == 0)
		rc = mdb_txn_begin(idx->env, NULL, flags, txnp);
	return rc;
}

/* mail_index_map_grow - double the map (the sync's own grow() does the
 * same for its passes) */
int mail_index_map_grow(struct mail_index *idx)
{
	MDB_envinfo info;

	if (mdb_env_info(idx->env, &info) != 0 || info.me_mapsize >= (size_t)1 << MAP_MAX_SHIFT)
		return -1;
	idx->map_size = info.me_mapsize * 2;
	return mdb_env_set_mapsize(idx->env, idx->map_size) == 0 ? 0 : -1;
}

/* mail_index_write - fn in a write transaction, again after a growth */
int mail_index_write(struct mail_index *idx, mail_index_write_fn *fn, void *ctx)
{
	MDB_txn *txn;
	int rc;

	for (;;) {
		if ((rc = mail_index_txn_begin(idx, 0, &txn)) != 0)
			return rc;
		if ((rc = fn(txn, ctx)) == 0)
			rc = mdb_txn_commit(txn);
		else
			mdb_txn_abort(txn);
		if (rc != MDB_MAP_FULL || mail_index_map_grow(idx) != 0)
			return rc;
	}
}

/* mail_index_list - the folder's messages as last synced */
int mail_index_list(struct mail_index *idx, const char *folder,
		    struct mail_index_folder **fp, struct buf *why)
{
	struct mail_index_folder *f = xcalloc(1, sizeof(*f));
	MDB_txn *txn;
	int rc, found;

	*fp = NULL;
	if ((rc = mail_index_txn_begin(idx, MDB_RDONLY, &txn)) != 0) {
		buf_printf(why, "%s: %s", idx->path, mdb_strerror(rc));
		free(f);
		return -1;
	}
	found = mail_index_load(idx, txn, folder, f, why);
	mdb_txn_abort(txn);
	if (found != 1) {
		mail_index_folder_free(&f);
		return found < 0 ? -1 : 1;
	}
	*fp = f;
	return 0;
}

/* mail_index_generation - the id of the environment's last commit */
uint64_t mail_index_generation(struct mail_index *idx)
{
	MDB_envinfo info;

	if (mdb_env_info(idx->env, &info) != 0)
		return 0;
	return (uint64_t)info.me_last_txnid;
}

/* mail_index_folder_find - see mail_index.h */
size_t mail_index_folder_find(const struct mail_index_folder *f, uint32_t uid)
{
	size_t lo = 0, hi = f->len;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (f->msgs[mid].uid < uid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < f->len && f->msgs[lo].uid == uid ? lo : f->len;
}

/* mail_index_folder_free - a list from mail_index_list */
void mail_index_folder_free(struct mail_index_folder **fp)
{
	if (*fp == NULL)
		return;
	mail_index_msgs_free(*fp);
	free(*fp);
	*fp = NULL;
}

/* mail_index_uid_of - look the base up in the folder's base -> UID map */
int mail_index_uid_of(struct mail_index *idx, const char *folder, const char *base,
		      uint32_t *uid_r, struct buf *why)
{
	struct buf *key = buf_new(64);
	MDB_txn *txn;
	MDB_val k, v;
	int rc;

	mail_index_key_base(key, folder, base, strlen(base));
	k = mail_index_val(key);
	if ((rc = mail_index_txn_begin(idx, MDB_RDONLY, &txn)) == 0) {
		rc = k.mv_size > (size_t)mdb_env_get_maxkeysize(idx->env) ? MDB_NOTFOUND
		    : mdb_get(txn, idx->dbi, &k, &v);
		if (rc == 0 && (v.mv_size != 4 || (*uid_r = mail_index_get32(v.mv_data)) == 0))
			rc = MDB_CORRUPTED;
		mdb_txn_abort(txn);
	}
	buf_free(&key);
	if (rc == 0 || rc == MDB_NOTFOUND)
		return rc == 0;
	buf_printf(why, "%s: folder %s: %s", idx->path, folder, mdb_strerror(rc));
	return -1;
}

/* store_vsize - in txn: the record of uid gets vsize (*found_r: it is
 * there); 0 or an LMDB error (MDB_CORRUPTED: the record does not decode) */
static int store_vsize(struct mail_index *idx, MDB_txn *txn, const char *folder, uint32_t uid,
		       off_t vsize, bool *found_r)
{
	struct buf *key = buf_new(64), *val = buf_new(128);
	struct mail_index_msg m = { 0 };
	size_t prefix_len = strlen(folder) + 2;	/* 'U' folder NUL */
	MDB_val k, v;
	int rc;

	mail_index_key_uid(key, folder, uid);
	k = mail_index_val(key);
	rc = mdb_get(txn, idx->dbi, &k, &v);
	*found_r = rc == 0;
	if (rc == 0 && mail_index_dec_msg(&k, &v, prefix_len, &m) != 0)
		rc = MDB_CORRUPTED;
	if (rc == 0 && m.vsize != vsize) {
		m.vsize = vsize;
		mail_index_enc_msg(val, &m);
		v = mail_index_val(val);
		rc = mdb_put(txn, idx->dbi, &k, &v, 0);
	}
	free(m.name);
	buf_free(&key);
	buf_free(&val);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/* mail_index_set_vsize - one record's vsize, in its own write transaction */
int mail_index_set_vsize(struct mail_index *idx, const char *folder, uint32_t uid, off_t vsize,
			 struct buf *why)
{
	MDB_txn *txn;
	bool found = false;
	int rc;

	if (*folder == '\0' || strlen(folder) > MAIL_INDEX_FOLDER_MAX || uid == 0 || vsize < 0) {
		buf_printf(why, "mail_index_set_vsize: bad folder, UID or size");
		return -1;
	}
	if ((rc = mail_index_txn_begin(idx, 0, &txn)) == 0) {
		if ((rc = store_vsize(idx, txn, folder, uid, vsize, &found)) == 0 && found)
			rc = mdb_txn_commit(txn);
		else
			mdb_txn_abort(txn);
	}
	if (rc == 0)
		return found ? 1 : 0;
	buf_printf(why, "%s: folder %s: UID %u: %s", idx->path, folder, uid, mdb_strerror(rc));
	return -1;
}
