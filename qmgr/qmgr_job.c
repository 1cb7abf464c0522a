/* qmgr_job - delivery jobs: one request to one delivery agent.
 *
 * A job waits in its destination's queue ("transport:nexthop", or
 * transport:recipient for agents that take one recipient at a time) until
 * the destination has fewer jobs in flight than its concurrency limit and
 * fewer than default_process_limit jobs run in all; destinations with
 * waiting jobs are served in the order they got them.  Then qmgr connects to
 * private/TRANSPORT, sends the request at once when it is small (the agent
 * reads it after writing its hello: one round trip less), and the job
 * advances as the socket becomes readable: the agent's hello (then the
 * request, if it was not sent yet), the reply.  When a reply comes, the
 * next waiting job takes the slot before qmgr updates the finished
 * message's queue file, so that work is not on the delivery path.
 * Nothing blocks for long: the only wait is the event loop (ev.h) over
 * the jobs' sockets and the wakeup FIFO, one round per step.  An agent that cannot be reached, dies or times out
 * leaves its recipients deferred.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ev.h"
#include "log.h"
#include "mem.h"
#include "qmgr.h"
#include "unix_connect.h"

enum { JOB_TIMEOUT = 3600, HELLO_TIMEOUT_MS = 10000 };

static void on_agent(struct ev *ev, int fd, void *ctx);

/* qmgr_job_limit - concurrent jobs per destination */
int qmgr_job_limit(struct qmgr_global *g, const char *transport)
{
	if (strcmp(transport, "local") == 0)
		return (int)g->cf->local_destination_concurrency_limit;
	if (strcmp(transport, "virtual") == 0)
		return (int)g->cf->virtual_destination_concurrency_limit;
	return (int)g->cf->default_destination_concurrency_limit;
}

/* qmgr_job_rcpt_limit - recipients per job (never more than a request holds) */
int qmgr_job_rcpt_limit(struct qmgr_global *g, const char *transport)
{
	long n = strcmp(transport, "local") == 0 ? g->cf->local_destination_recipient_limit
						 : g->cf->default_destination_recipient_limit;

	return (int)(n < DELIVER_MAX_RCPT ? n : DELIVER_MAX_RCPT);
}

/* dest_of - the destination of a job (made on first use) */
static struct qmgr_dest *dest_of(struct qmgr_global *g, const struct qmgr_job *job)
{
	struct qmgr_dest *d = htable_get(g->dests, job->dest);

	if (d == NULL) {
		d = xcalloc(1, sizeof(*d));
		d->limit = qmgr_job_limit(g, job->transport);
		d->tail = &d->head;
		htable_put(g->dests, job->dest, d);
	}
	return d;
}

/* qmgr_job_add - queue a job at the end of its destination's queue; the
 * destination goes on the waiting list if it is not there yet */
void qmgr_job_add(struct qmgr_global *g, struct qmgr_job *job)
{
	struct qmgr_dest *d = dest_of(g, job);

	job->d = d;
	job->next = NULL;
	*d->tail = job;
	d->tail = &job->next;
	if (!d->listed) {
		if (g->waiting_tail == NULL)
			g->waiting_tail = &g->waiting;
		d->listed = true;
		d->next_waiting = NULL;
		*g->waiting_tail = d;
		g->waiting_tail = &d->next_waiting;
	}
}

/* job_free - release a finished job */
static void job_free(struct qmgr_job *job)
{
	if (job->fd >= 0) {
		if (job->g)
			ev_off(job->g->ev, job->fd);
		close(job->fd);
	}
	attr_in_free(&job->in);
	deliver_request_free(&job->rq);
	free(job->index);
	free(job->transport);
	free(job->dest);
	free(job);
}

/* fail_job - every recipient deferred with the reason, logged */
static void fail_job(struct qmgr_job *job, const char *reason)
{
	for (size_t i = 0; i < job->rq->nrcpt; i++) {
		deliver_status(job->rq, i, DELIVER_DEFERRED, "4.3.0", "none", "%s", reason);
		log_info("%s: to=<%s>, relay=none, delay=%ld, dsn=4.3.0, status=deferred (%s)",
			 job->rq->queue_id, job->rq->rcpt[i].address,
			 (long)(time(NULL) - job->rq->arrival_time), reason);
	}
}

/* release_slot - out of the running list: the slot is free for the next job */
static void release_slot(struct qmgr_global *g, struct qmgr_job *job)
{
	struct qmgr_job **p = &g->running;

	while (*p && *p != job)
		p = &(*p)->next;
	if (*p)
		*p = job->next;
	g->nrunning--;
	if (--job->d->busy == 0 && !job->d->listed) {
		/* no job left for it (a waiting job keeps it listed, even during
		 * qmgr_job_start_ready's pass): forget it, so that qmgr does not
		 * grow with every destination it ever saw */
		htable_remove(g->dests, job->dest);
		free(job->d);
	}
	job->d = NULL;
}

/* finish_job - out of the running list; results to the message */
static void finish_job(struct qmgr_global *g, struct qmgr_job *job)
{
	release_slot(g, job);
	qmgr_msg_job_done(g, job);
	job_free(job);
}

/* connect_agent - private/TRANSPORT; -1 with why */
static int connect_agent(const char *transport, struct buf *why)
{
	struct buf *path = buf_new(64);
	int fd = -1;

	buf_printf(path, "private/%s", transport);
	if (strchr(transport, '/'))
		buf_printf(why, "bad transport name \"%s\"", transport);
	else if ((fd = unix_connect(buf_str(path), NULL)) < 0)
		buf_printf(why, "mail transport unavailable: connect to %s: %s", buf_str(path),
			   strerror(errno));
	buf_free(&path);
	return fd;
}

/* start - connect a pending job to its agent */
static void start(struct qmgr_global *g, struct qmgr_job *job)
{
	struct buf *why = buf_new(0);
	int rc = 0;

	job->g = g;
	g->nrunning++;
	job->d->busy++;
	job->next = g->running;
	g->running = job;
	job->deadline = time(NULL) + JOB_TIMEOUT;
	job->state = JOB_CONNECTING;
	job->in = attr_in_new(0, 0);
	if ((job->fd = connect_agent(job->transport, why)) < 0
	    || (rc = deliver_send_early(job->fd, job->rq, why)) < 0) {
		fail_job(job, buf_str(why));
		finish_job(g, job);
	} else {
		job->sent = rc > 0;
		ev_read(g->ev, job->fd, on_agent, job);
	}
	buf_free(&why);
}

/* qmgr_job_start_ready - start what the limits allow: a pass over the
 * destinations with waiting jobs (not over every waiting job) */
void qmgr_job_start_ready(struct qmgr_global *g)
{
	struct qmgr_dest **dp = &g->waiting;

	while (*dp && g->nrunning < g->cf->default_process_limit) {
		struct qmgr_dest *d = *dp;

		while (d->head && d->busy < d->limit && g->nrunning < g->cf->default_process_limit) {
			struct qmgr_job *job = d->head;

			if ((d->head = job->next) == NULL)
				d->tail = &d->head;
			start(g, job);
		}
		if (d->head) {
			dp = &d->next_waiting;
			continue;
		}
		d->listed = false;
		if ((*dp = d->next_waiting) == NULL)
			g->waiting_tail = dp;
	}
}

/* got_reply - the reply (or its failure) is in job->rq: the slot goes to
 * the next waiting job first, then the results go to the message */
static void got_reply(struct qmgr_global *g, struct qmgr_job *job)
{
	release_slot(g, job);
	qmgr_job_start_ready(g);
	qmgr_msg_job_done(g, job);
	job_free(job);
}

/* advance - the job's socket is readable */
static void advance(struct qmgr_global *g, struct qmgr_job *job)
{
	struct buf *why = buf_new(0);

	if (job->state == JOB_CONNECTING) {
		if (deliver_read_hello(job->in, job->fd, HELLO_TIMEOUT_MS, why) < 0
		    || (!job->sent && deliver_send_request(job->fd, job->rq, why) < 0)) {
			fail_job(job, buf_str(why));
			finish_job(g, job);
			buf_free(&why);
			return;
		}
		job->state = JOB_WAIT_REPLY;
		if (attr_in_buffered(job->in) == 0) {	/* else the reply came with the hello */
			buf_free(&why);
			return;
		}
	}
	if (deliver_read_reply(job->in, job->fd, job->rq, why) < 0) {
		job->msg->interrupted = true;	/* it may have delivered: qmgr_message.c */
		fail_job(job, buf_str(why));
	}
	got_reply(g, job);
	buf_free(&why);
}

/* on_agent - a job's socket is readable (ev.h) */
static void on_agent(struct ev *ev, int fd, void *ctx)
{
	struct qmgr_job *job = ctx;

	(void)ev;
	(void)fd;
	advance(job->g, job);
}

/* on_trigger - the wakeup FIFO is readable: the run drains it */
static void on_trigger(struct ev *ev, int fd, void *ctx)
{
	struct qmgr_global *g = ctx;

	(void)ev;
	(void)fd;
	g->triggered = true;
}

/* expire - jobs past their deadline: deferred (interrupted when the agent
 * had the request) */
static void expire(struct qmgr_global *g)
{
	time_t now = time(NULL);
	struct qmgr_job *j, *next;

	for (j = g->running; j; j = next) {
		next = j->next;
		if (j->deadline < now) {
			j->msg->interrupted |= j->state == JOB_WAIT_REPLY;
			fail_job(j, "delivery agent timed out");
			finish_job(g, j);
		}
	}
}

/* qmgr_job_step - one round of the event loop over the agents and the
 * FIFO (trigger_fd, watched from the first step on), at most timeout_ms;
 * g->triggered says whether the FIFO was readable */
void qmgr_job_step(struct qmgr_global *g, int trigger_fd, int timeout_ms)
{
	if (trigger_fd >= 0 && g->trigger_fd != trigger_fd) {
		ev_read(g->ev, trigger_fd, on_trigger, g);
		g->trigger_fd = trigger_fd;
	}
	g->triggered = false;
	ev_once(g->ev, timeout_ms);
	expire(g);
	qmgr_job_start_ready(g);	/* a finished job's slot goes to the next one now, not after a scan */
}
