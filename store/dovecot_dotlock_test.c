/* dovecot_dotlock_test - Dovecot's dot-lock in a scratch directory: taken
 * (the file holds "PID:HOST") and released; a second taker waits, then
 * gives up; a lock of a dead process or of this very process is broken,
 * one of a live process is not; release leaves alone a lock that is no
 * longer ours; a symbolic link as the lock is never followed.  (The
 * 2-minute rule for a lock nothing touches is not tested: utimensat
 * cannot make a ctime old.)
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dovecot_dotlock.h"
#include "test.h"

/* scratch - a fresh directory; its fd, its path in p */
static int scratch(char p[4096])
{
	snprintf(p, 4096, "%s/dotlock", test_datadir());
	mkdir(p, 0700);
	return open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* plant - f.lock at dir holding "PID:HOST", its times age seconds back */
static void plant(int dir, long pid, int age)
{
	char text[320], host[256] = "";
	struct timespec t[2];
	int fd = openat(dir, "f.lock", O_WRONLY | O_CREAT | O_TRUNC, 0600);

	gethostname(host, sizeof(host) - 1);
	snprintf(text, sizeof(text), "%ld:%s", pid, host);
	test_assert(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	if (fd >= 0)
		close(fd);
	clock_gettime(CLOCK_REALTIME, &t[0]);
	t[0].tv_sec -= age;
	t[1] = t[0];
	test_assert(utimensat(dir, "f.lock", t, 0) == 0);
}

/* take - dovecot_dotlock_take of "f", released at once when taken */
static int take(int dir, unsigned wait_ms)
{
	struct buf *why = buf_new(0);
	struct dovecot_dotlock *lk;
	int rc = dovecot_dotlock_take(dir, "f", wait_ms, &lk, why);

	dovecot_dotlock_release(&lk);
	buf_free(&why);
	return rc;
}

/* test_dovecot_dotlock - the cases above */
void test_dovecot_dotlock(void)
{
	char p[4096], text[320], want[32], target[4200];
	int dir = scratch(p), status, fd;
	struct buf *why = buf_new(0);
	struct dovecot_dotlock *lk, *lk2;
	struct stat st;
	ssize_t n;
	pid_t pid;

	test_begin("dovecot_dotlock: taken with PID:HOST, released; a second taker gives up");
	test_assert(dovecot_dotlock_take(dir, "f", 100, &lk, why) == 1 && lk);
	snprintf(want, sizeof(want), "%ld:", (long)getpid());
	fd = openat(dir, "f.lock", O_RDONLY | O_NOFOLLOW);
	n = fd >= 0 ? read(fd, text, sizeof(text) - 1) : -1;
	if (fd >= 0)
		close(fd);
	text[n > 0 ? n : 0] = '\0';
	test_assert(strncmp(text, want, strlen(want)) == 0);
	test_assert(take(dir, 100) == 0);
	fflush(NULL);
	if ((pid = fork()) == 0)			/* another process: held */
		_exit(take(dir, 100) == 0 ? 0 : 1);
	test_assert(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
	dovecot_dotlock_release(&lk);
	test_assert(lk == NULL && fstatat(dir, "f.lock", &st, AT_SYMLINK_NOFOLLOW) != 0);
	test_end();

	test_begin("dovecot_dotlock: stale locks broken (dead owner, this process), a live one kept");
	if ((pid = fork()) == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	plant(dir, pid, 10);
	test_assert(take(dir, 500) == 1);
	plant(dir, getpid(), 10);
	test_assert(take(dir, 500) == 1);
	plant(dir, getppid(), 10);				/* alive: held */
	test_assert(take(dir, 100) == 0);
	unlinkat(dir, "f.lock", 0);
	test_end();

	test_begin("dovecot_dotlock: release leaves a lock that is no longer ours");
	test_assert(dovecot_dotlock_take(dir, "f", 100, &lk, why) == 1);
	unlinkat(dir, "f.lock", 0);				/* broken by another... */
	nanosleep(&(struct timespec){ 0, 30000000 }, NULL);	/* (a coarse clock) */
	test_assert(dovecot_dotlock_take(dir, "f", 100, &lk2, why) == 1);	/* ...who took it */
	dovecot_dotlock_release(&lk);
	test_assert(fstatat(dir, "f.lock", &st, AT_SYMLINK_NOFOLLOW) == 0);
	dovecot_dotlock_release(&lk2);
	test_assert(fstatat(dir, "f.lock", &st, AT_SYMLINK_NOFOLLOW) != 0);
	test_end();

	test_begin("dovecot_dotlock: a symbolic link as the lock is not followed");
	snprintf(target, sizeof(target), "%s/target", p);
	test_assert(symlinkat(target, dir, "f.lock") == 0);
	test_assert(take(dir, 100) == 0 && access(target, F_OK) != 0);
	unlinkat(dir, "f.lock", 0);
	test_end();
	buf_free(&why);
	close(dir);
}
