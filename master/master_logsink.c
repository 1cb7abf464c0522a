/* master_logsink - the daemons' log lines reach maillog_file through
 * master, the one process that opens the file (Postfix's postlogd, here
 * master's own loop): so a reload that opens the file again (after hato
 * logrotate moved it away) moves every process to the new one, those
 * that dropped their privileges or hold a session for hours too.
 *
 * A datagram socket pair made at start: each daemon gets the write end
 * at MASTER_LOG_FD (HATO_LOG=1) and, with maillog_file set, sends each
 * line there whole (global/server.c, log_open_fd); master reads them as
 * they come and appends them to its maillog_file (log_write_line), or
 * drops them when it logs to syslog (a daemon of an older configuration).
 * A full socket makes a daemon wait: a line is not lost.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "master.h"

enum { BATCH = 256, RCVBUF = 4 * 1024 * 1024 };

/* on_lines - every datagram waiting, to the file */
static void on_lines(struct ev *ev, int fd, void *ctx)
{
	static char line[256 * 1024];

	(void)ev;
	(void)ctx;
	for (int i = 0; i < BATCH; i++) {
		ssize_t n = recv(fd, line, sizeof(line), MSG_DONTWAIT);

		if (n <= 0)
			break;
		log_write_line(line, (size_t)n);
	}
}

/* master_logsink_open - the pair; master_log_sink[1] is the daemons' */
void master_logsink_open(void)
{
	int size = RCVBUF;

	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, master.log_sink) < 0)
		log_fatal("socketpair: %m");
	if (fcntl(master.log_sink[0], F_SETFL, O_NONBLOCK) < 0)
		log_fatal("fcntl: %m");
	/* room for a burst of lines while master does something else (as
	 * root past net.core.rmem_max; the default otherwise) */
	if (setsockopt(master.log_sink[0], SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		(void)setsockopt(master.log_sink[0], SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	ev_read(master.ev, master.log_sink[0], on_lines, NULL);
}
