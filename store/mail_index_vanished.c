/* mail_index_vanished - which UIDs a folder lost, and when: the expunge
 * history QRESYNC's VANISHED (EARLIER) answers from (RFC 7162 3.2.5.1,
 * 3.2.6).  The interface is in mail_index.h (mail_index_vanished) and,
 * for the sync, mail_index_int.h.
 *
 * Records in the main database (integers big-endian):
 *   "X" folder NUL uid(u32)  -> modseq u64: the MODSEQ the sync gave the
 *                               expunge of uid
 *   "H" folder               -> modseq u64: the history is whole from
 *                               here on; an expunge at or below it may
 *                               have no "X" record (it happened before
 *                               the index knew the folder, before this
 *                               record existed, or was pruned)
 *   "C" folder               -> u32: how many "X" records the folder has
 * A sync writes "H" when the folder has none (mail_index_vanished_start),
 * one "X" per expunged file (mail_index_vanished_note), and drops all
 * three with the folder (mail_index_vanished_drop).  The history is
 * bounded: when a folder's "X" records pass idx->vanished_max (20,000,
 * about 600 KB), the older half goes and "H" moves up to the newest
 * MODSEQ dropped, so a client that resynchronises from before it gets
 * the superset RFC 7162 3.2.5.1 allows (every UID it knows that is gone),
 * as Dovecot does once its transaction log has rotated.  Records come
 * from a file the user can write: one that does not decode counts as an
 * incomplete history (or, for "C", as a count due for pruning), never as
 * an error.
 */
#include <stdlib.h>
#include <string.h>

#include "mail_index_int.h"
#include "mem.h"

/* key_expunge - "X" folder NUL [uid]; no uid gives the prefix */
static void key_expunge(struct buf *b, const char *folder, uint32_t uid)
{
	buf_reset(b);
	buf_putc(b, 'X');
	buf_add(b, folder, strlen(folder) + 1);
	if (uid)
		buf_add(b, (unsigned char[]){ uid >> 24, uid >> 16, uid >> 8, uid }, 4);
}

/* key_history - "H" folder */
static void key_history(struct buf *b, const char *folder)
{
	buf_reset(b);
	buf_putc(b, 'H');
	buf_cat(b, folder);
}

/* key_count - "C" folder */
static void key_count(struct buf *b, const char *folder)
{
	buf_reset(b);
	buf_putc(b, 'C');
	buf_cat(b, folder);
}

/* put_u64 - key -> one u64 */
static int put_u64(struct mail_index *idx, MDB_txn *txn, const struct buf *key, uint64_t v)
{
	struct buf *b = buf_new(8);
	MDB_val k = mail_index_val(key), val;
	int rc;

	mail_index_put64(b, v);
	val = mail_index_val(b);
	rc = mdb_put(txn, idx->dbi, &k, &val, 0);
	buf_free(&b);
	return rc;
}

/* get_u64 - key's u64; 0 when it has none (or one that does not decode) */
static uint64_t get_u64(struct mail_index *idx, MDB_txn *txn, const struct buf *key)
{
	MDB_val k = mail_index_val(key), v;

	return mdb_get(txn, idx->dbi, &k, &v) == 0 && v.mv_size == 8 ? mail_index_get64(v.mv_data) : 0;
}

/* cmp_u64 - for qsort */
static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* expunge_modseqs - every "X" record's MODSEQ of folder (a record that
 * does not decode counts as 0: pruned first); the count, or -1 */
static long expunge_modseqs(struct mail_index *idx, MDB_txn *txn, const char *folder, uint64_t **out)
{
	struct buf *prefix = buf_new(64);
	size_t n = 0, cap = 0;
	MDB_cursor *c;
	MDB_val k, v;
	int rc;

	*out = NULL;
	key_expunge(prefix, folder, 0);
	k = mail_index_val(prefix);
	if (mdb_cursor_open(txn, idx->dbi, &c) != 0) {
		buf_free(&prefix);
		return -1;
	}
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size < buf_len(prefix) || memcmp(k.mv_data, buf_str(prefix), buf_len(prefix)))
			break;
		if (n == cap) {
			cap = cap ? 2 * cap : 1024;
			*out = xrealloc(*out, cap * sizeof(**out));
		}
		(*out)[n++] = v.mv_size == 8 ? mail_index_get64(v.mv_data) : 0;
	}
	mdb_cursor_close(c);
	buf_free(&prefix);
	return (long)n;
}

/* drop_older - folder's "X" records at or below cut (or that do not
 * decode) deleted */
static int drop_older(struct mail_index *idx, MDB_txn *txn, const char *folder, uint64_t cut)
{
	struct buf *prefix = buf_new(64);
	MDB_cursor *c;
	MDB_val k, v;
	int rc;

	key_expunge(prefix, folder, 0);
	k = mail_index_val(prefix);
	if ((rc = mdb_cursor_open(txn, idx->dbi, &c)) != 0) {
		buf_free(&prefix);
		return rc;
	}
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size < buf_len(prefix) || memcmp(k.mv_data, buf_str(prefix), buf_len(prefix)))
			break;
		if ((v.mv_size == 8 ? mail_index_get64(v.mv_data) : 0) <= cut && (rc = mdb_cursor_del(c, 0)) != 0)
			break;
	}
	mdb_cursor_close(c);
	buf_free(&prefix);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/* prune - keep folder's newest vanished_max / 2 "X" records (ties at the
 * cut go too); "H" moves up to the newest MODSEQ dropped; the count
 * becomes what is left */
static int prune(struct mail_index *idx, MDB_txn *txn, const char *folder)
{
	struct buf *key = buf_new(64);
	uint64_t *ms, cut;
	long n = expunge_modseqs(idx, txn, folder, &ms), keep = idx->vanished_max / 2;
	int rc = 0;

	if (n > keep) {
		qsort(ms, (size_t)n, sizeof(*ms), cmp_u64);
		cut = ms[n - keep - 1];
		key_history(key, folder);
		if ((rc = drop_older(idx, txn, folder, cut)) == 0 && get_u64(idx, txn, key) < cut)
			rc = put_u64(idx, txn, key, cut);
		free(ms);
		n = expunge_modseqs(idx, txn, folder, &ms);
	}
	key_count(key, folder);
	if (rc == 0)
		rc = put_u64(idx, txn, key, (uint64_t)(n < 0 ? 0 : n));
	free(ms);
	buf_free(&key);
	return rc;
}

/* mail_index_vanished_note - uid left folder with modseq; the history
 * pruned when it grew past idx->vanished_max */
int mail_index_vanished_note(struct mail_index *idx, MDB_txn *txn, const char *folder,
			     uint32_t uid, uint64_t modseq)
{
	struct buf *key = buf_new(64);
	uint64_t count;
	int rc;

	key_expunge(key, folder, uid);
	if ((rc = put_u64(idx, txn, key, modseq)) != 0)
		goto out;
	key_count(key, folder);
	count = get_u64(idx, txn, key) + 1;
	if (count > idx->vanished_max)
		rc = prune(idx, txn, folder);
	else
		rc = put_u64(idx, txn, key, count);
out:
	buf_free(&key);
	return rc;
}

/* mail_index_vanished_start - the history starts at modseq unless it
 * started before */
int mail_index_vanished_start(struct mail_index *idx, MDB_txn *txn, const char *folder,
			      uint64_t modseq)
{
	struct buf *key = buf_new(64);
	MDB_val k, v;
	int rc;

	key_history(key, folder);
	k = mail_index_val(key);
	if ((rc = mdb_get(txn, idx->dbi, &k, &v)) == MDB_NOTFOUND)
		rc = put_u64(idx, txn, key, modseq);
	buf_free(&key);
	return rc;
}

/* mail_index_vanished_drop - the folder's history goes with it */
int mail_index_vanished_drop(struct mail_index *idx, MDB_txn *txn, const char *folder)
{
	struct buf *key = buf_new(64);
	MDB_cursor *c;
	MDB_val k;
	int rc;

	key_history(key, folder);
	k = mail_index_val(key);
	if ((rc = mdb_del(txn, idx->dbi, &k, NULL)) != 0 && rc != MDB_NOTFOUND)
		goto out;
	key_count(key, folder);
	k = mail_index_val(key);
	if ((rc = mdb_del(txn, idx->dbi, &k, NULL)) != 0 && rc != MDB_NOTFOUND)
		goto out;
	key_expunge(key, folder, 0);
	if ((rc = mdb_cursor_open(txn, idx->dbi, &c)) != 0)
		goto out;
	for (;;) {
		k = mail_index_val(key);
		if ((rc = mdb_cursor_get(c, &k, NULL, MDB_SET_RANGE)) != 0
		    || k.mv_size < buf_len(key) || memcmp(k.mv_data, buf_str(key), buf_len(key)) != 0
		    || (rc = mdb_cursor_del(c, 0)) != 0)
			break;
	}
	mdb_cursor_close(c);
out:
	buf_free(&key);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/* history_whole - the history covers every expunge after since */
static bool history_whole(struct mail_index *idx, MDB_txn *txn, const char *folder,
			  uint64_t since)
{
	struct buf *key = buf_new(64);
	MDB_val k, v;
	bool whole;

	key_history(key, folder);
	k = mail_index_val(key);
	whole = mdb_get(txn, idx->dbi, &k, &v) == 0 && v.mv_size == 8 && mail_index_get64(v.mv_data) <= since;
	buf_free(&key);
	return whole;
}

/* collect - the "X" records after since, in UID order; false on a record
 * that does not decode */
static bool collect(struct mail_index *idx, MDB_txn *txn, const char *folder, uint64_t since,
		    uint32_t **uids, size_t *n)
{
	struct buf *prefix = buf_new(64);
	size_t cap = 0;
	MDB_cursor *c;
	MDB_val k, v;
	bool ok = true;
	int rc;

	key_expunge(prefix, folder, 0);
	k = mail_index_val(prefix);
	if (mdb_cursor_open(txn, idx->dbi, &c) != 0) {
		buf_free(&prefix);
		return false;
	}
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size < buf_len(prefix) || memcmp(k.mv_data, buf_str(prefix), buf_len(prefix)))
			break;
		if (k.mv_size != buf_len(prefix) + 4 || v.mv_size != 8) {
			ok = false;
			break;
		}
		if (mail_index_get64(v.mv_data) <= since)
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 64;
			*uids = xrealloc(*uids, cap * sizeof(**uids));
		}
		(*uids)[(*n)++] = mail_index_get32((const unsigned char *)k.mv_data + buf_len(prefix));
	}
	mdb_cursor_close(c);
	buf_free(&prefix);
	return ok;
}

/* mail_index_vanished - see mail_index.h */
int mail_index_vanished(struct mail_index *idx, const char *folder, uint64_t since,
			uint32_t **uids_r, size_t *n_r, bool *whole_r, struct buf *why)
{
	MDB_txn *txn;
	int rc;

	*uids_r = NULL;
	*n_r = 0;
	if ((rc = mail_index_txn_begin(idx, MDB_RDONLY, &txn)) != 0) {
		buf_printf(why, "%s: %s", idx->path, mdb_strerror(rc));
		return -1;
	}
	*whole_r = history_whole(idx, txn, folder, since) &&
		   collect(idx, txn, folder, since, uids_r, n_r);
	mdb_txn_abort(txn);
	return 0;
}
