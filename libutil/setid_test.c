/* setid_test - setid_sanitize in a child that starts as a hostile caller
 * would leave it: stdin closed, an extra fd open, LD_PRELOAD and IFS set,
 * umask 0, SIGPIPE at its default.  The child reports what it has after
 * the call on its stdout (a pipe to the test). */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "setid.h"
#include "test.h"

extern char **environ;

/* is_devnull - fd is open on /dev/null */
static int is_devnull(int fd)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && stat("/dev/null", &b) == 0 && S_ISCHR(a.st_mode)
	       && a.st_rdev == b.st_rdev;
}

/* child - a hostile start, then setid_sanitize; the report on fd 1 */
static void child(int out, const char *keep_value)
{
	struct sigaction sa;
	char *kept;
	int nenv = 0;

	if (dup2(out, 1) != 1 || dup2(1, 9) != 9)
		_exit(2);
	close(0);
	clearenv();
	if (keep_value)
		setenv("HATO_TEST_KEEP", keep_value, 1);
	setenv("LD_PRELOAD", "/tmp/evil.so", 1);
	setenv("IFS", "x", 1);
	signal(SIGPIPE, SIG_DFL);
	umask(0);
	kept = setid_sanitize(027, "HATO_TEST_KEEP");
	for (char **e = environ; e && *e; e++)
		nenv++;
	sigaction(SIGPIPE, NULL, &sa);
	dprintf(1, "kept=%s nenv=%d PATH=%s fd0=%d fd9=%d umask=%03o sigpipe=%s",
		kept ? kept : "(none)", nenv, getenv("PATH"), is_devnull(0),
		fcntl(9, F_GETFD) >= 0, (unsigned)umask(0), sa.sa_handler == SIG_IGN ? "ign" : "dfl");
	_exit(0);
}

/* report - what the child saw, keeping keep_value in HATO_TEST_KEEP */
static char *report(const char *keep_value)
{
	struct buf *b = buf_new(128);
	char chunk[256];
	int p[2];
	ssize_t n;
	pid_t pid;

	if (pipe(p) < 0 || (pid = fork()) < 0)
		return buf_steal(&b);
	if (pid == 0) {
		close(p[0]);
		child(p[1], keep_value);
	}
	close(p[1]);
	while ((n = read(p[0], chunk, sizeof(chunk))) > 0)
		buf_add(b, chunk, (size_t)n);
	close(p[0]);
	waitpid(pid, NULL, 0);
	return buf_steal(&b);
}

/* test_setid - every case of this file */
void test_setid(void)
{
	char *r;

	test_begin("setid_sanitize: fds, environment, umask and SIGPIPE cleaned; the kept value handed back");
	r = report("/etc/hato-alt");
	test_assert_str(r, "kept=/etc/hato-alt nenv=1 PATH=/usr/bin:/bin fd0=1 fd9=0 umask=027 sigpipe=ign");
	free(r);
	test_end();

	test_begin("setid_sanitize: the kept variable unset or empty: NULL");
	r = report(NULL);
	test_assert_str(r, "kept=(none) nenv=1 PATH=/usr/bin:/bin fd0=1 fd9=0 umask=027 sigpipe=ign");
	free(r);
	r = report("");
	test_assert_str(r, "kept=(none) nenv=1 PATH=/usr/bin:/bin fd0=1 fd9=0 umask=027 sigpipe=ign");
	free(r);
	test_end();
}
