/* ev_test - the event loop and pid file locks. */
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "ev.h"
#include "mem.h"
#include "pidfile.h"
#include "test.h"

struct ev_counts {
	int reads, timers, cancelled;
	int fd;
};

/* on_read - drain one byte, stop after three */
static void on_read(struct ev *ev, int fd, void *ctx)
{
	struct ev_counts *c = ctx;
	char b;

	if (read(fd, &b, 1) == 1 && ++c->reads == 3) {
		ev_off(ev, fd);
		ev_stop(ev);
	}
}

/* on_timer - write a byte into the pipe */
static void on_timer(struct ev *ev, void *ctx)
{
	struct ev_counts *c = ctx;

	c->timers++;
	if (write(c->fd, "x", 1) != 1)
		c->timers = -100;
	if (c->timers < 3)
		ev_timer(ev, 5, on_timer, c);
}

/* on_cancelled - must never run */
static void on_cancelled(struct ev *ev, void *ctx)
{
	(void)ev;
	((struct ev_counts *)ctx)->cancelled++;
}

/* test_ev_loop - timers drive writes, reads stop the loop */
static void test_ev_loop(void)
{
	struct ev *ev = ev_new();
	struct ev_counts c = { 0 };
	int p[2];

	test_begin("ev: timers, reads, cancel, stop");
	test_assert(pipe(p) == 0);
	c.fd = p[1];
	ev_read(ev, p[0], on_read, &c);
	ev_timer(ev, 5, on_timer, &c);
	ev_cancel(ev, ev_timer(ev, 1, on_cancelled, &c));
	ev_run(ev);
	test_assert(c.reads == 3 && c.timers == 3 && c.cancelled == 0);
	close(p[0]);
	close(p[1]);
	ev_free(&ev);
	test_end();
}

/* test_pidfile_lock - a second lock fails; a dead holder leaves it stale */
static void test_pidfile_lock(void)
{
	char path[512];
	struct buf *why = buf_new(0);
	pid_t pid, child;
	int fd, status;

	test_begin("pidfile: lock, second lock refused, stale after the holder dies");
	snprintf(path, sizeof(path), "%s/master.pid", test_datadir());
	child = fork();
	if (child == 0) {
		if (pidfile_lock(path, why) < 0)
			_exit(1);
		pause();
		_exit(0);
	}
	for (int i = 0; i < 200 && pidfile_check(path, &pid) == 0; i++)
		usleep(10000);
	test_assert(pidfile_check(path, &pid) == 1 && pid == child);
	test_assert(pidfile_lock(path, why) == -1);
	test_assert(strstr(buf_str(why), "already running") != NULL);
	kill(child, SIGKILL);
	waitpid(child, &status, 0);
	test_assert(pidfile_check(path, &pid) == 0);
	fd = pidfile_lock(path, why);
	test_assert(fd >= 0);
	close(fd);
	buf_free(&why);
	test_end();
}

/* test_ev - entry point */
void test_ev(void)
{
	test_ev_loop();
	test_pidfile_lock();
}
