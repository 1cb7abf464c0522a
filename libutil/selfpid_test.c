/* selfpid_test - the cached ID is ours, and a forked child's is its own. */
#include <sys/wait.h>
#include <unistd.h>

#include "selfpid.h"
#include "test.h"

void test_selfpid(void)
{
	int fds[2];
	pid_t child, seen = 0;

	test_begin("selfpid: our ID, then the child's own after fork");
	test_assert(self_pid() == getpid());
	test_assert(self_pid() == getpid());
	test_assert(pipe(fds) == 0);
	if ((child = fork()) == 0) {
		pid_t mine = self_pid();

		_exit(write(fds[1], &mine, sizeof(mine)) == sizeof(mine) && mine == getpid() ? 0 : 1);
	}
	test_assert(child > 0);
	test_assert(read(fds[0], &seen, sizeof(seen)) == sizeof(seen));
	test_assert(seen == child);
	test_assert(waitpid(child, NULL, 0) == child);
	test_assert(self_pid() == getpid());
	close(fds[0]);
	close(fds[1]);
	test_end();
}
