/* mail_index_cache - per message, named fields of bytes kept in the
 * index so that IMAP lists a large folder without reading every file:
 * the header fields of the ENVELOPE and the MIME structure of
 * BODYSTRUCTURE (both as mime_parts.h describes them), and the header
 * less its traces and signatures, for HEADER.FIELDS (mail_header_lean.h).
 *
 *   rc = mail_index_cache_get(idx, "INBOX", uid, MAIL_INDEX_CACHE_ENVELOPE, out, why);
 *   if (rc == 0) rc = mail_index_cache_fill(idx, "INBOX", folder_fd, uid, why);
 *   // then get again; MAIL_INDEX_CACHE_UNCACHEABLE: read the file
 *   mail_index_cache_put(idx, "INBOX", uid, "my-field", data, len, why);
 *
 * An entry belongs to the message as the index knows it: its folder's
 * UIDVALIDITY, its UID, its base name and its size.  One that no longer
 * matches (the size changed, the folder was renumbered) reads as not
 * cached; an expunge drops the message's entries.  A field is at most
 * MAIL_INDEX_CACHE_FIELD_MAX bytes: a longer one, or a message past a
 * limit of mime_parts (a huge header, too many parts), is kept as
 * "uncacheable", never cut, so that no one parses it again and again.
 * Field names: 1 to 32 bytes of a-z, 0-9 and '-'.
 * Batches: a fill is a write transaction, and a commit is synced to
 * disk; between mail_index_cache_batch_begin and _end, fills are kept
 * in memory (gets see them) and written MAIL_INDEX_CACHE_BATCH_MAX at a
 * time in one transaction, so listing a cold folder commits a few times,
 * not once per message.  A batch not written when the process dies is
 * lost, which a cache allows; each entry is checked against the
 * message's record when it is written, as a fill is.
 * get_many reads fields of many UIDs in one transaction; the side table
 * (below) keeps one small entry per message apart, read for a whole
 * folder in one walk (SORT's keys, imapmail_sortcache.c).
 * Errors: -1 with why.
 */
#ifndef HATO_MAIL_INDEX_CACHE_H
#define HATO_MAIL_INDEX_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "mail_index.h"

#define MAIL_INDEX_CACHE_ENVELOPE "envelope-headers"
#define MAIL_INDEX_CACHE_BODYSTRUCTURE "bodystructure"
/* the message's header less its traces and signatures (mail_header_lean.h) */
#define MAIL_INDEX_CACHE_HEADER_LEAN "header-lean"

enum {
	MAIL_INDEX_CACHE_FIELD_MAX = 65536,
	MAIL_INDEX_CACHE_NAME_MAX = 32,
	MAIL_INDEX_CACHE_UNCACHEABLE = 2,	/* get: over a limit, read the file */
	MAIL_INDEX_CACHE_BATCH_MAX = 1000,	/* fills per batch transaction */
	MAIL_INDEX_CACHE_BATCH_BYTES = 4 << 20,	/* or bytes of them */
};

/* mail_index_cache_get - the field of uid into out: 1, 0 not cached,
 * MAIL_INDEX_CACHE_UNCACHEABLE, or -1 */
int mail_index_cache_get(struct mail_index *idx, const char *folder, uint32_t uid,
			 const char *field, struct buf *out, struct buf *why);
/* mail_index_cache_put - keep len bytes (data NULL, or len over the
 * limit: uncacheable) as the field of uid: 1, 0 no such message, -1 */
int mail_index_cache_put(struct mail_index *idx, const char *folder, uint32_t uid,
			 const char *field, const void *data, size_t len, struct buf *why);
/* mail_index_cache_fill - read uid's file below folder_fd once and keep
 * both fields: 1, 0 when the index has no such UID or the file is not as
 * the index says (renamed or rewritten since the sync: sync again), -1 */
int mail_index_cache_fill(struct mail_index *idx, const char *folder, int folder_fd,
			  uint32_t uid, struct buf *why);
/* mail_index_cache_fill_header - as _fill, reading only the message's
 * header: every field but the MIME structure, which stays as it was
 * (not cached: the next full fill makes it) */
int mail_index_cache_fill_header(struct mail_index *idx, const char *folder, int folder_fd,
				 uint32_t uid, struct buf *why);

/* mail_index_cache_fill_header_msg - as _fill_header, for the message
 * as msg (the caller's record of it, in a folder of that UIDVALIDITY)
 * has it, without reading its record: a record since changed (a file
 * renamed) is read and filled as _fill_header does; a fill kept under a
 * record the index no longer has is dropped at its write */
int mail_index_cache_fill_header_msg(struct mail_index *idx, const char *folder, int folder_fd,
				     uint32_t uidvalidity, const struct mail_index_msg *msg,
				     struct buf *why);
/* mail_index_cache_derive_fn - the derived field's bytes from the
 * envelope fields (env, len) into out: true, or false to keep it
 * uncacheable (the caller computes it itself) */
typedef bool mail_index_cache_derive_fn(const char *env, size_t len, struct buf *out);
/* mail_index_cache_derive - from now on, this process's fills keep one
 * more field, name (a field name as above; NULL fn: none), made by fn
 * from the envelope fields: a rendering the process would otherwise
 * compute at every read (imapmail's FETCH ENVELOPE).  The name should
 * carry a version, changed when fn's output does, since entries kept by
 * an older fn are never recomputed. */
void mail_index_cache_derive(const char *name, mail_index_cache_derive_fn *fn);

/* many messages at once (SORT): one message's fields as
 * mail_index_cache_get_many reads them; data points into the read
 * transaction (valid during the callback only) */
enum { MAIL_INDEX_CACHE_MANY_FIELDS = 4 };
struct mail_index_cache_view {
	int rc[MAIL_INDEX_CACHE_MANY_FIELDS];	/* as mail_index_cache_get's */
	const char *data[MAIL_INDEX_CACHE_MANY_FIELDS];
	size_t len[MAIL_INDEX_CACHE_MANY_FIELDS];
	const char *valid;		/* the validator they were read under */
	size_t valid_len;
};
typedef void mail_index_cache_each_fn(void *ctx, size_t i, const struct mail_index_cache_view *v);
/* mail_index_cache_get_many - the fields (at most _MANY_FIELDS) of each
 * of the n uids that the index has, in one read transaction, to fn(ctx,
 * i, view) for the i-th (rc 0 for every field when the entries are of
 * another message; a batch's waiting fills are not looked at): 0, -1 */
int mail_index_cache_get_many(struct mail_index *idx, const char *folder, const uint32_t *uids,
			      size_t n, const char *const *fields, size_t n_fields,
			      mail_index_cache_each_fn *fn, void *ctx, struct buf *why);
/* mail_index_cache_get_msgs - as get_many, for messages as the caller
 * holds their records (a view of the folder of that UIDVALIDITY): an
 * entry counts when its validator is the caller's record's, without
 * reading the index's record (so a message renamed since the view was
 * taken, same base and size, still has its entries) */
int mail_index_cache_get_msgs(struct mail_index *idx, const char *folder, uint32_t uidvalidity,
			      const struct mail_index_msg *const *msgs, size_t n,
			      const char *const *fields, size_t n_fields,
			      mail_index_cache_each_fn *fn, void *ctx, struct buf *why);
/* mail_index_cache_validator - the validator of msg (in a folder of
 * that UIDVALIDITY) as get_many and side_scan show them, into b */
void mail_index_cache_validator(uint32_t uidvalidity, const struct mail_index_msg *msg,
				struct buf *b);
/* mail_index_cache_validator_is - valid (len bytes) is that validator */
bool mail_index_cache_validator_is(const char *valid, size_t len, uint32_t uidvalidity,
				   const struct mail_index_msg *msg);

/* The side table: one entry per message of a folder, kept apart from
 * the fields so that a folder's entries are read together, in UID order,
 * by one walk (SORT's keys).  Each carries the validator it was put
 * under: the reader compares it with the message's (an entry of
 * another message, or of other bytes, is not its own); an expunge drops
 * it with the fields.  Entries are at most MAIL_INDEX_CACHE_FIELD_MAX. */
typedef void mail_index_cache_side_fn(void *ctx, uint32_t uid, const char *valid,
				      size_t valid_len, const char *data, size_t len);
/* mail_index_cache_side_scan - fn for every side entry of the folder,
 * UIDs ascending, in one read transaction (data valid during the call
 * only): 0, or -1 with why */
int mail_index_cache_side_scan(struct mail_index *idx, const char *folder,
			       mail_index_cache_side_fn *fn, void *ctx, struct buf *why);
/* mail_index_cache_side_put - data[i] as the side entry of uids[i], each
 * only while the message's validator is still valid[i], in one write
 * transaction: how many kept, or -1 */
long mail_index_cache_side_put(struct mail_index *idx, const char *folder, const uint32_t *uids,
			       const struct buf *const *valid, const struct buf *const *data,
			       size_t n, struct buf *why);

/* mail_index_cache_batch_begin - keep the fills that follow in memory */
void mail_index_cache_batch_begin(struct mail_index *idx);
/* mail_index_cache_batch_hold - instead of _end: a batch of at most max
 * fills is kept waiting (true), to go with the next write transaction
 * the process commits anyway (a sync's, mail_index_sync.c), or with
 * _end, or at mail_index_close; false: the caller ends it */
bool mail_index_cache_batch_hold(struct mail_index *idx, size_t max);
/* mail_index_cache_batch_end - write what the batch holds and end it:
 * 0, or -1 with why (the entries are then lost, not wrong) */
int mail_index_cache_batch_end(struct mail_index *idx, struct buf *why);

#endif
