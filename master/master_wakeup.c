/* master_wakeup - the wakeup column: a trigger byte every N seconds.
 * For a fifo service the byte is written into the FIFO through master's
 * own descriptor (never by name: public/ belongs to mail_owner); for a
 * unix service master connects and writes it.  "N?" wakes the service
 * only once it has been used.  A wakeup that cannot be delivered is dropped: the next
 * one comes N seconds later anyway. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "log.h"
#include "master.h"

static void on_wakeup(struct ev *ev, void *ctx);

/* send_trigger - one wakeup byte to the service's socket or FIFO */
static void send_trigger(struct master_service *svc)
{
	const char byte = MASTER_TRIGGER_WAKEUP;
	int fd;

	if (svc->type == MT_FIFO) {
		/* master holds the FIFO open read-write: no name to resolve */
		fd = svc->nlisten > 0 ? fcntl(svc->listen_fds[0], F_DUPFD_CLOEXEC, 0) : -1;
	} else {
		struct sockaddr_un sun = { .sun_family = AF_UNIX };

		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		strncpy(sun.sun_path, svc->sock_path, sizeof(sun.sun_path) - 1);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 &&
		    errno != EINPROGRESS) {
			close(fd);
			fd = -1;
		}
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
