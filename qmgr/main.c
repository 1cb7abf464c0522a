/* qmgr - the skeleton call only (see qmgr.h). */
#include "ev.h"
#include "qmgr.h"
#include "server.h"

static struct qmgr_global global;

/* qmgr_init - tables, then finish what a previous qmgr left in active/ */
static void qmgr_init(const struct server_info *si)
{
	global.cf = si->cf;
	global.config = si->config;
	global.ev = ev_new();
	global.trigger_fd = -1;
	qmgr_resolve_init(&global);
}

/* qmgr_start - after the privilege drop: recover, then a first run */
static void qmgr_start(const struct server_info *si)
{
	(void)si;
	qmgr_recover(&global);
	qmgr_run(&global);
}

/* qmgr_trigger - a wakeup: 'A' new mail, 'F' flush deferred, 'W' timer */
static void qmgr_trigger(const struct server_info *si, const char *data, size_t len)
{
	(void)si;
	for (size_t i = 0; i < len; i++)
		if (data[i] == 'F')
			global.flush = true;
	qmgr_run(&global);
}

/* qmgr_tick - once a second without wakeups: deferred mail whose retry
 * time has come (checked every queue_run_delay) */
static void qmgr_tick(const struct server_info *si)
{
	(void)si;
	qmgr_run(&global);
}

int main(int argc, char **argv)
{
	return server_main(argc, argv, &(struct server_opts){
		.kind = SERVER_TRIGGER, .pre_init = qmgr_init, .post_init = qmgr_start,
		.trigger = qmgr_trigger, .unlimited = true, .tick = qmgr_tick, .tick_ms = 1000 });
}
