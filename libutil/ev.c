/* ev - epoll event loop with one-shot timers; see ev.h.
 * Descriptor handlers live in a table indexed by fd; a handler removed
 * while its events are being dispatched is not called afterwards, and one
 * added meanwhile (perhaps on the number of a descriptor just closed) is
 * not called for the events of the round in which it was added. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>

#include "ev.h"
#include "log.h"
#include "mem.h"

struct ev_handler {
	ev_fd_fn *fn;
	void *ctx;
	unsigned events;	/* EPOLLIN or EPOLLOUT; 0 = unused */
	unsigned long round;	/* the round in which it was set */
};

struct ev_timer_entry {
	int id;
	long long due_ms;
	ev_timer_fn *fn;
	void *ctx;
	struct ev_timer_entry *next;	/* sorted by due time */
};

struct ev {
	int epfd;
	struct ev_handler *handlers;
	size_t nhandlers;
	struct ev_timer_entry *timers;
	int next_id;
	bool stop;
	unsigned long round;	/* rounds of waiting and dispatching so far */
};

/* now_ms - monotonic milliseconds */
static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ev_new - an empty loop */
struct ev *ev_new(void)
{
	struct ev *ev = xmalloc(sizeof(*ev));

	if ((ev->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0)
		log_fatal("epoll_create1: %m");
	return ev;
}

/* ev_free - close the loop; descriptors are the caller's */
void ev_free(struct ev **evp)
{
	struct ev *ev = *evp;

	if (ev == NULL)
		return;
	while (ev->timers) {
		struct ev_timer_entry *t = ev->timers;

		ev->timers = t->next;
		free(t);
	}
	close(ev->epfd);
	free(ev->handlers);
	free(ev);
	*evp = NULL;
}

/* watch - register fd for one direction */
static void watch(struct ev *ev, int fd, unsigned events, ev_fd_fn *fn, void *ctx)
{
	struct epoll_event ee = { .events = events, .data.fd = fd };
	int op;

	if (fd < 0)
		log_panic("ev: negative fd");
	if ((size_t)fd >= ev->nhandlers) {
		size_t n = (size_t)fd + 64;

		ev->handlers = xrealloc(ev->handlers, mem_mul_size(n, sizeof(*ev->handlers)));
		memset(ev->handlers + ev->nhandlers, 0, (n - ev->nhandlers) * sizeof(*ev->handlers));
		ev->nhandlers = n;
	}
	op = ev->handlers[fd].events ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
	if (epoll_ctl(ev->epfd, op, fd, &ee) < 0)
		log_panic("epoll_ctl fd %d: %m", fd);
	ev->handlers[fd] = (struct ev_handler){ fn, ctx, events, ev->round };
}

/* ev_read - call fn while fd is readable */
void ev_read(struct ev *ev, int fd, ev_fd_fn *fn, void *ctx)
{
	watch(ev, fd, EPOLLIN, fn, ctx);
}

/* ev_write - call fn while fd is writable */
void ev_write(struct ev *ev, int fd, ev_fd_fn *fn, void *ctx)
{
	watch(ev, fd, EPOLLOUT, fn, ctx);
}

/* ev_off - stop watching fd */
void ev_off(struct ev *ev, int fd)
{
	if (fd < 0 || (size_t)fd >= ev->nhandlers || ev->handlers[fd].events == 0)
		return;
	epoll_ctl(ev->epfd, EPOLL_CTL_DEL, fd, NULL);
	ev->handlers[fd] = (struct ev_handler){ 0 };
}

/* ev_timer - call fn once after ms; returns an id for ev_cancel */
int ev_timer(struct ev *ev, long ms, ev_timer_fn *fn, void *ctx)
{
	struct ev_timer_entry *t = xmalloc(sizeof(*t)), **pp;

	t->id = ++ev->next_id;
	t->due_ms = now_ms() + ms;
	t->fn = fn;
	t->ctx = ctx;
	for (pp = &ev->timers; *pp && (*pp)->due_ms <= t->due_ms; pp = &(*pp)->next)
		;
	t->next = *pp;
	*pp = t;
	return t->id;
}

/* ev_cancel - forget a pending timer (unknown ids are ignored) */
void ev_cancel(struct ev *ev, int id)
{
	for (struct ev_timer_entry **pp = &ev->timers; *pp; pp = &(*pp)->next)
		if ((*pp)->id == id) {
			struct ev_timer_entry *t = *pp;

			*pp = t->next;
			free(t);
			return;
		}
}

/* run_timers - call every timer that is due */
static void run_timers(struct ev *ev)
{
	long long now = now_ms();

	while (ev->timers && ev->timers->due_ms <= now) {
		struct ev_timer_entry *t = ev->timers;

		ev->timers = t->next;
		t->fn(ev, t->ctx);
		free(t);
	}
}

/* one_round - wait up to max_ms (-1: no limit) or the first timer, call
 * the handlers of ready descriptors, then the due timers */
static void one_round(struct ev *ev, long max_ms)
{
	struct epoll_event events[64];
	long long wait = ev->timers ? ev->timers->due_ms - now_ms() : -1;
	int n;

	if (ev->timers && wait < 0)
		wait = 0;
	if (max_ms >= 0 && (wait < 0 || wait > max_ms))
		wait = max_ms;
	ev->round++;
	n = epoll_wait(ev->epfd, events, 64, (int)(wait > 60000 ? 60000 : wait));
	if (n < 0 && errno != EINTR)
		log_fatal("epoll_wait: %m");
	for (int i = 0; i < n; i++) {
		int fd = events[i].data.fd;
		struct ev_handler *h = &ev->handlers[fd];

		/* removed by an earlier callback, or set anew during this round */
		if (h->events && h->round != ev->round)
			h->fn(ev, fd, h->ctx);
	}
	run_timers(ev);
}

/* ev_run - dispatch until ev_stop */
void ev_run(struct ev *ev)
{
	ev->stop = false;
	while (!ev->stop)
		one_round(ev, -1);
}

/* ev_once - one round: wait at most timeout_ms for a ready descriptor or
 * a due timer, and dispatch what is ready (for a caller with a loop of
 * its own, such as qmgr's queue run) */
void ev_once(struct ev *ev, long timeout_ms)
{
	one_round(ev, timeout_ms < 0 ? 0 : timeout_ms);
}

/* ev_stop - make ev_run return after the current round */
void ev_stop(struct ev *ev)
{
	ev->stop = true;
}
