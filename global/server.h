/* server - the daemon skeleton: everything a hato daemon does that is not
 * its own logic (STYLE R11).
 *
 *   int main(int argc, char **argv) {
 *       return server_main(argc, argv, &(struct server_opts){
 *           .kind = SERVER_SINGLE, .service = smtpd_service,
 *           .pre_init = smtpd_pre_init, .post_init = smtpd_post_init });
 *   }
 *
 * server_main parses master's arguments (master_proto.h), reads main.cf
 * with the -o overrides into a const struct params, opens the log, calls
 * pre_init (still root: open what needs root), drops privileges per the
 * master.cf columns (privdrop), calls post_init, then serves:
 *  - SERVER_SINGLE: one client per process at a time, accept loop;
 *  - SERVER_TRIGGER: wakeups from a FIFO or UNIX socket (qmgr, pickup);
 *  - SERVER_MULTI: many clients in one process (event loop; see ev.h).
 * The process exits after max_use clients, after max_idle seconds without
 * one (unless .unlimited), or when the master goes away.
 */
#ifndef HATO_SERVER_H
#define HATO_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "params.h"

enum server_kind { SERVER_SINGLE, SERVER_TRIGGER, SERVER_MULTI };

struct server_info {
	const char *service;		/* master.cf service name */
	const char *type;		/* inet, unix, fifo, ... */
	const struct params *cf;	/* read-only from here on */
	struct config *config;		/* raw access for daemon-only parameters */
	char **args;			/* master.cf arguments other than -o */
	int maxproc;			/* the service's process limit (0: none) */
	uid_t run_uid;			/* the ids it runs as after the drop */
	gid_t run_gid;
};

typedef void server_init_fn(const struct server_info *si);
typedef void server_service_fn(const struct server_info *si, int client_fd);
typedef void server_trigger_fn(const struct server_info *si, const char *data, size_t len);

struct server_opts {
	enum server_kind kind;
	server_init_fn *pre_init;	/* as root, before the privilege drop */
	server_init_fn *post_init;	/* after the drop */
	server_service_fn *service;	/* SINGLE and MULTI: a new client */
	server_trigger_fn *trigger;	/* TRIGGER: wakeup bytes */
	bool unlimited;			/* ignore max_use and max_idle */
	server_init_fn *tick;		/* TRIGGER: called every tick_ms without a wakeup */
	long tick_ms;
	bool stress;			/* SINGLE: follows master's stress (below) */
	bool login;			/* run as default_login_user, chrooted into
					 * queue_directory/login, whatever the columns
					 * say (pop3d, imapd: docs/mail-access.md) */
	bool once;			/* SINGLE: one client, then exit; the listening
					 * sockets are closed before the service runs
					 * (a mail process that becomes the user) */
};

int server_main(int argc, char **argv, const struct server_opts *opts);

/* For SERVER_MULTI daemons: the service function registers the new client
 * with server_ev() and must not block; it calls server_multi_done(fd) when
 * the client is finished (the skeleton closes fd).  The process stays
 * "available" to master while it runs, so one process serves everyone. */
struct ev *server_ev(void);
void server_multi_done(int fd);
int server_trigger_fd(void);
/* server_status_busy / _idle - tell master (done by the loops; public for MULTI) */
void server_status_busy(void);
void server_status_idle(void);
/* Stress (master_spawn.c): a daemon with .stress calls server_stress_update
 * when it takes a client and whenever server_stress_fd turns readable; from
 * master's stress on, the parameters are those evaluated with stress=yes. */
const struct params *server_stress_update(void);
const struct params *server_stress_params(void);
int server_stress_fd(void);

#endif
