/* mail_index_int - what the mail_index_*.c files share: the handle and
 * the record layout in the main LMDB database.
 *
 * Two named databases beside the main one hold the keyword tables
 * (mail_index_keywords.c) and the cache (mail_index_cache.c); their
 * layouts are in those files.  LMDB keeps their names, "keywords" and
 * "cache", as keys of the main database: lowercase, so none of the keys
 * below can be one.  Main-database keys (the folder name has no NUL, at
 * most MAIL_INDEX_FOLDER_MAX bytes):
 *   "V"                      -> "hato-index 1" (format version)
 *   "F" folder               -> uidvalidity u32, uidnext u32, highestmodseq u64
 *   "U" folder NUL uid(u32)  -> modseq u64, size u64, date i64, in_new u8,
 *                               base_len u8, flags_len u8, flags, name,
 *                               NUL, vsize i64 (-1: unknown)
 *   "B" folder NUL base      -> uid u32
 *   "X" folder NUL uid, "H" folder, "C" folder: the expunge history
 *                               (mail_index_vanished.c)
 *   "R" folder               -> uidvalidity u32, first u32: the first
 *                               UID not yet taken as \Recent
 *                               (mail_index_recent.c)
 *   "L" folder               -> dev u64, ino u64, size u64, mtime s64,
 *                               mtime nsec u32: the folder's
 *                               dovecot-uidlist as the last sync left it
 *                               (absent: write it at the next sync)
 *   "D" folder               -> cur/ and new/ (dev, ino, mtime s, ns: u64
 *                               each) and the "L" layout of the uidlist
 *                               when a sync last found nothing to do
 *                               (mail_index_stamp.c)
 * Integers are big-endian, so "U" keys sort in UID order.  The NUL and
 * vsize came later without a new version string: a "U" record that ends
 * with the name (no NUL: names have none) is one of the first layout and
 * reads with vsize -1, so an index written before keeps its UIDs; the
 * next write of the record adds the vsize.  Records come
 * from a file the user can write: the decoders check every length and
 * return -1 on anything odd, which the callers treat as corruption.
 */
#ifndef HATO_MAIL_INDEX_INT_H
#define HATO_MAIL_INDEX_INT_H

#include <lmdb.h>

#include "dovecot_dotlock.h"
#include "dovecot_uidlist.h"
#include "mail_index.h"
#include "mail_index_recent.h"
#include "maildir_scan.h"

#define MAIL_INDEX_VERSION "hato-index 1"

enum { MAIL_INDEX_BAD_RECORD = -2 };	/* a record that does not decode */

struct mail_index {
	char *path;			/* <Maildir>/hato-index.lmdb */
	int maildir_fd;
	int dir_fd;			/* the index directory, flock()ed shared */
	MDB_env *env;
	MDB_dbi dbi;
	MDB_dbi kw_dbi;			/* "keywords": mail_index_keywords.c */
	MDB_dbi cache_dbi;		/* "cache": mail_index_cache.c */
	size_t map_size;
	struct cache_batch *batch;	/* mail_index_cache_batch: fills not written yet */
	unsigned vanished_max;		/* "X" records kept per folder before pruning */
};

enum { MAIL_INDEX_VANISHED_MAX = 20000 };

/* a folder's header record */
struct mail_index_head {
	uint32_t uidvalidity, uidnext;
	uint64_t highestmodseq;
};

/* the identity of a dovecot-uidlist file ("L" record) */
struct mail_index_ulstat {
	uint64_t dev, ino, size;
	int64_t mtime;
	uint32_t mtime_nsec;
};

/* mail_index_key_* - the keys above, built in b; _kind: the one-letter
 * records of a folder ("F", "L", "D", "R") */
void mail_index_key_kind(struct buf *b, char kind, const char *folder);
void mail_index_key_folder(struct buf *b, const char *folder);
void mail_index_key_ulstat(struct buf *b, const char *folder);
void mail_index_key_uid(struct buf *b, const char *folder, uint32_t uid);
void mail_index_key_base(struct buf *b, const char *folder, const char *base, size_t len);
/* mail_index_val - an MDB_val over b */
MDB_val mail_index_val(const struct buf *b);

void mail_index_enc_head(struct buf *b, const struct mail_index_head *h);
int mail_index_dec_head(const MDB_val *v, struct mail_index_head *h);
void mail_index_enc_msg(struct buf *b, const struct mail_index_msg *m);
/* mail_index_dec_msg - into m (uid from the key); m->name is allocated */
int mail_index_dec_msg(const MDB_val *k, const MDB_val *v, size_t prefix_len,
		       struct mail_index_msg *m);
uint32_t mail_index_get32(const unsigned char *p);
uint64_t mail_index_get64(const unsigned char *p);
void mail_index_put64(struct buf *b, uint64_t v);

/* mail_index_load - the head (1 found, 0 not) and messages of folder in
 * txn; -1 with why on an LMDB error, MAIL_INDEX_BAD_RECORD on a record
 * that does not decode */
int mail_index_load(struct mail_index *idx, MDB_txn *txn, const char *folder,
		    struct mail_index_folder *f, struct buf *why);
void mail_index_msgs_free(struct mail_index_folder *f);
/* mail_index_txn_begin - a transaction, following another process's
 * map growth */
int mail_index_txn_begin(struct mail_index *idx, unsigned flags, MDB_txn **txnp);
/* mail_index_uidvalidity_next - a new UIDVALIDITY for this Maildir */
uint32_t mail_index_uidvalidity_next(struct mail_index *idx);
/* mail_index_ulstat_* - the "L" record: encoded; decoded (0, or -1) */
void mail_index_enc_ulstat(struct buf *b, const struct mail_index_ulstat *u);
int mail_index_dec_ulstat(const MDB_val *v, struct mail_index_ulstat *u);

/* the folder's dovecot-uidlist during a sync (mail_index_uidlist.c) */
struct mail_index_uidlist {
	struct dovecot_uidlist *ul;	/* as read; NULL: none or refused */
	struct mail_index_ulstat st;	/* of the file read; zero: none */
	bool ends_in_newline;		/* nothing half-written at its end */
	struct dovecot_dotlock *lock;	/* NULL: not ours, the file is not written */
};

/* mail_index_uidlist_stat - the identity of the folder's dovecot-uidlist;
 * all zero when there is none (or it is no regular file) */
void mail_index_uidlist_stat(int folder_fd, struct mail_index_ulstat *st);
/* mail_index_uidlist_same - the same file, unchanged */
bool mail_index_uidlist_same(const struct mail_index_ulstat *a, const struct mail_index_ulstat *b);
/* mail_index_uidlist_lock - take dovecot-uidlist.lock for a sync; not
 * getting it is a warning, and the sync goes on without a write */
void mail_index_uidlist_lock(struct mail_index *idx, const char *folder, int folder_fd,
			     struct mail_index_uidlist *u);
/* mail_index_uidlist_read - (re)read the file into u->ul; a file that is
 * refused is a warning, and u->ul NULL */
void mail_index_uidlist_read(struct mail_index *idx, const char *folder, int folder_fd,
			     struct mail_index_uidlist *u);
/* mail_index_uidlist_write - bring the file up to f (the folder as the
 * sync's transaction has it): nothing, new lines appended, or the whole
 * file rewritten; *st_r its identity after, zero when it could not be
 * written (a warning).  Needs the lock. */
void mail_index_uidlist_write(struct mail_index *idx, const char *folder, int folder_fd,
			      struct mail_index_uidlist *u, const struct mail_index_folder *f,
			      struct mail_index_ulstat *st_r);
/* mail_index_uidlist_done - release the lock, free u's list */
void mail_index_uidlist_done(struct mail_index_uidlist *u);
/* mail_index_uidlist_wait_ms - how long a sync waits for another
 * process's dovecot-uidlist.lock before it skips the write */
extern unsigned mail_index_uidlist_wait_ms;

/* mail_index_vanished_* - the sync's side of the expunge history
 * (mail_index_vanished.c): uid expunged at modseq; the history begins at
 * modseq unless it began before; the folder's history dropped.  0 or an
 * LMDB error */
int mail_index_vanished_note(struct mail_index *idx, MDB_txn *txn, const char *folder,
			     uint32_t uid, uint64_t modseq);
int mail_index_vanished_start(struct mail_index *idx, MDB_txn *txn, const char *folder,
			      uint64_t modseq);
int mail_index_vanished_drop(struct mail_index *idx, MDB_txn *txn, const char *folder);

/* a folder's directories as a sync saw them (mail_index_stamp.c) */
struct mail_index_stamp {
	struct buf *bytes;		/* the "D" record's value */
	bool ok;			/* cur/ and new/ are directories */
	bool stable;			/* their mtimes had settled */
};
/* mail_index_stamp_take - st (its bytes allocated by the caller) of the
 * folder now */
void mail_index_stamp_take(int folder_fd, struct mail_index_stamp *st);
/* mail_index_stamp_current - the folder is indexed and was last found
 * in sync looking as st */
bool mail_index_stamp_current(struct mail_index *idx, const char *folder,
			      const struct mail_index_stamp *st);
/* mail_index_stamp_put - keep a stable st as the folder's record */
void mail_index_stamp_put(struct mail_index *idx, const char *folder,
			  const struct mail_index_stamp *st);
/* mail_index_stamp_drop - the record, in a write transaction: 0 or an
 * LMDB error */
int mail_index_stamp_drop(struct mail_index *idx, MDB_txn *txn, const char *folder);
/* mail_index_recent_start - in the sync's txn, a folder new to the index
 * with a new UIDVALIDITY: \Recent from UID 1 (mail_index_recent.c) */
int mail_index_recent_start(struct mail_index *idx, MDB_txn *txn, const char *folder,
			    uint32_t uidvalidity);

/* mail_index_recent_take_txn - a \Recent take (mail_index_recent.h) in
 * the write transaction txn, t->uidvalidity and t->upto set: 0, or an
 * LMDB error */
int mail_index_recent_take_txn(struct mail_index *idx, MDB_txn *txn, const char *folder,
			       struct mail_index_take *t);
/* mail_index_cache_batch_txn - the fills a held batch keeps, written in
 * txn (a sync's write): 0, -1 with why, or an LMDB error; after its
 * commit, mail_index_cache_batch_written forgets them */
int mail_index_cache_batch_txn(struct mail_index *idx, MDB_txn *txn, struct buf *why);
void mail_index_cache_batch_written(struct mail_index *idx);
/* mail_index_own_scan - the folder as its records old and the caller's
 * own changes make it (mail_index_own.c); *missed_r, the changes not
 * applied: their records have a third name */
struct maildir_scan *mail_index_own_scan(const struct mail_index_folder *old,
					 const struct mail_index_own *own, size_t n,
					 size_t *missed_r);

/* mail_index_sync_pause - tests only: called between a sync's dry run
 * and its write transaction, where another writer may get in */
extern void (*mail_index_sync_pause)(void);
/* mail_index_map_grow - double the map after MDB_MAP_FULL, with no
 * transaction open: 0, or -1 at the limit */
int mail_index_map_grow(struct mail_index *idx);
/* mail_index_write_fn - the work of one write transaction: 0 to commit,
 * else an LMDB error or -1 (the caller's own, with why) to abort */
typedef int mail_index_write_fn(MDB_txn *txn, void *ctx);
/* mail_index_write - run fn in a write transaction and commit, growing
 * the map and running fn again after MDB_MAP_FULL: 0, an LMDB error, or
 * fn's -1 */
int mail_index_write(struct mail_index *idx, mail_index_write_fn *fn, void *ctx);
/* mail_index_cache_drop - in the write transaction txn: the cache
 * entries of uid in folder, or of every UID when uid is 0 (an expunge, a
 * folder dropped); 0 or an LMDB error */
int mail_index_cache_drop(struct mail_index *idx, MDB_txn *txn, const char *folder,
			  uint32_t uid);
/* mail_index_cache_key - the cache entry of field ("": the validator)
 * of uid in folder, in b; mail_index_cache_args_ok - a folder, UID and
 * field name the cache takes (else false with why) */
void mail_index_cache_key(struct buf *b, const char *folder, uint32_t uid, const char *field);
bool mail_index_cache_args_ok(const char *folder, uint32_t uid, const char *field, struct buf *why);
/* mail_index_map_first - the map size a new environment starts with;
 * tests make it small to see it grow */
extern size_t mail_index_map_first;

#endif
