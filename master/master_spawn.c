/* master_spawn - daemons on demand: start, count, reap, throttle.
 *
 * A service's sockets are watched only while none of its processes is
 * idle and it is below maxproc; a connection then starts one process,
 * which counts as idle until it says "busy" on the status pipe.  So
 * maxproc 2 lets two clients in and the third waits in the backlog until
 * a process is free.  A process that dies abnormally before it served
 * anyone throttles its service for service_throttle_time (no fork storm);
 * one killed while serving is only logged.  When every process of a
 * network service is busy, the sockets are watched once more, only to
 * warn (at most every 1000 s) that a client waits, as Postfix does.
 * Stress (Postfix's STRESS_README): a start that takes the last process of
 * an inet service with maxproc > 1 puts it under stress for 1000 s (renewed
 * each time): its new processes get "-o stress=yes", and its running ones
 * learn it at once from the stress pipe, whose read end each got at
 * MASTER_STRESS_FD: master writes a byte there that no one reads, so the
 * pipe stays readable for every holder, then drops the pipe (a new one
 * serves the processes started after the stress).  So smtpd's idle
 * sessions get the short stressed smtpd_timeout too, not only new ones.
 * Mail processes (imapmail, pop3mail: one per session) are kept
 * started, mail_process_min_avail of them idle, as Dovecot's
 * process_min_avail: a login then does not wait for a fork, an exec and
 * the start-up, which on a busy machine each wait for a CPU.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "group_sync.h"
#include "log.h"
#include "master.h"
#include "mem.h"

static void on_listen(struct ev *ev, int fd, void *ctx);

enum {
	LIMIT_WARN_EVERY = 1000,	/* seconds between process-limit warnings */
	STRESS_HOLD = 1000,		/* seconds of stress after the limit was reached */
};

/* find_child - the child record for pid, or NULL */
static struct master_child *find_child(pid_t pid)
{
	for (struct master_child *c = master.children; c; c = c->next)
		if (c->pid == pid)
			return c;
	return NULL;
}

/* at_limit - every process of a network service is busy and it may not
 * start more: a new client would wait; worth a warning once in a while */
static bool at_limit(const struct master_service *svc)
{
	long now = (long)time(NULL);

	return svc->type == MT_INET && !master.stopping && !svc->throttled && svc->avail == 0 &&
	       svc->maxproc > 0 && svc->total >= svc->maxproc &&
	       (svc->limit_warned == 0 || now - svc->limit_warned >= LIMIT_WARN_EVERY);
}

/* on_limit - a client waits for a process: Postfix's warning, then stop
 * watching (the socket stays readable until a process takes the client) */
static void on_limit(struct ev *ev, int fd, void *ctx)
{
	struct master_service *svc = ctx;

	(void)ev;
	(void)fd;
	svc->limit_warned = (long)time(NULL);
	log_warn("service %s (%s) has reached its process limit %d: "
		 "new clients may experience noticeable delays", svc->name, svc->type_name,
		 svc->maxproc);
	master_spawn_update(svc);
}

/* master_spawn_update - watch the sockets exactly when a process is needed
 * (or, at the process limit, to warn that clients wait) */
void master_spawn_update(struct master_service *svc)
{
	bool want = !master.stopping && !svc->throttled && svc->avail == 0 &&
		    (svc->maxproc == 0 || svc->total < svc->maxproc);
	bool watch_limit = !want && at_limit(svc);

	master_metrics_service(svc);
	if (!master.stopping && !svc->throttled && svc->avail < svc->min_avail &&
	    (svc->maxproc == 0 || svc->total < svc->maxproc)) {
		master_spawn_start(svc);	/* a spare; it calls back here */
		return;
	}
	if (want == svc->listening && watch_limit == svc->limit_watch)
		return;
	for (int i = 0; i < svc->nlisten; i++) {
		if (want)
			ev_read(master.ev, svc->listen_fds[i], on_listen, svc);
		else if (watch_limit)
			ev_read(master.ev, svc->listen_fds[i], on_limit, svc);
		else
			ev_off(master.ev, svc->listen_fds[i]);
	}
	svc->listening = want;
	svc->limit_watch = watch_limit;
}

/* stress_capable - Postfix's rule: a network service that may have more
 * than one process (Postfix also leaves out services that listen on
 * loopback only; hato does not: --dev instances listen there) */
static bool stress_capable(const struct master_service *svc)
{
	return svc->type == MT_INET && svc->maxproc > 1;
}

/* is_stressed - svc is under stress now */
static bool is_stressed(const struct master_service *svc)
{
	return stress_capable(svc) && svc->stress_until > (long)time(NULL);
}

/* stress_drop - close svc's stress pipe (holders of a read end without
 * the byte see a hang-up only: no stress) */
static void stress_drop(struct master_service *svc)
{
	if (!svc->has_stress_pipe)
		return;
	close(svc->stress_pipe[0]);
	close(svc->stress_pipe[1]);
	svc->has_stress_pipe = false;
}

/* stress_note - a start that takes the last process of svc begins or
 * renews the stress; at its beginning, the running processes are told */
static void stress_note(struct master_service *svc)
{
	if (!stress_capable(svc) || svc->total + 1 < svc->maxproc)
		return;
	if (!is_stressed(svc)) {
		log_warn("service %s (%s): all %d processes are busy: stress mode for %d s "
			 "(stress=yes)", svc->name, svc->type_name, svc->maxproc, STRESS_HOLD);
		if (svc->has_stress_pipe && write(svc->stress_pipe[1], "S", 1) != 1)
			log_warn("service %s: stress pipe: %m", svc->name);
		stress_drop(svc);
	}
	svc->stress_until = (long)time(NULL) + STRESS_HOLD;
}

/* stress_pipe_for - the read end a new process of svc (not under stress)
 * is to watch for stress, or -1 (not a service that stresses) */
static int stress_pipe_for(struct master_service *svc)
{
	if (!stress_capable(svc))
		return -1;
	if (!svc->has_stress_pipe) {
		if (pipe2(svc->stress_pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
			log_warn("stress pipe for service %s: %m", svc->name);
			return -1;
		}
		svc->has_stress_pipe = true;
	}
	return svc->stress_pipe[0];
}

/* child_argv - svc's argv, with "-o stress=yes" first under stress (in
 * the child: the copy is never freed, exec replaces it) */
static char **child_argv(struct master_service *svc, bool stressed)
{
	struct strv *v;

	if (!stressed)
		return svc->argv->items;
	v = strv_new();
	strv_add(v, svc->argv->items[0]);
	strv_add(v, "-o");
	strv_add(v, "stress=yes");
	for (size_t i = 1; i < svc->argv->len; i++)
		strv_add(v, svc->argv->items[i]);
	return v->items;
}

/* place_stress - in the child: the stress pipe at MASTER_STRESS_FD, and
 * for a service that can be stressed, its process limit in the environment */
static void place_stress(const struct master_service *svc, int stress_r)
{
	char limit[16];

	if (stress_r >= 0) {
		if (dup2(stress_r, MASTER_STRESS_FD) < 0)
			_exit(126);
		setenv(MASTER_ENV_STRESS, "1", 1);
	}
	if (stress_capable(svc)) {
		snprintf(limit, sizeof(limit), "%d", svc->maxproc);
		setenv(MASTER_ENV_MAXPROC, limit, 1);
	}
}

/* move_high - a copy of fd at 100 or above, where nothing is placed */
static int move_high(int fd)
{
	int high = fd >= 0 ? fcntl(fd, F_DUPFD, 100) : -1;

	if (high < 0)
		_exit(126);
	return high;
}

/* exec_child - in the child: arrange descriptors and run the program.
 * Everything the child keeps is first copied to 100 and above, and only
 * then put at its fixed number: a descriptor of master's may sit at any
 * of those numbers, and must not be overwritten before it is copied. */
static void exec_child(struct master_service *svc, bool stressed, int stress_r)
{
	char count[16];
	int listeners[MASTER_MAX_LISTEN_FDS], devnull, status, flow_r = -1, flow_w = -1, sync_fd = -1;
	int log_w = -1, metrics = -1;
	char **argv = child_argv(svc, stressed);

	prctl(PR_SET_PDEATHSIG, SIGTERM);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	devnull = move_high(open("/dev/null", O_RDWR));
	status = move_high(master.status_pipe[1]);
	for (int i = 0; i < svc->nlisten; i++)
		listeners[i] = move_high(svc->listen_fds[i]);
	if (master.flow_pipe[0] >= 0) {
		flow_r = move_high(master.flow_pipe[0]);
		flow_w = move_high(master.flow_pipe[1]);
	}
	if (master.sync_page >= 0)
		sync_fd = move_high(master.sync_page);
	if (stress_r >= 0)
		stress_r = move_high(stress_r);
	if (master.log_sink[1] >= 0)
		log_w = move_high(master.log_sink[1]);
	if (master.metrics_fd >= 0)
		metrics = move_high(master.metrics_fd);

	for (int i = 0; i < svc->nlisten; i++)
		if (dup2(listeners[i], MASTER_LISTEN_FD + i) < 0)
			_exit(126);
	if (dup2(status, MASTER_STATUS_FD) < 0)
		_exit(126);
	close(MASTER_FLOW_READ_FD);
	close(MASTER_FLOW_WRITE_FD);
	if (flow_r >= 0) {
		if (dup2(flow_r, MASTER_FLOW_READ_FD) < 0 || dup2(flow_w, MASTER_FLOW_WRITE_FD) < 0)
			_exit(126);
		setenv(MASTER_ENV_FLOW, "1", 1);
	}
	if (sync_fd >= 0) {
		if (dup2(sync_fd, MASTER_SYNC_FD) < 0)
			_exit(126);
		setenv(MASTER_ENV_SYNC, "1", 1);
	}
	place_stress(svc, stress_r);
	if (log_w >= 0) {
		if (dup2(log_w, MASTER_LOG_FD) < 0)
			_exit(126);
		setenv(MASTER_ENV_LOG, "1", 1);
	}
	if (metrics >= 0) {
		if (dup2(metrics, MASTER_METRICS_FD) < 0)
			_exit(126);
		setenv(MASTER_ENV_METRICS, "1", 1);
	}
	dup2(devnull, STDIN_FILENO);
	if (!master.foreground) {
		dup2(devnull, STDOUT_FILENO);
		dup2(devnull, STDERR_FILENO);
	}
	/* every other fd, however high (the copies at 100 and above too) */
	close_range((unsigned)(MASTER_LISTEN_FD + svc->nlisten), MASTER_SYNC_FD - 1, 0);
	if (sync_fd < 0)
		close(MASTER_SYNC_FD);
	if (stress_r < 0)
		close(MASTER_STRESS_FD);
	if (log_w < 0)
		close(MASTER_LOG_FD);
	close_range(metrics >= 0 ? MASTER_METRICS_FD + 1 : MASTER_METRICS_FD, ~0U, 0);
	snprintf(count, sizeof(count), "%d", svc->nlisten);
	setenv(MASTER_ENV_LISTEN_FDS, count, 1);
	setenv(MASTER_ENV_CONFIG, master.dir, 1);
	execv(svc->path, argv);
	_exit(127);
}

/* master_spawn_start - start one process of svc */
void master_spawn_start(struct master_service *svc)
{
	struct master_child *c;
	bool stressed;
	int stress_r;
	pid_t pid;

	stress_note(svc);
	stressed = is_stressed(svc);
	stress_r = stressed ? -1 : stress_pipe_for(svc);
	if ((pid = fork()) < 0) {
		log_warn("fork for service %s: %m", svc->name);
		return;
	}
	if (pid == 0)
		exec_child(svc, stressed, stress_r);
	c = xmalloc(sizeof(*c));
	c->pid = pid;
	c->svc = svc;
	c->avail = true;
	c->next = master.children;
	master.children = c;
	svc->total++;
	svc->avail++;
	svc->used = true;
	master_metrics_started(svc);
	master_spawn_update(svc);
}

/* on_listen - a client is waiting and no process is free */
static void on_listen(struct ev *ev, int fd, void *ctx)
{
	(void)ev;
	(void)fd;
	master_spawn_start(ctx);
}

/* unthrottle - the throttle time is over */
static void unthrottle(struct ev *ev, void *ctx)
{
	struct master_service *svc = ctx;

	(void)ev;
	svc->throttled = false;
	svc->throttle_timer = 0;
	master_spawn_update(svc);
}

/* throttle - stop starting processes of svc for a while */
static void throttle(struct master_service *svc)
{
	if (svc->throttled)
		return;
	log_warn("service %s/%s: process failed at start-up -- throttling for %lds",
		 svc->name, svc->type_name, master.cf->service_throttle_time);
	svc->throttled = true;
	svc->throttle_timer = ev_timer(master.ev, master.cf->service_throttle_time * 1000, unthrottle, svc);
	master_spawn_update(svc);
}

/* child_gone - bookkeeping for a process that exited */
static void child_gone(struct master_child *c, int status)
{
	struct master_service *svc = c->svc;
	bool abnormal = WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) != 0);
	bool stopped = master.stopping && WIFSIGNALED(status)	/* by us: no news */
		       && (WTERMSIG(status) == SIGTERM || WTERMSIG(status) == SIGKILL);

	if (abnormal && svc && !stopped)
		log_warn("process %s pid %ld %s %d", svc->path, (long)c->pid,
			 WIFSIGNALED(status) ? "killed by signal" : "exit status",
			 WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	if (svc == NULL)
		return;
	if (abnormal && !stopped)
		master_metrics_failed(svc);
	svc->total--;
	if (c->avail)
		svc->avail--;
	if (abnormal && c->uses == 0 && !master.stopping)
		throttle(svc);
	master_spawn_update(svc);
}

/* master_reap - collect every exited child */
void master_reap(void)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		struct master_child **pp = &master.children;

		while (*pp && (*pp)->pid != pid)
			pp = &(*pp)->next;
		if (*pp == NULL)
			continue;
		struct master_child *c = *pp;
		*pp = c->next;
		child_gone(c, status);
		free(c);
	}
}

/* on_status - "B pid" / "I pid" lines from the daemons */
static void on_status(struct ev *ev, int fd, void *ctx)
{
	char data[4096];
	ssize_t n = read(fd, data, sizeof(data) - 1);

	(void)ev;
	(void)ctx;
	if (n <= 0)
		return;
	data[n] = '\0';
	for (char *line = strtok(data, "\n"); line; line = strtok(NULL, "\n")) {
		struct master_child *c = find_child((pid_t)strtol(line + 1, NULL, 10));

		if (c == NULL || c->svc == NULL || (line[0] != 'B' && line[0] != 'I'))
			continue;
		if (line[0] == 'B' && c->avail) {
			c->avail = false;
			c->uses++;
			c->svc->avail--;
			master_metrics_client(c->svc);
		} else if (line[0] == 'I' && !c->avail) {
			c->avail = true;
			c->svc->avail++;
		}
		master_spawn_update(c->svc);
	}
}

/* master_spawn_init - the status and in-flow pipes shared by all daemons */
void master_spawn_init(void)
{
	if (pipe2(master.status_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		log_fatal("pipe: %m");
	master_metrics_init();
	if ((master.sync_page = group_sync_page_new()) < 0)
		log_warn("group commit page: %m; every cleanup fsyncs incoming/ itself");
	if (pipe2(master.flow_pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
		log_warn("in-flow pipe: %m; in_flow_delay is not enforced");
		master.flow_pipe[0] = master.flow_pipe[1] = -1;
	}
	ev_read(master.ev, master.status_pipe[0], on_status, NULL);
}

/* master_spawn_stop - detach svc's processes (they finish on their own) */
void master_spawn_stop(struct master_service *svc)
{
	for (struct master_child *c = master.children; c; c = c->next)
		if (c->svc == svc) {
			c->svc = NULL;
			kill(c->pid, SIGHUP);
		}
	if (svc->throttle_timer)
		ev_cancel(master.ev, svc->throttle_timer);
	svc->throttle_timer = 0;
	svc->total = svc->avail = 0;
	master_metrics_service(svc);	/* the next generation's counts follow */
	stress_drop(svc);
}

/* master_spawn_signal_all - send sig to every daemon */
void master_spawn_signal_all(int sig)
{
	for (struct master_child *c = master.children; c; c = c->next)
		kill(c->pid, sig);
}

/* master_spawn_count - how many daemons are alive */
int master_spawn_count(void)
{
	int n = 0;

	for (struct master_child *c = master.children; c; c = c->next)
		n++;
	return n;
}
