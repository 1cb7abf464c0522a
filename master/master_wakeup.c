/* master_wakeup - the wakeup column: a trigger byte every N seconds.
 * For a fifo service the byte is written into the FIFO through master's
 * own descriptor (never by name: public/ belongs to mail_owner); for a
 * unix service master connects and writes it with the file system rights
 * of the directory's owner (setfsuid), so a name that mail_owner swapped
 * for a symlink reaches nothing that mail_owner could not reach itself.  "N?" wakes the service
 * only once it has been used.  A wakeup that cannot be delivered is dropped: the next
 * one comes N seconds later anyway. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/fsuid.h>
#include <sys/stat.h>

#include "log.h"
#include "master.h"
#include "mem.h"
#include "unix_connect.h"

static void on_wakeup(struct ev *ev, void *ctx);

/* connect_as_owner - a non-blocking connection to the socket at path,
 * made with the file system ids of the owner of its directory; -1 */
static int connect_as_owner(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? xstrndup(path, (size_t)(slash - path)) : xstrdup(".");
	struct stat st;
	int fd = -1;

	if (stat(dir, &st) == 0) {
		setfsgid(st.st_gid);
		setfsuid(st.st_uid);
		fd = unix_connect_nonblock(path, NULL);
		setfsuid(0);
		setfsgid(0);
	}
	free(dir);
	return fd;
}

/* send_trigger - one wakeup byte to the service's socket or FIFO */
static void send_trigger(struct master_service *svc)
{
	const char byte = MASTER_TRIGGER_WAKEUP;
	int fd;

	if (svc->type == MT_FIFO) {
		/* master holds the FIFO open read-write: no name to resolve */
		fd = svc->nlisten > 0 ? fcntl(svc->listen_fds[0], F_DUPFD_CLOEXEC, 0) : -1;
	} else {
		fd = connect_as_owner(svc->sock_path);
	}
	if (fd < 0)
		return;
	if (write(fd, &byte, 1) < 0 && errno != EAGAIN)
		log_debug("wakeup %s: %m", svc->name);
	close(fd);
}

/* on_wakeup - timer: trigger, then schedule the next one */
static void on_wakeup(struct ev *ev, void *ctx)
{
	struct master_service *svc = ctx;

	svc->wakeup_timer = 0;
	if (!svc->wakeup_if_used || svc->used)
		send_trigger(svc);
	svc->wakeup_timer = ev_timer(ev, svc->wakeup * 1000L, on_wakeup, svc);
}

/* master_wakeup_start - begin periodic wakeups of svc; the first comes
 * at once, as in Postfix, so mail dropped while the system was down is
 * picked up at start, not one interval later */
void master_wakeup_start(struct master_service *svc)
{
	if (svc->wakeup > 0 && svc->type != MT_INET && svc->wakeup_timer == 0)
		svc->wakeup_timer = ev_timer(master.ev, 0, on_wakeup, svc);
}

/* master_wakeup_stop - no more wakeups of svc */
void master_wakeup_stop(struct master_service *svc)
{
	if (svc->wakeup_timer)
		ev_cancel(master.ev, svc->wakeup_timer);
	svc->wakeup_timer = 0;
}
