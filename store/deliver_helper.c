/* deliver_helper - the kept Maildir delivery child; see deliver_helper.h.
 *
 * One helper per agent process at most (the rights of the last request).
 * Requests and replies are single SOCK_SEQPACKET messages, so neither side
 * parses a stream; both are size-limited.  The helper trusts nothing in a
 * request beyond what the child of deliver_agent_run would: it is the
 * agent's own code on the other end, and the queue file is validated
 * again as hostile.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "deadline.h"
#include "fd_pass.h"
#include "deliver_helper.h"
#include "deliver_quota.h"
#include "log.h"

enum { REQUEST_MAX = 16384, REPLY_MAX = 8192, FIELDS = 8 };

static struct {
	pid_t pid;
	int sock;
	uid_t uid;
	gid_t gid;
} kept = { .pid = -1, .sock = -1 };

/* split - exactly FIELDS NUL-terminated fields of buf[0..n) into f */
static int split(const char *buf, size_t n, const char *f[FIELDS])
{
	size_t at = 0;

	for (int i = 0; i < FIELDS; i++) {
		size_t len = at < n ? strnlen(buf + at, n - at) : 0;

		if (at >= n || at + len >= n)
			return -1;
		f[i] = buf + at;
		at += len + 1;
	}
	return at == n ? 0 : -1;
}

/* serve_one - in the helper: the request's message into the Maildir */
static void serve_one(const char *f[FIELDS], int fd, struct agent_result *res)
{
	struct buf *why = buf_new(0);
	struct qfile *qf;
	struct mbox_copy c;
	struct maildir_key key = { .retry = strcmp(f[6], "1") == 0 };
	int status, dir_fd;

	if (maildir_key_valid(f[5]))	/* else "": an unkeyed name */
		snprintf(key.unique, sizeof(key.unique), "%s", f[5]);

	if ((qf = qfile_open_fd(fd, "queue file", QFILE_ANY_OWNER, &status, why)) == NULL) {
		deliver_agent_result_set(res, "4.3.0", "cannot read the queue file: %s", buf_str(why));
	} else if ((dir_fd = open(f[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		deliver_agent_result_set(res, "4.2.0", "cannot access home directory %s: %s", f[1],
				       strerror(errno));
	} else {
		deliver_agent_limit(strtol(f[0], NULL, 10));
		deliver_agent_copy_qf(&c, qf, 0, f[3], f[4]);
		deliver_quota_set_rules(f[7]);
		deliver_agent_mailbox(dir_fd, f[2], &c, &key, res);
		close(dir_fd);
	}
	qfile_close(&qf);
	buf_free(&why);
}

/* helper_main - in the helper: drop to p once, then serve until EOF */
static void __attribute__((noreturn)) helper_main(int sock, const struct agent_privs *p)
{
	struct agent_result res, dropped;
	char *req = malloc(REQUEST_MAX);
	bool ok;

	deliver_agent_close_fds(sock, -1);	/* nothing of the agent's but the socket */
	signal(SIGPIPE, SIG_IGN);
	deliver_agent_result_init(&dropped);
	ok = deliver_agent_become(p, &dropped) == 0;
	deliver_agent_result_init(&res);
	for (;;) {
		const char *f[FIELDS];
		struct buf *out = buf_new(256);
		int fd;
		ssize_t n = req ? fd_pass_recv(sock, req, REQUEST_MAX, &fd) : -1;

		if (n <= 0)
			_exit(0);
		if (!ok)
			deliver_agent_result_set(&res, dropped.dsn, "%s", buf_str(dropped.text));
		else if (fd < 0 || split(req, (size_t)n, f) < 0)
			deliver_agent_result_set(&res, "4.3.0", "bad request to the delivery helper");
		else {
			serve_one(f, fd, &res);	/* which owns fd */
			fd = -1;
		}
		if (fd >= 0)
			close(fd);
		buf_add(out, res.dsn, strlen(res.dsn) + 1);
		buf_add(out, buf_str(res.text), buf_len(res.text) < REPLY_MAX - 32 ? buf_len(res.text)
										 : REPLY_MAX - 32);
		buf_putc(out, '\0');
		if (fd_pass_send(sock, buf_str(out), buf_len(out), -1) < 0)
			_exit(0);
		buf_free(&out);
	}
}

/* deliver_helper_stop - end the kept helper, if any */
void deliver_helper_stop(void)
{
	if (kept.pid > 0) {
		close(kept.sock);
		kill(kept.pid, SIGKILL);
		while (waitpid(kept.pid, NULL, 0) < 0 && errno == EINTR)
			continue;
	}
	kept.pid = -1;
	kept.sock = -1;
}

/* start - fork a helper with the rights p */
static int start(const struct agent_privs *p)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	if ((kept.pid = fork()) < 0) {
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (kept.pid == 0) {
		close(sv[0]);
		helper_main(sv[1], p);
	}
	setpgid(kept.pid, kept.pid);
	close(sv[1]);
	kept.sock = sv[0];
	kept.uid = p->uid;
	kept.gid = p->gid;
	return 0;
}

/* request - the packed fields; -1 when they do not fit */
static int request(struct buf *b, long limit, const char *dir, const char *path, const char *dt,
		   const char *ot, const struct maildir_key *key)
{
	const char *retry = key->retry ? "1" : "0";

	buf_printf(b, "%ld", limit);
	buf_putc(b, '\0');
	for (const char *const *s = (const char *const[]){ dir, path, dt, ot, key->unique, retry,
							    deliver_quota_rules(), NULL }; *s; s++)
		buf_add(b, *s, strlen(*s) + 1);
	return buf_len(b) < REQUEST_MAX ? 0 : -1;
}

/* await - the helper's reply within time_limit into res; -1 when it died
 * or timed out (the helper is gone then) */
static int await(long time_limit, struct agent_result *res)
{
	long long end = deadline_in((time_limit > 86400 ? 86400 : time_limit) * 1000LL);
	char reply[REPLY_MAX];
	int fd = -1, rc;
	ssize_t n;
	size_t dsn_len;

	rc = deadline_wait(kept.sock, POLLIN, end);	/* another child's SIGCHLD: waits on */
	n = rc > 0 ? fd_pass_recv(kept.sock, reply, sizeof(reply), &fd) : -1;
	dsn_len = n > 0 ? strnlen(reply, (size_t)n) : 0;

	if (fd >= 0)
		close(fd);
	if (n <= 0 || dsn_len == 0 || dsn_len >= sizeof(res->dsn) || dsn_len + 1 >= (size_t)n
	    || strchr("245", reply[0]) == NULL) {
		deliver_agent_result_set(res, "4.3.0", rc == 0 ? "delivery process timed out after %lds"
						   : "delivery process died or reported nothing", time_limit);
		deliver_helper_stop();
		return -1;
	}
	memcpy(res->dsn, reply, dsn_len + 1);
	buf_set(res->text, "");
	buf_add(res->text, reply + dsn_len + 1, strnlen(reply + dsn_len + 1, (size_t)n - dsn_len - 1));
	return 0;
}

/* deliver_helper_maildir - m's message into the Maildir path below dir, by
 * the helper with the rights p (started or replaced as needed) */
void deliver_helper_maildir(const struct agent_privs *p, long time_limit, long limit, const char *dir,
			    const char *path, struct agent_msg *m, const char *delivered_to,
			    const char *original_to, const struct maildir_key *key, struct agent_result *res)
{
	struct buf *req = buf_new(256);
	int sent = -1, ro;

	if (request(req, limit, dir, path, delivered_to, original_to, key) < 0) {
		deliver_agent_result_set(res, "4.3.0", "delivery request too long");
		buf_free(&req);
		return;
	}
	if (kept.pid > 0 && (kept.uid != p->uid || kept.gid != p->gid))
		deliver_helper_stop();
	/* the helper runs as the user: a read-only descriptor of the file */
	if ((ro = deliver_agent_read_only(qfile_fd(m->qf))) < 0) {
		deliver_agent_result_set(res, "4.3.0", "queue file: %s", strerror(errno));
		buf_free(&req);
		return;
	}
	for (int attempt = 0; sent < 0 && attempt < 2; attempt++) {
		if (kept.pid < 0 && start(p) < 0)
			break;
		if ((sent = fd_pass_send(kept.sock, buf_str(req), buf_len(req), ro)) < 0)
			deliver_helper_stop();	/* it died while idle: one new one */
	}
	if (ro >= 0)
		close(ro);
	if (sent < 0)
		deliver_agent_result_set(res, "4.3.0", "cannot start a delivery process: %s", strerror(errno));
	else
		await(time_limit, res);
	buf_free(&req);
}
