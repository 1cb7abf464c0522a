/* trigger - a wakeup into a FIFO or a UNIX socket; see trigger.h. */
#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trigger.h"
#include "unix_connect.h"

/* trigger_send - open as a FIFO; a socket (ENXIO) gets a connection.  A
 * FIFO without a reader is ENXIO too: then the connect fails as well */
int trigger_send(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY), err;
	struct stat st;
	ssize_t n = -1;

	if (fd < 0 && errno == ENXIO)
		fd = unix_connect_nonblock(path, NULL);
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
