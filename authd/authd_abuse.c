/* authd_abuse - the per-client-IP failure counter.
 *
 * Each failed login from an address counts; once an address has
 * auth_client_failure_limit failures within auth_client_failure_window
 * (counted from its first failure in the window), its logins fail without
 * their password being checked until the window ends.  0 disables the
 * limit.  The table is bounded: when full, the address added first goes.
 * Only credential failures count (wrong password, unknown user, locked
 * account), not protocol errors.  The addresses come from smtpd/imapd/pop3d.
 */
#include <stdlib.h>
#include <time.h>

#include "authd.h"
#include "htable.h"
#include "mem.h"

enum { ABUSE_MAX_CLIENTS = 10000 };

struct client {
	long failures;
	time_t start;
};

static struct htable *clients;

/* now - monotonic seconds: the window must not jump with the clock */
static time_t now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* expired - the window of c is over */
static bool expired(const struct client *c, time_t t)
{
	return t - c->start >= authd.client_failure_window;
}

/* make_room - when the table is full, forget the address that was added
 * first (its window is the oldest but for re-counted ones) */
static void make_room(void)
{
	while (clients->len >= ABUSE_MAX_CLIENTS)
		free(htable_remove(clients, clients->first->key));
}

/* authd_abuse_blocked - rip has too many recent failures */
bool authd_abuse_blocked(const char *rip)
{
	struct client *c;

	if (authd.client_failure_limit <= 0 || clients == NULL ||
	    (c = htable_get(clients, rip)) == NULL)
		return false;
	return !expired(c, now()) && c->failures >= authd.client_failure_limit;
}

/* authd_abuse_failed - count one failure of rip */
void authd_abuse_failed(const char *rip)
{
	struct client *c;
	time_t t = now();

	if (authd.client_failure_limit <= 0)
		return;
	if (clients == NULL)
		clients = htable_new(64);
	if ((c = htable_get(clients, rip)) == NULL) {
		make_room();
		c = xcalloc(1, sizeof(*c));
		c->start = t;
		htable_put(clients, rip, c);
	} else if (expired(c, t)) {
		c->failures = 0;
		c->start = t;
	}
	c->failures++;
}

/* authd_abuse_reset - forget everything (tests) */
void authd_abuse_reset(void)
{
	htable_free(&clients, free);
}
