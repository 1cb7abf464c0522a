/* test - unit test framework and runner; see test.h.
 * The runner main() is here too: it calls every test_FOO() listed in the
 * generated unit_tests.def and exits non-zero if any case failed. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "mem.h"
#include "strv.h"
#include "test.h"

jmp_buf *test_fatal_jmp;

static struct {
	const char *name;
	bool failed;
	struct strv *logged;
	int passed, failures;
	char tmpdir[64];
	int ntmp;
} ts;

/* capture - log hook: remember every message of the current case */
static void capture(enum log_level level, const char *text)
{
	(void)level;
	if (ts.logged)
		strv_add(ts.logged, text);
}

/* fatal_jump - log_fatal hook: unwind into TEST_FATAL() when armed */
static void fatal_jump(void)
{
	if (test_fatal_jmp)
		longjmp(*test_fatal_jmp, 1);
}

/* test_begin - start a named case */
void test_begin(const char *name)
{
	ts.name = name;
	ts.failed = false;
	strv_free(&ts.logged);
	ts.logged = strv_new();
}

/* test_fail_at - record a failed check */
void test_fail_at(const char *file, int line, const char *what)
{
	printf("#   %s:%d: %s\n", file, line, what);
	ts.failed = true;
}

/* test_fail_str - record a failed string comparison */
void test_fail_str(const char *file, int line, const char *expr,
		   const char *got, const char *want)
{
	printf("#   %s:%d: %s\n#     got:  \"%s\"\n#     want: \"%s\"\n",
	       file, line, expr, got ? got : "(null)", want);
	ts.failed = true;
}

/* test_logged - whether any message of this case contains substr */
bool test_logged(const char *substr)
{
	for (size_t i = 0; ts.logged && i < ts.logged->len; i++)
		if (strstr(ts.logged->items[i], substr))
			return true;
	return false;
}

/* test_expect_log_at - fail unless some message contains substr */
void test_expect_log_at(const char *file, int line, const char *substr)
{
	if (!test_logged(substr)) {
		printf("#   %s:%d: no log message contains \"%s\"; logged:\n", file, line, substr);
		for (size_t i = 0; ts.logged && i < ts.logged->len; i++)
			printf("#     %s\n", ts.logged->items[i]);
		ts.failed = true;
	}
}

/* test_end - report the case; returns whether it passed */
bool test_end(void)
{
	printf("%s - %s\n", ts.failed ? "not ok" : "ok", ts.name);
	if (ts.failed)
		ts.failures++;
	else
		ts.passed++;
	strv_free(&ts.logged);
	return !ts.failed;
}

/* test_tmpfile - a temporary file holding contents; malloc'ed path */
char *test_tmpfile(const char *contents)
{
	struct buf *path = buf_new(64);
	FILE *fp;

	buf_printf(path, "%s/f%d", ts.tmpdir, ++ts.ntmp);
	fp = fopen(buf_str(path), "w");
	if (fp == NULL || fputs(contents, fp) < 0 || fclose(fp) != 0)
		log_panic("test_tmpfile %s: %m", buf_str(path));
	return buf_steal(&path);
}

/* test_datadir - a private scratch directory for this run */
const char *test_datadir(void)
{
	return ts.tmpdir;
}

static volatile sig_atomic_t storm_hits;
static int storm_sig;
static struct sigaction storm_old;

/* storm_hit - the storm's handler: count */
static void storm_hit(int sig)
{
	(void)sig;
	storm_hits++;
}

/* test_storm_begin - a child that sends sig to this process count times,
 * every_ms apart; the child's pid */
pid_t test_storm_begin(int sig, int every_ms, int count)
{
	struct sigaction sa = { .sa_handler = storm_hit };	/* no SA_RESTART */
	pid_t parent = getpid(), pid;

	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, &storm_old);
	storm_sig = sig;
	storm_hits = 0;
	if ((pid = fork()) < 0)
		log_panic("fork: %m");
	if (pid == 0) {
		for (int i = 0; i < count; i++) {
			usleep((useconds_t)every_ms * 1000);
			if (kill(parent, sig) < 0)
				_exit(1);
		}
		_exit(0);
	}
	return pid;
}

/* test_storm_end - stop the storm; how many signals arrived */
int test_storm_end(pid_t pid)
{
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	sigaction(storm_sig, &storm_old, NULL);	/* none is pending: the child is gone */
	return storm_hits;
}

#define T(name) void test_##name(void);
#include "unit_tests.def"
#undef T

int main(void)
{
	char cmd[128];

	setvbuf(stdout, NULL, _IOLBF, 0);
	log_init("unit");
	log_open(0, NULL, LOG_FORMAT_TEXT, NULL, NULL);
	log_set_hook(capture);
	log_set_fatal_hook(fatal_jump);
	snprintf(ts.tmpdir, sizeof(ts.tmpdir), "/tmp/hato-unit.XXXXXX");
	if (mkdtemp(ts.tmpdir) == NULL)
		log_panic("mkdtemp: %m");
#define T(name) test_##name();
#include "unit_tests.def"
#undef T
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", ts.tmpdir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", ts.tmpdir);
	printf("# unit: %d passed, %d failed\n", ts.passed, ts.failures);
	return ts.failures ? 1 : 0;
}
