/* hato_control - start, stop, abort, reload, status and flush.
 *
 * The running master is found through its locked pid file
 * (queue_directory/pid/master.pid, see pidfile.h): a file left by a master
 * killed with -9 is stale and ignored.  start validates everything first
 * and runs master, which opens every socket before it detaches and exits
 * non-zero with the reason if anything fails, so there is never a half-
 * started instance.  reload validates before it signals: a bad
 * configuration is refused here and the running one is left alone.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "hato.h"
#include "log.h"
#include "master_proto.h"
#include "mem.h"
#include "pidfile.h"

/* load - the instance's main.cf, quietly (check reports the details) */
static struct config *load(const char *dir)
{
	struct buf *why = buf_new(0);
	struct config *c = config_read(dir, CONFIG_QUIET, why);

	if (c == NULL)
		log_error("%s", buf_str(why));
	buf_free(&why);
	return c;
}

/* hato_pid_path - queue_directory/pid/master.pid, found even when main.cf
 * no longer parses (its readable lines are used); broken gets main.cf's
 * first problem, if any; NULL only when main.cf cannot be read */
char *hato_pid_path(const char *dir, struct buf *broken)
{
	struct config *c = config_read(dir, CONFIG_QUIET | CONFIG_LENIENT, broken);
	struct config *strict;
	struct buf *path;

	if (c == NULL)
		return NULL;
	if (buf_len(broken) == 0 && (strict = config_read(dir, CONFIG_QUIET | CONFIG_STRICT, broken)))
		config_free(&strict);
	path = buf_new(64);
	buf_printf(path, "%s/pid/master.pid", config_get(c, "queue_directory"));
	config_free(&c);
	return buf_steal(&path);
}

/* find_master - 1 and the pid if master runs, 0 if not, -1 on error;
 * broken gets what is wrong with main.cf (empty when it is fine) */
static int find_master(const char *dir, pid_t *pid_r, struct buf *broken)
{
	char *path = hato_pid_path(dir, broken);
	int rc = path ? pidfile_check(path, pid_r) : -1;

	free(path);
	return rc;
}

/* running - find_master for callers that need no word on main.cf */
static int running(const char *dir, pid_t *pid_r)
{
	struct buf *broken = buf_new(0);
	int rc = find_master(dir, pid_r, broken);

	if (rc < 0)
		log_error("%s", buf_str(broken));
	buf_free(&broken);
	return rc;
}

/* say_state - "not running", or running with a main.cf that no longer
 * loads: both things, for status, stop and reload; the find_master result */
static int say_state(const char *dir, pid_t *pid_r, bool quiet_if_fine)
{
	struct buf *broken = buf_new(0);
	int rc = find_master(dir, pid_r, broken);

	if (rc < 0)
		log_error("%s", buf_str(broken));
	else if (rc == 0)
		log_error("the mail system is not running%s%s", buf_len(broken) ? "; also, " : "",
			  buf_str(broken));
	else if (buf_len(broken))
		log_warn("the mail system is running (master pid %ld), but its configuration is "
			 "broken: %s (the master keeps the configuration it has loaded)",
			 (long)*pid_r, buf_str(broken));
	else if (!quiet_if_fine)
		log_info("the mail system is running: PID: %ld", (long)*pid_r);
	buf_free(&broken);
	return rc;
}

/* hato_start - validate, then run master (in the background unless fg) */
int hato_start(struct hato_ctx *ctx, bool foreground)
{
	struct config *c;
	struct buf *master = buf_new(64);
	pid_t pid;
	int rc;

	if ((rc = running(ctx->dir, &pid)) != 0) {
		if (rc > 0)
			log_error("the mail system is already running (pid %ld)", (long)pid);
		buf_free(&master);
		return 1;
	}
	if (hato_check_quiet(ctx, true) != 0 || (c = load(ctx->dir)) == NULL) {
		buf_free(&master);
		return 1;
	}
	buf_printf(master, "%s/master", config_get(c, "daemon_directory"));
	config_free(&c);
	setenv(MASTER_ENV_CONFIG, ctx->dir, 1);
	{
		char *argv[] = { buf_str(master)[0] ? master->data : "master",
				 foreground ? "-d" : NULL, NULL };

		execv(argv[0], argv);
	}
	log_error("execute %s: %m", buf_str(master));
	buf_free(&master);
	return 1;
}

/* wait_gone - wait up to seconds for master to release its pid file */
static int wait_gone(const char *dir, int seconds)
{
	pid_t pid;

	for (int i = 0; i < seconds * 10; i++) {
		if (running(dir, &pid) <= 0)
			return 0;
		nanosleep(&(struct timespec){ 0, 100000000 }, NULL);
	}
	return -1;
}

/* hato_stop - SIGTERM (graceful) or SIGQUIT (abort), then wait */
int hato_stop(struct hato_ctx *ctx, bool abort_now)
{
	pid_t pid;

	if (say_state(ctx->dir, &pid, true) <= 0)
		return 1;
	if (kill(pid, abort_now ? SIGQUIT : SIGTERM) < 0) {
		log_error("signal master pid %ld: %m", (long)pid);
		return 1;
	}
	if (wait_gone(ctx->dir, 60) < 0) {
		log_error("master pid %ld did not stop within 60 seconds", (long)pid);
		return 1;
	}
	log_info("the mail system has %s", abort_now ? "been aborted" : "stopped");
	return 0;
}

/* hato_reload - validate, then SIGHUP */
int hato_reload(struct hato_ctx *ctx)
{
	pid_t pid;

	if (say_state(ctx->dir, &pid, true) <= 0)
		return 1;
	if (hato_check_quiet(ctx, false) != 0) {
		log_error("configuration refused; the running mail system (master pid %ld) keeps "
			  "its old configuration", (long)pid);
		return 1;
	}
	if (kill(pid, SIGHUP) < 0) {
		log_error("signal master pid %ld: %m", (long)pid);
		return 1;
	}
	log_info("refreshing the mail system");
	return 0;
}

/* hato_status - exit 0 when running; names the services of master.cf that
 * this hato does not provide */
int hato_status(struct hato_ctx *ctx)
{
	pid_t pid;
	int rc = say_state(ctx->dir, &pid, false);

	hato_services_unavailable(ctx->dir);
	return rc > 0 ? 0 : 1;
}

/* hato_flush - ask the queue manager to retry deferred mail now */
int hato_flush(struct hato_ctx *ctx)
{
	struct config *c = load(ctx->dir);
	struct buf *path = buf_new(64);
	struct stat st;
	int fd, rc = 1;

	if (c == NULL) {
		buf_free(&path);
		return 1;
	}
	buf_printf(path, "%s/public/qmgr", config_get(c, "queue_directory"));
	fd = open(buf_str(path), O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		log_error("cannot reach the queue manager (%s): %m; is the mail system running?", buf_str(path));
	else if (fstat(fd, &st) < 0 || !S_ISFIFO(st.st_mode))	/* public/ is mail_owner's */
		log_error("%s: not a FIFO", buf_str(path));
	else if (write(fd, "FW", 2) != 2)
		log_error("write %s: %m", buf_str(path));
	else
		rc = 0;
	if (fd >= 0)
		close(fd);
	config_free(&c);
	buf_free(&path);
	return rc;
}
