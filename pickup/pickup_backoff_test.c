/* pickup_backoff_test - the retry table of deferred maildrop files: a new
 * name is due, a failure waits PICKUP_BACKOFF_MIN, then twice as long up
 * to maximal_backoff_time, and a walk that did not see a name forgets it. */
#include <stdlib.h>

#include "pickup.h"
#include "test.h"

/* test_pickup_backoff - due, doubling, the cap, the sweep */
void test_pickup_backoff(void)
{
	struct params cf = { .maximal_backoff_time = 200 };
	struct pickup_global g = { .cf = &cf, .walk = 1 };
	time_t now = 1000000;

	test_begin("pickup_backoff: a deferred file waits, longer each time, at most the cap");
	test_assert(pickup_backoff_due(&g, "A1", now));
	test_assert(pickup_backoff_failed(&g, "A1", now) == PICKUP_BACKOFF_MIN);
	test_assert(!pickup_backoff_due(&g, "A1", now + PICKUP_BACKOFF_MIN - 1));
	test_assert(pickup_backoff_due(&g, "A1", now + PICKUP_BACKOFF_MIN));
	test_assert(pickup_backoff_due(&g, "B2", now));		/* others are not held up */
	test_assert(pickup_backoff_failed(&g, "A1", now) == 2 * PICKUP_BACKOFF_MIN);
	test_assert(pickup_backoff_failed(&g, "A1", now) == 200);	/* 240 capped */
	test_assert(pickup_backoff_failed(&g, "A1", now) == 200);
	test_end();

	test_begin("pickup_backoff: a name the last walk did not see is forgotten");
	g.walk = 2;
	(void)pickup_backoff_failed(&g, "C3", now);
	pickup_backoff_sweep(&g);	/* walk 2 saw C3 only: A1 was removed meanwhile */
	test_assert(g.retry->len == 1);
	test_assert(!pickup_backoff_due(&g, "C3", now));
	test_assert(pickup_backoff_due(&g, "A1", now));		/* new again */
	g.walk = 3;
	pickup_backoff_sweep(&g);
	test_assert(g.retry->len == 0);
	htable_free(&g.retry, free);
	test_end();
}
