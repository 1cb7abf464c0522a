/* postqueue_showq - the client side of the showq protocol (the protocol
 * is described in showq/showq_session.c): connect to public/showq, send
 * one request, copy the report to stdout, exit with showq's status.
 *
 * The mail system is down when the socket is missing or nobody listens
 * (ENOENT, ECONNREFUSED).  A listing is then still possible for a caller
 * who may read the queue directly: root, or the owner of the queue
 * (mail_owner, in a --dev instance).  For them postqueue starts
 * "DAEMON_DIRECTORY/showq -S -c CONFIG_DIR" with its set-ID rights dropped
 * and speaks the same protocol over a socketpair, as Postfix's postqueue
 * runs showq stand-alone; only a showq that root or the caller owns and
 * nobody else may write is run.  Everyone else gets Postfix's message and exit
 * status 69.  Scheduling requests (-i, -s) need the running system.
 * A report that ends without showq's final status message is an error,
 * so a dying showq never passes for a short queue.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

#include "attr.h"
#include "log.h"
#include "postqueue.h"
#include "unix_connect.h"

enum {
	SHOWQ_VERSION = 1,
	DATA_MAX = 64 * 1024,			/* showq's SHOWQ_CHUNK */
	READ_TIMEOUT_MS = 300 * 1000,		/* showq reads a large queue */
};

#define LIST_DOWN "Queue report unavailable - mail system is down"
#define FLUSH_DOWN "Cannot flush mail queue - mail system is down"

/* connect_showq - public/showq; -1 with errno */
static int connect_showq(const char *queue_dir)
{
	struct buf *path = buf_new(64);
	int fd, err;

	buf_printf(path, "%s/public/showq", queue_dir);
	fd = unix_connect(buf_str(path), NULL);
	err = errno;
	buf_free(&path);
	errno = err;
	return fd;
}

/* may_read_queue - root, or the owner of the queue directories */
static bool may_read_queue(const char *queue_dir)
{
	struct buf *path = buf_new(64);
	struct stat st;
	bool ok;

	buf_printf(path, "%s/incoming", queue_dir);
	ok = getuid() == 0 || (stat(buf_str(path), &st) == 0 && st.st_uid == getuid());
	buf_free(&path);
	return ok;
}

/* run_standalone - showq -S on one end of a socketpair; our end, or -1 */
static int run_standalone(const struct params *cf, const char *config_dir, pid_t *pid_r)
{
	struct buf *prog = buf_new(64);
	struct stat st;
	int sv[2];

	buf_printf(prog, "%s/showq", cf->daemon_directory);
	if (stat(buf_str(prog), &st) < 0 || (st.st_uid != 0 && st.st_uid != getuid())
	    || (st.st_mode & (S_IWGRP | S_IWOTH)))
		postqueue_die(EX_UNAVAILABLE, "%s (the mail system is down, and %s is missing or "
			      "writable by others than its owner)", LIST_DOWN, buf_str(prog));
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		postqueue_die(EX_OSERR, "socketpair: %m");
	if ((*pid_r = fork()) < 0)
		postqueue_die(EX_OSERR, "fork: %m");
	if (*pid_r == 0) {
		gid_t gid = getgid();

		if (setresgid(gid, gid, gid) < 0 || dup2(sv[1], 0) < 0 || dup2(sv[1], 1) < 0)
			_exit(EX_OSERR);
		execl(buf_str(prog), "showq", "-S", "-c", config_dir, (char *)NULL);
		log_error("run %s: %m", buf_str(prog));
		_exit(EX_UNAVAILABLE);
	}
	close(sv[1]);
	buf_free(&prog);
	return sv[0];
}

/* put_request - the one request message of mode */
static void put_request(struct attr_out *o, enum postqueue_mode mode, const char *arg)
{
	switch (mode) {
	case PQ_LIST_TEXT: case PQ_LIST_JSON:
		attr_put_str(o, "request", "list");
		attr_put_str(o, "format", mode == PQ_LIST_JSON ? "json" : "text");
		break;
	case PQ_DELIVER_ID:
		attr_put_str(o, "request", "deliver");
		attr_put_str(o, "queue_id", arg);
		break;
	default:
		attr_put_str(o, "request", "site");
		attr_put_str(o, "site", arg);
		break;
	}
	attr_end(o);
}

/* copy_out - report bytes to stdout; a reader that went away ends us quietly */
static void copy_out(const char *data, size_t len)
{
	if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0) {
		if (errno == EPIPE)
			exit(0);
		postqueue_die(EX_IOERR, "output write error: %m");
	}
}

/* converse - request, report, status; a status other than 0 is fatal */
static void converse(int fd, enum postqueue_mode mode, const char *arg)
{
	struct attr_in *in = attr_in_new(DATA_MAX, DATA_MAX + 4096);
	struct attr_out *o = attr_out_new();
	struct buf *why = buf_new(0);
	long long status = EX_SOFTWARE;
	int rc;

	if (attr_hello_read(in, fd, "showq", SHOWQ_VERSION, READ_TIMEOUT_MS, why) < 0)
		postqueue_die(EX_SOFTWARE, "malformed showq server response: %s", buf_str(why));
	put_request(o, mode, arg);
	if (attr_write(fd, o, READ_TIMEOUT_MS, why) < 0)
		postqueue_die(EX_SOFTWARE, "send request to showq: %s", buf_str(why));
	while ((rc = attr_read(in, fd, READ_TIMEOUT_MS, why)) > 0 && attr_get(in, "status") == NULL) {
		if (attr_get(in, "data") == NULL)
			postqueue_die(EX_SOFTWARE, "malformed showq server response");
		copy_out(attr_get(in, "data"), strlen(attr_get(in, "data")));
	}
	if (rc <= 0)
		postqueue_die(EX_SOFTWARE, "malformed showq server response: %s",
			      rc == 0 ? "the report ended early" : buf_str(why));
	if (attr_get_int(in, "status", 0, 255, &status, why) < 0)
		postqueue_die(EX_SOFTWARE, "malformed showq server response: %s", buf_str(why));
	if (status != 0)
		postqueue_die((int)status, "%s", attr_get(in, "text") ? attr_get(in, "text")
			      : "the showq request failed");
	attr_in_free(&in);
	attr_out_free(&o);
	buf_free(&why);
}

/* postqueue_showq - one request to showq, or to a stand-alone showq */
void postqueue_showq(const struct params *cf, const char *config_dir, enum postqueue_mode mode,
		     const char *arg)
{
	bool listing = mode == PQ_LIST_TEXT || mode == PQ_LIST_JSON;
	int fd = connect_showq(cf->queue_directory), err = errno, wstatus;
	bool may_read = fd < 0 && may_read_queue(cf->queue_directory);
	pid_t pid = -1;

	if (fd < 0 && listing && may_read)
		fd = run_standalone(cf, config_dir, &pid);
	else if (fd < 0 && err == EACCES)
		postqueue_die(EX_NOPERM, "connect to %s/public/showq: %s (postqueue must be "
			      "set-group-ID %s)", cf->queue_directory, strerror(err), cf->setgid_group);
	else if (fd < 0 && err != ENOENT && err != ECONNREFUSED)
		postqueue_die(EX_UNAVAILABLE, "connect to %s/public/showq: %s", cf->queue_directory,
			      strerror(err));
	if (fd < 0)
		postqueue_die(EX_UNAVAILABLE, "%s", listing ? LIST_DOWN : FLUSH_DOWN);
	converse(fd, mode, arg);
	close(fd);
	if (pid > 0 && (waitpid(pid, &wstatus, 0) < 0 || !WIFEXITED(wstatus) || WEXITSTATUS(wstatus)))
		log_warn("stand-alone showq did not finish cleanly");
}
