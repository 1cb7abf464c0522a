/* deadline - wait for a descriptor until an absolute deadline on the
 * monotonic clock: the one wait every blocking read or write with a time
 * limit goes through.
 *
 *   long long end = deadline_in(timeout_ms);          // DEADLINE_NEVER if < 0
 *   while (more to read)
 *       if ((rc = deadline_wait(fd, POLLIN, end)) <= 0)   // 1 ready
 *           return rc == 0 ? timeout : error;              // 0 passed, -1 errno
 *   deadline_wait2(fd, POLLIN, other_fd, end)  -> DEADLINE_FD | DEADLINE_FD2
 *
 * One deadline serves a whole operation (an SMTP line read in pieces, a
 * TLS handshake, an attribute message): pass the same value to every wait.
 * A signal (EINTR) never ends a wait: it goes on with the time that is
 * left, so it neither reports a timeout nor restarts the limit.  A deadline
 * that has passed still polls once, without waiting: what is ready already
 * is reported as ready.  "Ready" is any poll() event, POLLHUP and POLLERR
 * included: the read or write that follows reports those.  The second
 * descriptor of deadline_wait2 is watched for input (POLLIN); a negative
 * one is ignored.
 */
#ifndef HATO_DEADLINE_H
#define HATO_DEADLINE_H

#include <poll.h>

enum {
	DEADLINE_NEVER = -1,	/* a deadline that never passes */
	DEADLINE_FD = 1,	/* deadline_wait2: fd is ready */
	DEADLINE_FD2 = 2,	/* deadline_wait2: fd2 is ready */
};

long long deadline_now(void);
long long deadline_in(long long timeout_ms);
int deadline_wait(int fd, short events, long long deadline);
int deadline_wait2(int fd, short events, int fd2, long long deadline);

#endif
