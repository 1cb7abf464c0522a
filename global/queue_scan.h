/* queue_scan - walk a queue directory one name at a time: the one scan of
 * postsuper, showq, qmgr and the spare pool.
 *
 *   struct queue_scan qs;
 *   if (queue_scan_open(&qs, "deferred", QUEUE_SCAN_IDS, 0) < 0)
 *       log_warn("open deferred: %m");
 *   for (const char *id; (id = queue_scan_next(&qs)) != NULL; )
 *       ...                                  // valid until the next call
 *   queue_scan_close(&qs);
 *   struct strv *ids = queue_scan_ids("hold");   // sorted; NULL + errno
 *
 * "." and ".." are never returned.  With QUEUE_SCAN_IDS only names that
 * pass queue_id_valid() are: anything else in a queue directory is not a
 * message, and a name that passes is safe in a path.  Flags 0 returns
 * every other name too (postsuper -s, which reports and moves them).
 * max > 0 reads at most max directory entries, names skipped included (a
 * refill that must not read 100000 names); 0 reads them all.  A name
 * created or removed during the walk may or may not be seen.  A failed
 * open leaves qs closed (next returns NULL, close does nothing).  What to
 * do with each name (a filter, a limit of messages) stays with the caller.
 */
#ifndef HATO_QUEUE_SCAN_H
#define HATO_QUEUE_SCAN_H

#include <dirent.h>
#include <stddef.h>

#include "strv.h"

enum { QUEUE_SCAN_IDS = 1 };

struct queue_scan {
	DIR *dir;
	int flags;
	size_t left;		/* entries still to read */
};

int queue_scan_open(struct queue_scan *qs, const char *path, int flags, size_t max);
const char *queue_scan_next(struct queue_scan *qs);
int queue_scan_dirfd(const struct queue_scan *qs);
void queue_scan_close(struct queue_scan *qs);
struct strv *queue_scan_ids(const char *path);

#endif
