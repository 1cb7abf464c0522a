/* mail_index_recent - which of a folder's messages are still \Recent
 * (RFC 3501 2.3.2): the first UID no IMAP session has taken yet, kept
 * per folder in the index as Dovecot keeps first_recent_uid in its index
 * header.  Every message from there up is \Recent for the next
 * read-write session that sees it (SELECT, or a session already
 * selected when it arrives), however it came: delivered, APPENDed,
 * COPYed or MOVEd.  That session takes them: the record moves up in the
 * same LMDB write transaction that read it, so of two sessions taking
 * at once exactly one gets each message.
 *
 *   uint32_t first;
 *   // read-write: take [first, view's UIDNEXT), keep them for the session
 *   mail_index_recent(idx, "INBOX", uidvalidity, dflt, uidnext, true, &first, &gen, why);
 *   // EXAMINE, STATUS: only look (\Recent from first up)
 *   mail_index_recent(idx, "INBOX", uidvalidity, dflt, 0, false, &first, NULL, why);
 *
 * A folder with no record for its UIDVALIDITY (an index from before the
 * record, or a folder that took UIDs from its dovecot-uidlist) counts
 * from dflt: the caller's guess, the lowest UID still in new/ (else
 * UIDNEXT), which is what \Recent meant before.  A folder new to the
 * index with a new UIDVALIDITY starts at 1 (mail_index_recent_start, from
 * the sync).  Taking gives no MODSEQ: \Recent is no flag change (RFC 7162).
 * Record (main database, big-endian): "R" folder -> uidvalidity u32,
 * first u32.  One that does not decode counts as none.  Errors: -1 with
 * why.
 */
#ifndef HATO_MAIL_INDEX_RECENT_H
#define HATO_MAIL_INDEX_RECENT_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "mail_index.h"

/* mail_index_recent - the folder's first UID not yet taken into
 * *first_r; with take, the record becomes at least upto (the caller
 * took [*first_r, upto)) and *gen_r (may be NULL) is the generation
 * (mail_index_generation) of that write, 0 when nothing was written */
int mail_index_recent(struct mail_index *idx, const char *folder, uint32_t uidvalidity,
		      uint32_t dflt, uint32_t upto, bool take, uint32_t *first_r, uint64_t *gen_r,
		      struct buf *why);

#endif
