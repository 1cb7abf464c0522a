/* flow - the in-flow token pipe; see flow.h.  Tokens are single bytes;
 * both ends are non-blocking, so a full pipe drops tokens and an empty one
 * makes flow_take wait with deadline_wait(). */
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "deadline.h"
#include "flow.h"
#include "master_proto.h"

/* enabled - did master hand us the pipe? */
static bool enabled(void)
{
	static int on = -1;

	if (on < 0) {
		const char *v = getenv(MASTER_ENV_FLOW);

		on = v != NULL && strcmp(v, "1") == 0;
	}
	return on == 1;
}

/* take_now - one token if there is one */
static bool take_now(void)
{
	char c;

	return read(MASTER_FLOW_READ_FD, &c, 1) == 1;
}

/* flow_take - one token, waiting at most wait_ms for it; false when none
 * came (the caller goes on all the same) */
bool flow_take(int wait_ms)
{
	long long end = deadline_in(wait_ms);
	int n;

	if (!enabled() || wait_ms <= 0 || take_now())
		return true;
	do {
		if ((n = deadline_wait(MASTER_FLOW_READ_FD, POLLIN, end)) < 0)
			return false;
		if (take_now())
			return true;	/* another process may have been quicker: wait on */
	} while (n > 0);
	return false;
}

/* flow_put - n more tokens (those that do not fit are dropped) */
void flow_put(int n)
{
	char buf[512];

	if (!enabled())
		return;
	memset(buf, 'T', sizeof(buf));
	while (n > 0) {
		ssize_t w = write(MASTER_FLOW_WRITE_FD, buf, n < (int)sizeof(buf) ? (size_t)n : sizeof(buf));

		if (w <= 0)
			break;
		n -= (int)w;
	}
}

/* flow_count - tokens in the pipe now */
int flow_count(void)
{
	int n = 0;

	if (!enabled() || ioctl(MASTER_FLOW_READ_FD, FIONREAD, &n) < 0)
		return 0;
	return n;
}

/* flow_fill - bring the pipe to target tokens: more, or drain the excess */
void flow_fill(int target)
{
	int n = flow_count();
	char buf[512];

	if (n < target) {
		flow_put(target - n);
		return;
	}
	for (int left = n - target; enabled() && left > 0;) {
		ssize_t r = read(MASTER_FLOW_READ_FD, buf, left < (int)sizeof(buf) ? (size_t)left : sizeof(buf));

		if (r <= 0)
			break;
		left -= (int)r;
	}
}
