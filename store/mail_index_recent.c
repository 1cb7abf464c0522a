/* mail_index_recent - the "R" record: a folder's first UID not yet taken
 * as \Recent (the interface and its meaning are in mail_index_recent.h;
 * mail_index_recent_start, for the sync, in mail_index_int.h).
 * Record (main database, big-endian): "R" folder -> uidvalidity u32,
 * first u32.
 * A look is a read transaction.  A take reads first in a read
 * transaction too, and writes only when the record must move (or does
 * not exist yet), reading it again under the write lock: the value it
 * returns is the one it replaced, so two sessions never take the same
 * UID.
 */
#include <string.h>

#include "mail_index_int.h"
#include "mail_index_recent.h"

enum { RECENT_REC_LEN = 8 };

/* take_ctx - one mail_index_recent call */
struct take_ctx {
	struct mail_index *idx;
	struct buf *key;
	uint32_t uidvalidity, dflt, upto;
	uint32_t first;			/* the answer */
	bool found;			/* a record of this UIDVALIDITY */
	uint64_t txnid;			/* the write's transaction, or 0 */
};

/* put - the record: uidvalidity, first */
static int put(struct mail_index *idx, MDB_txn *txn, const struct buf *key, uint32_t uidvalidity,
	       uint32_t first)
{
	unsigned char rec[RECENT_REC_LEN] = {
		uidvalidity >> 24, uidvalidity >> 16, uidvalidity >> 8, uidvalidity,
		first >> 24, first >> 16, first >> 8, first };
	MDB_val k = mail_index_val(key), v = { sizeof(rec), rec };

	return mdb_put(txn, idx->dbi, &k, &v, 0);
}

/* get - c->first from the record, or c->dflt when there is none for
 * c->uidvalidity (or it does not decode): 0, or an LMDB error */
static int get(struct take_ctx *c, MDB_txn *txn)
{
	MDB_val k = mail_index_val(c->key), v;
	int rc = mdb_get(txn, c->idx->dbi, &k, &v);

	c->found = rc == 0 && v.mv_size == RECENT_REC_LEN &&
		   mail_index_get32(v.mv_data) == c->uidvalidity;
	c->first = c->found ? mail_index_get32((const unsigned char *)v.mv_data + 4) : c->dflt;
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/* take - the write transaction's work: read again, move up */
static int take(MDB_txn *txn, void *ctx)
{
	struct take_ctx *c = ctx;
	int rc;

	c->txnid = 0;
	if ((rc = get(c, txn)) != 0)
		return rc;
	if (c->found && c->first >= c->upto)
		return 0;
	c->txnid = (uint64_t)mdb_txn_id(txn);
	return put(c->idx, txn, c->key, c->uidvalidity, c->first > c->upto ? c->first : c->upto);
}

/* look - c->first in a read transaction: 0, or an LMDB error */
static int look(struct take_ctx *c)
{
	MDB_txn *txn;
	int rc;

	if ((rc = mail_index_txn_begin(c->idx, MDB_RDONLY, &txn)) != 0)
		return rc;
	rc = get(c, txn);
	mdb_txn_abort(txn);
	return rc;
}

/* mail_index_recent - see the header */
int mail_index_recent(struct mail_index *idx, const char *folder, uint32_t uidvalidity,
		      uint32_t dflt, uint32_t upto, bool take_them, uint32_t *first_r,
		      uint64_t *gen_r, struct buf *why)
{
	struct take_ctx c = { idx, buf_new(64), uidvalidity, dflt, upto, 0, false, 0 };
	int rc;

	if (gen_r)
		*gen_r = 0;
	mail_index_key_kind(c.key, 'R', folder);
	rc = look(&c);
	if (rc == 0 && take_them && (!c.found || c.first < upto)) {
		rc = mail_index_write(idx, take, &c);
		if (rc == 0 && gen_r)
			*gen_r = c.txnid;
	}
	buf_free(&c.key);
	if (rc != 0) {
		buf_printf(why, "%s: folder %s: recent: %s", idx->path, folder, mdb_strerror(rc));
		return -1;
	}
	*first_r = c.first;
	return 0;
}

/* mail_index_recent_take_txn - see mail_index_int.h */
int mail_index_recent_take_txn(struct mail_index *idx, MDB_txn *txn, const char *folder,
			       struct mail_index_take *t)
{
	struct take_ctx c = { idx, buf_new(64), t->uidvalidity, t->dflt, t->upto, 0, false, 0 };
	int rc;

	mail_index_key_kind(c.key, 'R', folder);
	rc = take(txn, &c);
	t->first = c.first;
	t->done = rc == 0;
	buf_free(&c.key);
	return rc;
}

/* mail_index_recent_start - see mail_index_int.h */
int mail_index_recent_start(struct mail_index *idx, MDB_txn *txn, const char *folder,
			    uint32_t uidvalidity)
{
	struct buf *key = buf_new(64);
	int rc;

	mail_index_key_kind(key, 'R', folder);
	rc = put(idx, txn, key, uidvalidity, 1);
	buf_free(&key);
	return rc;
}
