/* qmgr_run - queue runs: what goes into active/ and when.
 *
 * incoming/ is scanned at every run and whenever a wakeup arrives during
 * one (cleanup writes 'A' after each new message); deferred/ every
 * queue_run_delay, taking the files whose retry time (their mtime) has
 * come, or all of them after a flush ('F').  Only complete files (mode
 * 0700) leave incoming/, and, at the queue_run_delay scans, unmarked ones
 * older than a minute that qfile_recover finds complete (a crash took the
 * mark, not the data).  A run lasts while jobs are waiting or in flight;
 * at its end the in-flow pipe is filled up again (flow.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "flow.h"
#include "log.h"
#include "mem.h"
#include "qmgr.h"
#include "queue_scan.h"
#include "server.h"

enum { POLL_MS = 1000, SCAN_MAX = 10000, RECOVER_AGE = 60 };

typedef bool ready_fn(struct qmgr_global *g, const char *path, const struct stat *st);

/* complete - incoming files cleanup has finished (mode 0700), and old
 * unmarked ones that turn out complete (qfile_recover) */
static bool complete(struct qmgr_global *g, const char *path, const struct stat *st)
{
	if (!S_ISREG(st->st_mode))
		return false;
	if ((st->st_mode & 07777) == 0700)
		return true;
	return g->try_recover && !(st->st_mode & S_IXUSR) && time(NULL) - st->st_mtime > RECOVER_AGE
	       && time(NULL) - st->st_mtime < 86400 && qfile_recover(path) == 1;
}

/* due - deferred files whose retry time has come (or any, on flush) */
static bool due(struct qmgr_global *g, const char *path, const struct stat *st)
{
	(void)path;
	return S_ISREG(st->st_mode) && (g->flush || st->st_mtime <= time(NULL));
}

/* any - active files left by a previous qmgr; one without the complete
 * mark (only qfile_spare_put takes it away there) is a finished message a
 * crash caught on its way to spare/ (qfile_spare.h): removed */
static bool any(struct qmgr_global *g, const char *path, const struct stat *st)
{
	(void)g;
	if (S_ISREG(st->st_mode) && !(st->st_mode & S_IXUSR)) {
		if (unlink(path) == 0)
			log_info("%s: unmarked file (a crash while it was made spare): removed", path);
		return false;
	}
	return S_ISREG(st->st_mode);
}

/* scan - move the ready files of queue into active/ and load them */
static void scan(struct qmgr_global *g, const char *queue, ready_fn *ready)
{
	struct queue_scan qs;
	struct buf *path = buf_new(64), *why = buf_new(0);
	struct stat st;
	const char *id;
	int n = 0;

	if (queue_scan_open(&qs, queue, QUEUE_SCAN_IDS, 0) < 0) {
		log_warn("open %s: %m", queue);
		goto out;
	}
	while (n < SCAN_MAX && (id = queue_scan_next(&qs)) != NULL) {
		buf_reset(path);
		buf_printf(path, "%s/%s", queue, id);
		if (lstat(buf_str(path), &st) < 0 || !ready(g, buf_str(path), &st))
			continue;
		buf_reset(why);
		if (strcmp(queue, "active") != 0 && qfile_move(".", id, queue, "active", 0, why) < 0) {
			log_warn("%s: %s", id, buf_str(why));
			continue;
		}
		qmgr_msg_load(g, id, queue);
		n++;
	}
	queue_scan_close(&qs);
out:
	buf_free(&path);
	buf_free(&why);
}

/* drain - read the wakeup bytes that came during the run */
static void drain(struct qmgr_global *g, int fd)
{
	char data[256];
	ssize_t n = read(fd, data, sizeof(data));

	for (ssize_t i = 0; i < n; i++)
		if (data[i] == 'F')
			g->flush = true;
}

/* qmgr_recover - what the previous qmgr left in active/ */
void qmgr_recover(struct qmgr_global *g)
{
	scan(g, "active", any);
}

/* qmgr_run - one queue run */
void qmgr_run(struct qmgr_global *g)
{
	bool rescan = true;
	int fd = server_trigger_fd();

	for (;;) {
		bool periodic = g->flush || time(NULL) - g->last_deferred_scan >= g->cf->queue_run_delay;

		g->try_recover = periodic;	/* not at every wakeup: it reads whole files */
		if (rescan || periodic)
			scan(g, "incoming", complete);
		g->try_recover = false;
		if (periodic) {
			scan(g, "deferred", due);
			g->last_deferred_scan = time(NULL);
			g->flush = false;
		}
		qmgr_job_start_ready(g);
		if (g->nrunning == 0 && g->waiting == NULL) {
			flow_fill((int)g->cf->default_process_limit);	/* idle: intake at full speed */
			break;
		}
		qmgr_job_step(g, fd, POLL_MS);
		if ((rescan = g->triggered))
			drain(g, fd);
	}
}
