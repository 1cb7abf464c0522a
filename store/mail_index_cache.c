/* mail_index_cache - the cache of header fields and MIME structure in
 * the index's "cache" database (the interface is in mail_index_cache.h).
 *
 * Keys are the message's key in the main database ("U" folder NUL uid,
 * mail_index_key_uid) with the field name after it:
 *   "U" folder NUL uid        -> "v1", UIDVALIDITY u32, size u64, base
 *   "U" folder NUL uid field  -> '=' then the bytes, or '!' (uncacheable)
 * (integers big-endian).  The first, the validator, says which message
 * the fields belong to; a read compares it with the folder's header and
 * the message's record in the same transaction, so an entry of another
 * message (a renumbered folder) or of other bytes (a changed size) is
 * never returned.  A write whose validator differs drops the UID's old
 * fields first.  A sync's expunge (and a folder dropped as corrupt)
 * drops the entries with mail_index_cache_drop.  A value that is
 * neither form, or too long, reads as not cached.
 * fill opens new/NAME or cur/NAME below the folder without following a
 * symbolic link, and caches only when the file is a regular file of the
 * size in the record it was opened by.
 * In a batch (mail_index_cache_batch_begin), a fill's two fields and
 * its validator wait in idx->batch, newest last, and go in one write
 * transaction with the others (each through put_txn, as a lone fill);
 * a get of those two fields looks there first.
 * get_many and put_many are get and put over many UIDs of one folder in
 * one transaction (SORT's keys); put_many keeps an entry only under the
 * validator it was computed after, as a batched fill does.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "mail_header_lean.h"
#include "mail_index_cache.h"
#include "mail_index_int.h"
#include "maildir.h"
#include "maildir_scan.h"
#include "mem.h"
#include "mime_parts.h"

enum { FIELDS_PER_PUT = 4, HEADER_READ_MAX = 4 * MAIL_INDEX_CACHE_FIELD_MAX };
enum { SIDE = 'C' };		/* the first byte of a side entry's key */


/* what a fill keeps, in this order, then the derived field if any */
static const char *const fill_names[FIELDS_PER_PUT - 1] = {
	MAIL_INDEX_CACHE_ENVELOPE, MAIL_INDEX_CACHE_BODYSTRUCTURE, MAIL_INDEX_CACHE_HEADER_LEAN };

/* the process's derived field (mail_index_cache_derive) */
static struct {
	char name[MAIL_INDEX_CACHE_NAME_MAX + 1];
	mail_index_cache_derive_fn *fn;
} derived;

/* fill_count - how many fields a fill keeps */
static size_t fill_count(void)
{
	return derived.fn ? FIELDS_PER_PUT : FIELDS_PER_PUT - 1;
}

/* fill_name - the name of a fill's field f */
static const char *fill_name(size_t f)
{
	return f < FIELDS_PER_PUT - 1 ? fill_names[f] : derived.name;
}

/* a fill waiting in a batch */
struct cache_pend {
	char *folder;
	uint32_t uid;
	struct buf *valid;
	struct buf *field[FIELDS_PER_PUT];	/* as fill_name; NULL: uncacheable */
	bool header_only;		/* field[1] (the structure) not made */
};

struct cache_batch {
	struct cache_pend *items;
	size_t len, cap, bytes;
	struct buf *why;		/* while written */
};

struct put_work {
	const char *folder;
	uint32_t uid;
	const struct buf *want;		/* fill: the validator it read under */
	size_t n;
	const char *name[FIELDS_PER_PUT];
	const void *data[FIELDS_PER_PUT];	/* NULL: uncacheable */
	size_t len[FIELDS_PER_PUT];
	struct mail_index *idx;
	uint32_t *uv;			/* the folder's UIDVALIDITY (current_at) */
	int result;
	struct buf *why;
};

/* mail_index_cache_key - the entry of field (the validator with "") of
 * uid in folder */
void mail_index_cache_key(struct buf *b, const char *folder, uint32_t uid, const char *field)
{
	mail_index_key_uid(b, folder, uid);
	buf_cat(b, field);
}

/* current_at - the validator of uid as the index has it now, into b:
 * 1, 0 no such message, -1 with why (an error, a corrupt record).
 * *uv: the folder's UIDVALIDITY in txn, read from its header when 0
 * (one header read for a batch's fills of a folder) */
static int current_at(struct mail_index *idx, MDB_txn *txn, const char *folder, uint32_t uid,
		      uint32_t *uv, struct mail_index_msg *m, struct buf *b, struct buf *why)
{
	struct mail_index_head h = { .uidvalidity = *uv };
	MDB_val k, v;
	int rc = 0;

	if (h.uidvalidity == 0) {
		mail_index_key_folder(b, folder);
		k = mail_index_val(b);
		if ((rc = mdb_get(txn, idx->dbi, &k, &v)) == 0)
			rc = mail_index_dec_head(&v, &h);
		*uv = rc == 0 ? h.uidvalidity : 0;
	}
	if (rc == 0) {
		mail_index_key_uid(b, folder, uid);
		k = mail_index_val(b);
		if ((rc = mdb_get(txn, idx->dbi, &k, &v)) == 0
		    && mail_index_dec_msg(&k, &v, strlen(folder) + 2, m) != 0)
			rc = MDB_CORRUPTED;
	} else if (rc == -1) {
		rc = MDB_CORRUPTED;
	}
	buf_reset(b);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc != 0) {
		buf_printf(why, "%s: folder %s: UID %u: %s", idx->path, folder, uid, mdb_strerror(rc));
		return -1;
	}
	mail_index_cache_validator(h.uidvalidity, m, b);
	return 1;
}

/* current - current_at, the header read */
static int current(struct mail_index *idx, MDB_txn *txn, const char *folder, uint32_t uid,
		   struct mail_index_msg *m, struct buf *b, struct buf *why)
{
	uint32_t uv = 0;

	return current_at(idx, txn, folder, uid, &uv, m, b, why);
}

/* mail_index_cache_validator_is - valid (len bytes) is the validator of
 * m in a folder of that UIDVALIDITY (as mail_index_cache_validator
 * writes it, without writing it) */
bool mail_index_cache_validator_is(const char *valid, size_t len, uint32_t uidvalidity,
				   const struct mail_index_msg *m)
{
	const unsigned char *u = (const unsigned char *)valid;

	return len == 14 + m->base_len && memcmp(valid, "v1", 2) == 0
	    && ((uint32_t)u[2] << 24 | (uint32_t)u[3] << 16 | (uint32_t)u[4] << 8 | u[5]) == uidvalidity
	    && mail_index_get64(u + 6) == (uint64_t)m->size
	    && memcmp(valid + 14, m->name, m->base_len) == 0;
}

/* mail_index_cache_validator - the validator of msg in a folder of
 * that UIDVALIDITY into b (reset first) */
void mail_index_cache_validator(uint32_t uidvalidity, const struct mail_index_msg *m,
				struct buf *b)
{
	buf_reset(b);
	buf_cat(b, "v1");
	buf_add(b, (unsigned char[]){ uidvalidity >> 24, uidvalidity >> 16, uidvalidity >> 8,
				      uidvalidity }, 4);
	mail_index_put64(b, (uint64_t)m->size);
	buf_add(b, m->name, m->base_len);
}

enum { VALID = 1, INVALID = 0, NO_VALIDATOR = -1 };

/* validator_is - the stored validator of uid is b (VALID), another
 * (INVALID), or there is none (NO_VALIDATOR) */
static int validator_is(struct mail_index *idx, MDB_txn *txn, const char *folder, uint32_t uid,
			const struct buf *b)
{
	struct buf *kb = buf_new(64);
	MDB_val k, v;
	int rc;

	mail_index_cache_key(kb, folder, uid, "");
	k = mail_index_val(kb);
	if (mdb_get(txn, idx->cache_dbi, &k, &v) != 0)
		rc = NO_VALIDATOR;
	else
		rc = v.mv_size == buf_len(b) && memcmp(v.mv_data, buf_str(b), v.mv_size) == 0
		    ? VALID : INVALID;
	buf_free(&kb);
	return rc;
}

/* is_valid - the stored validator of uid is b */
static bool is_valid(struct mail_index *idx, MDB_txn *txn, const char *folder, uint32_t uid,
		     const struct buf *b)
{
	return validator_is(idx, txn, folder, uid, b) == VALID;
}

/* drop_prefix - the entries whose key starts with uid's (kind: 'U' or
 * SIDE) */
static int drop_prefix(struct mail_index *idx, MDB_txn *txn, const char *folder, uint32_t uid,
		       char kind)
{
	struct buf *prefix = buf_new(64);
	MDB_cursor *c;
	MDB_val k;
	int rc;

	mail_index_cache_key(prefix, folder, uid, "");
	prefix->data[0] = kind;
	if ((rc = mdb_cursor_open(txn, idx->cache_dbi, &c)) == 0) {
		for (;;) {
			k = mail_index_val(prefix);
			if ((rc = mdb_cursor_get(c, &k, NULL, MDB_SET_RANGE)) != 0
			    || k.mv_size < buf_len(prefix)
			    || memcmp(k.mv_data, buf_str(prefix), buf_len(prefix)) != 0
			    || (rc = mdb_cursor_del(c, 0)) != 0)
				break;
		}
		mdb_cursor_close(c);
	}
	buf_free(&prefix);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/* mail_index_cache_drop - every entry whose key starts with uid's (or
 * with the folder's, uid 0), and its side entry */
int mail_index_cache_drop(struct mail_index *idx, MDB_txn *txn, const char *folder, uint32_t uid)
{
	int rc = drop_prefix(idx, txn, folder, uid, 'U');

	return rc ? rc : drop_prefix(idx, txn, folder, uid, SIDE);
}

/* work_of - a fill's fields into w (the structure left out of a
 * header-only fill: not made, which is not uncacheable) */
static void work_of(struct put_work *w, struct buf *const *field, bool header_only)
{
	w->n = 0;
	for (size_t f = 0; f < fill_count(); f++) {
		if (header_only && f == 1)
			continue;
		w->name[w->n] = fill_name(f);
		w->data[w->n] = field[f] ? buf_str(field[f]) : NULL;
		w->len[w->n] = field[f] ? buf_len(field[f]) : 0;
		w->n++;
	}
}

/* put_field - one field's entry */
static int put_field(struct put_work *w, MDB_txn *txn, size_t i, struct buf *kb, struct buf *vb)
{
	MDB_val k, v;

	mail_index_cache_key(kb, w->folder, w->uid, w->name[i]);
	buf_reset(vb);
	if (w->data[i] == NULL || w->len[i] > MAIL_INDEX_CACHE_FIELD_MAX) {
		buf_putc(vb, '!');
	} else {
		buf_putc(vb, '=');
		buf_add(vb, w->data[i], w->len[i]);
	}
	k = mail_index_val(kb);
	v = mail_index_val(vb);
	return mdb_put(txn, w->idx->cache_dbi, &k, &v, 0);
}

/* put_fields - the validator when it changed, then the fields.  A UID
 * without a validator has no fields to drop: a field is written only
 * here, after its validator, and a drop takes the validator with the
 * rest.  (A side entry may outlive one: it carries its own validator,
 * which its reader compares, and the next side put replaces it.) */
static int put_fields(struct put_work *w, MDB_txn *txn, const struct buf *valid)
{
	struct buf *kb = buf_new(64), *vb = buf_new(256);
	int was = validator_is(w->idx, txn, w->folder, w->uid, valid);
	MDB_val k, v;
	int rc = 0;

	if (was != VALID && (was == NO_VALIDATOR
			     || (rc = mail_index_cache_drop(w->idx, txn, w->folder, w->uid)) == 0)) {
		mail_index_cache_key(kb, w->folder, w->uid, "");
		k = mail_index_val(kb);
		v = mail_index_val(valid);
		rc = mdb_put(txn, w->idx->cache_dbi, &k, &v, 0);
	}
	for (size_t i = 0; rc == 0 && i < w->n; i++)
		rc = put_field(w, txn, i, kb, vb);
	buf_free(&kb);
	buf_free(&vb);
	return rc;
}

/* put_txn - the write transaction of a put or a fill */
static int put_txn(MDB_txn *txn, void *ctx)
{
	struct put_work *w = ctx;
	struct mail_index_msg m = { 0 };
	struct buf *valid = buf_new(64);
	uint32_t uv = 0;
	int rc = current_at(w->idx, txn, w->folder, w->uid, w->uv ? w->uv : &uv, &m, valid, w->why);

	w->result = 0;
	if (rc == 1 && (w->want == NULL || (buf_len(w->want) == buf_len(valid)
					    && memcmp(buf_str(w->want), buf_str(valid),
						      buf_len(valid)) == 0))) {
		if ((rc = put_fields(w, txn, valid)) == 0)
			w->result = 1;
	}
	free(m.name);
	buf_free(&valid);
	return rc == 1 ? 0 : rc;
}

/* mail_index_cache_args_ok - a folder and field name the cache takes */
bool mail_index_cache_args_ok(const char *folder, uint32_t uid, const char *field, struct buf *why)
{
	size_t n = strlen(field);

	if (*folder == '\0' || strlen(folder) > MAIL_INDEX_FOLDER_MAX || uid == 0 || n == 0
	    || n > MAIL_INDEX_CACHE_NAME_MAX || strspn(field, "abcdefghijklmnopqrstuvwxyz0123456789-") != n) {
		buf_printf(why, "mail_index_cache: bad folder, UID or field name");
		return false;
	}
	return true;
}

/* run_put - put_txn in a write transaction: its result, or -1 */
static int run_put(struct put_work *w)
{
	int rc = mail_index_write(w->idx, put_txn, w);

	if (rc == 0)
		return w->result;
	if (rc != -1)
		buf_printf(w->why, "%s: folder %s: UID %u: %s", w->idx->path, w->folder, w->uid,
			   mdb_strerror(rc));
	return -1;
}

/* mail_index_cache_put - one field, in its own write transaction */
int mail_index_cache_put(struct mail_index *idx, const char *folder, uint32_t uid,
			 const char *field, const void *data, size_t len, struct buf *why)
{
	struct put_work w = { .idx = idx, .folder = folder, .uid = uid, .n = 1, .why = why,
			      .name = { field }, .data = { data }, .len = { len } };

	return mail_index_cache_args_ok(folder, uid, field, why) ? run_put(&w) : -1;
}

/* pend_clear - the batch's entries freed, the batch kept */
static void pend_clear(struct cache_batch *b)
{
	for (size_t i = 0; i < b->len; i++) {
		free(b->items[i].folder);
		buf_free(&b->items[i].valid);
		for (size_t f = 0; f < FIELDS_PER_PUT; f++)
			buf_free(&b->items[i].field[f]);
	}
	b->len = 0;
	b->bytes = 0;
}

/* batch_txn - every waiting fill, checked as a lone fill is */
static int batch_txn(MDB_txn *txn, void *ctx)
{
	struct mail_index *idx = ctx;
	struct cache_batch *b = idx->batch;
	uint32_t uv = 0;
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < b->len; i++) {
		const struct cache_pend *e = &b->items[i];
		struct put_work w = { .idx = idx, .folder = e->folder, .uid = e->uid,
				      .want = e->valid, .uv = &uv, .why = b->why };

		if (i > 0 && strcmp(e->folder, b->items[i - 1].folder) != 0)
			uv = 0;

		work_of(&w, e->field, e->header_only);
		rc = put_txn(txn, &w);
	}
	return rc;
}

/* batch_write - the waiting fills in one write transaction: 0 or -1 */
static int batch_write(struct mail_index *idx, struct buf *why)
{
	struct cache_batch *b = idx->batch;
	int rc = 0;

	if (b->len > 0) {
		b->why = why;
		if ((rc = mail_index_write(idx, batch_txn, idx)) != 0 && rc != -1)
			buf_printf(why, "%s: cache: %s", idx->path, mdb_strerror(rc));
		b->why = NULL;
	}
	pend_clear(b);
	return rc == 0 ? 0 : -1;
}

/* mail_index_cache_batch_begin - fills wait in idx->batch from now on */
void mail_index_cache_batch_begin(struct mail_index *idx)
{
	if (idx->batch == NULL)
		idx->batch = xcalloc(1, sizeof(*idx->batch));
}

/* mail_index_cache_batch_hold - see mail_index_cache.h */
bool mail_index_cache_batch_hold(struct mail_index *idx, size_t max)
{
	return idx->batch && idx->batch->len <= max && idx->batch->bytes <= MAIL_INDEX_CACHE_BATCH_BYTES;
}

/* mail_index_cache_batch_txn - see mail_index_int.h */
int mail_index_cache_batch_txn(struct mail_index *idx, MDB_txn *txn, struct buf *why)
{
	int rc;

	if (idx->batch == NULL || idx->batch->len == 0)
		return 0;
	idx->batch->why = why;
	rc = batch_txn(txn, idx);
	idx->batch->why = NULL;
	return rc;
}

/* mail_index_cache_batch_written - see mail_index_int.h */
void mail_index_cache_batch_written(struct mail_index *idx)
{
	if (idx->batch)
		pend_clear(idx->batch);
}

/* mail_index_cache_batch_end - the waiting fills written, the batch gone */
int mail_index_cache_batch_end(struct mail_index *idx, struct buf *why)
{
	int rc;

	if (idx->batch == NULL)
		return 0;
	rc = batch_write(idx, why);
	free(idx->batch->items);
	free(idx->batch);
	idx->batch = NULL;
	return rc;
}

/* pend_get - a batched fill's field of uid into out: 1, UNCACHEABLE, or
 * 0 when the batch has none (the newest entry wins) */
static int pend_get(const struct mail_index *idx, const char *folder, uint32_t uid,
		    const char *field, struct buf *out)
{
	const struct cache_batch *b = idx->batch;
	size_t f = 0;

	while (f < fill_count() && strcmp(field, fill_name(f)) != 0)
		f++;

	for (size_t i = b ? b->len : 0; f < fill_count() && i-- > 0;) {
		const struct cache_pend *e = &b->items[i];

		if (e->uid != uid || strcmp(e->folder, folder) != 0 || (f == 1 && e->header_only))
			continue;
		if (e->field[f] == NULL)
			return MAIL_INDEX_CACHE_UNCACHEABLE;
		buf_add(out, buf_str(e->field[f]), buf_len(e->field[f]));
		return 1;
	}
	return 0;
}

/* read_field - the entry of field in txn, if the validator holds */
static int read_field(struct mail_index *idx, MDB_txn *txn, const char *folder, uint32_t uid,
		      const char *field, struct buf *out, struct buf *why)
{
	struct mail_index_msg m = { 0 };
	struct buf *valid = buf_new(64);
	MDB_val k, v;
	int rc = current(idx, txn, folder, uid, &m, valid, why);

	free(m.name);
	if (rc == 1 && !is_valid(idx, txn, folder, uid, valid))
		rc = 0;
	if (rc == 1) {
		mail_index_cache_key(valid, folder, uid, field);
		k = mail_index_val(valid);
		rc = mdb_get(txn, idx->cache_dbi, &k, &v) != 0 || v.mv_size < 1
		    || v.mv_size > MAIL_INDEX_CACHE_FIELD_MAX + 1 ? 0
		    : *(char *)v.mv_data == '!' ? MAIL_INDEX_CACHE_UNCACHEABLE
		    : *(char *)v.mv_data == '=' ? 1 : 0;
	}
	if (rc == 1)
		buf_add(out, (char *)v.mv_data + 1, v.mv_size - 1);
	buf_free(&valid);
	return rc;
}

/* mail_index_cache_get - one field, in a read transaction */
int mail_index_cache_get(struct mail_index *idx, const char *folder, uint32_t uid,
			 const char *field, struct buf *out, struct buf *why)
{
	MDB_txn *txn;
	int rc;

	buf_reset(out);
	if (!mail_index_cache_args_ok(folder, uid, field, why))
		return -1;
	if ((rc = pend_get(idx, folder, uid, field, out)) != 0)
		return rc;
	if ((rc = mail_index_txn_begin(idx, MDB_RDONLY, &txn)) != 0) {
		buf_printf(why, "%s: %s", idx->path, mdb_strerror(rc));
		return -1;
	}
	rc = read_field(idx, txn, folder, uid, field, out, why);
	mdb_txn_abort(txn);
	return rc;
}

/* record_of - uid's record and validator, in a read transaction */
static int record_of(struct mail_index *idx, const char *folder, uint32_t uid,
		     struct mail_index_msg *m, struct buf *valid, struct buf *why)
{
	MDB_txn *txn;
	int rc;

	if ((rc = mail_index_txn_begin(idx, MDB_RDONLY, &txn)) != 0) {
		buf_printf(why, "%s: %s", idx->path, mdb_strerror(rc));
		return -1;
	}
	rc = current(idx, txn, folder, uid, m, valid, why);
	mdb_txn_abort(txn);
	return rc;
}

/* open_msg - the message file as the record names it: the fd, -2 when
 * it is not there or not as recorded, -1 with why */
static int open_msg(int folder_fd, const struct mail_index_msg *m, struct buf *why)
{
	char path[8 + MAILDIR_NAME_MAX + 1];
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", m->in_new ? "new" : "cur", m->name);
	fd = maildir_msg_open(folder_fd, path);
	if (fd < 0 && errno == ENOENT)
		return -2;
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		buf_printf(why, "%s: %s", path, fd < 0 && errno != ELOOP ? strerror(errno)
			   : "not a regular file");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (st.st_size != m->size) {
		close(fd);
		return -2;
	}
	return fd;
}

/* pend_add - a fill's fields (taken: set to NULL) into the batch,
 * written once the batch is full */
static int pend_add(struct put_work *w, struct buf **field, bool header_only,
		    const struct buf *valid)
{
	struct cache_batch *b = w->idx->batch;
	struct cache_pend *e;

	if (b->len == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 64;
		b->items = xrealloc(b->items, mem_mul_size(b->cap, sizeof(*b->items)));
	}
	e = &b->items[b->len++];
	*e = (struct cache_pend){ .folder = xstrdup(w->folder), .uid = w->uid,
				  .header_only = header_only };
	e->valid = buf_new(buf_len(valid));
	buf_add(e->valid, buf_str(valid), buf_len(valid));
	b->bytes += buf_len(valid);
	for (size_t f = 0; f < FIELDS_PER_PUT; f++) {
		e->field[f] = field[f];
		field[f] = NULL;
		b->bytes += e->field[f] ? buf_len(e->field[f]) : 0;
	}
	if (b->len < MAIL_INDEX_CACHE_BATCH_MAX && b->bytes < MAIL_INDEX_CACHE_BATCH_BYTES)
		return 1;
	return batch_write(w->idx, w->why) == 0 ? 1 : -1;
}

/* header_lean - the message's header (part 0's, from the file) less
 * its traces and signatures (mail_header_lean.h); NULL when over the
 * field limit or unreadable: uncacheable */
static struct buf *header_lean(int fd, const struct mime_parts *p)
{
	struct buf *raw, *lean;
	uint64_t size = p->len ? p->parts[0].hdr_size : 0;
	bool ok;

	if (p->len == 0 || p->parts[0].hdr_offset != 0 || size > HEADER_READ_MAX)
		return NULL;
	if (p->head) {			/* kept as it was read: no second read */
		lean = buf_new(buf_len(p->head));
		mail_header_lean(buf_str(p->head), buf_len(p->head), lean);
	} else {
		raw = buf_new((size_t)size);
		ok = fsutil_pread_all(fd, 0, (size_t)size, raw) == 0;
		lean = ok ? buf_new(buf_len(raw)) : NULL;
		if (lean)
			mail_header_lean(buf_str(raw), buf_len(raw), lean);
		buf_free(&raw);
	}
	if (lean && buf_len(lean) > MAIL_INDEX_CACHE_FIELD_MAX)
		buf_free(&lean);
	return lean;
}

/* fill_put - the fields of the message read from fd (p: its parts) */
static int fill_put(struct put_work *w, int fd, const struct mime_parts *p,
		    const struct buf *valid)
{
	struct buf *field[FIELDS_PER_PUT] = { NULL };
	int rc;

	if (!p->envelope_over) {
		field[0] = buf_new(buf_len(p->envelope));
		buf_add(field[0], buf_str(p->envelope), buf_len(p->envelope));
	}
	if (!p->parts_over && !p->header_only) {
		field[1] = buf_new(1024);
		mime_parts_encode(p, field[1]);
	}
	field[2] = header_lean(fd, p);
	if (derived.fn && !p->envelope_over) {
		field[3] = buf_new(256);
		if (!derived.fn(buf_str(p->envelope), buf_len(p->envelope), field[3]))
			buf_free(&field[3]);
	}
	if (w->idx->batch)
		return pend_add(w, field, p->header_only, valid);
	w->want = valid;
	work_of(w, field, p->header_only);
	rc = run_put(w);
	for (size_t f = 0; f < FIELDS_PER_PUT; f++)
		buf_free(&field[f]);
	return rc;
}

/* mail_index_cache_derive - see mail_index_cache.h */
void mail_index_cache_derive(const char *name, mail_index_cache_derive_fn *fn)
{
	struct buf *why = buf_new(0);

	derived.fn = NULL;
	if (fn && mail_index_cache_args_ok("x", 1, name, why)) {
		snprintf(derived.name, sizeof(derived.name), "%s", name);
		derived.fn = fn;
	}
	buf_free(&why);
}

/* fill_file - read the file m names (its header alone, or all of it)
 * once, keep its fields under valid: fill's answer, or -2 when the file
 * is not there or not as m has it */
static int fill_file(struct mail_index *idx, const char *folder, int folder_fd,
		     const struct mail_index_msg *m, const struct buf *valid, bool header_only,
		     struct buf *why)
{
	struct put_work w = { .idx = idx, .folder = folder, .uid = m->uid, .why = why };
	struct mime_parts *p = NULL;
	int fd = open_msg(folder_fd, m, why), rc;

	if (fd < 0)
		return fd;
	/* m->size: the file's, as open_msg checked it (no second fstat) */
	if ((rc = mime_parts_read_sized(fd, m->size, header_only, &p, why)) == 0)
		rc = fill_put(&w, fd, p, valid);
	close(fd);
	mime_parts_free(&p);
	return rc;
}

/* fill - the record of uid read, then fill_file */
static int fill(struct mail_index *idx, const char *folder, int folder_fd, uint32_t uid,
		bool header_only, struct buf *why)
{
	struct mail_index_msg m = { 0 };
	struct buf *valid = buf_new(64);
	int rc = mail_index_cache_args_ok(folder, uid, MAIL_INDEX_CACHE_ENVELOPE, why)
		 ? record_of(idx, folder, uid, &m, valid, why) : -1;

	if (rc == 1 && (rc = fill_file(idx, folder, folder_fd, &m, valid, header_only, why)) == -2)
		rc = 0;
	free(m.name);
	buf_free(&valid);
	return rc;
}

/* mail_index_cache_fill_header_msg - see mail_index_cache.h */
int mail_index_cache_fill_header_msg(struct mail_index *idx, const char *folder, int folder_fd,
				     uint32_t uidvalidity, const struct mail_index_msg *msg,
				     struct buf *why)
{
	struct buf *valid = buf_new(64);
	int rc = -1;

	if (mail_index_cache_args_ok(folder, msg->uid, MAIL_INDEX_CACHE_ENVELOPE, why)) {
		mail_index_cache_validator(uidvalidity, msg, valid);
		rc = fill_file(idx, folder, folder_fd, msg, valid, true, why);
	}
	buf_free(&valid);
	return rc == -2 ? fill(idx, folder, folder_fd, msg->uid, true, why) : rc;
}

/* mail_index_cache_fill - every field */
int mail_index_cache_fill(struct mail_index *idx, const char *folder, int folder_fd,
			  uint32_t uid, struct buf *why)
{
	return fill(idx, folder, folder_fd, uid, false, why);
}

/* mail_index_cache_fill_header - the fields of the header */
int mail_index_cache_fill_header(struct mail_index *idx, const char *folder, int folder_fd,
				 uint32_t uid, struct buf *why)
{
	return fill(idx, folder, folder_fd, uid, true, why);
}


/* side_key - the side entry's key of uid (0: the folder's prefix) */
static void side_key(struct buf *b, const char *folder, uint32_t uid)
{
	mail_index_key_uid(b, folder, uid);
	b->data[0] = SIDE;
}

/* side_work - what side_put writes */
struct side_work {
	struct mail_index *idx;
	const char *folder;
	const uint32_t *uids;
	const struct buf *const *valid, *const *data;
	size_t n;
	long kept;
	struct buf *why;
};

/* side_txn - each side entry whose message still has its validator */
static int side_txn(MDB_txn *txn, void *ctx)
{
	struct side_work *w = ctx;
	struct buf *kb = buf_new(64), *now = buf_new(64), *vb = buf_new(256);
	int rc = 0;

	w->kept = 0;
	for (size_t i = 0; rc == 0 && i < w->n; i++) {
		struct mail_index_msg m = { 0 };
		MDB_val k, v;

		rc = current(w->idx, txn, w->folder, w->uids[i], &m, now, w->why);
		free(m.name);
		if (rc != 1 || buf_len(now) != buf_len(w->valid[i]) || buf_len(now) > UINT8_MAX
		    || memcmp(buf_str(now), buf_str(w->valid[i]), buf_len(now)) != 0) {
			rc = rc < 0 ? -1 : 0;
			continue;
		}
		buf_reset(vb);
		buf_putc(vb, (char)buf_len(now));
		buf_add(vb, buf_str(now), buf_len(now));
		buf_add(vb, buf_str(w->data[i]), buf_len(w->data[i]));
		side_key(kb, w->folder, w->uids[i]);
		k = mail_index_val(kb);
		v = mail_index_val(vb);
		if ((rc = mdb_put(txn, w->idx->cache_dbi, &k, &v, 0)) == 0)
			w->kept++;
	}
	buf_free(&kb);
	buf_free(&now);
	buf_free(&vb);
	return rc;
}

/* mail_index_cache_side_put - see mail_index_cache.h */
long mail_index_cache_side_put(struct mail_index *idx, const char *folder, const uint32_t *uids,
			       const struct buf *const *valid, const struct buf *const *data,
			       size_t n, struct buf *why)
{
	struct side_work w = { .idx = idx, .folder = folder, .uids = uids, .valid = valid,
			       .data = data, .n = n, .why = why };
	int rc;

	for (size_t i = 0; i < n; i++)
		if (!mail_index_cache_args_ok(folder, uids[i], "side", why)
		    || buf_len(data[i]) > MAIL_INDEX_CACHE_FIELD_MAX)
			return -1;
	if (n == 0)
		return 0;
	if ((rc = mail_index_write(idx, side_txn, &w)) == 0)
		return w.kept;
	if (rc != -1)
		buf_printf(why, "%s: folder %s: cache: %s", idx->path, folder, mdb_strerror(rc));
	return -1;
}

/* mail_index_cache_side_scan - see mail_index_cache.h */
int mail_index_cache_side_scan(struct mail_index *idx, const char *folder,
			       mail_index_cache_side_fn *fn, void *ctx, struct buf *why)
{
	struct buf *prefix = buf_new(64);
	MDB_txn *txn = NULL;
	MDB_cursor *c = NULL;
	MDB_val k, v;
	int rc, op = MDB_SET_RANGE;

	if (!mail_index_cache_args_ok(folder, 1, "side", why)) {
		buf_free(&prefix);
		return -1;
	}
	side_key(prefix, folder, 0);
	if ((rc = mail_index_txn_begin(idx, MDB_RDONLY, &txn)) == 0
	    && (rc = mdb_cursor_open(txn, idx->cache_dbi, &c)) == 0) {
		k = mail_index_val(prefix);
		while ((rc = mdb_cursor_get(c, &k, &v, (MDB_cursor_op)op)) == 0
		       && k.mv_size == buf_len(prefix) + 4
		       && memcmp(k.mv_data, buf_str(prefix), buf_len(prefix)) == 0) {
			const unsigned char *u = (const unsigned char *)k.mv_data + buf_len(prefix);
			const char *d = v.mv_data;
			size_t vlen = v.mv_size ? (unsigned char)d[0] : 0;

			op = MDB_NEXT;
			if (v.mv_size < 1 + vlen)
				continue;	/* not one: not cached */
			fn(ctx, (uint32_t)u[0] << 24 | (uint32_t)u[1] << 16 | (uint32_t)u[2] << 8 | u[3],
			   d + 1, vlen, d + 1 + vlen, v.mv_size - 1 - vlen);
		}
	}
	if (c)
		mdb_cursor_close(c);
	if (rc == 0 || rc == MDB_NOTFOUND) {
		rc = 0;
	} else {
		buf_printf(why, "%s: folder %s: cache: %s", idx->path, folder, mdb_strerror(rc));
		rc = -1;
	}
	if (txn)
		mdb_txn_abort(txn);
	buf_free(&prefix);
	return rc;
}
