/* trigger - a wakeup into a FIFO or a UNIX socket; see trigger.h. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "trigger.h"

/* socket_fd - a non-blocking connection to the UNIX socket at path */
static int socket_fd(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd, err;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 && errno != EINPROGRESS) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

/* trigger_send - open as a FIFO; a socket (ENXIO) gets a connection.  A
 * FIFO without a reader is ENXIO too: then the connect fails as well */
int trigger_send(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY), err;
	struct stat st;
	ssize_t n = -1;

	if (fd < 0 && errno == ENXIO)
		fd = socket_fd(path);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		n = -1;
	else if (S_ISSOCK(st.st_mode))
		n = send(fd, data, len, MSG_DONTWAIT | MSG_NOSIGNAL);
	else if (S_ISFIFO(st.st_mode))
		n = write(fd, data, len);
	else
		errno = EINVAL;		/* a plain file in public/: not ours to write */
	err = errno;
	close(fd);
	errno = err;
	return n == (ssize_t)len ? 0 : -1;
}
