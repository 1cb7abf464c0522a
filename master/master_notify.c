/* master_notify - the service manager's readiness protocol (systemd's
 * sd_notify(3), spoken without libsystemd).
 *
 * Under a manager that wants it, NOTIFY_SOCKET names a datagram socket: a
 * path, or "@name" in the abstract namespace.  master says READY=1 once
 * its sockets are open and its daemons started, RELOADING=1 then READY=1
 * around a reload (the manager waits for the second), STOPPING=1 when it
 * begins to stop.  The variable is taken out of the environment at once:
 * no daemon inherits it.  Without it every call does nothing; a message
 * that cannot be sent is logged once and the manager's timeout decides.
 *
 * JOURNAL_STREAM ("DEV:INODE") says stderr is the journal: then master
 * does not copy its log lines to stderr, which would put each line in
 * the journal twice (syslog reaches it too).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "log.h"
#include "master.h"

static int notify_fd = -1;
static bool notify_failed;

/* notify_addr - NOTIFY_SOCKET as a socket address: its length, 0 when
 * unusable */
static socklen_t notify_addr(const char *name, struct sockaddr_un *sun)
{
	size_t len = strlen(name);

	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if ((name[0] != '/' && name[0] != '@') || len < 2 || len >= sizeof(sun->sun_path))
		return 0;
	memcpy(sun->sun_path, name, len);
	if (name[0] == '@')
		sun->sun_path[0] = '\0';	/* abstract: no NUL after the name */
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + (name[0] == '/'));
}

/* master_notify_init - the manager's socket, if it gave one */
void master_notify_init(void)
{
	const char *name = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun;
	socklen_t len;

	if (name == NULL)
		return;
	if ((len = notify_addr(name, &sun)) == 0)
		log_warn("NOTIFY_SOCKET %s is not a socket path: the service manager is not told "
			 "when master is ready", name);
	else if ((notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0
		 || connect(notify_fd, (struct sockaddr *)&sun, len) < 0) {
		log_warn("NOTIFY_SOCKET %s: %m: the service manager is not told when master is "
			 "ready", name);
		if (notify_fd >= 0)
			close(notify_fd);
		notify_fd = -1;
	}
	unsetenv("NOTIFY_SOCKET");
}

/* master_notify - one state message ("READY=1" ...), MAINPID added */
void master_notify(const char *state)
{
	char msg[256];
	int n;

	if (notify_fd < 0)
		return;
	n = snprintf(msg, sizeof(msg), "%s\nMAINPID=%ld", state, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(msg))
		return;
	if (send(notify_fd, msg, (size_t)n, MSG_NOSIGNAL) != n && !notify_failed) {
		notify_failed = true;
		log_warn("tell the service manager %s: %m", state);
	}
}

/* master_stderr_is_journal - stderr is the journal's stream (read before
 * the environment is cut down) */
bool master_stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	return js && sscanf(js, "%llu:%llu", &dev, &ino) == 2 && fstat(STDERR_FILENO, &st) == 0
	    && (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}
