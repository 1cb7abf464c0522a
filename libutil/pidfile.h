/* pidfile - a pid file that is also the "already running" lock.
 *
 * pidfile_lock() opens (creating) the file, takes an fcntl write lock and
 * writes our pid; the lock lasts as long as the returned descriptor, so a
 * pid file left behind by a process killed with -9 is simply stale: the
 * next pidfile_lock() succeeds.  pidfile_check() tells, without locking,
 * whether a live process holds it (1, with its pid) or not (0).
 */
#ifndef HATO_PIDFILE_H
#define HATO_PIDFILE_H

#include <sys/types.h>

#include "buf.h"

int pidfile_lock(const char *path, struct buf *why);
int pidfile_check(const char *path, pid_t *pid_r);

#endif
