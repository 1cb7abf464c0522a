/* mail_index_sync - bring one folder's records up to date with its files.
 *
 * A first scan is compared with the index in a read transaction; when
 * nothing changed (the usual case) that is all.  Otherwise the write
 * transaction is begun, which takes LMDB's writer lock for the whole
 * environment, and the folder is scanned again under it unless nobody
 * committed since the first scan's snapshot (LMDB's transaction ids):
 * the changes applied always come from a scan newer than every other
 * writer's commit, so two processes syncing at once can neither give one
 * file two UIDs nor expunge a file the other has just indexed.  A scan
 * stats only the files the index does not know by name, nor by base
 * under a name that gives the size (maildir_scan_known: a rename keeps
 * a file's date).
 * Matching is by base (the name before ":2,"): a renamed file (new flags,
 * new/ to cur/) keeps its UID; a changed flag set takes a new MODSEQ;
 * new files get UIDNEXT in name order (a ",W=" in the name is the
 * record's vsize; see mail_index_set_vsize for a computed one); vanished
 * ones are deleted and their UIDs reported as expunged (UIDNEXT never
 * goes down, so they are not reused).  A second file with a base already indexed is skipped and
 * counted.  A folder not in the index yet takes its dovecot-uidlist's
 * UIDVALIDITY, NEXTUID and UIDs when there is a good one; a known folder
 * takes the file's UIDs at or above its UIDNEXT, and its N.  The file is
 * written before the commit, under dovecot-uidlist.lock, taken before
 * the write transaction; the dry run also looks whether the file is as
 * the last sync left it (mail_index_uidlist.c says why and how).
 * Before any of that, the folder's stamp (mail_index_stamp.c): when its
 * directories and uidlist look as when a sync last found nothing to do,
 * there is nothing to do; a dry run that finds nothing keeps the stamp.
 * MDB_MAP_FULL doubles the map and runs the write transaction again.
 * mail_index_sync_own is the same write pass for a caller that knows
 * what changed (its own renames, unlinks and new files, and nothing
 * else: it watches the folder): the scan is made from the records and
 * those changes (mail_index_own.c), not read from the folder.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dovecot_uidlist.h"
#include "htable.h"
#include "log.h"
#include "mail_index_int.h"
#include "maildir_scan.h"
#include "mem.h"

enum {
	SYNC_ERR = -1,
	NEED_UIDLIST = -3,		/* a pass without the uidlist gave or took UIDs */
	MODSEQ_CLOCK_SHIFT = 20,
	MAP_MAX_SHIFT = 40,
};

struct sync {
	struct mail_index *idx;
	const char *folder;
	int folder_fd;
	MDB_txn *txn;			/* NULL: a dry run, which only counts */
	struct mail_index_folder old;
	int found;			/* the folder has a header record */
	struct mail_index_head head;
	uint64_t first_modseq;		/* head.highestmodseq as loaded */
	const struct maildir_scan *scan;
	size_t *base_slots;		/* hash of the bases: 1 + place in s->old
					 * (the lowest UID of a base), or NULL */
	size_t base_mask;
	struct htable *new_bases;	/* bases first seen in this scan */
	const struct maildir_msg **fresh;	/* their files, to add in time order */
	size_t n_fresh, cap_fresh;
	struct htable *ul_uid;		/* base -> dovecot-uidlist entry */
	uint32_t adopt_from;		/* an entry's UID from here up is taken */
	struct mail_index_uidlist *u;	/* the file, in a write pass */
	bool ul_mode;			/* this pass reads and writes the file */
	bool ul_change;			/* a UID given: the file changes */
	bool want_ul;			/* the dry run's answer: ul_mode */
	struct mail_index_ulstat l_rec;	/* the "L" record; zero: none */
	bool *matched;			/* per old message */
	struct mail_index_changes *ch;
	const struct mail_index_own *own;	/* mail_index_sync_own's changes */
	struct mail_index_take *take;	/* and its \Recent take, or NULL */
	size_t n_own, own_missed;
	struct maildir_scan *dry_scan;	/* the dry run's, and its snapshot's */
	size_t dry_txnid;		/* last commit: the write pass may reuse it */
	size_t changes;
	struct buf *key, *val, *why;
};

void (*mail_index_sync_pause)(void);

static char seen;			/* new_bases' value */

/* put - one record */
static int put(struct sync *s)
{
	MDB_val k = mail_index_val(s->key), v = mail_index_val(s->val);

	return mdb_put(s->txn, s->idx->dbi, &k, &v, 0);
}

/* del - one record; one already gone is fine */
static int del(struct sync *s)
{
	MDB_val k = mail_index_val(s->key);
	int rc = mdb_del(s->txn, s->idx->dbi, &k, NULL);

	return rc == MDB_NOTFOUND ? 0 : rc;
}

/* put_msg - m's uid and base records */
static int put_msg(struct sync *s, const struct mail_index_msg *m, bool base_too)
{
	int rc;

	s->changes++;
	if (s->txn == NULL)
		return 0;
	mail_index_key_uid(s->key, s->folder, m->uid);
	mail_index_enc_msg(s->val, m);
	if ((rc = put(s)) != 0 || !base_too)
		return rc;
	mail_index_key_base(s->key, s->folder, m->name, m->base_len);
	buf_reset(s->val);
	buf_add(s->val, (unsigned char[]){ m->uid >> 24, m->uid >> 16, m->uid >> 8, m->uid }, 4);
	return put(s);
}

/* del_msg - m's records; the base record only when it names m, since
 * a planted second record with m's base must not take the first's */
static int del_msg(struct sync *s, const struct mail_index_msg *m)
{
	MDB_val k, v;
	int rc;

	s->changes++;
	if (s->txn == NULL)
		return 0;
	mail_index_key_uid(s->key, s->folder, m->uid);
	if ((rc = del(s)) != 0 || (rc = mail_index_cache_drop(s->idx, s->txn, s->folder, m->uid)) != 0)
		return rc;
	mail_index_key_base(s->key, s->folder, m->name, m->base_len);
	k = mail_index_val(s->key);
	rc = mdb_get(s->txn, s->idx->dbi, &k, &v);
	if (rc == 0 && v.mv_size == 4 && mail_index_get32(v.mv_data) != m->uid)
		return 0;
	return rc == 0 ? del(s) : rc == MDB_NOTFOUND ? 0 : rc;
}

/* update - a file already indexed: new name, flags, size, vsize or date;
 * a vsize from the name wins, a stored one stays while the size does */
static int update(struct sync *s, struct mail_index_msg *old, const struct maildir_msg *f)
{
	bool new_flags = strcmp(old->flags, f->flags) != 0;
	off_t vsize = f->vsize >= 0 ? f->vsize : old->size == f->size ? old->vsize : -1;

	if (!new_flags && strcmp(old->name, f->name) == 0 && old->in_new == f->in_new
	    && old->size == f->size && old->date == f->mtime && old->vsize == vsize)
		return 0;
	if (new_flags) {
		old->modseq = ++s->head.highestmodseq;
		if (s->ch)
			s->ch->n_changed++;
	}
	free(old->name);
	old->name = xstrdup(f->name);
	memcpy(old->flags, f->flags, sizeof(old->flags));
	old->size = f->size;
	old->vsize = vsize;
	old->date = f->mtime;
	old->in_new = f->in_new;
	return put_msg(s, old, false);
}

/* new_uid - the file's UID: the uidlist's when it has the file at or
 * above adopt_from (every UID for a folder new to the index), else
 * UIDNEXT */
static int new_uid(struct sync *s, const char *base, uint32_t *uid_r)
{
	const struct dovecot_uidlist_entry *e = NULL;

	if (s->ul_uid)
		e = htable_get(s->ul_uid, base);

	if (e && e->uid >= s->adopt_from) {
		*uid_r = e->uid;
		return 0;
	}
	if (s->head.uidnext >= UINT32_MAX) {
		buf_printf(s->why, "%s: folder %s: UIDs used up", s->idx->path, s->folder);
		return SYNC_ERR;		/* XXX a new UIDVALIDITY and renumbering */
	}
	*uid_r = s->head.uidnext++;
	return 0;
}

/* add - a file the index does not know */
static int add(struct sync *s, const struct maildir_msg *f, const char *base)
{
	struct mail_index_msg m = { .name = f->name, .base_len = f->base_len, .size = f->size,
				    .vsize = f->vsize, .date = f->mtime, .in_new = f->in_new };

	memcpy(m.flags, f->flags, sizeof(m.flags));
	s->ul_change = true;
	if (new_uid(s, base, &m.uid) != 0)
		return SYNC_ERR;
	m.modseq = ++s->head.highestmodseq;
	if (s->ch)
		s->ch->n_new++;
	return put_msg(s, &m, true);
}

/* base_cmp - two bases (bytes, lengths) in order */
static int base_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	return c ? c : (alen > blen) - (alen < blen);
}

/* base_hash - FNV-1a of a base */
static size_t base_hash(const char *p, size_t len)
{
	uint64_t h = 14695981039346656037ULL;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)p[i]) * 1099511628211ULL;
	return (size_t)h;
}

/* find_base - the old message (the lowest UID) with this base, or NULL */
static struct mail_index_msg *find_base(const struct sync *s, const char *base, size_t len)
{
	for (size_t k = base_hash(base, len) & s->base_mask; s->base_slots && s->base_slots[k];
	     k = (k + 1) & s->base_mask) {
		const struct mail_index_msg *m = &s->old.msgs[s->base_slots[k] - 1];

		if (base_cmp(m->name, m->base_len, base, len) == 0)
			return (struct mail_index_msg *)m;
	}
	return NULL;
}

/* old_with_base - the old message (the lowest UID) whose base is f's:
 * the one known() found for it in this load's scan, else looked up */
static struct mail_index_msg *old_with_base(struct sync *s, const struct maildir_msg *f)
{
	if (f->ref && f->ref <= s->old.len) {
		struct mail_index_msg *m = &s->old.msgs[f->ref - 1];

		if (base_cmp(m->name, m->base_len, f->name, f->base_len) == 0)
			return m;
	}
	return find_base(s, f->name, f->base_len);
}

/* sync_file - one file of the scan */
static int sync_file(struct sync *s, const struct maildir_msg *f)
{
	struct mail_index_msg *old = old_with_base(s, f);
	char *base;
	int rc = 0;

	if (old && !s->matched[old - s->old.msgs]) {
		s->matched[old - s->old.msgs] = true;
		return update(s, old, f);
	}
	base = xmalloc(f->base_len + 1);
	memcpy(base, f->name, f->base_len);
	base[f->base_len] = '\0';
	if (old || htable_get(s->new_bases, base)) {
		if (s->ch)
			s->ch->n_duplicate++;
	} else {
		htable_put(s->new_bases, base, &seen);
		if (s->n_fresh == s->cap_fresh) {
			s->cap_fresh = s->cap_fresh ? 2 * s->cap_fresh : 64;
			s->fresh = xrealloc(s->fresh, s->cap_fresh * sizeof(*s->fresh));
		}
		s->fresh[s->n_fresh++] = f;
	}
	free(base);
	return rc;
}

/* a new file and its name's time (maildir_name_time) */
struct fresh {
	unsigned long long t[3];
	const struct maildir_msg *f;
};

/* fresh_order - new files in the order they were made (their names'
 * time, then their names), so copies and deliveries take UIDs in that
 * order, as Dovecot gives them */
static int fresh_order(const void *x, const void *y)
{
	const struct fresh *a = x, *b = y;

	for (int i = 0; i < 3; i++)
		if (a->t[i] != b->t[i])
			return a->t[i] < b->t[i] ? -1 : 1;
	return strcmp(a->f->name, b->f->name);
}

/* add_fresh - the files the index did not know, UIDs in time order */
static int add_fresh(struct sync *s)
{
	struct fresh *order = xcalloc(s->n_fresh + 1, sizeof(*order));
	int rc = 0;

	for (size_t i = 0; i < s->n_fresh; i++) {
		order[i].f = s->fresh[i];
		maildir_name_time(s->fresh[i]->name, order[i].t);
	}
	if (s->n_fresh > 1)
		qsort(order, s->n_fresh, sizeof(*order), fresh_order);
	for (size_t i = 0; rc == 0 && i < s->n_fresh; i++) {
		const struct maildir_msg *f = order[i].f;
		char *base = xmalloc(f->base_len + 1);

		memcpy(base, f->name, f->base_len);
		base[f->base_len] = '\0';
		rc = add(s, f, base);
		free(base);
	}
	free(order);
	free(s->fresh);
	s->fresh = NULL;
	s->n_fresh = s->cap_fresh = 0;
	return rc;
}

/* expunge - an indexed file that is gone; its dovecot-uidlist line
 * stays until a sync that gives UIDs rewrites the file (stale lines,
 * mail_index_uidlist.c): an expunge takes neither the lock nor the file */
static int expunge(struct sync *s, const struct mail_index_msg *m)
{
	struct mail_index_changes *ch = s->ch;
	int rc;

	s->head.highestmodseq++;
	if (ch && s->found) {
		ch->expunged = xrealloc(ch->expunged, (ch->n_expunged + 1) * sizeof(*ch->expunged));
		ch->expunged[ch->n_expunged++] = m->uid;
	}
	if ((rc = del_msg(s, m)) != 0 || s->txn == NULL || !s->found)
		return rc;
	return mail_index_vanished_note(s->idx, s->txn, s->folder, m->uid, s->head.highestmodseq);
}

/* hash_old - s->base_slots over s->old (in UID order): the first, the
 * lowest UID, of each base; a second record with a base already there is
 * left out (it is expunged) */
static void hash_old(struct sync *s)
{
	size_t n = s->found ? s->old.len : 0, cap = 16;

	while (cap < 2 * n)
		cap *= 2;
	free(s->base_slots);
	s->base_slots = xcalloc(cap, sizeof(*s->base_slots));
	s->base_mask = cap - 1;
	for (size_t i = 0; i < n; i++) {
		const struct mail_index_msg *m = &s->old.msgs[i];
		size_t k = base_hash(m->name, m->base_len) & s->base_mask;
		bool dup = false;

		for (; s->base_slots[k] && !dup; k = (k + 1) & s->base_mask) {
			const struct mail_index_msg *o = &s->old.msgs[s->base_slots[k] - 1];

			dup = base_cmp(o->name, o->base_len, m->name, m->base_len) == 0;
		}
		if (!dup)
			s->base_slots[k] = i + 1;
	}
}

/* drop_old - the hash of s->old */
static void drop_old(struct sync *s)
{
	free(s->base_slots);
	s->base_slots = NULL;
}

/* index_old - the old messages by base (a second record with a base
 * already indexed is not matched: it is expunged); a folder without a
 * header has only leftovers, which are all deleted */
static void index_old(struct sync *s)
{
	s->new_bases = htable_new(16);
	s->matched = xcalloc(s->old.len + 1, sizeof(*s->matched));
	if (s->base_slots == NULL)	/* scan_folder's, when it ran on this load */
		hash_old(s);
}

/* diff - compare (and with a txn, apply) scan and index; then the head */
static int diff(struct sync *s)
{
	int rc = 0;

	index_old(s);
	if (!s->found)
		s->changes++;
	for (size_t i = 0; rc == 0 && i < s->scan->len; i++)
		rc = sync_file(s, &s->scan->msgs[i]);
	if (rc == 0)
		rc = add_fresh(s);
	free(s->fresh);
	s->fresh = NULL;
	s->n_fresh = s->cap_fresh = 0;
	for (size_t i = 0; rc == 0 && i < s->old.len; i++)
		if (!s->matched[i])
			rc = expunge(s, &s->old.msgs[i]);
	if (rc == 0 && s->txn && s->changes) {
		mail_index_key_folder(s->key, s->folder);
		mail_index_enc_head(s->val, &s->head);
		if ((rc = put(s)) == 0)
			rc = mail_index_vanished_start(s->idx, s->txn, s->folder, s->first_modseq);
		if (rc == 0 && !s->found && s->adopt_from == UINT32_MAX)	/* a new UIDVALIDITY */
			rc = mail_index_recent_start(s->idx, s->txn, s->folder, s->head.uidvalidity);
	}
	htable_free(&s->new_bases, NULL);
	drop_old(s);
	free(s->matched);
	s->matched = NULL;
	if (rc != 0 && rc != SYNC_ERR)
		buf_printf(s->why, "%s: folder %s: %s", s->idx->path, s->folder, mdb_strerror(rc));
	return rc;
}

/* start_head - the head of a folder new to the index.  With the UIDs of
 * its dovecot-uidlist, clients may hold MODSEQs of an earlier index (or
 * of Dovecot's): MODSEQs must not go back within a UIDVALIDITY (RFC 7162
 * 3.1.1), so they start from the clock, 2^20 per second, not from 1 */
static void start_head(struct sync *s, const struct dovecot_uidlist *ul)
{
	s->head.highestmodseq = 1;
	if (ul) {
		s->head.highestmodseq = (uint64_t)time(NULL) << MODSEQ_CLOCK_SHIFT;
		s->head.uidvalidity = ul->uidvalidity;
		s->head.uidnext = ul->nextuid;
	} else {
		s->head.uidvalidity = s->txn ? mail_index_uidvalidity_next(s->idx) : 1;
		s->head.uidnext = 1;
	}
}

/* del_prefix - every record whose key starts with s->key */
static int del_prefix(struct sync *s)
{
	MDB_cursor *c;
	MDB_val k;
	int rc;

	if ((rc = mdb_cursor_open(s->txn, s->idx->dbi, &c)) != 0)
		return rc;
	for (;;) {
		k = mail_index_val(s->key);
		if ((rc = mdb_cursor_get(c, &k, NULL, MDB_SET_RANGE)) != 0
		    || k.mv_size < buf_len(s->key)
		    || memcmp(k.mv_data, buf_str(s->key), buf_len(s->key)) != 0
		    || (rc = mdb_cursor_del(c, 0)) != 0)
			break;
	}
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/* drop_folder - a folder with a record that does not decode loses all
 * of its records and starts again, as if new to the index */
static int drop_folder(struct sync *s)
{
	int rc;

	if (s->txn)
		log_warn("%s; the folder's index is rebuilt", buf_str(s->why));
	buf_reset(s->why);
	if (s->txn == NULL)
		return 0;
	mail_index_key_uid(s->key, s->folder, 0);
	if ((rc = del_prefix(s)) != 0 || (rc = mail_index_cache_drop(s->idx, s->txn, s->folder, 0)) != 0
	    || (rc = mail_index_vanished_drop(s->idx, s->txn, s->folder)) != 0
	    || (rc = mail_index_stamp_drop(s->idx, s->txn, s->folder)) != 0)
		return rc;
	mail_index_key_base(s->key, s->folder, "", 0);
	if ((rc = del_prefix(s)) != 0)
		return rc;
	mail_index_key_folder(s->key, s->folder);
	return del(s);
}

/* load_ulstat - the "L" record into s->l_rec; one that does not decode
 * counts as none (the file is then written again) */
static int load_ulstat(struct sync *s, MDB_txn *txn)
{
	MDB_val k, v;
	int rc;

	s->l_rec = (struct mail_index_ulstat){ 0 };
	mail_index_key_ulstat(s->key, s->folder);
	k = mail_index_val(s->key);
	if ((rc = mdb_get(txn, s->idx->dbi, &k, &v)) == 0
	    && mail_index_dec_ulstat(&v, &s->l_rec) != 0)
		s->l_rec = (struct mail_index_ulstat){ 0 };
	if (rc != 0 && rc != MDB_NOTFOUND) {
		buf_printf(s->why, "%s: folder %s: %s", s->idx->path, s->folder, mdb_strerror(rc));
		return SYNC_ERR;
	}
	return 0;
}

/* adopt_setup - which of ul's UIDs new files take: all of them for a
 * folder new to the index (start_head took ul's UIDVALIDITY and N);
 * for a known one with the same UIDVALIDITY, those at or above UIDNEXT
 * (lines written before a crash, or by a Dovecot running alongside),
 * and UIDNEXT rises to ul's N: no UID either gave is given again */
static void adopt_setup(struct sync *s, const struct dovecot_uidlist *ul)
{
	s->adopt_from = UINT32_MAX;
	if (ul == NULL || (s->found && ul->uidvalidity != s->head.uidvalidity))
		return;
	s->adopt_from = s->found ? s->head.uidnext : 0;
	if (ul->nextuid > s->head.uidnext) {
		s->head.uidnext = ul->nextuid;
		s->changes++;
	}
}

/* load - the folder's records into s (in s->txn, or txn for a dry run) */
static int load(struct sync *s, MDB_txn *txn, const struct dovecot_uidlist *ul)
{
	int rc;

	s->found = mail_index_load(s->idx, txn, s->folder, &s->old, s->why);
	if (s->found == MAIL_INDEX_BAD_RECORD) {
		s->found = 0;
		if ((rc = drop_folder(s)) != 0) {
			buf_printf(s->why, "%s: folder %s: %s", s->idx->path, s->folder,
				   mdb_strerror(rc));
			return SYNC_ERR;
		}
	}
	if (s->found < 0 || load_ulstat(s, txn) != 0)
		return SYNC_ERR;
	if (s->found) {
		s->head = (struct mail_index_head){ s->old.uidvalidity, s->old.uidnext,
						    s->old.highestmodseq };
	} else {
		start_head(s, ul);
	}
	/* a new UIDVALIDITY has no past: its expunge history is whole */
	s->first_modseq = s->found || ul ? s->head.highestmodseq : 0;
	adopt_setup(s, ul);
	return 0;
}

/* sync_reset - forget one pass's state */
static void sync_reset(struct sync *s)
{
	mail_index_msgs_free(&s->old);
	drop_old(s);
	s->changes = 0;
	s->ul_change = false;
	if (s->ch) {
		mail_index_changes_free(s->ch);
		*s->ch = (struct mail_index_changes){ 0 };
	}
}

/* known - maildir_scan_known's question: a file the index has by this
 * name and place, with its size and date; or one it has by base under
 * another name that says its size (",S="): renamed (new/ to cur/, new
 * flags), which keeps the file's date.  True: no stat needed */
static bool known(void *ctx, const char *name, bool in_new, off_t *size_r, time_t *mtime_r,
		  size_t *ref_r)
{
	struct sync *s = ctx;
	const struct mail_index_msg *m = find_base(s, name, maildir_base_len(name));

	if (m == NULL)
		return false;
	*ref_r = (size_t)(m - s->old.msgs) + 1;
	*mtime_r = m->date;
	if (m->in_new == in_new && strcmp(m->name, name) == 0) {
		*size_r = m->size;
		return true;
	}
	return maildir_name_size(name, size_r);
}

/* scan_folder - the folder's files, after load: what the index has by name is
 * not stat'ed again */
static int scan_folder(struct sync *s, struct maildir_scan **scanp)
{
	int rc;

	hash_old(s);			/* diff's index_old takes it */
	rc = maildir_scan_known(s->folder_fd, MAIL_INDEX_MSGS_MAX, known, s, scanp, s->why);
	return rc;
}

/* uidlist_behind - the folder's dovecot-uidlist is missing or not as
 * the last sync left it */
static bool uidlist_behind(struct sync *s)
{
	struct mail_index_ulstat now;

	mail_index_uidlist_stat(s->folder_fd, &now);
	return now.ino == 0 || !mail_index_uidlist_same(&now, &s->l_rec);
}

/* dry_run - 1 when the index or the uidlist needs a write, 0 not, -1 */
static int dry_run(struct sync *s)
{
	struct mail_index_changes *ch = s->ch;
	struct maildir_scan *dry = NULL;
	MDB_txn *txn;
	int rc;

	if ((rc = mail_index_txn_begin(s->idx, MDB_RDONLY, &txn)) != 0) {
		buf_printf(s->why, "%s: %s", s->idx->path, mdb_strerror(rc));
		return -1;
	}
	s->ch = NULL;
	s->txn = NULL;
	rc = load(s, txn, NULL) == 0 && scan_folder(s, &dry) == 0 ? (s->scan = dry, diff(s)) : SYNC_ERR;
	s->dry_txnid = mdb_txn_id(txn);
	mdb_txn_abort(txn);
	s->scan = NULL;
	s->dry_scan = dry;
	s->ch = ch;
	if (rc != 0)
		return -1;
	s->want_ul = s->ul_change || !s->found || uidlist_behind(s);
	rc = s->changes > 0 || s->want_ul;
	sync_reset(s);
	return rc;
}

/* grow - double the map after MDB_MAP_FULL (no transaction is open) */
static int grow(struct mail_index *idx)
{
	MDB_envinfo info;

	if (mdb_env_info(idx->env, &info) != 0 || info.me_mapsize >= (size_t)1 << MAP_MAX_SHIFT)
		return -1;
	idx->map_size = info.me_mapsize * 2;
	return mdb_env_set_mapsize(idx->env, idx->map_size) == 0 ? 0 : -1;
}

/* put_ulstat - the "L" record: the file as this sync leaves it (none:
 * not written, the next sync tries again) */
static int put_ulstat(struct sync *s, const struct mail_index_ulstat *st)
{
	mail_index_key_ulstat(s->key, s->folder);
	if (st->ino == 0)
		return del(s);
	mail_index_enc_ulstat(s->val, st);
	return put(s);
}

/* update_uidlist - the file brought up to the folder as this write
 * transaction has it, before the commit (see mail_index_uidlist.c) */
static int update_uidlist(struct sync *s)
{
	struct mail_index_folder f;
	struct mail_index_ulstat st;
	int rc = mail_index_load(s->idx, s->txn, s->folder, &f, s->why);

	if (rc != 1) {
		if (rc == 0)
			buf_printf(s->why, "%s: folder %s: header not written", s->idx->path,
				   s->folder);
		return SYNC_ERR;
	}
	mail_index_uidlist_write(s->idx, s->folder, s->folder_fd, s->u, &f, &st);
	mail_index_msgs_free(&f);
	if ((rc = put_ulstat(s, &st)) != 0)
		buf_printf(s->why, "%s: folder %s: %s", s->idx->path, s->folder, mdb_strerror(rc));
	return rc;
}

/* map_uidlist - base -> entry of the file as read */
static void map_uidlist(struct sync *s)
{
	const struct dovecot_uidlist *ul = s->u->ul;

	htable_free(&s->ul_uid, NULL);
	if (ul == NULL)
		return;
	s->ul_uid = htable_new(ul->count);
	for (size_t i = 0; i < ul->count; i++)
		htable_put(s->ul_uid, ul->entries[i].base, &ul->entries[i]);
}

/* held_fills - the cache fills a held batch keeps go with this write
 * (mail_index_cache_batch_hold); one the cache refuses is left out, the
 * sync goes on: 0, or an LMDB error (MDB_MAP_FULL: the pass again) */
static int held_fills(struct sync *s)
{
	struct buf *why = buf_new(0);
	int rc = mail_index_cache_batch_txn(s->idx, s->txn, why);

	buf_free(&why);
	return rc == -1 ? 0 : rc;
}

/* write_pass - read the uidlist, scan under the writer lock, apply,
 * write the uidlist, commit: 0, an LMDB error (MDB_MAP_FULL: try
 * again), or SYNC_ERR */
static int write_pass(struct sync *s)
{
	struct maildir_scan *scan;
	size_t txnid;
	int rc;

	if (s->ul_mode) {
		mail_index_uidlist_read(s->idx, s->folder, s->folder_fd, s->u);
		map_uidlist(s);
	}
	if ((rc = mail_index_txn_begin(s->idx, 0, &s->txn)) != 0) {
		buf_printf(s->why, "%s: %s", s->idx->path, mdb_strerror(rc));
		return rc;
	}
	txnid = mdb_txn_id(s->txn);
	/* no commit since the dry run's snapshot: its scan is newer than
	 * every other writer's, as the top of the file requires */
	if (s->dry_scan && mdb_txn_id(s->txn) == s->dry_txnid + 1) {
		scan = s->dry_scan;
		s->dry_scan = NULL;
	} else {
		maildir_scan_free(&s->dry_scan);
		scan = NULL;
	}
	if ((rc = load(s, s->txn, s->u->ul)) == 0 && s->own && s->found)
		scan = mail_index_own_scan(&s->old, s->own, s->n_own, &s->own_missed);
	if (rc != 0 || (scan == NULL && scan_folder(s, &scan) != 0)) {
		mdb_txn_abort(s->txn);
		s->txn = NULL;
		maildir_scan_free(&scan);
		return SYNC_ERR;
	}
	s->scan = scan;
	if ((rc = mail_index_stamp_drop(s->idx, s->txn, s->folder)) == 0 && (rc = diff(s)) == 0)
		rc = !s->ul_mode ? (s->ul_change || !s->found ? NEED_UIDLIST : 0) : update_uidlist(s);
	if (rc == 0 && s->take) {
		s->take->uidvalidity = s->head.uidvalidity;
		s->take->upto = s->head.uidnext;
		rc = mail_index_recent_take_txn(s->idx, s->txn, s->folder, s->take);
	}
	if (rc == 0 && (rc = held_fills(s)) == 0) {
		if ((rc = mdb_txn_commit(s->txn)) == 0)
			mail_index_cache_batch_written(s->idx);
	} else {
		mdb_txn_abort(s->txn);
	}
	if (rc != 0 && rc != SYNC_ERR && rc != NEED_UIDLIST && buf_len(s->why) == 0)
		buf_printf(s->why, "%s: commit: %s", s->idx->path, mdb_strerror(rc));
	s->txn = NULL;
	s->scan = NULL;
	if ((rc == MDB_MAP_FULL || rc == NEED_UIDLIST) && s->own == NULL) {
		/* nothing committed: the pass again may take this scan, as the
		 * first took the dry run's (a new folder of 100,000 files is
		 * not read and stat'ed again for each doubling of the map) */
		s->dry_scan = scan;
		s->dry_txnid = txnid - 1;
		scan = NULL;
	}
	maildir_scan_free(&scan);
	return rc;
}

/* write_sync - the write passes, growing the map as needed; a pass
 * that gives or takes UIDs runs under dovecot-uidlist.lock, taken before
 * its write transaction (by every hato process: no two wait for each
 * other); one that only renames (new/ to cur/, flags) needs neither the
 * lock nor the file, unless a pass finds otherwise and is run again */
static int write_sync(struct sync *s)
{
	struct mail_index_uidlist u = { 0 };
	bool tried = false;
	int rc;

	if (mail_index_sync_pause)
		mail_index_sync_pause();
	s->u = &u;
	s->ul_mode = s->want_ul;
	for (;;) {
		if (s->ul_mode && !tried) {
			mail_index_uidlist_lock(s->idx, s->folder, s->folder_fd, &u);
			tried = true;
		}
		if ((rc = write_pass(s)) != MDB_MAP_FULL && rc != NEED_UIDLIST)
			break;
		sync_reset(s);
		buf_reset(s->why);
		if (rc == NEED_UIDLIST) {
			s->ul_mode = true;
		} else if (grow(s->idx) != 0) {
			buf_printf(s->why, "%s: map full, cannot grow", s->idx->path);
			break;
		}
	}
	htable_free(&s->ul_uid, NULL);
	mail_index_uidlist_done(&u);
	s->u = NULL;
	return rc == 0 ? 0 : -1;
}

/* sync_begin - the checks and buffers both entries share: 0, or -1 */
static int sync_begin(struct sync *s)
{
	if (s->ch)
		*s->ch = (struct mail_index_changes){ 0 };
	if (*s->folder == '\0' || strlen(s->folder) > MAIL_INDEX_FOLDER_MAX) {
		buf_printf(s->why, "folder name empty or longer than %d bytes",
			   MAIL_INDEX_FOLDER_MAX);
		return -1;
	}
	s->key = buf_new(64);
	s->val = buf_new(64);
	return 0;
}

/* sync_end - what a sync leaves to free; rc as the entries return it */
static int sync_end(struct sync *s, int rc)
{
	maildir_scan_free(&s->dry_scan);
	mail_index_msgs_free(&s->old);
	drop_old(s);
	if (rc != 0 && s->ch)
		mail_index_changes_free(s->ch);
	buf_free(&s->key);
	buf_free(&s->val);
	return rc < 0 ? -1 : 0;
}

/* mail_index_sync - see the top of the file */
int mail_index_sync(struct mail_index *idx, const char *folder, int folder_fd,
		    struct mail_index_changes *ch, struct buf *why)
{
	struct sync s = { .idx = idx, .folder = folder, .folder_fd = folder_fd, .ch = ch,
			  .why = why };
	struct mail_index_stamp stamp;
	int rc;

	if (sync_begin(&s) < 0)
		return -1;
	stamp.bytes = buf_new(128);
	mail_index_stamp_take(folder_fd, &stamp);
	if (mail_index_stamp_current(idx, folder, &stamp)) {
		buf_free(&stamp.bytes);
		return sync_end(&s, 0);
	}
	rc = dry_run(&s);
	if (rc == 0)
		mail_index_stamp_put(idx, folder, &stamp);
	else if (rc > 0)
		rc = write_sync(&s);
	buf_free(&stamp.bytes);
	return sync_end(&s, rc);
}

/* mail_index_sync_own - see mail_index.h: the write pass takes its scan
 * from the records and own (mail_index_own.c) instead of the folder */
int mail_index_sync_own(struct mail_index *idx, const char *folder, int folder_fd,
			const struct mail_index_own *own, size_t n, struct mail_index_changes *ch,
			struct mail_index_take *take, struct buf *why)
{
	struct sync s = { .idx = idx, .folder = folder, .folder_fd = folder_fd, .ch = ch,
			  .why = why, .own = own, .n_own = n, .take = take };

	if (sync_begin(&s) < 0)
		return -1;
	for (size_t k = 0; k < n; k++)
		s.want_ul = s.want_ul || own[k].kind == MAIL_INDEX_OWN_NEW;
	if (take)
		take->done = false;
	if (sync_end(&s, write_sync(&s)) < 0)
		return -1;
	return s.own_missed ? 1 : 0;
}

/* mail_index_changes_free - the expunged list */
void mail_index_changes_free(struct mail_index_changes *ch)
{
	free(ch->expunged);
	ch->expunged = NULL;
	ch->n_expunged = 0;
}
