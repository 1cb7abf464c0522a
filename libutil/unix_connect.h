/* unix_connect - connect to a UNIX stream socket by path (the one copy of
 * the sockaddr_un dance for cleanup, qmgr's agents, showq and authd). */
#ifndef HATO_UNIX_CONNECT_H
#define HATO_UNIX_CONNECT_H

#include "buf.h"

/* a connected close-on-exec descriptor, or -1 with errno set and, when
 * why is not NULL, "connect to PATH: reason" appended to why */
int unix_connect(const char *path, struct buf *why);
/* unix_connect_nonblock - the same, never waiting for a full backlog;
 * the descriptor stays non-blocking (for one-byte wakeups: trigger.h) */
int unix_connect_nonblock(const char *path, struct buf *why);

#endif
