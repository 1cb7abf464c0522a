/* master - the hato supervisor.
 *
 *   master [-d] [-t]     (HATO_CONFIG names the configuration directory)
 * -d stays in the foreground; -t only checks that the configuration loads.
 * master reads main.cf and master.cf, opens every listening socket itself,
 * and only then detaches: if anything fails it exits 1 with the reason and
 * nothing keeps running.  Signals: HUP reloads, TERM (and INT in the
 * foreground) stops gracefully, QUIT aborts (kills the daemons at once).
 * Before the first daemon starts, the environment is cut down to what
 * import_environment names (env_import.h): daemons inherit only that.
 * Under systemd (Type=notify, `hato start-fg`) master tells it when it is
 * ready, reloading and stopping (master_notify.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "env_import.h"
#include "log.h"
#include "master.h"
#include "mem.h"
#include "pidfile.h"

int main(int argc, char **argv)
{
	const char *dir = getenv(MASTER_ENV_CONFIG);
	bool test_only = false;
	int ch, ready_fd = -1;

	log_init("master");
	while ((ch = getopt(argc, argv, "c:dtv")) != -1) {
		switch (ch) {
		case 'c': dir = optarg; break;
		case 'd': master.foreground = true; break;
		case 't': test_only = true; break;
		case 'v': log_set_verbose(log_verbose_level() + 1); break;
		default: log_fatal("usage: master [-c config_dir] [-d] [-t]");
		}
	}
	master.dir = xstrdup(config_dir(dir));
	setenv(MASTER_ENV_CONFIG, master.dir, 1);
	master.ev = ev_new();
	master.stderr_journal = master_stderr_is_journal();
	master_load(test_only);
	if (test_only)
		return 0;
	master_notify_init();		/* before the environment is cut down */
	env_import(master.cf->import_environment);	/* what every daemon inherits */
	if (!master.foreground)
		ready_fd = master_detach();
	master_take_lock(ready_fd);
	master_setup_signals();
	master_logsink_open();
	master_spawn_init();
	for (struct master_service *svc = master.services; svc; svc = svc->next) {
		master_spawn_update(svc);
		master_wakeup_start(svc);
	}
	log_info("daemon started -- version %s, configuration %s", HATO_VERSION, master.dir);
	master_notify("READY=1\nSTATUS=running");
	ev_run(master.ev);
	master_remove_pid();
	log_info("stopped");
	return 0;
}
