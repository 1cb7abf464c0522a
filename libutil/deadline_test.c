/* deadline_test - deadline_wait and deadline_wait2: ready at once, the
 * deadline respected (not before, not much after), a passed deadline
 * still reports what is ready, a storm of signals (EINTR) neither ends a
 * wait early nor restarts its limit, and the second descriptor reported
 * as such. */
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "deadline.h"
#include "test.h"

/* elapsed - ms since t0 (deadline_now) */
static long long elapsed(long long t0)
{
	return deadline_now() - t0;
}

/* test_basics - the clock, ready descriptors, a plain timeout */
static void test_basics(void)
{
	int sv[2];
	long long t0, left;

	test_begin("deadline_in: DEADLINE_NEVER for a negative limit, now + limit otherwise");
	test_assert(deadline_in(-1) == DEADLINE_NEVER);
	left = deadline_in(5000) - deadline_now();
	test_assert(left > 4900 && left <= 5000);
	test_end();

	test_begin("deadline_wait: readable and writable descriptors are ready at once");
	test_assert(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	test_assert(deadline_wait(sv[0], POLLOUT, deadline_in(10000)) == 1);
	test_assert(write(sv[1], "x", 1) == 1);
	t0 = deadline_now();
	test_assert(deadline_wait(sv[0], POLLIN, deadline_in(10000)) == 1);
	test_assert(deadline_wait(sv[0], POLLIN, DEADLINE_NEVER) == 1);
	test_assert(elapsed(t0) < 5000);
	test_end();

	test_begin("deadline_wait: a passed deadline still reports a ready descriptor, an idle one at once");
	test_assert(deadline_wait(sv[0], POLLIN, deadline_now() - 1000) == 1);
	t0 = deadline_now();
	test_assert(deadline_wait(sv[1], POLLIN, deadline_now() - 1000) == 0);
	test_assert(elapsed(t0) < 5000);
	test_end();

	test_begin("deadline_wait: an idle descriptor: 0 when the deadline has passed, not before");
	t0 = deadline_now();
	test_assert(deadline_wait(sv[1], POLLIN, t0 + 300) == 0);
	test_assert(elapsed(t0) >= 300);
	test_end();

	test_begin("deadline_wait: a closed peer (POLLHUP) is ready: the read reports it");
	close(sv[0]);
	test_assert(deadline_wait(sv[1], POLLIN, deadline_in(10000)) == 1);
	test_end();
	close(sv[1]);
}

/* test_signals - EINTR every 40 ms for 4 s against a 600 ms wait: a wait
 * that gave up at a signal would end after 40 ms, one that restarted its
 * limit after more than 4 s */
static void test_signals(void)
{
	int sv[2], hits;
	long long t0, ms;
	pid_t storm;

	test_begin("deadline_wait: signals (EINTR) neither end the wait early nor restart its limit");
	test_assert(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	storm = test_storm_begin(SIGUSR1, 40, 100);
	t0 = deadline_now();
	test_assert(deadline_wait(sv[0], POLLIN, t0 + 600) == 0);
	ms = elapsed(t0);
	hits = test_storm_end(storm);
	test_assert(hits >= 1);
	test_assert(ms >= 600);
	test_assert(ms < 3000);
	test_end();

	test_begin("deadline_wait2: signals neither end the wait early nor restart its limit");
	storm = test_storm_begin(SIGUSR1, 40, 100);
	t0 = deadline_now();
	test_assert(deadline_wait2(sv[0], POLLIN, sv[1], t0 + 600) == 0);
	ms = elapsed(t0);
	hits = test_storm_end(storm);
	test_assert(hits >= 1);
	test_assert(ms >= 600 && ms < 3000);
	test_end();
	close(sv[0]);
	close(sv[1]);
}

/* test_two - deadline_wait2 says which descriptor is ready */
static void test_two(void)
{
	int a[2], b[2];
	long long t0;
	pid_t pid;

	test_begin("deadline_wait2: both idle: 0 at the deadline");
	test_assert(socketpair(AF_UNIX, SOCK_STREAM, 0, a) == 0 && pipe(b) == 0);
	t0 = deadline_now();
	test_assert(deadline_wait2(a[0], POLLIN, b[0], t0 + 200) == 0);
	test_assert(elapsed(t0) >= 200);
	test_end();

	test_begin("deadline_wait2: the second descriptor turns readable mid-wait: DEADLINE_FD2");
	if ((pid = fork()) == 0) {
		usleep(100 * 1000);
		_exit(write(b[1], "w", 1) == 1 ? 0 : 1);
	}
	test_assert(deadline_wait2(a[0], POLLIN, b[0], deadline_in(10000)) == DEADLINE_FD2);
	waitpid(pid, NULL, 0);
	test_end();

	test_begin("deadline_wait2: both ready: both reported");
	test_assert(write(a[1], "x", 1) == 1);
	test_assert(deadline_wait2(a[0], POLLIN, b[0], deadline_in(10000)) == (DEADLINE_FD | DEADLINE_FD2));
	test_end();

	test_begin("deadline_wait2: only the first ready: DEADLINE_FD; a negative fd2 is ignored");
	test_assert(deadline_wait2(a[0], POLLIN, a[1], DEADLINE_NEVER) == DEADLINE_FD);
	test_assert(deadline_wait2(a[0], POLLIN, -1, DEADLINE_NEVER) == DEADLINE_FD);
	test_assert(deadline_wait2(a[1], POLLIN, -1, deadline_in(100)) == 0);
	test_end();
	close(a[0]);
	close(a[1]);
	close(b[0]);
	close(b[1]);
}

/* test_deadline - every case of this file */
void test_deadline(void)
{
	test_basics();
	test_signals();
	test_two();
}
