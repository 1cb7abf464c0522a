/* imapmail_recent - \Recent as Dovecot gives it (RFC 3501 2.3.2): a
 * message that arrived in a folder (delivered, APPENDed, COPYed, MOVEd)
 * is \Recent for the one read-write session that first sees it, at its
 * SELECT or at a sync while it is selected ("* n EXISTS", "* m RECENT"),
 * and keeps it for that session's life; an EXAMINE shows what no
 * session took yet as \Recent without taking it; STATUS (RECENT) counts
 * what no session took.  The folder's first untaken UID is in the index
 * (store/mail_index_recent.h); the session's own set, the UID ranges it
 * took (or saw, read-only), is here.  The box's field recent counts the
 * set's messages in the view.  Index errors are logged: the session then
 * takes nothing.
 */
#ifndef HATO_IMAPMAIL_RECENT_H
#define HATO_IMAPMAIL_RECENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "imapmail.h"

/* imapmail_recent_update - the view's messages not looked at yet (UIDs
 * below its UIDNEXT): take (read-write) or look (read-only) at the
 * folder's untaken ones; true when the set grew (b->recent recounted) */
bool imapmail_recent_update(struct imapmail *m);
/* imapmail_recent_default - the first untaken UID to assume when the
 * index has no record for the folder (an own sync's take) */
uint32_t imapmail_recent_default(const struct imapmail_box *b);
/* imapmail_recent_recount - b->recent again (after an expunge): true
 * when it changed */
bool imapmail_recent_recount(struct imapmail_box *b);
/* imapmail_recent_has - is uid \Recent in this session? */
bool imapmail_recent_has(const struct imapmail_box *b, uint32_t uid);
/* imapmail_recent_free - the box's set, at close */
void imapmail_recent_free(struct imapmail_box *b);
/* imapmail_recent_status - STATUS (RECENT) of folder, listed as f */
size_t imapmail_recent_status(struct imapmail *m, const char *folder,
			      const struct mail_index_folder *f);

#endif
