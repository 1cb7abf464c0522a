/* unix_connect - connect to a UNIX stream socket by path. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "unix_connect.h"

/* connect_path - socket(2) with extra type flags, then connect; a
 * non-blocking connect still in progress (EAGAIN: backlog full) fails */
static int connect_path(const char *path, int flags, struct buf *why)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd, err;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		if (why)
			buf_printf(why, "connect to %s: path too long", path);
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | flags, 0)) < 0
	    || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		err = errno;
		if (why)
			buf_printf(why, "connect to %s: %s", path, strerror(err));
		if (fd >= 0)
			close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

/* unix_connect - a blocking connect (see unix_connect.h) */
int unix_connect(const char *path, struct buf *why)
{
	return connect_path(path, 0, why);
}

/* unix_connect_nonblock - a connect that never waits */
int unix_connect_nonblock(const char *path, struct buf *why)
{
	return connect_path(path, SOCK_NONBLOCK, why);
}
