/* queue_dirs - the queue directory tree: names, owners and modes.
 *
 *   queue_directory/        root, 0755 (the chroot of chrooted daemons)
 *     incoming active deferred hold corrupt bounce defer trace saved spare
 *                            mail_owner, 0700
 *     private                mail_owner, 0700 (internal sockets)
 *     public                 mail_owner:setgid_group, 0710 (pickup, showq)
 *     maildrop               mail_owner:setgid_group, 1730 (postdrop only)
 *     pid                    root, 0755 (master.pid)
 * queue_dirs_create() makes what is missing and fixes owners and modes;
 * queue_dirs_add_missing() makes only the missing ones (hato check and
 * start: an older tree gains a newer hato's directories, as Postfix's
 * check does); queue_dirs_check() reports every difference, one line
 * each, naming the path, without changing anything.  In a --dev instance (not root) every
 * owner is the invoking user.
 */
#ifndef HATO_QUEUE_DIRS_H
#define HATO_QUEUE_DIRS_H

#include <sys/types.h>

#include "buf.h"

struct queue_owners {
	uid_t root_uid, owner_uid;
	gid_t root_gid, owner_gid, setgid_gid;
};

int queue_dirs_owners(const char *mail_owner, const char *setgid_group,
		      struct queue_owners *o, struct buf *why);
int queue_dirs_create(const char *queue_dir, const struct queue_owners *o, struct buf *why);
int queue_dirs_add_missing(const char *queue_dir, const struct queue_owners *o, struct buf *report);
/* queue_dirs_check - number of problems; each is appended to report, one per line */
int queue_dirs_check(const char *queue_dir, const struct queue_owners *o, struct buf *report);
/* queue_dirs_mail_owned - the i-th directory whose contents belong to
 * mail_owner (hato set-permissions), NULL after the last */
const char *queue_dirs_mail_owned(size_t i);

#endif
