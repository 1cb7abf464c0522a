/* deadline - poll() one or two descriptors until a monotonic deadline;
 * see deadline.h.  EINTR is retried here, with what is left of the time,
 * so that no caller handles it its own way. */
#include <errno.h>
#include <limits.h>
#include <time.h>

#include "deadline.h"

/* deadline_now - the monotonic clock in milliseconds */
long long deadline_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* deadline_in - the deadline timeout_ms from now; DEADLINE_NEVER if < 0 */
long long deadline_in(long long timeout_ms)
{
	return timeout_ms < 0 ? DEADLINE_NEVER : deadline_now() + timeout_ms;
}

/* left_ms - poll()'s timeout for the deadline: -1 (none), 0 when it has
 * passed, at most INT_MAX */
static int left_ms(long long deadline)
{
	long long left;

	if (deadline == DEADLINE_NEVER)
		return -1;
	left = deadline - deadline_now();
	return left <= 0 ? 0 : left > INT_MAX ? INT_MAX : (int)left;
}

/* poll_until - poll() until an event or the deadline; poll's result */
static int poll_until(struct pollfd *pfd, nfds_t n, long long deadline)
{
	for (;;) {
		int ms = left_ms(deadline);
		int rc = poll(pfd, n, ms);

		if (rc < 0 && errno == EINTR)
			continue;	/* a signal: wait on, for the time left */
		if (rc == 0 && ms > 0 && deadline_now() < deadline)
			continue;	/* cut at INT_MAX ms: not there yet */
		return rc;
	}
}

/* deadline_wait - fd ready for events: 1; the deadline passed: 0; -1
 * with errno when poll() fails */
int deadline_wait(int fd, short events, long long deadline)
{
	struct pollfd pfd = { .fd = fd, .events = events };

	return poll_until(&pfd, 1, deadline);
}

/* deadline_wait2 - deadline_wait on fd, watching fd2 for input too: which
 * are ready (DEADLINE_FD, DEADLINE_FD2, or both); 0 or -1 as deadline_wait */
int deadline_wait2(int fd, short events, int fd2, long long deadline)
{
	struct pollfd pfd[2] = { { .fd = fd, .events = events }, { .fd = fd2, .events = POLLIN } };
	int rc = poll_until(pfd, 2, deadline);

	if (rc <= 0)
		return rc;
	return (pfd[0].revents ? DEADLINE_FD : 0) | (pfd[1].revents ? DEADLINE_FD2 : 0);
}
