/* hato_logrotate - "hato logrotate", as Postfix 3.4's postfix logrotate:
 * maillog_file is moved to NAME.SUFFIX (maillog_file_rotate_suffix, a
 * strftime(3) format), master is told to reload (it opens NAME again; the
 * daemons' lines reach the file through master: master_logsink.c), and
 * once master no longer holds the moved file (looked up in /proc/PID/fd,
 * MOVE_WAIT_S at most) it is compressed with maillog_file_compressor
 * (gzip; empty: left as it is).  The mail system must be running; a
 * moved name that exists already is refused, and so is a maillog_file
 * that is no regular file or lies in a directory others may change. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "hato.h"
#include "log.h"
#include "mem.h"
#include "pidfile.h"

extern char **environ;

enum { MOVE_WAIT_S = 10 };

/* holds - process pid has a descriptor on the file (dev, ino) */
static bool holds(pid_t pid, dev_t dev, ino_t ino)
{
	char dir[64], path[PATH_MAX];
	struct dirent *e;
	struct stat st;
	bool found = false;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%ld/fd", (long)pid);
	if ((d = opendir(dir)) == NULL)
		return false;
	while (!found && (e = readdir(d)) != NULL) {
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		found = e->d_name[0] != '.' && stat(path, &st) == 0 && st.st_dev == dev
			&& st.st_ino == ino;
	}
	closedir(d);
	return found;
}

/* wait_released - until master lets go of the moved file: true, false
 * after MOVE_WAIT_S */
static bool wait_released(pid_t pid, const struct stat *moved)
{
	for (int i = 0; i < MOVE_WAIT_S * 10; i++) {
		if (!holds(pid, moved->st_dev, moved->st_ino))
			return true;
		nanosleep(&(struct timespec){ 0, 100000000 }, NULL);
	}
	return false;
}

/* compress - the compressor (a command and its words) on path */
static int compress(const char *compressor, const char *path)
{
	struct buf *cmd = buf_new(64);
	char *argv[3] = { NULL, (char *)path, NULL };
	pid_t child;
	int status, rc;

	buf_cat(cmd, compressor);
	argv[0] = cmd->data;
	rc = posix_spawnp(&child, argv[0], NULL, NULL, argv, environ);
	if (rc != 0) {
		log_error("run %s: %s", compressor, strerror(rc));
	} else if (waitpid(child, &status, 0) < 0 || !WIFEXITED(status)
		   || WEXITSTATUS(status) != 0) {
		log_error("%s %s failed; the moved log is left as it is", compressor, path);
		rc = -1;
	}
	buf_free(&cmd);
	return rc == 0 ? 0 : -1;
}

/* moved_name - NAME.SUFFIX for now */
static int moved_name(const char *file, const char *suffix, struct buf *out)
{
	char stamp[128];
	time_t now = time(NULL);
	struct tm tm;

	if (localtime_r(&now, &tm) == NULL || strftime(stamp, sizeof(stamp), suffix, &tm) == 0
	    || strchr(stamp, '/')) {
		log_error("maillog_file_rotate_suffix \"%s\" makes no file name suffix", suffix);
		return -1;
	}
	buf_printf(out, "%s.%s", file, stamp);
	return 0;
}

/* unsafe_place - why file (maillog_file) is not to be moved by this
 * process, else NULL: not a regular file (a symbolic link is not
 * followed), or a directory that others than root (or a --dev instance's
 * user) and its group may change, where a name could be swapped under
 * the rename and the compressor (group-writable is Debian's /var/log:
 * root and syslog) */
static const char *unsafe_place(const char *file)
{
	struct buf *dir = buf_new(256);
	const char *slash = strrchr(file, '/');
	struct stat st;
	const char *why = NULL;

	buf_add(dir, slash ? file : ".", slash ? (size_t)(slash - file) : 1);
	if (buf_len(dir) == 0)
		buf_cat(dir, "/");
	if (lstat(file, &st) != 0 || !S_ISREG(st.st_mode))
		why = "not a regular file";
	else if (stat(buf_str(dir), &st) != 0 || (st.st_uid != 0 && st.st_uid != geteuid())
		 || (st.st_mode & S_IWOTH))
		why = "in a directory others may change";
	buf_free(&dir);
	return why;
}

/* rotate - move, reload, compress */
static int rotate(struct hato_ctx *ctx, struct config *c, pid_t pid)
{
	const char *file = config_get(c, "maillog_file");
	struct buf *moved = buf_new(256);
	struct stat st;
	int rc = 1;

	const char *unsafe = unsafe_place(file);

	if (unsafe) {
		log_error("%s is %s: not moved", file, unsafe);
		goto out;
	}
	if (moved_name(file, config_get(c, "maillog_file_rotate_suffix"), moved) < 0)
		goto out;
	if (lstat(buf_str(moved), &st) == 0 || errno != ENOENT) {
		log_error("%s exists already: not moved over", buf_str(moved));
		goto out;
	}
	if (rename(file, buf_str(moved)) < 0 || stat(buf_str(moved), &st) < 0) {
		log_error("move %s to %s: %m", file, buf_str(moved));
		goto out;
	}
	if (hato_reload(ctx) != 0) {
		log_error("%s is moved but master did not reload: it still writes there", file);
		goto out;
	}
	if (!wait_released(pid, &st)) {
		log_error("master (pid %ld) still writes %s after %d s: not compressed",
			  (long)pid, buf_str(moved), MOVE_WAIT_S);
		goto out;
	}
	log_info("moved %s to %s", file, buf_str(moved));
	rc = *config_get(c, "maillog_file_compressor") == '\0'
	     || compress(config_get(c, "maillog_file_compressor"), buf_str(moved)) == 0 ? 0 : 1;
out:
	buf_free(&moved);
	return rc;
}

/* hato_logrotate - see the top of the file */
int hato_logrotate(struct hato_ctx *ctx)
{
	struct buf *why = buf_new(0), *broken = buf_new(0);
	struct config *c = config_read(ctx->dir, CONFIG_QUIET, why);
	char *pid_path = hato_pid_path(ctx->dir, broken);
	pid_t pid = 0;
	int rc = 1;

	if (c == NULL) {
		log_error("%s", buf_str(why));
	} else if (*config_get(c, "maillog_file") == '\0') {
		log_error("maillog_file is not set: the log is syslog's, rotated by its own tools");
	} else if (pid_path == NULL || pidfile_check(pid_path, &pid) <= 0) {
		log_error("the mail system is not running: nothing to move the log away from");
	} else {
		rc = rotate(ctx, c, pid);
	}
	free(pid_path);
	config_free(&c);
	buf_free(&broken);
	buf_free(&why);
	return rc;
}
