/* pickup - local submission: maildrop/ into cleanup; the skeleton call
 * only (see pickup.h).  master.cf: pickup fifo n - n 60 1 pickup
 * Unlimited (not ended by max_use/max_idle, like qmgr): the backoff table
 * of deferred maildrop files lives in this process, and a pickup that
 * exited every max_use wakeups would retry every deferred file each time. */
#include "pickup.h"
#include "server.h"

static struct pickup_global global;

/* pickup_start - after the privilege drop: a first run */
static void pickup_start(const struct server_info *si)
{
	global.cf = si->cf;
	pickup_scan(&global);
}

/* pickup_trigger - a wakeup from postdrop or master's timer */
static void pickup_trigger(const struct server_info *si, const char *data, size_t len)
{
	(void)si;
	(void)data;
	(void)len;
	pickup_scan(&global);
}

int main(int argc, char **argv)
{
	return server_main(argc, argv, &(struct server_opts){
		.kind = SERVER_TRIGGER, .unlimited = true, .post_init = pickup_start,
		.trigger = pickup_trigger });
}
