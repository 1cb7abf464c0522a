/* server_test - the daemon skeleton as master runs it: a forked child
 * gets a listening socket at MASTER_LISTEN_FD, the status pipe at
 * MASTER_STATUS_FD, HATO_CONFIG and -o overrides (master_spawn.c), and
 * server_main serves.  Checked: a single server serves one client at a
 * time, says "B pid" / "I pid" around each, and exits after max_use
 * clients; with no client it exits after max_idle (not before); SIGHUP
 * lets the current client finish, then it exits; a multi server has two
 * clients at once in one process; a trigger server hands each wakeup's
 * bytes to its function, and ticks without wakeups.  The child is the
 * daemon; the test is master and client. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ev.h"
#include "log.h"
#include "master_proto.h"
#include "mem.h"
#include "server.h"
#include "test.h"
#include "unix_connect.h"

enum { WAIT_MS = 10000 };	/* what a healthy daemon takes at most, with room */

struct daemon {
	pid_t pid;
	int status;		/* the read end of the status pipe */
	int listen;		/* our copy of its listener (a pipe's write end for triggers) */
	char path[100];		/* the socket */
};

static int result_fd = -1;	/* in the child: where trigger and tick report */
static int served;		/* in the child: clients so far */

/* now_ms - a monotonic clock in ms */
static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* config_home - the instance the daemons read: main.cf and a queue dir */
static const char *config_home(void)
{
	static char dir[64];
	char path[100];
	FILE *fp;

	if (dir[0])
		return dir;
	snprintf(dir, sizeof(dir), "%s/server", test_datadir());
	mkdir(dir, 0755);
	snprintf(path, sizeof(path), "%s/queue", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/main.cf", dir);
	if ((fp = fopen(path, "w")) != NULL) {
		fprintf(fp, "queue_directory = %s/queue\nmaillog_file = %s/maillog\n", dir, dir);
		fclose(fp);
	}
	return dir;
}

/* listener - a non-blocking listening UNIX socket, as master makes them */
static int listener(struct daemon *d)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	static int n;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	snprintf(d->path, sizeof(d->path), "%s/s%d", config_home(), ++n);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", d->path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 16) < 0)
		log_panic("listener %s: %m", d->path);
	return fd;
}

/* high - fd copied to 100 and above (master_spawn.c's move_high) */
static int high(int fd)
{
	int h = fcntl(fd, F_DUPFD, 100);

	if (h < 0)
		_exit(126);
	return h;
}

/* child - in the child: descriptors and environment as master_spawn.c
 * leaves them, then the skeleton */
static void __attribute__((noreturn)) child(const struct server_opts *opts, int lfd, int status_w,
					    int result_w, char **argv)
{
	int argc = 0, l = high(lfd), s = high(status_w);

	result_fd = result_w >= 0 ? high(result_w) : -1;
	if (dup2(l, MASTER_LISTEN_FD) < 0 || dup2(s, MASTER_STATUS_FD) < 0)
		_exit(126);
	setenv(MASTER_ENV_LISTEN_FDS, "1", 1);
	setenv(MASTER_ENV_CONFIG, config_home(), 1);
	unsetenv(MASTER_ENV_STRESS);
	unsetenv(MASTER_ENV_FLOW);
	unsetenv(MASTER_ENV_SYNC);
	while (argv[argc])
		argc++;
	optind = 0;		/* getopt afresh: the runner is no daemon */
	_exit(server_main(argc, argv, opts));
}

/* start - fork a daemon of opts with these -o overrides (NULL-ended);
 * lfd: its listener, result_w: where its trigger and tick report */
static void start(struct daemon *d, const struct server_opts *opts, int lfd, int result_w,
		  const char *o1, const char *o2)
{
	char *argv[] = { "server_test", "-n", "test", "-t", "unix", "-o", (char *)o1, "-o", (char *)o2, NULL };
	int sp[2];

	if (pipe2(sp, O_CLOEXEC) < 0)
		log_panic("pipe: %m");
	fflush(stdout);
	if ((d->pid = fork()) == 0)
		child(opts, lfd, sp[1], result_w, argv);
	close(sp[1]);
	d->status = sp[0];
}

/* stop - the daemon's end: exit status 0 within WAIT_MS (else killed,
 * false); our descriptors closed */
static bool stop(struct daemon *d)
{
	long long until = now_ms() + WAIT_MS;
	int status = 0;
	pid_t rc;

	while ((rc = waitpid(d->pid, &status, WNOHANG)) == 0 && now_ms() < until)
		usleep(10 * 1000);
	if (rc == 0) {
		kill(d->pid, SIGKILL);
		waitpid(d->pid, &status, 0);
	}
	close(d->status);
	if (d->listen >= 0)
		close(d->listen);
	d->listen = -1;
	return rc == d->pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* read_exact - len bytes from fd within WAIT_MS; false on EOF or timeout */
static bool read_exact(int fd, char *p, size_t len)
{
	long long until = now_ms() + WAIT_MS;
	size_t got = 0;

	while (got < len) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&pfd, 1, (int)(until - now_ms() > 0 ? until - now_ms() : 0)) <= 0)
			return false;
		if ((n = read(fd, p + got, len - got)) <= 0)
			return false;
		got += (size_t)n;
	}
	return true;
}

/* expect - the next bytes on fd are want */
static bool expect(int fd, const char *want)
{
	char got[128] = "";
	size_t len = strlen(want);

	if (len >= sizeof(got) || !read_exact(fd, got, len))
		return false;
	if (strcmp(got, want) != 0)
		printf("#   read \"%s\", expected \"%s\"\n", got, want);
	return strcmp(got, want) == 0;
}

/* expect_status - the next status lines are "B pid\nI pid\n", n times */
static bool expect_status(const struct daemon *d, int n)
{
	char want[64];
	bool ok = true;

	snprintf(want, sizeof(want), "B %ld\nI %ld\n", (long)d->pid, (long)d->pid);
	while (ok && n-- > 0)
		ok = expect(d->status, want);
	return ok;
}

/* client - connect to d; -1 on failure */
static int client(const struct daemon *d)
{
	return unix_connect(d->path, NULL);
}

/* hello_from - the connection's one line is "hello PID N" */
static bool hello_from(int fd, const struct daemon *d, int n)
{
	char want[64];

	snprintf(want, sizeof(want), "hello %ld %d\n", (long)d->pid, n);
	return fd >= 0 && expect(fd, want);
}

/* hello_service - SINGLE: wait for one byte from the client, then
 * "hello PID N" */
static void hello_service(const struct server_info *si, int fd)
{
	char c, line[64];
	ssize_t n;

	(void)si;
	while ((n = read(fd, &c, 1)) < 0 && errno == EINTR)
		continue;	/* SIGHUP comes without SA_RESTART */
	n = snprintf(line, sizeof(line), "hello %ld %d\n", (long)getpid(), ++served);
	if (write(fd, line, (size_t)n) < 0)
		_exit(3);
}

static const struct server_opts single_opts = { .kind = SERVER_SINGLE, .service = hello_service };

/* ask - a client of d that sends one byte and gets the n-th hello */
static bool ask(const struct daemon *d, int n)
{
	int fd = client(d);
	bool ok = fd >= 0 && write(fd, "x", 1) == 1 && hello_from(fd, d, n);

	if (fd >= 0)
		close(fd);
	return ok;
}

/* test_max_use - serves, reports busy and idle, exits after max_use */
static void test_max_use(void)
{
	struct daemon d = { 0 };

	test_begin("server: single serves one client at a time, B/I on the status fd, exits after max_use");
	d.listen = listener(&d);
	start(&d, &single_opts, d.listen, -1, "max_use=2", "max_idle=100s");
	test_assert(ask(&d, 1));
	test_assert(expect_status(&d, 1));
	test_assert(ask(&d, 2));
	test_assert(expect_status(&d, 1));
	test_assert(stop(&d));	/* long before max_idle */
	test_end();
}

/* test_max_idle - no client: exits after max_idle, not before */
static void test_max_idle(void)
{
	struct daemon d = { 0 };
	long long t0 = now_ms();
	char c;

	test_begin("server: without clients a single server exits after max_idle (1s), not before");
	d.listen = listener(&d);
	start(&d, &single_opts, d.listen, -1, "max_use=100", "max_idle=1s");
	test_assert(!read_exact(d.status, &c, 1));	/* EOF (it exited, saying nothing) or WAIT_MS */
	test_assert(now_ms() - t0 >= 950 && now_ms() - t0 < WAIT_MS);
	test_assert(stop(&d));
	test_end();
}

/* test_retire - SIGHUP (master reloaded): the client being served is
 * served to the end, then the daemon exits */
static void test_retire(void)
{
	struct daemon d = { 0 };
	char want[32], got[32] = "";
	int fd;

	test_begin("server: SIGHUP finishes the current client, then the daemon exits");
	d.listen = listener(&d);
	start(&d, &single_opts, d.listen, -1, "max_use=100", "max_idle=100s");
	fd = client(&d);
	snprintf(want, sizeof(want), "B %ld\n", (long)d.pid);
	test_assert(expect(d.status, want));	/* it is in hello_service now */
	kill(d.pid, SIGHUP);
	test_assert(write(fd, "x", 1) == 1 && hello_from(fd, &d, 1));
	snprintf(want, sizeof(want), "I %ld\n", (long)d.pid);
	test_assert(expect(d.status, want));
	test_assert(stop(&d));
	test_assert(read(fd, got, sizeof(got)) == 0);
	close(fd);
	test_end();
}

/* multi_read - MULTI: the client's byte, then "hello PID N", done */
static void multi_read(struct ev *ev, int fd, void *ctx)
{
	char c;

	(void)ev;
	(void)ctx;
	if (read(fd, &c, 1) == 1)
		hello_service(NULL, fd);
	server_multi_done(fd);
}

/* multi_service - MULTI: a new client waits in the event loop */
static void multi_service(const struct server_info *si, int fd)
{
	(void)si;
	ev_read(server_ev(), fd, multi_read, NULL);
}

/* test_multi - two clients at once in one process, then max_use */
static void test_multi(void)
{
	static const struct server_opts opts = { .kind = SERVER_MULTI, .service = multi_service };
	struct daemon d = { 0 };
	int a, b;

	test_begin("server: multi serves a second client while the first is open, exits after max_use");
	d.listen = listener(&d);
	start(&d, &opts, d.listen, -1, "max_use=2", "max_idle=100s");
	a = client(&d);
	b = client(&d);
	test_assert(a >= 0 && b >= 0);
	test_assert(write(b, "x", 1) == 1 && hello_from(b, &d, 1));	/* a is still open */
	test_assert(write(a, "x", 1) == 1 && hello_from(a, &d, 2));
	close(a);
	close(b);
	test_assert(stop(&d));
	test_end();
}

/* on_trigger - TRIGGER: the wakeup bytes, passed on to the test */
static void on_trigger(const struct server_info *si, const char *data, size_t len)
{
	(void)si;
	if (write(result_fd, data, len) < 0)
		_exit(3);
}

/* on_tick - TRIGGER: a tick without wakeups */
static void on_tick(const struct server_info *si)
{
	(void)si;
	if (write(result_fd, "t", 1) < 0)
		_exit(3);
}

/* start_trigger - a trigger daemon on a pipe (what fstat calls a FIFO);
 * *result: what its functions report */
static void start_trigger(struct daemon *d, const struct server_opts *opts, int *result, const char *o1)
{
	int wake[2], res[2];

	if (pipe2(wake, O_CLOEXEC) < 0 || pipe2(res, O_CLOEXEC) < 0)
		log_panic("pipe: %m");
	start(d, opts, wake[0], res[1], o1, "max_idle=100s");
	close(wake[0]);
	close(res[1]);
	d->listen = wake[1];
	*result = res[0];
}

/* test_trigger - each wakeup to the trigger function, then max_use */
static void test_trigger(void)
{
	static const struct server_opts opts = { .kind = SERVER_TRIGGER, .trigger = on_trigger };
	struct daemon d = { 0 };
	int result;

	test_begin("server: trigger passes each wakeup's bytes on, B/I on the status fd, exits after max_use");
	start_trigger(&d, &opts, &result, "max_use=2");
	test_assert(write(d.listen, "A", 1) == 1);
	test_assert(expect(result, "A"));
	test_assert(expect_status(&d, 1));
	test_assert(write(d.listen, "F", 1) == 1);
	test_assert(expect(result, "F"));
	test_assert(expect_status(&d, 1));
	test_assert(stop(&d));
	close(result);
	test_end();
}

/* test_tick - no wakeup: the tick function, again and again */
static void test_tick(void)
{
	static const struct server_opts opts = { .kind = SERVER_TRIGGER, .trigger = on_trigger,
						  .tick = on_tick, .tick_ms = 20, .unlimited = true };
	struct daemon d = { 0 };
	int result;

	test_begin("server: a trigger server with .tick ticks while no wakeup comes");
	start_trigger(&d, &opts, &result, "max_use=1");
	test_assert(expect(result, "ttt"));
	test_assert(write(d.listen, "W", 1) == 1);
	kill(d.pid, SIGHUP);
	test_assert(stop(&d));
	close(result);
	test_end();
}

/* test_server - every case of this file */
void test_server(void)
{
	test_max_use();
	test_max_idle();
	test_retire();
	test_multi();
	test_trigger();
	test_tick();
}
