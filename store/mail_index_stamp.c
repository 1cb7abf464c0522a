/* mail_index_stamp - a sync that need not read the folder: the "D"
 * record keeps what cur/, new/ and dovecot-uidlist looked like (device,
 * inode, mtime to the nanosecond; the uidlist's size too) when a sync
 * last found the index equal to the files.  While all three still look
 * the same, nothing was added, renamed or removed in either directory
 * and no one rewrote the uidlist, so the sync ends after three stats and
 * one read of the record; Dovecot's maildir sync skips its readdir on
 * the same grounds.
 *
 *   mail_index_stamp_take(folder_fd, &st);       // before the scan
 *   if (mail_index_stamp_current(idx, folder, &st)) return 0;
 *   ... scan; found nothing to change:
 *   if (st.stable) mail_index_stamp_put(idx, folder, &st);
 *
 * A stamp is only kept when both directories' mtimes are settled at the
 * time they were taken (stable, mail_index_settled): a change in the
 * same clock tick as the mtime read would not move it, and would be
 * missed; a change after a settled mtime always gives a newer one.  On
 * file systems that stamp with the kernel's coarse clock that is once
 * the clock is past the mtime (a few ms); elsewhere STAMP_SETTLE_SECS.
 * mail_index_stamp_own keeps one for a caller that knows the folder is
 * as the index has it without reading it (a watch, imapmail_watch.h).  A
 * file's own content or mtime changed in place is not seen, as by the
 * full sync, which does not stat files it knows by name.  The record is
 * the user's like the rest of the index: anything odd reads as "not
 * current", which costs a full sync, never a missed change.
 */
#include <fcntl.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>

#include "mail_index_int.h"

enum { STAMP_SETTLE_SECS = 2 };

/* mail_index_kernel_clock - see mail_index.h */
bool mail_index_kernel_clock(int fd)
{
	struct statfs sf;

	if (fstatfs(fd, &sf) < 0)
		return false;
	return sf.f_type == EXT4_SUPER_MAGIC || sf.f_type == XFS_SUPER_MAGIC ||
	       sf.f_type == BTRFS_SUPER_MAGIC || sf.f_type == TMPFS_MAGIC;
}

/* mail_index_settled - see mail_index.h */
bool mail_index_settled(bool kernel_clock, const struct timespec *t)
{
	struct timespec now;

	if (kernel_clock && clock_gettime(CLOCK_REALTIME_COARSE, &now) == 0)
		return now.tv_sec > t->tv_sec || (now.tv_sec == t->tv_sec && now.tv_nsec > t->tv_nsec);
	return clock_gettime(CLOCK_REALTIME, &now) == 0 && now.tv_sec - t->tv_sec >= STAMP_SETTLE_SECS;
}

/* put_dir - one directory's identity into b: false when it is not one */
static bool put_dir(int folder_fd, const char *name, bool kernel_clock, bool *stable,
		    struct buf *b)
{
	struct stat st;

	if (fstatat(folder_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR(st.st_mode))
		return false;
	mail_index_put64(b, (uint64_t)st.st_dev);
	mail_index_put64(b, (uint64_t)st.st_ino);
	mail_index_put64(b, (uint64_t)st.st_mtim.tv_sec);
	mail_index_put64(b, (uint64_t)st.st_mtim.tv_nsec);
	if (!mail_index_settled(kernel_clock, &st.st_mtim))
		*stable = false;
	return true;
}

/* mail_index_stamp_take - the folder as it looks now into st */
void mail_index_stamp_take(int folder_fd, struct mail_index_stamp *st)
{
	struct mail_index_ulstat ul;
	struct buf *u = buf_new(40);
	bool kc = mail_index_kernel_clock(folder_fd);

	buf_reset(st->bytes);
	st->stable = true;
	st->ok = put_dir(folder_fd, "cur", kc, &st->stable, st->bytes)
	      && put_dir(folder_fd, "new", kc, &st->stable, st->bytes);
	mail_index_uidlist_stat(folder_fd, &ul);
	mail_index_enc_ulstat(u, &ul);
	buf_add(st->bytes, buf_str(u), buf_len(u));
	buf_free(&u);
	st->stable = st->stable && st->ok;
}

/* mail_index_stamp_current - the folder is in the index and its "D"
 * record is st */
bool mail_index_stamp_current(struct mail_index *idx, const char *folder,
			      const struct mail_index_stamp *st)
{
	struct buf *kb;
	MDB_txn *txn;
	MDB_val k, v;
	bool same = false;

	if (!st->ok || mail_index_txn_begin(idx, MDB_RDONLY, &txn) != 0)
		return false;
	kb = buf_new(64);
	mail_index_key_kind(kb, 'D', folder);
	k = mail_index_val(kb);
	if (mdb_get(txn, idx->dbi, &k, &v) == 0 && v.mv_size == buf_len(st->bytes)
	    && memcmp(v.mv_data, buf_str(st->bytes), v.mv_size) == 0) {
		mail_index_key_folder(kb, folder);
		k = mail_index_val(kb);
		same = mdb_get(txn, idx->dbi, &k, &v) == 0;
	}
	mdb_txn_abort(txn);
	buf_free(&kb);
	return same;
}

struct put_ctx {
	const char *folder;
	const struct mail_index_stamp *st;
	MDB_dbi dbi;
};

/* put_txn - the record, if the folder is (still) in the index */
static int put_txn(MDB_txn *txn, void *ctx)
{
	struct put_ctx *p = ctx;
	struct buf *kb = buf_new(64);
	MDB_val k, v;
	int rc;

	mail_index_key_folder(kb, p->folder);
	k = mail_index_val(kb);
	if ((rc = mdb_get(txn, p->dbi, &k, &v)) == 0) {
		mail_index_key_kind(kb, 'D', p->folder);
		k = mail_index_val(kb);
		v = mail_index_val(p->st->bytes);
		rc = mdb_put(txn, p->dbi, &k, &v, 0);
	}
	buf_free(&kb);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/* mail_index_stamp_put - keep st as the folder's "D" record: a failure
 * only costs the next sync its scan, so it is not reported */
void mail_index_stamp_put(struct mail_index *idx, const char *folder,
			  const struct mail_index_stamp *st)
{
	struct put_ctx p = { .folder = folder, .st = st, .dbi = idx->dbi };

	if (st->ok && st->stable)
		(void)mail_index_write(idx, put_txn, &p);
}

/* mail_index_stamp_drop - in txn: the folder's "D" record; 0 or an
 * LMDB error */
int mail_index_stamp_drop(struct mail_index *idx, MDB_txn *txn, const char *folder)
{
	struct buf *kb = buf_new(64);
	MDB_val k;
	int rc;

	mail_index_key_kind(kb, 'D', folder);
	k = mail_index_val(kb);
	rc = mdb_del(txn, idx->dbi, &k, NULL);
	buf_free(&kb);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/* mail_index_stamp_own - see mail_index.h */
int mail_index_stamp_own(struct mail_index *idx, const char *folder, int folder_fd,
			 bool (*still_as_indexed)(void *ctx), void *ctx)
{
	struct mail_index_stamp st = { .bytes = buf_new(128) };
	int rc = 0;

	mail_index_stamp_take(folder_fd, &st);
	if (!st.ok)
		rc = -1;
	else if (mail_index_stamp_current(idx, folder, &st))
		rc = 2;				/* kept already: no write */
	else if (st.stable && !still_as_indexed(ctx))
		rc = -1;
	else if (st.stable)
		rc = 1;
	if (rc == 1)
		mail_index_stamp_put(idx, folder, &st);
	buf_free(&st.bytes);
	return rc == 2 ? 1 : rc;
}
