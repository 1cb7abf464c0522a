/* deliver_agent - what the local and virtual delivery agents share (virtual
 * and local use it alike): the request loop, the message in the queue file,
 * delivery steps run in a child process with the recipient's rights, the
 * Maildir and mbox steps such a child performs, and Postfix's
 * per-recipient log line.
 *
 *   deliver_agent_serve(fd, rcpt_fn, ctx, "local");  // one request: every
 *       // recipient through rcpt_fn, which sets its status; then the reply
 *   deliver_agent_run(&privs, limit, fn, arg, &res); // fn in a child as privs
 *       // fn: deliver_agent_copy(&c, m, ...); deliver_agent_maildir(fd, "Maildir/", &c, &key, res);
 *   deliver_agent_log(m, to, orig_to, "local", "2.0.0", "delivered to maildir");
 *
 * Children: fork, then the one privilege drop (privdrop_apply with the
 * recipient's uid and gid: no way back) and only then the work; the child
 * reports one result {dsn, text, items} over a pipe and exits.  A child
 * that dies, or runs past its time limit (killed with its process group),
 * leaves the step deferred.  The parent stays root and never touches the
 * user's files itself.  A home Maildir is written by a child of the same
 * kind that is kept for the next message to the same user
 * (deliver_helper.h).
 * Trust: the request comes from qmgr and the queue file was validated by
 * qfile_open; the child's result is read with size limits.
 */
#ifndef HATO_DELIVER_AGENT_H
#define HATO_DELIVER_AGENT_H

#include <stdbool.h>
#include <sys/time.h>
#include <sys/types.h>

#include "buf.h"
#include "deliver.h"
#include "maildir.h"
#include "mbox.h"
#include "qfile.h"
#include "strv.h"

enum {
	LOCAL_RESULT_MAX = 1 << 20,	/* bytes a child may report */
	LOCAL_MAX_HEADERS = 1000,	/* Delivered-To: headers looked at */
};

/* the rights a delivery step runs with */
struct agent_privs {
	uid_t uid;
	gid_t gid;
	char name[64];			/* for messages: "joe", "uid 5000" */
};

/* what a child reports: a DSN code, a text, and (for list files) items */
struct agent_result {
	char dsn[16];			/* "2.0.0", "4.2.0", "5.1.1" */
	struct buf *text;
	struct strv *items;
};

/* one request's message */
struct agent_msg {
	struct deliver_request *rq;
	struct qfile *qf;
	struct timeval started;		/* when the agent got the request */
	struct strv *delivered_to;	/* Delivered-To: values, lower case */
	long content_size;		/* bytes with "\n" line ends */
};

typedef void agent_rcpt_fn(void *ctx, struct agent_msg *m, size_t i);
typedef void agent_child_fn(void *arg, struct agent_result *res);

void deliver_agent_serve(int fd, agent_rcpt_fn *fn, void *ctx, const char *relay);
void deliver_agent_run(const struct agent_privs *p, long time_limit, agent_child_fn *fn, void *arg,
		     struct agent_result *res);
void deliver_agent_privs(struct agent_privs *p, uid_t uid, gid_t gid, const char *name);
int deliver_agent_become(const struct agent_privs *p, struct agent_result *res);
void deliver_agent_close_fds(int keep_a, int keep_b);
/* deliver_agent_read_only - a read-only descriptor of the file at fd, for
 * a process that runs as a user; -1 with errno */
int deliver_agent_read_only(int fd);

/* results */
void deliver_agent_result_init(struct agent_result *res);
void deliver_agent_result_free(struct agent_result *res);
void deliver_agent_result_set(struct agent_result *res, const char *dsn, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
enum deliver_status deliver_agent_result_status(const struct agent_result *res);
const char *deliver_agent_errno_dsn(int err);

/* mailbox writers, for children: the result says "delivered to maildir"
 * or "delivered to mailbox", or why not (DSN from deliver_agent_errno_dsn) */
struct local_mbox_opts {
	uid_t owner;			/* the file must belong to it; (uid_t)-1: any */
	gid_t gid;			/* for a file created as root */
	int locks;			/* enum mbox_lock_flags */
	long limit;			/* largest file size, 0: none (bounce 5.2.2) */
	const char *label;		/* "mailbox /var/mail/joe for user joe" */
};
/* deliver_agent_maildir - the file is named ",S=size,W=vsize"; a Maildir
 * with a maildirsize file (Maildir++ quota) takes the message only within
 * its limits ("Quota exceeded ...", 5.2.2, nothing left in the Maildir;
 * an unreadable or broken maildirsize defers) and then gets its
 * "<bytes> 1" line; without one, no quota and no file is made */
void deliver_agent_maildir(int dir_fd, const char *path, const struct mbox_copy *c,
			 const struct maildir_key *key, struct agent_result *res);
/* deliver_agent_mailbox - the same for a user's own Maildir (local's
 * mailbox, virtual's): the administrator's quota (main.cf quota_rule,
 * or the user's own from the userdb, mail_quota.h) over maildirsize's,
 * over it 5.2.2 or with quota_full_tempfail 4.2.2, and
 * quota_warning_percent's warnings; a bad quota rule defers (4.3.5).
 * deliver_quota.h reads them (deliver_quota_init once per agent process,
 * deliver_quota_lookup before the child) */
void deliver_agent_mailbox(int dir_fd, const char *path, const struct mbox_copy *c,
			   const struct maildir_key *key, struct agent_result *res);
/* deliver_agent_key - the Maildir key of recipient i's delivery to
 * delivered_to (maildir.h: a second attempt finds the first one's file) */
void deliver_agent_key(struct maildir_key *k, const struct agent_msg *m, size_t i, const char *delivered_to);
void deliver_agent_mbox(int dir_fd, const char *path, const struct mbox_copy *c, long content_size,
		      const struct local_mbox_opts *o, struct agent_result *res);
void deliver_agent_limit(long limit);

/* the message */
void deliver_agent_copy_qf(struct mbox_copy *c, struct qfile *qf, int flags, const char *delivered_to,
			 const char *original_to);
void deliver_agent_copy(struct mbox_copy *c, struct agent_msg *m, int flags, const char *delivered_to,
		      const char *original_to);
bool deliver_agent_seen(const struct agent_msg *m, const char *address);
const char *deliver_agent_orig_to(const struct agent_msg *m, size_t i);

void deliver_agent_mark_sent(struct qfile *qf, const struct deliver_request *rq, size_t i);
void deliver_agent_log(const struct agent_msg *m, const char *to, const char *orig_to,
		     const char *relay, const char *dsn, const char *text);

#endif
