/* master_start - what master does before its loop runs: load main.cf and
 * master.cf, detach, take the pid-file lock, catch signals (HUP reload,
 * TERM/INT stop, QUIT abort, through a pipe into the event loop), open
 * the log.  main.c calls these in order. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "master.h"
#include "mem.h"
#include "pidfile.h"

struct master_state master;
static int signal_pipe[2];
static char pid_path[4200];

/* on_signal - async-signal-safe: forward the signal number to the loop */
static void on_signal(int sig)
{
	unsigned char b = (unsigned char)sig;
	int saved = errno;

	if (write(signal_pipe[1], &b, 1) < 0) {
		/* the pipe is full: the signal is already pending there */
	}
	errno = saved;
}

/* check_stopped - end the loop once every daemon has gone */
static void check_stopped(struct ev *ev, void *ctx)
{
	long *ticks = ctx;

	master_reap();
	if (master_spawn_count() == 0) {
		ev_stop(ev);
		return;
	}
	if (++*ticks == 100) {	/* 10 seconds: whoever is left is killed */
		log_warn("%d processes did not stop within 10 seconds: killed", master_spawn_count());
		master_spawn_signal_all(SIGKILL);
	}
	ev_timer(ev, 100, check_stopped, ticks);
}

/* stop - close every socket, tell the daemons, wait for them */
static void stop(int sig)
{
	static long ticks;

	if (master.stopping)
		return;
	master.stopping = true;
	master_notify("STOPPING=1");
	log_info("%s -- stopping", sig == SIGQUIT ? "abort" : "terminating on signal");
	for (struct master_service *svc = master.services; svc; svc = svc->next) {
		master_wakeup_stop(svc);
		master_listen_close(svc, true);
	}
	master_spawn_signal_all(sig == SIGQUIT ? SIGKILL : SIGTERM);
	check_stopped(master.ev, &ticks);
}

/* on_signal_pipe - handle signals inside the loop */
static void on_signal_pipe(struct ev *ev, int fd, void *ctx)
{
	unsigned char sigs[64];
	ssize_t n = read(fd, sigs, sizeof(sigs));

	(void)ev;
	(void)ctx;
	for (ssize_t i = 0; i < n; i++) {
		switch (sigs[i]) {
		case SIGCHLD: master_reap(); break;
		case SIGHUP: if (!master.stopping) master_reload(); break;
		case SIGTERM: case SIGINT: case SIGQUIT: stop(sigs[i]); break;
		}
	}
}

/* setup_signals - every signal goes through signal_pipe */
void master_setup_signals(void)
{
	static const int sigs[] = { SIGCHLD, SIGHUP, SIGTERM, SIGINT, SIGQUIT };
	struct sigaction sa = { .sa_handler = on_signal };

	if (pipe2(signal_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		log_fatal("pipe: %m");
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	ev_read(master.ev, signal_pipe[0], on_signal_pipe, NULL);
}

/* master_log_open - maillog_file (or syslog) as cf says, and stderr too
 * while someone reads it (not the journal: it has the lines already);
 * -1 and error_r when the file will not open (the old destination stays) */
int master_log_open(const struct params *cf, bool with_stderr, const char **error_r)
{
	int dests = (*cf->maillog_file ? LOG_DEST_FILE : LOG_DEST_SYSLOG)
		    | (with_stderr && !master.stderr_journal ? LOG_DEST_STDERR : 0);
	enum log_format fmt = strcmp(cf->maillog_format, "json") == 0 ? LOG_FORMAT_JSON
								       : LOG_FORMAT_TEXT;

	return log_open(dests, cf->maillog_file, fmt, cf->syslog_name, error_r);
}

/* warn_no_log - say so when messages would go nowhere: no maillog_file and
 * no syslog daemon (hato check runs "master -t", hato start runs master:
 * both show this on the terminal) */
static void warn_no_log(const struct params *cf)
{
	if (*cf->maillog_file == '\0' && !log_syslog_ready())
		log_warn("maillog_file is not set and there is no syslog socket %s: log messages "
			 "would be lost; set maillog_file (postconf -e maillog_file=/var/log/hato.log) "
			 "or start a syslog daemon", log_syslog_path());
}

/* load - configuration, then (unless test_only) sockets; exits 1 with the
 * reason on any failure */
void master_load(bool test_only)
{
	struct buf *why = buf_new(0);
	const char *err = NULL;
	pid_t pid;

	if ((master.config = config_read(master.dir, CONFIG_STRICT, why)) == NULL ||
	    (master.cf = config_params(master.config, why)) == NULL)
		log_fatal("%s", buf_str(why));
	warn_no_log(master.cf);
	if (!test_only && master_log_open(master.cf, true, &err) < 0)
		log_fatal("open maillog_file %s: %s", master.cf->maillog_file, err);
	if (master_config_load(master.config, &master.services, why) < 0)
		log_fatal("%s", buf_str(why));
	if (test_only) {
		buf_free(&why);
		return;
	}
	snprintf(pid_path, sizeof(pid_path), "%s/pid/master.pid", master.cf->queue_directory);
	if (pidfile_check(pid_path, &pid) > 0)
		log_fatal("the mail system is already running (pid %ld)", (long)pid);
	for (struct master_service *svc = master.services; svc; svc = svc->next)
		if (master_listen_open(svc, master.cf, why) < 0)
			log_fatal("%s", buf_str(why));
	buf_free(&why);
}

/* detach - background: the parent exits 0 once the child holds the lock;
 * returns the descriptor on which the child reports that */
int master_detach(void)
{
	int ready[2];
	char b;
	pid_t pid;

	if (pipe2(ready, O_CLOEXEC) < 0)
		log_fatal("pipe: %m");
	if ((pid = fork()) < 0)
		log_fatal("fork: %m");
	if (pid > 0) {
		close(ready[1]);
		_exit(read(ready[0], &b, 1) == 1 ? 0 : 1);
	}
	close(ready[0]);
	setsid();
	return ready[1];
}

/* take_lock - the pid file lock; report readiness to a waiting parent */
void master_take_lock(int ready_fd)
{
	struct buf *why = buf_new(0);
	const char *err = NULL;
	int devnull;

	if (pidfile_lock(pid_path, why) < 0)
		log_fatal("%s", buf_str(why));
	buf_free(&why);
	if (ready_fd < 0)
		return;
	if (write(ready_fd, "R", 1) != 1)
		log_fatal("cannot report start-up: %m");
	close(ready_fd);
	devnull = open("/dev/null", O_RDWR);
	dup2(devnull, STDIN_FILENO);
	dup2(devnull, STDOUT_FILENO);
	dup2(devnull, STDERR_FILENO);
	close(devnull);
	if (master_log_open(master.cf, false, &err) < 0)
		log_error("open maillog_file %s: %s", master.cf->maillog_file, err);
}

/* master_remove_pid - the pid file goes when master stops */
void master_remove_pid(void)
{
	unlink(pid_path);
}
