/* authd_worker - password hashes checked on a small pool of threads.
 *
 *   authd_worker_start(ev, 0);             // as many threads as CPUs (1..8)
 *   job = authd_worker_job(chk, done, ctx);
 *   authd_worker_submit(job);              // later: done(chk, ctx, true)
 *   authd_worker_forget(job);              // done is never called
 *
 * A worker thread runs only authd_passdb_check (pure, no logging), then
 * an eventfd wakes the event loop, which calls done on its own thread.
 * Jobs end in the order they were submitted (a job done early waits for
 * the ones before it, at most a hash's time): the verdicts, their log
 * lines and the failure counter then see what they saw when every hash
 * was checked in turn on the loop.  Every function here is for the loop
 * thread.
 * The job owns chk (with its copy of the password) and frees it, wiped,
 * when it ends, done or forgotten.  A forgotten job still queued is freed
 * at once; one being checked is dropped when it comes back.  Before
 * authd_worker_start, or after authd_worker_stop, a job runs inline: done
 * is called (with async false) before authd_worker_submit returns.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include "authd.h"
#include "ev.h"
#include "log.h"
#include "mem.h"

enum job_state { JOB_QUEUED, JOB_RUNNING, JOB_DONE };
enum job_link { LINK_QUEUE, LINK_ORDER };	/* the two lists a job is on */

struct authd_job {
	struct authd_check *chk;
	authd_job_done_fn *done;
	void *ctx;
	enum job_state state;	/* under pool.lock */
	bool forgotten;		/* loop thread only */
	struct authd_job *next[2];	/* by enum job_link */
};

struct job_list {
	struct authd_job *head, **tail;
	enum job_link link;
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t work;
	struct job_list queue;	/* waiting for a worker */
	struct job_list order;	/* every job not ended, as submitted */
	bool stopping;
	pthread_t threads[AUTHD_WORKER_MAX];
	int nthreads;
	int efd;
	struct ev *ev;
} pool = { .lock = PTHREAD_MUTEX_INITIALIZER, .work = PTHREAD_COND_INITIALIZER, .efd = -1,
	    .queue = { .tail = &pool.queue.head, .link = LINK_QUEUE },
	    .order = { .tail = &pool.order.head, .link = LINK_ORDER } };

/* list_push - append job */
static void list_push(struct job_list *l, struct authd_job *job)
{
	job->next[l->link] = NULL;
	*l->tail = job;
	l->tail = &job->next[l->link];
}

/* list_unlink - remove job from l; false if it is not there */
static bool list_unlink(struct job_list *l, struct authd_job *job)
{
	struct authd_job **pp;

	for (pp = &l->head; *pp && *pp != job; pp = &(*pp)->next[l->link])
		;
	if (*pp == NULL)
		return false;
	*pp = job->next[l->link];
	if (l->tail == &job->next[l->link])
		l->tail = pp;
	return true;
}

/* job_free - the end of a job: the check (and the password) wiped */
static void job_free(struct authd_job *job)
{
	authd_passdb_check_free(&job->chk);
	free(job);
}

/* job_end - call done unless the job was forgotten, then free it */
static void job_end(struct authd_job *job, bool async)
{
	if (!job->forgotten)
		job->done(job->chk, job->ctx, async);
	job_free(job);
}

/* worker_main - take a job, check its hashes, hand it back; until stopped */
static void *worker_main(void *arg)
{
	const uint64_t one = 1;
	struct authd_job *job;
	ssize_t n;

	(void)arg;
	pthread_mutex_lock(&pool.lock);
	for (;;) {
		while (pool.queue.head == NULL && !pool.stopping)
			pthread_cond_wait(&pool.work, &pool.lock);
		if (pool.stopping)
			break;
		job = pool.queue.head;
		(void)list_unlink(&pool.queue, job);
		job->state = JOB_RUNNING;
		pthread_mutex_unlock(&pool.lock);
		authd_passdb_check(job->chk);
		pthread_mutex_lock(&pool.lock);
		job->state = JOB_DONE;
		n = write(pool.efd, &one, sizeof(one));	/* fails only when the counter is full */
		(void)n;
	}
	pthread_mutex_unlock(&pool.lock);
	return NULL;
}

/* next_done - the oldest job if the workers are done with it, unlinked */
static struct authd_job *next_done(void)
{
	struct authd_job *job;

	pthread_mutex_lock(&pool.lock);
	if ((job = pool.order.head) != NULL && job->state == JOB_DONE)
		(void)list_unlink(&pool.order, job);
	else
		job = NULL;
	pthread_mutex_unlock(&pool.lock);
	return job;
}

/* on_done - the eventfd: end the finished jobs, oldest first, up to the
 * first one still queued or running */
static void on_done(struct ev *ev, int fd, void *ctx)
{
	struct authd_job *job;
	uint64_t count;

	(void)ev;
	(void)ctx;
	if (read(fd, &count, sizeof(count)) < 0 && errno != EAGAIN && errno != EINTR)
		log_fatal("read eventfd: %m");
	/* a done function may forget other jobs: unlinked when queued, else
	 * flagged, and they see the flag when their turn comes */
	while ((job = next_done()) != NULL)
		job_end(job, true);
}

/* online_cpus - the number of online CPUs, at least 1 */
static int online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > AUTHD_WORKER_MAX ? AUTHD_WORKER_MAX : (int)n;
}

/* authd_worker_start - nthreads workers (0: as many as CPUs, at most
 * AUTHD_WORKER_MAX) reporting to ev; returns how many */
int authd_worker_start(struct ev *ev, int nthreads)
{
	sigset_t all, old;
	int err;

	if (pool.nthreads > 0)
		log_panic("authd_worker_start: already started");
	if (nthreads <= 0)
		nthreads = online_cpus();
	if (nthreads > AUTHD_WORKER_MAX)
		nthreads = AUTHD_WORKER_MAX;
	if ((pool.efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0)
		log_fatal("eventfd: %m");
	pool.ev = ev;
	ev_read(ev, pool.efd, on_done, NULL);
	sigfillset(&all);	/* signals go to the loop thread */
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (int i = 0; i < nthreads; i++) {
		if ((err = pthread_create(&pool.threads[i], NULL, worker_main, NULL)) != 0)
			log_fatal("pthread_create: %s", strerror(err));
		pool.nthreads++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return pool.nthreads;
}

/* authd_worker_stop - end the threads; jobs not done are freed without
 * their done call; later jobs run inline */
void authd_worker_stop(void)
{
	struct authd_job *job;

	if (pool.nthreads == 0)
		return;
	pthread_mutex_lock(&pool.lock);
	pool.stopping = true;
	pthread_cond_broadcast(&pool.work);
	pthread_mutex_unlock(&pool.lock);
	for (int i = 0; i < pool.nthreads; i++)
		pthread_join(pool.threads[i], NULL);
	while ((job = pool.order.head) != NULL) {
		(void)list_unlink(&pool.order, job);
		job_free(job);
	}
	pool.queue.head = NULL;
	pool.queue.tail = &pool.queue.head;
	ev_off(pool.ev, pool.efd);
	close(pool.efd);
	pool.efd = -1;
	pool.nthreads = 0;
	pool.stopping = false;
}

/* authd_worker_threads - how many workers run (0: jobs run inline) */
int authd_worker_threads(void)
{
	return pool.nthreads;
}

/* authd_worker_job - a job for chk (which it owns from now on) */
struct authd_job *authd_worker_job(struct authd_check *chk, authd_job_done_fn *done, void *ctx)
{
	struct authd_job *job = xcalloc(1, sizeof(*job));

	job->chk = chk;
	job->done = done;
	job->ctx = ctx;
	return job;
}

/* authd_worker_submit - queue the job, or run it inline without workers */
void authd_worker_submit(struct authd_job *job)
{
	if (pool.nthreads == 0) {
		job->state = JOB_RUNNING;
		authd_passdb_check(job->chk);
		job_end(job, false);
		return;
	}
	pthread_mutex_lock(&pool.lock);
	job->state = JOB_QUEUED;
	list_push(&pool.queue, job);
	list_push(&pool.order, job);
	pthread_cond_signal(&pool.work);
	pthread_mutex_unlock(&pool.lock);
}

/* authd_worker_forget - its requester is gone: never call its done */
void authd_worker_forget(struct authd_job *job)
{
	bool queued;

	pthread_mutex_lock(&pool.lock);
	queued = job->state == JOB_QUEUED && list_unlink(&pool.queue, job);
	if (queued)
		(void)list_unlink(&pool.order, job);
	job->forgotten = true;
	pthread_mutex_unlock(&pool.lock);
	if (queued)
		job_free(job);
}
