/* ev - the event loop: epoll for descriptors, a short list for timers.
 *
 *   struct ev *ev = ev_new();
 *   ev_read(ev, fd, on_readable, ctx);   // level-triggered, until ev_off
 *   int t = ev_timer(ev, 5000, on_timeout, ctx);   // once, in ms
 *   ev_cancel(ev, t);
 *   ev_run(ev);                          // until ev_stop(ev)
 *   ev_once(ev, 1000);                   // or one round at a time
 *
 * Callbacks may add and remove descriptors and timers, including their
 * own.  Used by master, by SERVER_MULTI daemons and by qmgr.
 */
#ifndef HATO_EV_H
#define HATO_EV_H

struct ev;

typedef void ev_fd_fn(struct ev *ev, int fd, void *ctx);
typedef void ev_timer_fn(struct ev *ev, void *ctx);

struct ev *ev_new(void);
void ev_free(struct ev **evp);
void ev_read(struct ev *ev, int fd, ev_fd_fn *fn, void *ctx);
void ev_write(struct ev *ev, int fd, ev_fd_fn *fn, void *ctx);
void ev_off(struct ev *ev, int fd);
int ev_timer(struct ev *ev, long ms, ev_timer_fn *fn, void *ctx);
void ev_cancel(struct ev *ev, int timer_id);
void ev_run(struct ev *ev);
void ev_once(struct ev *ev, long timeout_ms);	/* one round, waiting at most timeout_ms */
void ev_stop(struct ev *ev);

#endif
