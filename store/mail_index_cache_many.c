/* mail_index_cache_many - the cache's fields of many messages in one
 * read transaction (mail_index_cache.h): mail_index_cache_get_many
 * checks each against the message's record in the index (SORT's keys);
 * mail_index_cache_get_msgs against the records the caller holds (its
 * view of the folder: FETCH and SEARCH), so that a message costs one
 * lookup of its validator and a walk to its fields.  The entries are
 * the user's: a validator or field that is not what the layout says
 * reads as not cached.  Errors: -1 with why.
 */
#include <stdlib.h>
#include <string.h>

#include "mail_index_cache.h"
#include "mail_index_int.h"

/* many_read - a get_many's transaction: cursors kept positioned, as
 * the keys come in order, and the folder's header read once */
struct many_read {
	struct mail_index *idx;
	const char *folder;
	MDB_cursor *main, *cache;
	struct mail_index_head h;
	struct buf *kb, *valid;
	const char *const *fields;
	size_t n_fields;
};

/* read_at - the cache entry of key kb: its value's form as
 * mail_index_cache_get's return, the bytes in *d */
static int read_at(struct many_read *r, MDB_val *d)
{
	MDB_val k = mail_index_val(r->kb);

	if (mdb_cursor_get(r->cache, &k, d, MDB_SET_KEY) != 0 || d->mv_size < 1
	    || d->mv_size > MAIL_INDEX_CACHE_FIELD_MAX + 1)
		return 0;
	return *(char *)d->mv_data == '!' ? MAIL_INDEX_CACHE_UNCACHEABLE
	    : *(char *)d->mv_data == '=' ? 1 : 0;
}

/* view_of - uid's fields into v, under its validator (as read_field) */
static int view_of(struct many_read *r, uint32_t uid, struct mail_index_cache_view *v,
		   struct buf *why)
{
	struct mail_index_msg m = { 0 };
	MDB_val k, d;
	int rc;

	*v = (struct mail_index_cache_view){ .valid = NULL };
	mail_index_key_uid(r->kb, r->folder, uid);
	k = mail_index_val(r->kb);
	if ((rc = mdb_cursor_get(r->main, &k, &d, MDB_SET_KEY)) == MDB_NOTFOUND)
		return 0;
	if (rc != 0 || mail_index_dec_msg(&k, &d, strlen(r->folder) + 2, &m) != 0) {
		buf_printf(why, "%s: folder %s: UID %u: %s", r->idx->path, r->folder, uid,
			   mdb_strerror(rc ? rc : MDB_CORRUPTED));
		return -1;
	}
	mail_index_cache_validator(r->h.uidvalidity, &m, r->valid);
	free(m.name);
	v->valid = buf_str(r->valid);
	v->valid_len = buf_len(r->valid);
	if (read_at(r, &d) != 0 || d.mv_size != buf_len(r->valid)
	    || memcmp(d.mv_data, buf_str(r->valid), d.mv_size) != 0)
		return 0;		/* no validator, or another message's */
	for (size_t f = 0; f < r->n_fields; f++) {
		mail_index_cache_key(r->kb, r->folder, uid, r->fields[f]);
		if ((v->rc[f] = read_at(r, &d)) == 1) {
			v->data[f] = (char *)d.mv_data + 1;
			v->len[f] = d.mv_size - 1;
		}
	}
	return 0;
}

/* many_begin - r's transaction, cursors and folder header: 1, 0 no such
 * folder, -1 with why */
static int many_begin(struct many_read *r, MDB_txn **txn, struct buf *why)
{
	MDB_val k, v;
	int rc;

	if ((rc = mail_index_txn_begin(r->idx, MDB_RDONLY, txn)) != 0) {
		buf_printf(why, "%s: %s", r->idx->path, mdb_strerror(rc));
		return -1;
	}
	mail_index_key_folder(r->kb, r->folder);
	k = mail_index_val(r->kb);
	if ((rc = mdb_get(*txn, r->idx->dbi, &k, &v)) == 0 && mail_index_dec_head(&v, &r->h) != 0)
		rc = MDB_CORRUPTED;
	if (rc == 0 && (rc = mdb_cursor_open(*txn, r->idx->dbi, &r->main)) == 0
	    && (rc = mdb_cursor_open(*txn, r->idx->cache_dbi, &r->cache)) != 0)
		mdb_cursor_close(r->main);
	if (rc == 0)
		return 1;
	mdb_txn_abort(*txn);
	if (rc == MDB_NOTFOUND)
		return 0;
	buf_printf(why, "%s: folder %s: %s", r->idx->path, r->folder, mdb_strerror(rc));
	return -1;
}

/* mail_index_cache_get_many - see mail_index_cache.h */
int mail_index_cache_get_many(struct mail_index *idx, const char *folder, const uint32_t *uids,
			      size_t n, const char *const *fields, size_t n_fields,
			      mail_index_cache_each_fn *fn, void *ctx, struct buf *why)
{
	struct many_read r = { .idx = idx, .folder = folder, .fields = fields,
			       .n_fields = n_fields };
	struct mail_index_cache_view v;
	MDB_txn *txn;
	int rc = 0;

	if (r.n_fields > MAIL_INDEX_CACHE_MANY_FIELDS)
		r.n_fields = MAIL_INDEX_CACHE_MANY_FIELDS;
	for (size_t f = 0; f < r.n_fields; f++)
		if (!mail_index_cache_args_ok(folder, 1, fields[f], why))
			return -1;
	r.kb = buf_new(64);
	r.valid = buf_new(64);
	if ((rc = many_begin(&r, &txn, why)) == 1) {
		rc = 0;
		for (size_t i = 0; rc == 0 && i < n; i++)
			if (uids[i] != 0 && (rc = view_of(&r, uids[i], &v, why)) == 0 && v.valid)
				fn(ctx, i, &v);
		mdb_cursor_close(r.main);
		mdb_cursor_close(r.cache);
		mdb_txn_abort(txn);
	}
	buf_free(&r.kb);
	buf_free(&r.valid);
	return rc;
}

/* own_field - which of the asked fields (names) key k is, or -1: k is
 * prefix (uid's validator key) followed by the field's name */
static int own_field(const MDB_val *k, const struct buf *prefix, const char *const *names,
		     size_t n)
{
	size_t plen = buf_len(prefix);

	if (k->mv_size <= plen || memcmp(k->mv_data, buf_str(prefix), plen) != 0)
		return -2;		/* past uid's entries */
	for (size_t f = 0; f < n; f++)
		if (strlen(names[f]) == k->mv_size - plen
		    && memcmp((const char *)k->mv_data + plen, names[f], k->mv_size - plen) == 0)
			return (int)f;
	return -1;
}

/* msg_view - the fields of msg (the caller's record) into v: its
 * validator's entry, then the entries after it that are uid's */
static void msg_view(struct many_read *r, const struct mail_index_msg *msg,
		     struct mail_index_cache_view *v)
{
	MDB_val k, d;
	int f;

	*v = (struct mail_index_cache_view){ .valid = NULL };
	mail_index_cache_validator(r->h.uidvalidity, msg, r->valid);
	mail_index_cache_key(r->kb, r->folder, msg->uid, "");
	k = mail_index_val(r->kb);
	if (mdb_cursor_get(r->cache, &k, &d, MDB_SET_KEY) != 0 || d.mv_size != buf_len(r->valid)
	    || memcmp(d.mv_data, buf_str(r->valid), d.mv_size) != 0)
		return;			/* no validator, or another message's */
	v->valid = buf_str(r->valid);
	v->valid_len = buf_len(r->valid);
	while (mdb_cursor_get(r->cache, &k, &d, MDB_NEXT) == 0
	       && (f = own_field(&k, r->kb, r->fields, r->n_fields)) != -2) {
		if (f < 0 || d.mv_size < 1 || d.mv_size > MAIL_INDEX_CACHE_FIELD_MAX + 1)
			continue;
		v->rc[f] = *(char *)d.mv_data == '!' ? MAIL_INDEX_CACHE_UNCACHEABLE
			 : *(char *)d.mv_data == '=' ? 1 : 0;
		if (v->rc[f] == 1) {
			v->data[f] = (char *)d.mv_data + 1;
			v->len[f] = d.mv_size - 1;
		}
	}
}

/* mail_index_cache_get_msgs - see mail_index_cache.h */
int mail_index_cache_get_msgs(struct mail_index *idx, const char *folder, uint32_t uidvalidity,
			      const struct mail_index_msg *const *msgs, size_t n,
			      const char *const *fields, size_t n_fields,
			      mail_index_cache_each_fn *fn, void *ctx, struct buf *why)
{
	struct many_read r = { .idx = idx, .folder = folder, .fields = fields,
			       .n_fields = n_fields, .h = { .uidvalidity = uidvalidity } };
	struct mail_index_cache_view v;
	MDB_txn *txn = NULL;
	int rc;

	if (r.n_fields > MAIL_INDEX_CACHE_MANY_FIELDS)
		r.n_fields = MAIL_INDEX_CACHE_MANY_FIELDS;
	for (size_t f = 0; f < r.n_fields; f++)
		if (!mail_index_cache_args_ok(folder, 1, fields[f], why))
			return -1;
	if ((rc = mail_index_txn_begin(idx, MDB_RDONLY, &txn)) != 0
	    || (rc = mdb_cursor_open(txn, idx->cache_dbi, &r.cache)) != 0) {
		if (txn && rc)
			mdb_txn_abort(txn);
		buf_printf(why, "%s: %s", idx->path, mdb_strerror(rc));
		return -1;
	}
	r.kb = buf_new(64);
	r.valid = buf_new(64);
	for (size_t i = 0; i < n; i++) {
		msg_view(&r, msgs[i], &v);
		if (v.valid)
			fn(ctx, i, &v);
	}
	mdb_cursor_close(r.cache);
	mdb_txn_abort(txn);
	buf_free(&r.kb);
	buf_free(&r.valid);
	return 0;
}
