/* mail_index_rec - the records of the mail index: keys, encoding and the
 * checked decoding of values (layout in mail_index_int.h), and loading a
 * folder's records.  A record that does not decode is corruption: -1,
 * never a guess.
 */
#include <stdlib.h>
#include <string.h>

#include "mail_index_int.h"
#include "maildir_scan.h"
#include "mem.h"

enum { MSG_FIXED = 27 };		/* bytes before the flags and name */

/* put32 - a big-endian u32 */
static void put32(struct buf *b, uint32_t v)
{
	unsigned char p[4] = { v >> 24, v >> 16, v >> 8, v };

	buf_add(b, p, 4);
}

/* mail_index_put64 - a big-endian u64 appended to b */
void mail_index_put64(struct buf *b, uint64_t v)
{
	put32(b, v >> 32);
	put32(b, (uint32_t)v);
}

/* mail_index_get32 - a big-endian u32 */
uint32_t mail_index_get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* mail_index_get64 - a big-endian u64 */
uint64_t mail_index_get64(const unsigned char *p)
{
	return (uint64_t)mail_index_get32(p) << 32 | mail_index_get32(p + 4);
}

/* mail_index_key_kind - a folder's record of one kind: kind folder */
void mail_index_key_kind(struct buf *b, char kind, const char *folder)
{
	buf_reset(b);
	buf_putc(b, kind);
	buf_cat(b, folder);
}

/* mail_index_key_folder - "F" folder */
void mail_index_key_folder(struct buf *b, const char *folder)
{
	mail_index_key_kind(b, 'F', folder);
}

/* mail_index_key_ulstat - "L" folder */
void mail_index_key_ulstat(struct buf *b, const char *folder)
{
	mail_index_key_kind(b, 'L', folder);
}

/* mail_index_enc_ulstat - the "L" record */
void mail_index_enc_ulstat(struct buf *b, const struct mail_index_ulstat *u)
{
	buf_reset(b);
	mail_index_put64(b, u->dev);
	mail_index_put64(b, u->ino);
	mail_index_put64(b, u->size);
	mail_index_put64(b, (uint64_t)u->mtime);
	put32(b, u->mtime_nsec);
}

/* mail_index_dec_ulstat - 0, or -1 for a record that cannot be one */
int mail_index_dec_ulstat(const MDB_val *v, struct mail_index_ulstat *u)
{
	const unsigned char *p = v->mv_data;

	if (v->mv_size != 36)
		return -1;
	u->dev = mail_index_get64(p);
	u->ino = mail_index_get64(p + 8);
	u->size = mail_index_get64(p + 16);
	u->mtime = (int64_t)mail_index_get64(p + 24);
	u->mtime_nsec = mail_index_get32(p + 32);
	return 0;
}

/* mail_index_key_uid - "U" folder NUL uid; uid 0 gives the prefix
 * without the uid, where a cursor starts */
void mail_index_key_uid(struct buf *b, const char *folder, uint32_t uid)
{
	buf_reset(b);
	buf_putc(b, 'U');
	buf_add(b, folder, strlen(folder) + 1);
	if (uid)
		put32(b, uid);
}

/* mail_index_key_base - "B" folder NUL base */
void mail_index_key_base(struct buf *b, const char *folder, const char *base, size_t len)
{
	buf_reset(b);
	buf_putc(b, 'B');
	buf_add(b, folder, strlen(folder) + 1);
	buf_add(b, base, len);
}

/* mail_index_val - an MDB_val over b's bytes */
MDB_val mail_index_val(const struct buf *b)
{
	return (MDB_val){ .mv_size = buf_len(b), .mv_data = (void *)buf_str(b) };
}

/* mail_index_enc_head - a folder's header record */
void mail_index_enc_head(struct buf *b, const struct mail_index_head *h)
{
	buf_reset(b);
	put32(b, h->uidvalidity);
	put32(b, h->uidnext);
	mail_index_put64(b, h->highestmodseq);
}

/* mail_index_dec_head - 0, or -1 for a record that cannot be one */
int mail_index_dec_head(const MDB_val *v, struct mail_index_head *h)
{
	const unsigned char *p = v->mv_data;

	if (v->mv_size != 16)
		return -1;
	h->uidvalidity = mail_index_get32(p);
	h->uidnext = mail_index_get32(p + 4);
	h->highestmodseq = mail_index_get64(p + 8);
	return h->uidvalidity && h->uidnext ? 0 : -1;
}

/* mail_index_enc_msg - a message record (the uid is in the key) */
void mail_index_enc_msg(struct buf *b, const struct mail_index_msg *m)
{
	size_t flen = strlen(m->flags);

	buf_reset(b);
	mail_index_put64(b, m->modseq);
	mail_index_put64(b, (uint64_t)m->size);
	mail_index_put64(b, (uint64_t)(int64_t)m->date);
	buf_putc(b, m->in_new);
	buf_putc(b, (int)m->base_len);
	buf_putc(b, (int)flen);
	buf_add(b, m->flags, flen);
	buf_cat(b, m->name);
	buf_putc(b, '\0');
	mail_index_put64(b, (uint64_t)(int64_t)(m->vsize < 0 ? -1 : m->vsize));
}

/* name_ok - a file name as maildir_scan gives them */
static bool name_ok(const unsigned char *s, size_t len)
{
	if (len == 0 || len > MAILDIR_NAME_MAX || s[0] == '.')
		return false;
	return memchr(s, '/', len) == NULL && memchr(s, '\0', len) == NULL;
}

/* dec_tail - after the flags: the name, then (records written since
 * the virtual size was added) NUL and the vsize; *nlen_r the name's
 * length.  0, or -1 when it cannot be either layout */
static int dec_tail(const unsigned char *p, size_t len, size_t *nlen_r, off_t *vsize_r)
{
	const unsigned char *nul = memchr(p, '\0', len);
	int64_t v;

	*vsize_r = -1;
	*nlen_r = nul ? (size_t)(nul - p) : len;
	if (nul == NULL)
		return 0;			/* the first layout: no vsize */
	if (len - *nlen_r != 1 + 8)
		return -1;
	v = (int64_t)mail_index_get64(nul + 1);
	if (v < -1)
		return -1;
	*vsize_r = (off_t)v;
	return 0;
}

/* mail_index_dec_msg - a message record, checked; m->name allocated */
int mail_index_dec_msg(const MDB_val *k, const MDB_val *v, size_t prefix_len,
		       struct mail_index_msg *m)
{
	const unsigned char *p = v->mv_data;
	size_t flen, nlen;

	if (k->mv_size != prefix_len + 4 || v->mv_size < MSG_FIXED)
		return -1;
	m->uid = mail_index_get32((const unsigned char *)k->mv_data + prefix_len);
	m->modseq = mail_index_get64(p);
	m->size = (off_t)(mail_index_get64(p + 8) & INT64_MAX);
	m->date = (time_t)(int64_t)mail_index_get64(p + 16);
	m->in_new = p[24] != 0;
	m->base_len = p[25];
	flen = p[26];
	if (m->uid == 0 || flen >= MAILDIR_FLAGS_MAX || v->mv_size < MSG_FIXED + flen)
		return -1;
	if (dec_tail(p + MSG_FIXED + flen, v->mv_size - MSG_FIXED - flen, &nlen, &m->vsize) < 0)
		return -1;
	if (!name_ok(p + MSG_FIXED + flen, nlen) || m->base_len == 0 || m->base_len > nlen
	    || memchr(p + MSG_FIXED, '\0', flen))
		return -1;
	memcpy(m->flags, p + MSG_FIXED, flen);
	m->flags[flen] = '\0';
	m->name = xmalloc(nlen + 1);
	memcpy(m->name, p + MSG_FIXED + flen, nlen);
	m->name[nlen] = '\0';
	return 0;
}

/* load_head - the folder's header: 1, 0 none, -1 */
static int load_head(struct mail_index *idx, MDB_txn *txn, const char *folder,
		     struct mail_index_folder *f, struct buf *why)
{
	struct buf *key = buf_new(64);
	struct mail_index_head h;
	MDB_val k, v;
	int rc;

	mail_index_key_folder(key, folder);
	k = mail_index_val(key);
	rc = mdb_get(txn, idx->dbi, &k, &v);
	buf_free(&key);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc == 0 && mail_index_dec_head(&v, &h) == 0) {
		f->uidvalidity = h.uidvalidity;
		f->uidnext = h.uidnext;
		f->highestmodseq = h.highestmodseq;
		return 1;
	}
	buf_printf(why, "%s: folder %s: %s", idx->path, folder,
		   rc ? mdb_strerror(rc) : "corrupt header record");
	return rc ? -1 : MAIL_INDEX_BAD_RECORD;
}

/* add_msg - append a decoded record, UIDs strictly increasing */
static int add_msg(struct mail_index_folder *f, size_t *cap, const MDB_val *k,
		   const MDB_val *v, size_t prefix_len)
{
	struct mail_index_msg m = { 0 };

	if (f->len >= MAIL_INDEX_MSGS_MAX || mail_index_dec_msg(k, v, prefix_len, &m) != 0)
		return -1;
	if (f->len && m.uid <= f->msgs[f->len - 1].uid) {
		free(m.name);
		return -1;
	}
	if (f->len == *cap) {
		*cap = *cap ? 2 * *cap : 64;
		f->msgs = xrealloc(f->msgs, *cap * sizeof(*f->msgs));
	}
	f->msgs[f->len++] = m;
	return 0;
}

/* load_msgs - every "U" record of the folder, in UID order */
static int load_msgs(struct mail_index *idx, MDB_txn *txn, const char *folder,
		     struct mail_index_folder *f, struct buf *why)
{
	struct buf *prefix = buf_new(64);
	MDB_cursor *c;
	MDB_val k, v;
	size_t cap = 0;
	int rc, bad = 0;

	mail_index_key_uid(prefix, folder, 0);
	k = mail_index_val(prefix);
	if ((rc = mdb_cursor_open(txn, idx->dbi, &c)) == 0) {
		for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0 && !bad;
		     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
			if (k.mv_size < buf_len(prefix)
			    || memcmp(k.mv_data, buf_str(prefix), buf_len(prefix)) != 0)
				break;
			bad = add_msg(f, &cap, &k, &v, buf_len(prefix));
		}
		mdb_cursor_close(c);
	}
	buf_free(&prefix);
	if (rc != 0 && rc != MDB_NOTFOUND)
		buf_printf(why, "%s: folder %s: %s", idx->path, folder, mdb_strerror(rc));
	else if (bad)
		buf_printf(why, "%s: folder %s: corrupt message record", idx->path, folder);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return -1;
	return bad ? MAIL_INDEX_BAD_RECORD : 0;
}

/* mail_index_load - the folder's head and messages */
int mail_index_load(struct mail_index *idx, MDB_txn *txn, const char *folder,
		    struct mail_index_folder *f, struct buf *why)
{
	int found, rc;

	memset(f, 0, sizeof(*f));
	if ((found = load_head(idx, txn, folder, f, why)) < 0)
		return found;
	if ((rc = load_msgs(idx, txn, folder, f, why)) != 0) {
		mail_index_msgs_free(f);
		return rc;
	}
	return found;
}

/* mail_index_msgs_free - the names and the array, not f itself */
void mail_index_msgs_free(struct mail_index_folder *f)
{
	for (size_t i = 0; i < f->len; i++)
		free(f->msgs[i].name);
	free(f->msgs);
	f->msgs = NULL;
	f->len = 0;
}
