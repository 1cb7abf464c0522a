/* deliver_agent - the parts local and virtual share; see deliver_agent.h.
 *
 * The request loop opens the queue file named in the request (it must be
 * QUEUE/ID below the queue directory, nothing else), collects the
 * Delivered-To: headers for loop detection, hands every recipient to the
 * agent, and replies with every status.  The child runner is the only
 * place either agent changes identity.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "deadline.h"
#include "deliver_agent.h"
#include "deliver_quota.h"
#include "fsutil.h"
#include "log.h"
#include "maildir.h"
#include "mail_quota.h"
#include "mem.h"
#include "privdrop.h"
#include "queue_id.h"

static int msg_fd = -1;		/* the queue file being delivered, for children */

/* deliver_agent_result_init - an empty result: deferred until a step says more */
void deliver_agent_result_init(struct agent_result *res)
{
	snprintf(res->dsn, sizeof(res->dsn), "4.3.0");
	res->text = buf_new(128);
	res->items = strv_new();
}

/* deliver_agent_result_free - release the text and items */
void deliver_agent_result_free(struct agent_result *res)
{
	buf_free(&res->text);
	strv_free(&res->items);
}

/* deliver_agent_result_set - the DSN code and the text */
void deliver_agent_result_set(struct agent_result *res, const char *dsn, const char *fmt, ...)
{
	va_list ap;

	snprintf(res->dsn, sizeof(res->dsn), "%s", dsn);
	buf_reset(res->text);
	va_start(ap, fmt);
	buf_vprintf(res->text, fmt, ap);
	va_end(ap);
}

/* deliver_agent_result_status - the class of the DSN code */
enum deliver_status deliver_agent_result_status(const struct agent_result *res)
{
	return res->dsn[0] == '2' ? DELIVER_SENT : res->dsn[0] == '5' ? DELIVER_BOUNCED
								 : DELIVER_DEFERRED;
}

/* deliver_agent_errno_dsn - the DSN code for a failed mailbox write: a full quota
 * or an oversized file is permanent, anything else is worth a retry */
const char *deliver_agent_errno_dsn(int err)
{
	switch (err) {
	case EDQUOT:
	case EFBIG:
		return "5.2.2";
	case ENOSPC:
		return "4.3.0";
	default:
		return "4.2.0";
	}
}

/* deliver_agent_privs - fill in p */
void deliver_agent_privs(struct agent_privs *p, uid_t uid, gid_t gid, const char *name)
{
	p->uid = uid;
	p->gid = gid;
	snprintf(p->name, sizeof(p->name), "%s", name);
}

/* deliver_agent_become - in a fresh child: its own process group, default
 * signals, umask 077, then the one privilege drop to p (no way back);
 * -1 with the reason in res */
int deliver_agent_become(const struct agent_privs *p, struct agent_result *res)
{
	struct buf *why = buf_new(0);
	struct privdrop pd;
	int rc = -1;

	setpgid(0, 0);
	signal(SIGHUP, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGXFSZ, SIG_IGN);	/* a file size limit gives EFBIG, not a kill */
	umask(077);
	privdrop_ids(&pd, p->uid, p->gid, p->name, NULL, why);	/* no groups_user: cannot fail */
	if (p->uid != 0 && privdrop_apply(&pd, why) < 0)
		deliver_agent_result_set(res, "4.3.0", "cannot run as %s: %s", p->name, buf_str(why));
	else if (p->uid == 0 && geteuid() == 0 && setgroups(1, &p->gid) < 0)
		deliver_agent_result_set(res, "4.3.0", "cannot set groups: %s", strerror(errno));
	else
		rc = 0;
	buf_free(&why);
	return rc;
}

/* deliver_agent_close_fds - in a child that will run as a user: close
 * every descriptor above 2 but keep_a, keep_b (-1: none) and the
 * maillog_file (the child logs; it is not dumpable, so the user cannot
 * reach it, and a command gets only 0-2).  The syslog connection is made
 * anew, so that syslog(3) never writes to a number the child reuses. */
void deliver_agent_close_fds(int keep_a, int keep_b)
{
	int keep[3] = { keep_a, keep_b, log_file_fd() };
	unsigned from = 3;

	for (int i = 1; i < 3; i++)	/* sort the three */
		for (int j = i; j > 0 && keep[j] < keep[j - 1]; j--) {
			int t = keep[j];

			keep[j] = keep[j - 1];
			keep[j - 1] = t;
		}
	closelog();
	for (int i = 0; i < 3; i++) {
		if (keep[i] < (int)from)
			continue;
		if ((unsigned)keep[i] > from)
			close_range(from, (unsigned)keep[i] - 1, 0);
		from = (unsigned)keep[i] + 1;
	}
	close_range(from, ~0U, 0);
	log_syslog_reopen();
}

/* deliver_agent_read_only - a new read-only descriptor of the file open
 * at fd (the queue file, opened read-write to mark recipients): what a
 * process running as a user gets, so it can read the message but never
 * change the queue file; -1 with errno */
int deliver_agent_read_only(int fd)
{
	char proc[64];

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	return open(proc, O_RDONLY | O_CLOEXEC);	/* a magic link: followed on purpose */
}

/* read_only_in_place - fd's number now refers to a read-only open of the
 * same file (the child reads the message through it by that number) */
static void read_only_in_place(int fd)
{
	int ro = fd >= 0 ? deliver_agent_read_only(fd) : -1;

	if (fd >= 0 && (ro < 0 || dup2(ro, fd) < 0))
		_exit(1);	/* no result: the parent reports a failed child */
	if (ro >= 0)
		close(ro);
}

/* child_main - in the child: only the result pipe and the queue file
 * kept (none of the agent's sockets, master's pipes or the log), drop to
 * p, run fn, report, exit */
static void __attribute__((noreturn)) child_main(const struct agent_privs *p, agent_child_fn *fn,
						 void *arg, int out)
{
	struct agent_result res;
	struct buf *b = buf_new(256);

	deliver_agent_close_fds(out, msg_fd);
	read_only_in_place(msg_fd);
	deliver_agent_result_init(&res);
	if (deliver_agent_become(p, &res) == 0)
		fn(arg, &res);
	buf_add(b, res.dsn, strlen(res.dsn) + 1);
	buf_add(b, buf_str(res.text), buf_len(res.text) + 1);
	for (size_t i = 0; i < res.items->len; i++)
		buf_add(b, res.items->items[i], strlen(res.items->items[i]) + 1);
	for (size_t off = 0; off < buf_len(b);) {
		ssize_t n = write(out, buf_str(b) + off, buf_len(b) - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	_exit(0);
}


/* parse_result - "dsn\0text\0item\0..." into res */
static void parse_result(const struct buf *raw, struct agent_result *res)
{
	const char *p = buf_str(raw), *end = p + buf_len(raw);
	size_t n = strnlen(p, (size_t)(end - p));

	if (n == 0 || n >= sizeof(res->dsn) || p + n == end || strchr("245", p[0]) == NULL) {
		deliver_agent_result_set(res, "4.3.0", "delivery process reported nothing");
		return;
	}
	memcpy(res->dsn, p, n + 1);
	p += n + 1;
	n = strnlen(p, (size_t)(end - p));
	buf_set(res->text, "");
	buf_add(res->text, p, n);
	for (p += n + 1; p < end; p += n + 1) {
		n = strnlen(p, (size_t)(end - p));
		strv_addn(res->items, p, n);
	}
}

/* deliver_agent_run - fn(arg, res) in a child with the rights p */
void deliver_agent_run(const struct agent_privs *p, long time_limit, agent_child_fn *fn, void *arg,
		     struct agent_result *res)
{
	int pfd[2], status = 0, rc;
	struct buf *raw = buf_new(256);
	pid_t pid;

	strv_clear(res->items);
	if (pipe2(pfd, O_CLOEXEC) < 0 || (pid = fork()) < 0) {
		deliver_agent_result_set(res, "4.3.0", "cannot start a delivery process: %s", strerror(errno));
		buf_free(&raw);
		return;
	}
	if (pid == 0) {
		close(pfd[0]);
		child_main(p, fn, arg, pfd[1]);
	}
	setpgid(pid, pid);
	close(pfd[1]);
	rc = fsutil_read_until(pfd[0], deadline_in(time_limit * 1000LL), raw, LOCAL_RESULT_MAX);
	close(pfd[0]);
	if (rc <= 0)
		kill(-pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		continue;
	if (rc == 0)
		deliver_agent_result_set(res, "4.3.0", "delivery process timed out after %lds", time_limit);
	else if (rc < 0)
		deliver_agent_result_set(res, "4.3.0", "delivery process reported too much");
	else if (WIFSIGNALED(status))
		deliver_agent_result_set(res, "4.3.0", "delivery process killed by signal %d", WTERMSIG(status));
	else
		parse_result(raw, res);
	buf_free(&raw);
}

/* src_begin - mbox_copy source: the first content line of the queue file */
static int src_begin(void *ctx, struct buf *why)
{
	return qfile_content_begin(ctx, why) == 0 ? 0 : -1;
}

/* src_next - mbox_copy source: the next content line */
static int src_next(void *ctx, const char **line_r, size_t *len_r, bool *partial_r, struct buf *why)
{
	int rc = qfile_content_next(ctx, line_r, len_r, partial_r, why);

	return rc < 0 ? -1 : rc;
}

/* deliver_agent_copy_qf - a copy description for qf's content, with qf's
 * own sender (a delivery helper has the file, not the request) */
void deliver_agent_copy_qf(struct mbox_copy *c, struct qfile *qf, int flags, const char *delivered_to,
			 const char *original_to)
{
	*c = (struct mbox_copy){ .begin = src_begin, .next = src_next, .ctx = qf,
				 .sender = qfile_sender(qf), .delivered_to = delivered_to,
				 .original_to = original_to, .flags = flags };
}

/* deliver_agent_copy - a copy description for m's content */
void deliver_agent_copy(struct mbox_copy *c, struct agent_msg *m, int flags, const char *delivered_to,
		      const char *original_to)
{
	*c = (struct mbox_copy){ .begin = src_begin, .next = src_next, .ctx = m->qf,
				 .sender = m->rq->sender, .delivered_to = delivered_to,
				 .original_to = original_to, .flags = flags };
}

/* deliver_agent_limit - no file written from here on grows past limit
 * (EFBIG, as Postfix's file size limit); 0: no limit */
void deliver_agent_limit(long limit)
{
	struct rlimit rl = { .rlim_cur = (rlim_t)limit, .rlim_max = (rlim_t)limit };

	if (limit > 0)
		setrlimit(RLIMIT_FSIZE, &rl);
}

/* deliver_agent_key - recipient i (its record's offset and address) and
 * where it ends up (delivered_to: one recipient may expand to several) */
void deliver_agent_key(struct maildir_key *k, const struct agent_msg *m, size_t i, const char *delivered_to)
{
	const struct deliver_request *rq = m->rq;
	struct timeval arrival = { .tv_sec = rq->arrival_time, .tv_usec = rq->arrival_usec };
	struct buf *rcpt = buf_new(128);

	buf_printf(rcpt, "%lld:%s\n%s", (long long)rq->rcpt[i].offset, rq->rcpt[i].address, delivered_to);
	if (!maildir_key_make(k, &arrival, rq->queue_id, buf_str(rcpt), rq->retry != DELIVER_FIRST))
		k->unique[0] = '\0';	/* not a queue ID of ours: an unkeyed name */
	buf_free(&rcpt);
}

/* quota_check - the message of bytes only within the Maildir's quota
 * (mail_quota.h: qc's rule over its maildirsize): 0 (q the use before,
 * *verdict_r whether there is a quota), or -1 with why and errno
 * (EDQUOT: over the limit) */
static int quota_check(struct maildir *md, const struct mail_quota_cfg *qc, off_t bytes,
		       struct maildir_quota *q, int *verdict_r, struct buf *why)
{
	int rc = mail_quota_check(maildir_dir_fd(md), qc, (long long)bytes, 1, q, why);

	*verdict_r = rc;
	if (rc < 0) {
		if (errno == 0)
			errno = EIO;	/* deferred: the reason is in why */
		return -1;
	}
	if (rc != MAILDIR_QUOTA_OVER)
		return 0;
	buf_reset(why);
	buf_printf(why, "Quota exceeded (mailbox for user is full): limit %lld bytes, "
		   "%lld messages; in use %lld bytes, %lld messages; this message %lld bytes",
		   q->bytes_limit, q->count_limit, q->bytes, q->count, (long long)bytes);
	errno = EDQUOT;
	return -1;
}

/* found_over_quota - over the quota, but an earlier attempt of a keyed
 * delivery (which took the room) is there: MAILDIR_FOUND, else -1 as
 * before, errno EDQUOT */
static int found_over_quota(struct maildir *md, const struct maildir_key *key)
{
	struct buf *ignored = buf_new(0);
	int rc = key ? maildir_find(md, key, ignored) : 0;

	buf_free(&ignored);
	if (rc > 0)
		return MAILDIR_FOUND;
	errno = EDQUOT;
	return -1;
}

/* maildir_write - c's message into md (under key's name, when given),
 * counted (",W=vsize") and within the Maildir++ quota, which then gets
 * the message's line: 0 written (why may hold a note), MAILDIR_FOUND,
 * -2 queue file unreadable, -1 (errno, why) */
static int maildir_write(struct maildir *md, const struct mbox_copy *c, const struct maildir_key *key,
			 const struct mail_quota_cfg *qc, struct buf *why)
{
	struct maildir_file *f;
	struct mail_vsize count;
	struct maildir_quota q;
	int rc, verdict = MAILDIR_QUOTA_NONE;

	if (key && key->retry && (rc = maildir_find(md, key, why)) != 0)
		return rc > 0 ? MAILDIR_FOUND : -1;
	if ((f = maildir_file_create(md, why)) == NULL)
		return -1;
	if (key)
		maildir_file_key(f, key);
	if ((rc = mbox_write(maildir_file_fd(f), c, &count, why)) == 0) {
		maildir_file_counted(f, &count);
		if ((rc = quota_check(md, qc, count.size, &q, &verdict, why)) == 0)
			rc = maildir_file_commit(&f, why);
		else if (errno == EDQUOT && verdict == MAILDIR_QUOTA_OVER)
			rc = found_over_quota(md, key);
	}
	maildir_file_abort(&f);
	if (rc == 0 && verdict == MAILDIR_QUOTA_FITS)
		mail_quota_update(maildir_dir_fd(md), qc, &q, (long long)count.size, 1, why);	/* a note */
	return rc;
}

/* write_result - c's message into the Maildir at path below dir_fd,
 * once (with a key, a file an earlier attempt left there counts as this
 * delivery), within qc's quota */
static void write_result(int dir_fd, const char *path, const struct mbox_copy *c,
			 const struct maildir_key *key, const struct mail_quota_cfg *qc,
			 struct agent_result *res)
{
	struct buf *why = buf_new(0);
	struct maildir *md = maildir_open(dir_fd, path, MAILDIR_CREATE, why);
	int rc = md ? maildir_write(md, c, key && key->unique[0] ? key : NULL, qc, why) : -1;

	if (rc == 0 && buf_len(why))
		deliver_agent_result_set(res, "2.0.0", "delivered to maildir (%s)", buf_str(why));
	else if (rc == 0)
		deliver_agent_result_set(res, "2.0.0", "delivered to maildir");
	else if (rc == MAILDIR_FOUND)
		deliver_agent_result_set(res, "2.0.0", "delivered to maildir (by an earlier attempt: %s)",
				       maildir_last_name(md));
	else if (rc == -2)
		deliver_agent_result_set(res, "4.3.0", "cannot read the queue file: %s", buf_str(why));
	else
		deliver_agent_result_set(res, errno == EDQUOT && qc->tempfail ? "4.2.2"
				       : deliver_agent_errno_dsn(errno), "maildir delivery failed: %s",
				       buf_str(why));
	maildir_close(&md);
	buf_free(&why);
}

/* deliver_agent_maildir - within maildirsize's limits only */
void deliver_agent_maildir(int dir_fd, const char *path, const struct mbox_copy *c,
			 const struct maildir_key *key, struct agent_result *res)
{
	static const struct mail_quota_cfg none;

	write_result(dir_fd, path, c, key, &none, res);
}

/* deliver_agent_mailbox - a user's own Maildir: the administrator's quota,
 * with the user's own rules (deliver_quota.h) */
void deliver_agent_mailbox(int dir_fd, const char *path, const struct mbox_copy *c,
			   const struct maildir_key *key, struct agent_result *res)
{
	const struct mail_quota_cfg *qc = deliver_quota_cfg(res);

	if (qc)
		write_result(dir_fd, path, c, key, qc, res);
}

/* deliver_agent_mbox - append c's message to the mbox file at path below
 * dir_fd (its directories must exist), locked; cut back on failure */
void deliver_agent_mbox(int dir_fd, const char *path, const struct mbox_copy *c, long content_size,
		      const struct local_mbox_opts *o, struct agent_result *res)
{
	struct buf *why = buf_new(0);
	const char *slash = strrchr(path, '/');
	char *sub = slash ? xstrndup(path, (size_t)(slash - path)) : xstrdup(".");
	int fd = maildir_open_path(dir_fd, sub, 0, why), rc = -1, err = errno;
	struct mbox *mb = fd < 0 ? NULL : mbox_open(fd, slash ? slash + 1 : path, o->owner, o->gid,
						    o->locks, why);

	if (mb == NULL) {
		err = errno;
	} else if (o->limit > 0 && mbox_size(mb) + content_size + (off_t)mbox_header_size(c) > o->limit) {
		deliver_agent_result_set(res, "5.2.2", "cannot update %s. mailbox full (limit %ld bytes)",
				       o->label, o->limit);
		rc = 0;
	} else if ((rc = mbox_write(mbox_fd(mb), c, NULL, why)) == 0 && fsync(mbox_fd(mb)) == 0) {
		deliver_agent_result_set(res, "2.0.0", "delivered to mailbox");
	} else {
		err = errno;
		if (rc == 0)
			buf_printf(why, "fsync: %s", strerror(err));
		rc = rc == -2 ? -2 : -1;
		mbox_restore(mb);
	}
	if (rc == -2)
		deliver_agent_result_set(res, "4.3.0", "cannot read the queue file: %s", buf_str(why));
	else if (rc == -1)
		deliver_agent_result_set(res, deliver_agent_errno_dsn(err), "cannot update %s. %s", o->label,
								  buf_str(why));
	mbox_close(&mb);
	if (fd >= 0)
		close(fd);
	free(sub);
	buf_free(&why);
}

/* scan_headers - the Delivered-To: values of the message's header */
static int scan_headers(struct agent_msg *m, struct buf *why)
{
	const char *line;
	size_t len;
	bool partial, continued = false;
	int rc, n = 0;

	if (qfile_content_begin(m->qf, why) != 0)
		return -1;
	while ((rc = qfile_content_next(m->qf, &line, &len, &partial, why)) > 0) {
		bool start = !continued;

		continued = partial;
		if (!start)
			continue;
		if (len == 0)
			break;		/* end of the header */
		if (++n > LOCAL_MAX_HEADERS)
			break;
		if (len > 13 && strncasecmp(line, "Delivered-To:", 13) == 0) {
			struct buf *v = buf_new(len);

			buf_add(v, line + 13, len - 13);
			buf_trim(v);
			buf_lower(v);
			strv_take(m->delivered_to, buf_steal(&v));
		}
	}
	return rc < 0 ? -1 : 0;
}

/* deliver_agent_seen - the message was delivered to address before (a
 * Delivered-To: header names it): a forwarding loop */
bool deliver_agent_seen(const struct agent_msg *m, const char *address)
{
	for (size_t i = 0; i < m->delivered_to->len; i++)
		if (strcasecmp(m->delivered_to->items[i], address) == 0)
			return true;
	return false;
}

/* deliver_agent_orig_to - the recipient's original address (DSN ORCPT
 * "rfc822;addr"), or NULL when that is the recipient itself */
const char *deliver_agent_orig_to(const struct agent_msg *m, size_t i)
{
	const char *o = m->rq->rcpt[i].orcpt;

	if (o == NULL || strncasecmp(o, "rfc822;", 7) != 0)
		return NULL;
	o += 7;
	return strcasecmp(o, m->rq->rcpt[i].address) == 0 ? NULL : o;
}


/* seconds_since - from tv to now */
static double seconds_since(const struct timeval *tv)
{
	struct timeval now;

	gettimeofday(&now, NULL);
	return (double)(now.tv_sec - tv->tv_sec) + (double)(now.tv_usec - tv->tv_usec) / 1e6;
}

/* deliver_agent_log - Postfix's line: "ID: to=<a>, orig_to=<b>, relay=local,
 * delay=0.1, delays=0.05/0/0/0.05, dsn=2.0.0, status=sent (text)".  The
 * queue time before the agent goes in the first field; qmgr's share is
 * not known here and is 0. */
void deliver_agent_log(const struct agent_msg *m, const char *to, const char *orig_to,
		     const char *relay, const char *dsn, const char *text)
{
	struct buf *b = buf_new(256);
	struct timeval arrival = { .tv_sec = m->rq->arrival_time, .tv_usec = m->rq->arrival_usec };
	double total = seconds_since(&arrival), here = seconds_since(&m->started);
	const char *status = dsn[0] == '2' ? "sent" : dsn[0] == '5' ? "bounced" : "deferred";

	if (total < here)
		total = here;
	buf_printf(b, "%s: to=<%s>, ", m->rq->queue_id, to);
	if (orig_to && strcasecmp(orig_to, to) != 0)
		buf_printf(b, "orig_to=<%s>, ", orig_to);
	buf_printf(b, "relay=%s, delay=", relay);
	deliver_fmt_delay(b, total);
	buf_cat(b, ", delays=");
	deliver_fmt_delay(b, total - here);
	buf_cat(b, "/0/0/");
	deliver_fmt_delay(b, here);
	buf_printf(b, ", dsn=%s, status=%s (%s)", dsn, status, text);
	log_info("%s", buf_str(b));
	buf_free(&b);
}

/* queue_file_ok - "QUEUE/ID" with a valid ID, nothing that climbs out */
static bool queue_file_ok(const char *path)
{
	const char *slash = strchr(path, '/');

	return slash && slash > path && strchr(slash + 1, '/') == NULL
	       && strncmp(path, "..", 2) != 0 && queue_id_valid(slash + 1);
}

/* open_msg - the queue file and its headers; -1 with why */
static int open_msg(struct agent_msg *m, struct buf *why)
{
	int status;

	if (!queue_file_ok(m->rq->queue_file)) {
		buf_printf(why, "bad queue file name \"%s\"", m->rq->queue_file);
		return -1;
	}
	if ((m->qf = qfile_open(m->rq->queue_file, QFILE_ANY_OWNER | QFILE_RDWR, &status, why)) == NULL)
		return -1;
	msg_fd = qfile_fd(m->qf);
	m->content_size = qfile_sizes(m->qf)->content_size;
	return scan_headers(m, why);
}

/* deliver_agent_mark_sent - a sent recipient i is marked done in the
 * queue file at once, not only when qmgr has the reply: a crash between
 * the two then repeats nothing (bounced ones are left to qmgr, which owes
 * the sender a notification).  Always before the reply: once qmgr has it,
 * it may retire the file and cleanup reuse the inode for another message
 * (qfile_spare.h), where a late mark could hit that message's recipient */
void deliver_agent_mark_sent(struct qfile *qf, const struct deliver_request *rq, size_t i)
{
	struct buf *why;

	if (rq->rcpt[i].status != DELIVER_SENT)
		return;
	why = buf_new(0);
	if (qfile_mark_done_at(qf, rq->rcpt[i].offset, why) < 0)
		log_warn("%s: %s", rq->queue_id, buf_str(why));
	buf_free(&why);
}

/* deliver_agent_serve - one request from qmgr, start to reply */
void deliver_agent_serve(int fd, agent_rcpt_fn *fn, void *ctx, const char *relay)
{
	struct buf *why = buf_new(0);
	struct agent_msg m = { .delivered_to = strv_new() };

	gettimeofday(&m.started, NULL);
	if ((m.rq = deliver_request_read(fd, why)) == NULL) {
		log_warn("delivery request: %s", buf_str(why));
		goto out;
	}
	if (open_msg(&m, why) < 0) {
		log_warn("%s: %s", m.rq->queue_id, buf_str(why));
		for (size_t i = 0; i < m.rq->nrcpt; i++) {
			deliver_status(m.rq, i, DELIVER_DEFERRED, "4.3.0", relay,
				       "cannot read the queue file: %s", buf_str(why));
			deliver_agent_log(&m, m.rq->rcpt[i].address, deliver_agent_orig_to(&m, i), relay,
					"4.3.0", m.rq->rcpt[i].text);
		}
	} else {
		for (size_t i = 0; i < m.rq->nrcpt; i++) {
			fn(ctx, &m, i);
			deliver_agent_mark_sent(m.qf, m.rq, i);
		}
	}
	qfile_close(&m.qf);	/* before the reply: qmgr may reuse it then (qfile_spare.h) */
	buf_reset(why);
	if (deliver_reply(fd, m.rq, why) < 0)
		log_warn("%s: reply to qmgr: %s", m.rq->queue_id, buf_str(why));
out:
	qfile_close(&m.qf);
	msg_fd = -1;
	deliver_request_free(&m.rq);
	strv_free(&m.delivered_to);
	buf_free(&why);
}
