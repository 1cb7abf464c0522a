/* imapmail_context - CONTEXT=SEARCH and CONTEXT=SORT's updates (RFC 5267
 * section 4.3): a SEARCH or SORT with RETURN (UPDATE) leaves a context,
 * and as the selected folder changes the session tells its client what
 * joined and left the result:
 *
 *   * ESEARCH (TAG "t") [UID] REMOVEFROM (pos set) ADDTO (pos set)
 *
 * SEARCH's positions are 0 (4.3.3, 4.3.4: the client keeps mailbox
 * order), SORT's are places in sort order.  The sets are UIDs after UID
 * SEARCH / UID SORT, else sequence numbers (4.3.2).
 *
 *   imapmail_context_tag_used(m, tag)       // true: "BAD Tag reuse"
 *   imapmail_context_add(m, tag, &s, st, ids, n)  // after the answer
 *   imapmail_context_expunged(m, old)       // before EXPUNGE / VANISHED
 *   imapmail_context_update(m)              // after a sync's news
 *   imapmail_context_free_all(m)            // the folder is closed
 *
 * Limits: IMAPMAIL_CONTEXT_MAX contexts a session; one more is refused
 * with "* NO [NOUPDATE "tag"]" (4.3.1) and its command answers as ever.
 * Trust: the programs are the client's; each update costs a walk of the
 * view per context and a match of each changed or new message (every
 * message when the program is imapmail_search_volatile); a context holds
 * 12 bytes a message of the folder, and SORT's 4 more a hit.  WITHIN's
 * OLDER / YOUNGER move with the clock, but are evaluated again only
 * when the folder changes.
 */
#ifndef HATO_IMAPMAIL_CONTEXT_H
#define HATO_IMAPMAIL_CONTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "imapmail.h"

enum { IMAPMAIL_CONTEXT_MAX = 5 };

struct imapmail_search;
struct imapmail_sorting;

/* imapmail_context_tag_used - a context lives under tag */
bool imapmail_context_tag_used(const struct imapmail *m, const char *tag);
/* imapmail_context_add - keep *s (taken: *s becomes NULL) and st (taken;
 * NULL for SEARCH) as a context whose result is ids (m->uid's kind; in
 * sort order for SORT); "* NO [NOUPDATE ...]" past the limit */
void imapmail_context_add(struct imapmail *m, const char *tag, struct imapmail_search **s,
			  struct imapmail_sorting *st, const uint32_t *ids, size_t n);
/* imapmail_context_expunged - the messages of old that left m->box->f
 * leave the results: REMOVEFROM in old's sequence numbers */
void imapmail_context_expunged(struct imapmail *m, const struct mail_index_folder *old);
/* imapmail_context_update - the results against the view now */
void imapmail_context_update(struct imapmail *m);
void imapmail_context_free_all(struct imapmail *m);
void imapmail_cmd_cancelupdate(struct imapmail *m, struct imap_cmd *c);

/* --- imapmail_cmd_search.c, imapmail_cmd_sort.c --- */
int imapmail_search_one(struct imapmail *m, struct imapmail_search *s, size_t i, struct buf *env);
void imapmail_sort_ids(struct imapmail *m, const struct imapmail_sorting *st, const uint32_t *seqs,
		       size_t n, uint32_t *ids);
void imapmail_sorting_free(struct imapmail_sorting **stp);

#endif
