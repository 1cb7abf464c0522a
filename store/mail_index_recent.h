/* mail_index_recent - which of a folder's messages are still \Recent
 * (RFC 3501 2.3.2): the first UID no IMAP session has taken yet, kept
 * per folder in the index as Dovecot keeps first_recent_uid in its index
 * header.  Every message from there up is \Recent for the next
 * read-write session that sees it (SELECT, or a sync while selected),
 * however it came: delivered, APPENDed, COPYed or MOVEd.  That session
 * takes them: the record moves up in the same LMDB write transaction
 * that read it, so of two sessions taking at once exactly one gets each.
 *
 *   // read-write: take [first, UIDNEXT of the view), keep them
 *   mail_index_recent(idx, "INBOX", uidvalidity, dflt, uidnext, true, &first, &gen, why);
 *   // EXAMINE, STATUS: only look (\Recent from first up)
 *   mail_index_recent(idx, "INBOX", uidvalidity, dflt, 0, false, &first, NULL, why);
 *
 * No record for the folder's UIDVALIDITY (an index older than it, or UIDs
 * taken from a dovecot-uidlist) counts from dflt, the caller's guess: the
 * lowest UID still in new/, else UIDNEXT (what \Recent meant before).  A
 * folder new to the index with a new UIDVALIDITY starts at 1 (the sync
 * writes it).  A take is no MODSEQ: \Recent is no flag change (RFC 7162).
 * Trust: the record is the user's; one that does not decode counts as
 * none, any value only changes which messages look \Recent.  Errors: -1
 * with why.  The layout is in mail_index_recent.c.
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

/* a take done inside mail_index_sync_own's write, for the session
 * that has the folder selected read-write: dflt in; the folder's
 * UIDVALIDITY and UIDNEXT as synced (upto) and the first UID taken out,
 * done when it was written (the session took [first, upto)) */
struct mail_index_take {
	uint32_t dflt;
	uint32_t uidvalidity, upto, first;
	bool done;
};

#endif
