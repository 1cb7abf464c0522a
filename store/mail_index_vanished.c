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
 *                               the index knew the folder, or before
 *                               this record existed)
 * A sync writes "H" when the folder has none (mail_index_vanished_start),
 * one "X" per expunged file (mail_index_vanished_note), and drops both
 * with the folder (mail_index_vanished_drop).  Records come from a file
 * the user can write: one that does not decode counts as an incomplete
 * history, never as an error.
 * XXX the "X" records are never pruned: about 30 bytes per expunge.
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

/* mail_index_vanished_note - uid left folder with modseq */
int mail_index_vanished_note(struct mail_index *idx, MDB_txn *txn, const char *folder,
			     uint32_t uid, uint64_t modseq)
{
	struct buf *key = buf_new(64);
	int rc;

	key_expunge(key, folder, uid);
	rc = put_u64(idx, txn, key, modseq);
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
