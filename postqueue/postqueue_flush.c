/* postqueue_flush - postqueue -f: ask the queue manager to try all
 * deferred mail now ('F' into its FIFO public/qmgr, as hato flush does)
 * and wake pickup for mail waiting in maildrop/ ('W' into public/pickup,
 * best effort).  The FIFO is opened non-blocking: without a reader (the
 * mail system is down) the open fails at once with ENXIO, and Postfix's
 * message is printed with exit status 69.  The path comes from a
 * configuration postqueue_config() trusts; it must still be a FIFO. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "log.h"
#include "postqueue.h"

/* trigger - one wakeup byte into queue_dir/public/name; -1 with errno */
static int trigger(const char *queue_dir, const char *name, char what)
{
	struct buf *path = buf_new(64);
	struct stat st;
	int fd, rc = -1;

	buf_printf(path, "%s/public/%s", queue_dir, name);
	fd = open(buf_str(path), O_WRONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd >= 0 && fstat(fd, &st) == 0 && !S_ISFIFO(st.st_mode))
		errno = EINVAL;
	else if (fd >= 0 && write(fd, &what, 1) == 1)
		rc = 0;
	if (fd >= 0) {
		int err = errno;

		close(fd);
		errno = err;
	}
	buf_free(&path);
	return rc;
}

/* postqueue_flush - postqueue -f */
void postqueue_flush(const struct params *cf)
{
	if (trigger(cf->queue_directory, "qmgr", 'F') < 0) {
		if (errno == ENXIO || errno == ENOENT || errno == ECONNREFUSED)
			postqueue_die(EX_UNAVAILABLE, "Cannot flush mail queue - mail system is down");
		postqueue_die(EX_UNAVAILABLE, "write %s/public/qmgr: %m", cf->queue_directory);
	}
	(void)trigger(cf->queue_directory, "pickup", 'W');
}
