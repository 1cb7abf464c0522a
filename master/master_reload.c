/* master_reload - SIGHUP: read both files again and switch without a gap.
 *
 * A new configuration that does not load (bad main.cf or master.cf, a
 * socket that will not open) is refused with a log line and the old one
 * keeps running.  A service whose sockets are unchanged keeps them open, so
 * no connection is refused during a reload.  Processes started before the
 * reload get SIGHUP: idle ones exit at once, busy ones when their session
 * ends, so running sessions finish on the old configuration and new ones
 * get the new.  The master's own log is opened again (logrotate moves
 * maillog_file away, then reloads); daemons open it when they start.
 * A service manager (master_notify.c) hears RELOADING=1, then READY=1.
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "master.h"
#include "mem.h"

/* find_same - the old service with the same name, type and sockets */
static struct master_service *find_same(struct master_service *list,
					const struct master_service *svc)
{
	for (struct master_service *o = list; o; o = o->next)
		if (o->nlisten > 0 && o->type == svc->type && strcmp(o->listen_key, svc->listen_key) == 0)
			return o;
	return NULL;
}

/* adopt - move the open sockets of old to svc */
static void adopt(struct master_service *svc, struct master_service *old)
{
	for (int i = 0; i < old->nlisten; i++) {
		ev_off(master.ev, old->listen_fds[i]);
		svc->listen_fds[i] = old->listen_fds[i];
	}
	svc->nlisten = old->nlisten;
	old->nlisten = 0;
	old->listening = old->limit_watch = false;
}

/* open_new - sockets for every new service, reusing unchanged ones */
static int open_new(struct master_service *list, const struct params *cf, struct buf *why)
{
	for (struct master_service *svc = list; svc; svc = svc->next) {
		struct master_service *old = find_same(master.services, svc);

		if (old)
			adopt(svc, old);
		else if (master_listen_open(svc, cf, why) < 0)
			return -1;
	}
	return 0;
}

/* put_back - a refused reload: return adopted sockets to the old services */
static void put_back(struct master_service *list)
{
	for (struct master_service *svc = list; svc; svc = svc->next) {
		struct master_service *old;

		for (old = master.services; old; old = old->next)
			if (old->nlisten == 0 && old->type == svc->type &&
			    strcmp(old->listen_key, svc->listen_key) == 0)
				break;
		if (old && svc->nlisten && svc->listen_fds[0] >= 0) {
			memcpy(old->listen_fds, svc->listen_fds, sizeof(old->listen_fds));
			old->nlisten = svc->nlisten;
			svc->nlisten = 0;
			master_spawn_update(old);
		} else {
			master_listen_close(svc, false);
		}
	}
}

/* path_in_use - whether a service of list has its socket at path */
static bool path_in_use(const struct master_service *list, const char *path)
{
	for (; path && list; list = list->next)
		if (list->sock_path && strcmp(list->sock_path, path) == 0)
			return true;
	return false;
}

/* reopen_log - maillog_file again: logrotate may have moved it away, or
 * the new main.cf names another; a file that will not open keeps the old */
static void reopen_log(void)
{
	const char *err = NULL;

	if (master_log_open(master.cf, master.foreground, &err) < 0)
		log_error("reopen maillog_file %s: %s; still logging to the old file",
			  master.cf->maillog_file, err);
}

/* reload - 0 when the new configuration runs, -1 when refused */
static int reload(void)
{
	struct buf *why = buf_new(0);
	struct config *config = config_read(master.dir, CONFIG_STRICT, why);
	struct params *cf = config ? config_params(config, why) : NULL;
	struct master_service *list = NULL;

	if (cf == NULL || master_config_load(config, &list, why) < 0 || open_new(list, cf, why) < 0) {
		log_error("reload refused, the old configuration keeps running: %s", buf_str(why));
		if (list)
			put_back(list);
		master_service_free_list(&list);
		params_free(&cf);
		config_free(&config);
		buf_free(&why);
		return -1;
	}
	for (struct master_service *old = master.services; old; old = old->next) {
		master_wakeup_stop(old);
		master_spawn_stop(old);
		master_listen_close(old, old->nlisten > 0 && !path_in_use(list, old->sock_path));
	}
	master_service_free_list(&master.services);
	params_free((struct params **)&master.cf);
	config_free(&master.config);
	master.services = list;
	master.config = config;
	master.cf = cf;
	reopen_log();
	for (struct master_service *svc = list; svc; svc = svc->next) {
		master_spawn_update(svc);
		master_wakeup_start(svc);
	}
	log_info("reload -- version %s, configuration %s", HATO_VERSION, master.dir);
	buf_free(&why);
	return 0;
}

/* master_reload - reload, the service manager told it began and ended
 * (a refused reload ends too: the old configuration is ready) */
int master_reload(void)
{
	int rc;

	master_notify("RELOADING=1\nSTATUS=reloading");
	rc = reload();
	master_notify("READY=1\nSTATUS=running");
	return rc;
}
