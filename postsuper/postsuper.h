/* postsuper - private interface of the queue superintendent (root only).
 *
 *   postsuper [-sv] [-c config_dir] [-d ID|ALL|-] [-h ID|ALL|-]
 *             [-H ID|ALL|-] [-r ID|ALL|-] [queue ...]
 * -d deletes (default queues: hold incoming active deferred; also corrupt
 * and maildrop when named), -h puts on hold (incoming active deferred),
 * -H releases from hold to deferred/, -r requeues through cleanup (hold
 * incoming active deferred), -s checks and repairs the queue tree (and is
 * what postsuper does without options).  "-" reads IDs from stdin, one a
 * line.  Every ID and queue name is checked before anything is touched:
 * a malformed ID or an unknown queue is fatal, nothing done.  An ID that
 * is in none of the queues is a warning and exit status 1.
 * Order, as in Postfix: -s, then delete, requeue, hold, release; then a
 * summary for every operation asked for, 0 included, in Postfix 3.7's
 * order and words ("postsuper: Requeued: 1 message", "Deleted: 3
 * messages", "Placed on hold: ...", "Released from hold: ...").
 * main.c reads main.cf and opens the log as root, then runs as mail_owner
 * in queue_directory (postsuper_ops.c moves and deletes, postsuper_requeue.c
 * resubmits through cleanup, postsuper_fix.c is -s).  Safe while the mail
 * system runs: every move is one rename that never replaces a file, every
 * lookup is retried once (qmgr may have moved the file meanwhile), and a
 * file that cleanup is still writing (not yet mode 0700) is left alone.
 * A message deleted from active/ while qmgr delivers it is not
 * resurrected: qmgr's later moves of it fail and are only logged.
 */
#ifndef HATO_POSTSUPER_H
#define HATO_POSTSUPER_H

#include <stdbool.h>
#include <stddef.h>

#include "params.h"
#include "strv.h"

enum postsuper_op { OP_DELETE, OP_REQUEUE, OP_HOLD, OP_RELEASE, OP_COUNT };

enum { POSTSUPER_MAX_TEMP_AGE = 24 * 60 * 60 };	/* incomplete leftovers */

struct postsuper {
	const struct params *cf;
	size_t done[OP_COUNT];		/* messages per operation */
	int status;			/* exit status so far */
};

/* postsuper_ops.c */
const char *const *postsuper_default_queues(enum postsuper_op op);
bool postsuper_queue_known(const char *queue);
void postsuper_by_id(struct postsuper *ps, enum postsuper_op op, const char *const *queues,
		     const char *id);
void postsuper_all(struct postsuper *ps, enum postsuper_op op, const char *const *queues);
struct strv *postsuper_list(const char *queue);
bool postsuper_is_ready(const char *queue, const char *id);
bool postsuper_exists(const char *id);

/* postsuper_requeue.c: 1 requeued, 0 not in queue, -1 failed (logged) */
int postsuper_requeue(struct postsuper *ps, const char *queue, const char *id);

/* postsuper_fix.c: -s */
void postsuper_fix(struct postsuper *ps);

#endif
