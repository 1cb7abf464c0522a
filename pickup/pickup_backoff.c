/* pickup_backoff - when to try a maildrop file again that cleanup deferred.
 *
 * A file that cleanup answers with 4xx (or that cannot be read, or that
 * cleanup fails on) stays in maildrop/.  Without a memory of that, every
 * run would hand the same files to cleanup again before it reaches the new
 * ones.  This table remembers, per file name, when to try next: the first
 * retry PICKUP_BACKOFF_MIN seconds after the failure, then twice the
 * previous wait each time, at most maximal_backoff_time.  The table lives
 * in pickup's memory only (pickup runs unlimited, see main.c): after a
 * restart or reload each file is tried once more, one cleanup round trip.  Names not seen during a complete
 * walk of maildrop/ (removed, picked up) are dropped, so the table never
 * holds more than the maildrop holds.
 *   pickup_backoff_due    is it time for this file (and mark it seen)?
 *   pickup_backoff_failed the file failed again: the next wait, in seconds
 *   pickup_backoff_sweep  after a complete walk: forget the unseen names
 */
#include <stdlib.h>

#include "mem.h"
#include "pickup.h"

struct retry {
	time_t next;			/* not before */
	long wait;			/* the last wait, seconds */
	unsigned long walk;		/* the last walk that saw the name */
};

/* pickup_backoff_due - true when the file may go to cleanup now */
bool pickup_backoff_due(struct pickup_global *g, const char *name, time_t now)
{
	struct retry *r;

	if (g->retry == NULL || (r = htable_get(g->retry, name)) == NULL)
		return true;
	r->walk = g->walk;
	return now >= r->next;
}

/* pickup_backoff_failed - note a failure; returns the wait before the next try */
long pickup_backoff_failed(struct pickup_global *g, const char *name, time_t now)
{
	long max = g->cf->maximal_backoff_time;
	struct retry *r;

	if (g->retry == NULL)
		g->retry = htable_new(64);
	if ((r = htable_get(g->retry, name)) == NULL) {
		r = xcalloc(1, sizeof(*r));
		htable_put(g->retry, name, r);
	}
	r->wait = r->wait == 0 ? PICKUP_BACKOFF_MIN : r->wait * 2;	/* <= 2 * 864000 */
	if (r->wait > max)
		r->wait = max;
	r->next = now + r->wait;
	r->walk = g->walk;
	return r->wait;
}

/* pickup_backoff_sweep - keep only the names the walk that just ended saw */
void pickup_backoff_sweep(struct pickup_global *g)
{
	struct htable *kept;

	if (g->retry == NULL)
		return;
	kept = htable_new(g->retry->len);
	HTABLE_FOREACH(g->retry, e) {
		struct retry *r = e->value;

		if (r->walk == g->walk)
			htable_put(kept, e->key, r);
		else
			free(r);
	}
	htable_free(&g->retry, NULL);
	g->retry = kept;
}
