/* qmgr_message - one message in the active queue: its delivery jobs, the
 * recipient results, and how it leaves the active queue.
 *
 * Results are written into the queue file as they come (the done mark on
 * sent and bounced recipients), so a crash repeats only what was not
 * finished.  A message leaves active/ only when no job is left: removed
 * (every recipient done; a DSN goes to the sender for bounced ones; the
 * emptied inode is kept in spare/ for a new message, qfile_spare.h), or
 * moved to deferred/ with mtime = the next retry, and the reasons in
 * defer/ID.  Past maximal_queue_lifetime (bounce_queue_lifetime for
 * bounces) deferred recipients are returned to the sender as expired.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "flow.h"
#include "fsutil.h"
#include "log.h"
#include "mem.h"
#include "metrics.h"
#include "qmgr.h"
#include "qfile_spare.h"

enum { INTERRUPTED_MAX = 10000 };	/* IDs remembered as interrupted */

/* msg_free - release a finished message */
static void msg_free(struct qmgr_msg **mp)
{
	struct qmgr_msg *m = *mp;

	qfile_close(&m->qf);
	strv_free(&m->bounced);
	strv_free(&m->deferred);
	free(m->id);
	free(m);
	*mp = NULL;
}

/* result - "address\tdsn\ttext" */
static void result(struct strv *list, const char *addr, const char *dsn, const char *text)
{
	struct buf *b = buf_new(128);

	buf_printf(b, "%s\t%s\t%s", addr, dsn, text);
	strv_take(list, buf_steal(&b));
}

/* path_of - "QUEUE/ID" */
static char *path_of(const char *queue, const char *id)
{
	struct buf *b = buf_new(64);

	buf_printf(b, "%s/%s", queue, id);
	return buf_steal(&b);
}

/* write_defer_log - defer/ID: the reasons postqueue shows */
static void write_defer_log(struct qmgr_msg *m)
{
	char *path = path_of("defer", m->id);
	FILE *fp = fopen(path, "we");

	for (size_t i = 0; fp && i < m->deferred->len; i++)
		fprintf(fp, "%s\n", m->deferred->items[i]);
	if (fp == NULL || fclose(fp) != 0)
		log_warn("%s: write %s: %m", m->id, path);
	free(path);
}

/* defer_message - to deferred/, retried after the backoff */
static void defer_message(struct qmgr_global *g, struct qmgr_msg *m, time_t now)
{
	struct timeval arrival = qfile_arrival(m->qf);
	long backoff = (long)(now - arrival.tv_sec);
	struct timeval times[2];
	struct buf *why = buf_new(0);
	char *path = path_of("active", m->id);

	if (backoff < g->cf->minimal_backoff_time)
		backoff = g->cf->minimal_backoff_time;
	if (backoff > g->cf->maximal_backoff_time)
		backoff = g->cf->maximal_backoff_time;
	write_defer_log(m);
	times[0] = times[1] = (struct timeval){ .tv_sec = now + backoff };
	if (utimes(path, times) < 0)
		log_warn("%s: set retry time: %m", m->id);
	if (qfile_sync(m->qf, why) < 0)		/* the done marks: fewer duplicates after a crash */
		log_warn("%s: %s", m->id, buf_str(why));
	buf_reset(why);
	qfile_close(&m->qf);
	if (qfile_move(".", m->id, "active", "deferred", 0, why) < 0)
		log_warn("%s: %s", m->id, buf_str(why));
	buf_free(&why);
	free(path);
}

/* expire - deferred recipients of a message past its lifetime bounce */
static bool expire(struct qmgr_global *g, struct qmgr_msg *m, time_t now)
{
	long life = *qfile_sender(m->qf) ? g->cf->maximal_queue_lifetime : g->cf->bounce_queue_lifetime;
	struct timeval arrival = qfile_arrival(m->qf);
	size_t n;
	const struct qfile_rcpt *r = qfile_rcpts(m->qf, &n);
	struct buf *why;

	if (now - arrival.tv_sec < life)
		return false;
	why = buf_new(0);
	for (size_t i = 0; i < n; i++) {
		if (r[i].done)
			continue;
		log_info("%s: to=<%s>, relay=none, delay=%ld, dsn=4.4.7, status=expired, returned to sender",
			 m->id, r[i].address, (long)(now - arrival.tv_sec));
		result(m->bounced, r[i].address, "4.4.7", "message expired: delivery temporarily suspended");
		metrics_add(METRIC_RCPT_EXPIRED, 1, NULL);
		buf_reset(why);
		if (qfile_mark_done(m->qf, i, why) < 0)
			log_warn("%s: %s", m->id, buf_str(why));
	}
	buf_free(&why);
	return true;
}

/* save_bounced - bounce/ID: the bounced recipients until the DSN is queued
 * (a crash or a failed DSN then repeats the DSN, never loses it) */
static int save_bounced(struct qmgr_msg *m)
{
	char *path = path_of("bounce", m->id);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	struct buf *b = buf_new(256);
	int rc = -1;

	for (size_t i = 0; i < m->bounced->len; i++)
		buf_printf(b, "%s\n", m->bounced->items[i]);
	if (fd >= 0 && write(fd, buf_str(b), buf_len(b)) == (ssize_t)buf_len(b) && fsync(fd) == 0)
		rc = 0;
	if (rc < 0)
		log_warn("%s: write %s: %m", m->id, path);
	if (fd >= 0)
		close(fd);
	buf_free(&b);
	free(path);
	return rc;
}

/* load_bounced - what an earlier run bounced but could not report yet */
static void load_bounced(struct qmgr_msg *m)
{
	char *path = path_of("bounce", m->id), line[8192];
	FILE *fp = fopen(path, "re");

	while (fp && fgets(line, sizeof(line), fp)) {
		line[strcspn(line, "\n")] = '\0';
		if (strchr(line, '\t'))
			strv_add(m->bounced, line);
	}
	if (fp)
		fclose(fp);
	free(path);
}

/* retry_of - what is known of earlier attempts of a message loaded from
 * queue: one in active/ at start was interrupted, so was one that went to
 * deferred/ after an agent died with its request (remembered while qmgr
 * runs) */
static int retry_of(struct qmgr_global *g, const char *id, const char *queue)
{
	if (strcmp(queue, "active") == 0)
		return DELIVER_INTERRUPTED;
	if (strcmp(queue, "deferred") != 0)
		return DELIVER_FIRST;
	if (g->interrupted && htable_remove(g->interrupted, id))
		return DELIVER_INTERRUPTED;
	return DELIVER_RETRY;
}

/* remember_interrupted - m goes to deferred/ after an interrupted attempt */
static void remember_interrupted(struct qmgr_global *g, const struct qmgr_msg *m)
{
	if (g->interrupted == NULL || g->interrupted->len >= INTERRUPTED_MAX)
		htable_free(&g->interrupted, NULL);	/* forgets: at worst a warning less, and
							 * a file reused that an agent long gone held */
	if (g->interrupted == NULL)
		g->interrupted = htable_new(64);
	htable_put(g->interrupted, m->id, (void *)1);
}

/* release_maildrop - m came from maildrop/ (cleanup_maildrop.c): that file
 * goes before the queue file does, in case pickup has not removed it */
static void release_maildrop(const struct qmgr_msg *m)
{
	const char *from = qfile_attr(m->qf, "maildrop");

	if (from && strcmp(from, m->id) == 0 && qfile_maildrop_release(".", m->id) < 0)
		log_warn("%s: remove maildrop/%s: %m (pickup may queue it again)", m->id, m->id);
}

/* finish - no job left: remove, bounce, or defer */
static void finish(struct qmgr_global *g, struct qmgr_msg *m)
{
	time_t now = time(NULL);
	char *path;

	flow_put(1);		/* it leaves the active queue: room for one more (flow.h) */

	if (m->deferred->len && !expire(g, m, now)) {
		if (m->bounced->len)
			save_bounced(m);
		if (m->interrupted)
			remember_interrupted(g, m);
		defer_message(g, m, now);
		msg_free(&m);
		return;
	}
	if (m->bounced->len && (save_bounced(m) < 0 || qmgr_bounce(g, m, m->bounced) < 0)) {
		result(m->deferred, "(sender)", "4.3.0", "non-delivery notification not queued yet");
		defer_message(g, m, now);
		msg_free(&m);
		return;
	}
	path = path_of("bounce", m->id);
	unlink(path);
	free(path);
	release_maildrop(m);
	/* not synced: a crash at worst delivers it again.  Agents mark their
	 * sent recipients in the file: one qmgr gave up on, or one of an
	 * earlier qmgr, may still write there, so such a file is not reused */
	path = path_of("active", m->id);
	if (m->interrupted || m->retry == DELIVER_INTERRUPTED ? unlink(path) < 0 && errno != ENOENT
	    : qfile_spare_put(".", "active", m->id, qfile_fd(m->qf)) < 0)
		log_warn("%s: remove active/%s: %m", m->id, m->id);
	free(path);
	path = path_of("defer", m->id);
	unlink(path);
	free(path);
	log_info("%s: removed", m->id);
	msg_free(&m);
}

/* count_result - one recipient's result in the metrics, by transport:
 * delivered (with its delay since arrival), deferred or bounced */
static void count_result(const struct qmgr_msg *m, const char *transport, enum deliver_status st)
{
	struct timeval now, arrival = qfile_arrival(m->qf);

	if (st == DELIVER_DEFERRED) {
		metrics_add(METRIC_RCPT_DEFERRED, 1, "transport", transport, NULL);
	} else if (st == DELIVER_BOUNCED) {
		metrics_add(METRIC_RCPT_BOUNCED, 1, "transport", transport, NULL);
	} else {
		metrics_add(METRIC_RCPT_DELIVERED, 1, "transport", transport, NULL);
		gettimeofday(&now, NULL);
		metrics_observe(METRIC_DELIVERY_DELAY, (double)(now.tv_sec - arrival.tv_sec) +
				(double)(now.tv_usec - arrival.tv_usec) / 1e6, "transport", transport, NULL);
	}
}

/* qmgr_msg_job_done - apply a job's recipient results */
void qmgr_msg_job_done(struct qmgr_global *g, struct qmgr_job *job)
{
	struct qmgr_msg *m = job->msg;
	struct buf *why = buf_new(0);

	for (size_t i = 0; i < job->rq->nrcpt; i++) {
		const struct deliver_rcpt *r = &job->rq->rcpt[i];

		count_result(m, job->transport, r->status);
		if (r->status == DELIVER_DEFERRED) {
			result(m->deferred, r->address, r->dsn, r->text ? r->text : "");
			continue;
		}
		if (r->status == DELIVER_BOUNCED)
			result(m->bounced, r->address, r->dsn, r->text ? r->text : "");
		buf_reset(why);
		if (qfile_mark_done(m->qf, job->index[i], why) < 0)
			log_warn("%s: %s", m->id, buf_str(why));
	}
	buf_free(&why);
	if (--m->jobs == 0)
		finish(g, m);
}

/* new_job - a job for one transport and next hop */
static struct qmgr_job *new_job(struct qmgr_msg *m, const char *transport, const char *nexthop,
			       const char *dest)
{
	struct qmgr_job *j = xcalloc(1, sizeof(*j));
	char *file = path_of("active", m->id);

	j->msg = m;
	j->fd = -1;
	j->transport = xstrdup(transport);
	j->dest = xstrdup(dest);
	j->rq = deliver_request_new(m->id, file, nexthop, qfile_sender(m->qf));
	j->rq->arrival_time = (long)qfile_arrival(m->qf).tv_sec;
	j->rq->arrival_usec = (long)qfile_arrival(m->qf).tv_usec;
	j->rq->flags = qfile_flags(m->qf);
	j->rq->retry = m->retry;
	if (qfile_attr(m->qf, "dsn_envid"))
		j->rq->dsn_envid = xstrdup(qfile_attr(m->qf, "dsn_envid"));
	if (qfile_attr(m->qf, "dsn_ret"))
		j->rq->dsn_ret = xstrdup(qfile_attr(m->qf, "dsn_ret"));
	free(file);
	m->jobs++;
	return j;
}

/* find_open_job - a job of this message for dest with room for a recipient
 * (only the jobs made in this load: nothing starts while a message loads) */
static struct qmgr_job *find_open_job(struct qmgr_global *g, struct qmgr_msg *m, const char *dest,
				      const char *transport)
{
	for (size_t k = 0; k < m->nmade; k++) {
		struct qmgr_job *j = m->made[k];

		if (strcmp(j->dest, dest) == 0 && (int)j->rq->nrcpt < qmgr_job_rcpt_limit(g, transport))
			return j;
	}
	return NULL;
}

/* add_rcpt - recipient i goes into a job for its destination */
static void add_rcpt(struct qmgr_global *g, struct qmgr_msg *m, size_t i,
		     const struct qfile_rcpt *r, const char *transport, const char *nexthop)
{
	struct buf *dest = buf_new(64);
	struct qmgr_job *j;

	/* an agent that takes one recipient at a time (local) is limited per
	 * recipient, as Postfix limits local deliveries per user */
	buf_printf(dest, "%s:%s", transport, qmgr_job_rcpt_limit(g, transport) == 1 ? r->address : nexthop);
	if ((j = find_open_job(g, m, buf_str(dest), transport)) == NULL) {
		j = new_job(m, transport, nexthop, buf_str(dest));
		qmgr_job_add(g, j);
		m->made = xrealloc(m->made, (m->nmade + 1) * sizeof(*m->made));
		m->made[m->nmade++] = j;
	}
	deliver_request_add(j->rq, r->address, r->orcpt, r->notify, r->offset);
	j->index = xrealloc(j->index, j->rq->nrcpt * sizeof(*j->index));
	j->index[j->rq->nrcpt - 1] = i;
	buf_free(&dest);
}

/* open_active - the queue file, or NULL after dealing with a bad one */
static struct qfile *open_active(const char *id)
{
	struct buf *why = buf_new(0);
	char *path = path_of("active", id);
	int status;
	struct qfile *qf = qfile_open(path, QFILE_RDWR, &status, why);

	if (qf == NULL && status == QFILE_CORRUPT) {
		qfile_corrupt(".", id, "active", buf_str(why));
	} else if (qf == NULL) {
		log_warn("%s: %s; retrying later", id, buf_str(why));
		buf_reset(why);
		if (status != QFILE_INCOMPLETE && qfile_move(".", id, "active", "deferred", 0, why) < 0)
			log_warn("%s: %s", id, buf_str(why));
	}
	buf_free(&why);
	free(path);
	return qf;
}

/* qmgr_msg_load - a message now in active/ (moved there from queue): make
 * its delivery jobs */
void qmgr_msg_load(struct qmgr_global *g, const char *id, const char *queue)
{
	struct qmgr_msg *m;
	struct buf *transport = buf_new(32), *nexthop = buf_new(64), *why = buf_new(0);
	const struct qfile_rcpt *r;
	size_t n;

	struct qfile *qf = open_active(id);
	if (qf == NULL)
		goto out;
	m = xcalloc(1, sizeof(*m));
	m->id = xstrdup(id);
	m->qf = qf;
	m->bounced = strv_new();
	m->deferred = strv_new();
	m->started = time(NULL);
	m->retry = retry_of(g, id, queue);
	load_bounced(m);
	r = qfile_rcpts(qf, &n);
	log_info("%s: from=<%s>, size=%ld, nrcpt=%zu (queue active)", id, qfile_sender(qf),
		 qfile_sizes(qf)->content_size, n);
	m->jobs++;		/* held while the jobs are made */
	for (size_t i = 0; i < n; i++) {
		if (r[i].done)
			continue;
		buf_reset(transport);
		buf_reset(nexthop);
		buf_reset(why);
		if (qmgr_resolve(g, r[i].address, transport, nexthop, why) < 0)
			result(m->deferred, r[i].address, "4.3.0", buf_str(why));
		else
			add_rcpt(g, m, i, &r[i], buf_str(transport), buf_str(nexthop));
	}
	free(m->made);
	m->made = NULL;
	m->nmade = 0;
	if (--m->jobs == 0)
		finish(g, m);
out:
	buf_free(&transport);
	buf_free(&nexthop);
	buf_free(&why);
}
