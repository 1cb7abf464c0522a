/* dovecot_dotlock - the dot-lock Dovecot takes around a change of a file
 * in a Maildir folder ("dovecot-uidlist" -> "dovecot-uidlist.lock"), so
 * that hato and a Dovecot running on the same Maildir take turns.
 *
 *   struct dovecot_dotlock *lk;
 *   if (dovecot_dotlock_take(folder_fd, "dovecot-uidlist", 2000, &lk, why) == 1) {
 *       change the file;
 *       dovecot_dotlock_release(&lk);
 *   }
 *
 * As Dovecot's: the lock file is created with O_EXCL and holds
 * "PID:HOSTNAME"; a lock older than 2 seconds is stale when its process
 * (on this host) is gone or is the caller, and any lock is stale when
 * neither it nor the file it guards changed for
 * DOVECOT_DOTLOCK_STALE seconds (Dovecot's 2 minutes for dovecot-uidlist);
 * a stale lock is removed and taken.  Unlike Dovecot, the wait is short
 * and bounded: the caller skips its change instead.
 * Trust: the folder is the user's: the lock is created at folder_fd
 * without following a symbolic link (a link there is someone's lock, and
 * stale after the same time: only the link is removed, never its target).
 */
#ifndef HATO_DOVECOT_DOTLOCK_H
#define HATO_DOVECOT_DOTLOCK_H

#include "buf.h"

enum { DOVECOT_DOTLOCK_STALE = 120 };	/* seconds */

struct dovecot_dotlock;

/* dovecot_dotlock_take - NAME.lock at dir_fd, waiting at most wait_ms:
 * 1 taken, 0 held by another all that time, -1 error (why) */
int dovecot_dotlock_take(int dir_fd, const char *name, unsigned wait_ms,
			 struct dovecot_dotlock **lkp, struct buf *why);
/* dovecot_dotlock_release - remove the lock, if it is still ours */
void dovecot_dotlock_release(struct dovecot_dotlock **lkp);

#endif
