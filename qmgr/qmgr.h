/* qmgr - private interface of the queue manager.
 *
 * One long-running process (master.cf: qmgr fifo n - n 300 1 qmgr).  A
 * queue run (qmgr_run.c) moves incoming/ and due deferred/ files into
 * active/, resolves each pending recipient to a transport and next hop
 * (qmgr_resolve.c), groups recipients into delivery jobs and runs the jobs
 * concurrently against the agents' sockets in private/ (qmgr_job.c),
 * within per-destination limits.  When a message has no job left it is
 * finished (qmgr_message.c): removed when every recipient is done, with a
 * DSN to the sender for bounced ones (qmgr_bounce.c; the bounced
 * recipients are kept in bounce/ID until the DSN is queued), or moved to
 * deferred/ with its next retry time as the file's mtime.  Whatever is in
 * active/ when qmgr starts was interrupted and is delivered again
 * (at least once, never lost).  Recipient results are written into the
 * queue file (the done mark) as they arrive; the agents mark their sent
 * recipients themselves the moment they are delivered.  The requests say
 * what qmgr knows of earlier attempts (enum deliver_retry): a retry from
 * deferred/, or an interrupted one (found in active/ at start, or its
 * agent died or timed out after the request went out), so that local and
 * virtual look for a Maildir file the earlier attempt wrote and smtp logs
 * a possible duplicate.
 */
#ifndef HATO_QMGR_H
#define HATO_QMGR_H

#include <stdbool.h>
#include <time.h>

#include "buf.h"
#include "config.h"
#include "deliver.h"
#include "htable.h"
#include "maps.h"
#include "params.h"
#include "qfile.h"
#include "strv.h"

struct qmgr_global {
	const struct params *cf;
	struct config *config;
	struct maps *transport_maps;
	struct strv *mydestination, *virtual_mailbox_domains, *relay_domains;
	struct htable *dests;		/* "transport:nexthop" -> struct qmgr_dest */
	struct qmgr_dest *waiting;	/* destinations with jobs not started, oldest first */
	struct qmgr_dest **waiting_tail;	/* the last one's next_waiting (NULL: &waiting) */
	struct qmgr_job *running;	/* jobs in flight */
	int nrunning;
	time_t last_deferred_scan;
	bool flush;			/* retry all deferred mail now */
	bool try_recover;		/* this scan may recover unmarked files */
	struct htable *interrupted;	/* IDs in deferred/ whose last attempt was cut off */
	struct ev *ev;			/* the agents' sockets and the wakeup FIFO */
	int trigger_fd;			/* the FIFO, once watched; else -1 */
	bool triggered;			/* it was readable in the last step */
};

struct qmgr_msg {
	char *id;
	struct qfile *qf;
	int jobs;			/* not finished yet */
	struct strv *bounced;		/* "address\tdsn\ttext" */
	struct strv *deferred;		/* "address\tdsn\ttext" */
	time_t started;
	struct qmgr_job **made;		/* the jobs made while loading (qmgr_msg_load only) */
	size_t nmade;
	int retry;			/* enum deliver_retry, for its requests */
	bool interrupted;		/* an agent died or timed out with its request */
};

/* a destination: its jobs in flight, its limit, its jobs not started */
struct qmgr_dest {
	long busy;
	int limit;
	struct qmgr_job *head, **tail;	/* first come, first served */
	bool listed;			/* on g->waiting */
	struct qmgr_dest *next_waiting;
};

enum job_state { JOB_CONNECTING, JOB_WAIT_REPLY };

struct qmgr_job {
	struct qmgr_job *next;
	struct qmgr_global *g;
	struct qmgr_msg *msg;
	char *transport;		/* "local", "smtp", ... */
	char *dest;			/* "transport:nexthop", the concurrency key */
	struct qmgr_dest *d;		/* dest's counters and queue */
	struct deliver_request *rq;
	size_t *index;			/* queue file recipient index per rq->rcpt */
	int fd;
	struct attr_in *in;		/* the agent's replies, for the connection */
	bool sent;			/* the request went out (early, before the hello) */
	enum job_state state;
	time_t deadline;
};

/* qmgr_run.c */
void qmgr_run(struct qmgr_global *g);
void qmgr_recover(struct qmgr_global *g);

/* qmgr_message.c */
void qmgr_msg_load(struct qmgr_global *g, const char *id, const char *queue);
void qmgr_msg_job_done(struct qmgr_global *g, struct qmgr_job *job);

/* qmgr_resolve.c: "transport" and "nexthop" for a recipient; -1 temporary */
int qmgr_resolve(struct qmgr_global *g, const char *rcpt, struct buf *transport,
		 struct buf *nexthop, struct buf *why);
void qmgr_resolve_init(struct qmgr_global *g);

/* qmgr_job.c */
void qmgr_job_add(struct qmgr_global *g, struct qmgr_job *job);
void qmgr_job_start_ready(struct qmgr_global *g);
void qmgr_job_step(struct qmgr_global *g, int trigger_fd, int timeout_ms);
int qmgr_job_limit(struct qmgr_global *g, const char *transport);
int qmgr_job_rcpt_limit(struct qmgr_global *g, const char *transport);

/* qmgr_bounce.c: send a DSN for the bounced recipients of a message */
int qmgr_bounce(struct qmgr_global *g, struct qmgr_msg *m, const struct strv *bounced);

#endif
