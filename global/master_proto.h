/* master_proto - how master and the daemons it spawns talk.
 *
 * A daemon is exec'ed as  COMMAND -n SERVICE -t TYPE [-u] [-c] [-o n=v]...
 * [args], with HATO_CONFIG naming the config directory (-u: run as
 * mail_owner; -c: chroot into queue_directory).  Its listening sockets are
 * inherited at MASTER_LISTEN_FD, MASTER_LISTEN_FD + 1, ... (HATO_LISTEN_FDS
 * says how many); MASTER_STATUS_FD is the write end of a pipe on which the
 * daemon reports, one atomic line each, "B pid\n" when it takes a client and
 * "I pid\n" when it is idle again.  The master starts another process only
 * when no process of the service is idle.  A FIFO or UNIX trigger is one
 * byte per wakeup ('W' from master's wakeup timer).  MASTER_FLOW_READ_FD
 * and MASTER_FLOW_WRITE_FD are the two ends of the in-flow token pipe
 * (global/flow.h), HATO_FLOW=1 says they are there.  MASTER_SYNC_FD is
 * a shared page for group commit of incoming/'s fsync
 * (global/group_sync.h), HATO_SYNC=1 says it is there.  MASTER_STRESS_FD
 * (HATO_STRESS=1) turns readable when master declares its service under
 * stress; HATO_MAXPROC is the process limit of such a service.
 * MASTER_LOG_FD (HATO_LOG=1) is master's log sink, a datagram socket: with
 * maillog_file set, a daemon sends its lines there, one per datagram, and
 * master alone writes the file (it reopens it on reload: hato logrotate).
 * MASTER_METRICS_FD (HATO_METRICS=1) is the shared counter region
 * (global/metrics.h), master's for as long as it runs (kept on reload).
 */
#ifndef HATO_MASTER_PROTO_H
#define HATO_MASTER_PROTO_H

enum {
	MASTER_FLOW_READ_FD = 3,
	MASTER_FLOW_WRITE_FD = 4,
	MASTER_STATUS_FD = 5,
	MASTER_LISTEN_FD = 6,
	MASTER_MAX_LISTEN_FDS = 32,
	MASTER_SYNC_FD = MASTER_LISTEN_FD + MASTER_MAX_LISTEN_FDS,
	MASTER_STRESS_FD = MASTER_SYNC_FD + 1,
	MASTER_LOG_FD = MASTER_STRESS_FD + 1,
	MASTER_METRICS_FD = MASTER_LOG_FD + 1,
	MASTER_TRIGGER_WAKEUP = 'W',
};

#define MASTER_ENV_LISTEN_FDS "HATO_LISTEN_FDS"
#define MASTER_ENV_CONFIG "HATO_CONFIG"
#define MASTER_ENV_FLOW "HATO_FLOW"
#define MASTER_ENV_SYNC "HATO_SYNC"
#define MASTER_ENV_STRESS "HATO_STRESS"
#define MASTER_ENV_MAXPROC "HATO_MAXPROC"
#define MASTER_ENV_LOG "HATO_LOG"
#define MASTER_ENV_METRICS "HATO_METRICS"

#endif
