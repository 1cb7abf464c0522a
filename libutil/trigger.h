/* trigger - send a wakeup to a trigger service (pickup, qmgr) whatever its
 * master.cf type: a FIFO (hato's and Postfix 2's "fifo") gets the bytes
 * written into it, a UNIX socket (Postfix 3's stock "pickup unix",
 * "qmgr unix", as in Debian's master.cf) a connection that carries them.
 * Never blocks: a FIFO nobody reads, or a listener whose backlog is full,
 * loses the wakeup (the service's periodic scan finds the work anyway).
 * The path is opened with O_NOFOLLOW: public/ is writable by others.
 */
#ifndef HATO_TRIGGER_H
#define HATO_TRIGGER_H

#include <stddef.h>

/* trigger_send - 0 sent, -1 with errno (nobody listening, no such file) */
int trigger_send(const char *path, const char *data, size_t len);

#endif
