/* master - private interface between the supervisor's files.
 *
 * master_config.c turns main.cf + master.cf into a list of services;
 * master_listen.c opens their sockets; master_spawn.c starts, counts and
 * reaps daemons and reads their status pipe; master_wakeup.c runs wakeup
 * timers; master_reload.c swaps configurations on SIGHUP; main.c owns the
 * event loop, signals, the pid file and start-up.
 */
#ifndef HATO_MASTER_H
#define HATO_MASTER_H

#include <stdbool.h>
#include <sys/types.h>

#include "config.h"
#include "ev.h"
#include "master_proto.h"
#include "strv.h"

enum master_type { MT_INET, MT_UNIX, MT_FIFO };

struct master_service {
	char *name;		/* master.cf service field */
	enum master_type type;
	char *type_name;
	int line;		/* in master.cf */
	bool unpriv, chroot;
	int wakeup;		/* seconds, 0 = never */
	bool wakeup_if_used;
	int maxproc;		/* 0 = no limit */
	char *path;		/* the program */
	struct strv *argv;	/* as exec'ed */
	char *listen_key;	/* what the sockets are: equal keys may share sockets */
	char *sock_path;	/* unix and fifo */
	int listen_fds[MASTER_MAX_LISTEN_FDS];
	int nlisten;
	int total, avail;	/* processes of this generation, idle ones */
	int min_avail;		/* idle ones kept started (mail processes) */
	bool listening, throttled, used;
	bool limit_watch;	/* listening only to warn about the process limit */
	long limit_warned;	/* time of the last such warning */
	int throttle_timer, wakeup_timer;
	long stress_until;	/* under stress until then (master_spawn.c) */
	bool has_stress_pipe;	/* stress_pipe is open */
	int stress_pipe[2];	/* its read end turns readable at stress */
	struct master_service *next;
};

struct master_child {
	pid_t pid;
	struct master_service *svc;	/* NULL: left over from before a reload */
	bool avail;
	long uses;
	struct master_child *next;
};

struct master_state {
	struct ev *ev;
	struct config *config;
	const struct params *cf;
	struct master_service *services;
	struct master_child *children;
	int status_pipe[2];
	int flow_pipe[2];		/* in-flow tokens: qmgr writes, cleanup reads */
	int log_sink[2];		/* daemons' log lines: master reads [0] */
	int sync_page;			/* group commit counters (group_sync.h), or -1 */
	int metrics_fd;			/* the shared counters (metrics.h), or -1 */
	bool foreground, stopping;
	bool stderr_journal;		/* stderr is the journal (master_notify.c) */
	char *dir;
};

extern struct master_state master;

int master_config_load(struct config *c, struct master_service **list_r, struct buf *why);
void master_service_free_list(struct master_service **list);
int master_listen_open(struct master_service *svc, const struct params *cf, struct buf *why);
void master_listen_close(struct master_service *svc, bool remove_path);
void master_spawn_init(void);
void master_spawn_start(struct master_service *svc);
void master_spawn_stop(struct master_service *svc);
void master_spawn_update(struct master_service *svc);
void master_spawn_signal_all(int sig);
int master_spawn_count(void);
void master_reap(void);
void master_wakeup_start(struct master_service *svc);
void master_wakeup_stop(struct master_service *svc);
int master_log_open(const struct params *cf, bool with_stderr, const char **error_r);

/* master_start.c: main() calls these in order */
void master_load(bool test_only);
int master_detach(void);
void master_take_lock(int ready_fd);
void master_setup_signals(void);
void master_remove_pid(void);
int master_reload(void);

/* master_notify.c: the service manager (systemd) told of readiness */
void master_notify_init(void);
void master_notify(const char *state);
bool master_stderr_is_journal(void);

/* master_logsink.c: the daemons' log lines, written by master */
void master_logsink_open(void);

/* master_metrics.c: the shared counters, and what master counts there */
void master_metrics_init(void);
void master_metrics_service(const struct master_service *svc);
void master_metrics_started(const struct master_service *svc);
void master_metrics_failed(const struct master_service *svc);
void master_metrics_client(const struct master_service *svc);

#endif
