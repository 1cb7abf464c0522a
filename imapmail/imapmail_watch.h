/* imapmail_watch - what changed in the selected folder since this
 * session last synced it: an inotify watch on its new/ and cur/, and the
 * session's own changes (the renames of STORE, the unlinks of EXPUNGE,
 * the files of APPEND), each told here as it is made.  When every event
 * the watch reports is one of those, the index learns them without the
 * folder being read (mail_index_sync_own); any other event (delivery,
 * another session, mutt), a lost event or a lost watch means reading
 * the folder (mail_index_sync).  No watch (inotify refused: the user's
 * instances used up): imapmail_watch_open gives NULL and the box looks
 * at the directories' times instead (imapmail_box.c).
 *
 *   w = imapmail_watch_open(folder_fd);       // before the first sync
 *   imapmail_watch_renamed(w, uid, old, old_in_new, new, false);
 *   if (imapmail_watch_news(w)) { imapmail_watch_synced(w); full sync }
 *   else if (w->n_own) { mail_index_sync_own(.., w->own, w->n_own, ..);
 *                        imapmail_watch_synced(w); }
 */
#ifndef HATO_IMAPMAIL_WATCH_H
#define HATO_IMAPMAIL_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "htable.h"
#include "mail_index.h"

struct imapmail_watch {
	int fd;				/* inotify */
	int wd[2];			/* new/, cur/ */
	struct htable *expect;		/* "<n|c><C|D|F|T>name" -> count, as a pointer */
	struct mail_index_own *own;	/* told since the last sync */
	size_t n_own, cap_own;
	bool dirty;			/* a change not our own since the last sync */
	bool lost;			/* the watch was removed: never trusted again */
};

struct imapmail_watch *imapmail_watch_open(int folder_fd);
void imapmail_watch_free(struct imapmail_watch **wp);
/* imapmail_watch_renamed, _gone, _new - the session's own change, just
 * made (w may be NULL: nothing to do); a new file published into new/
 * under another name and renamed since names that one too */
void imapmail_watch_renamed(struct imapmail_watch *w, uint32_t uid, const char *old_name,
			    bool old_in_new, const char *name, bool in_new);
void imapmail_watch_gone(struct imapmail_watch *w, uint32_t uid, const char *name, bool in_new);
void imapmail_watch_new(struct imapmail_watch *w, const char *published, const char *name,
			bool in_new, off_t size, time_t mtime);
/* imapmail_watch_news - read the events: true when the folder must be
 * read (a change not the session's own since the last sync) */
bool imapmail_watch_news(struct imapmail_watch *w);
/* imapmail_watch_synced - the index has everything up to the last
 * imapmail_watch_news: forget the own changes and their events */
void imapmail_watch_synced(struct imapmail_watch *w);

#endif
