/* pidfile - locked pid files; see pidfile.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pidfile.h"

/* pidfile_lock - lock and fill path; the fd to keep open, or -1 */
int pidfile_lock(const char *path, struct buf *why)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	char text[32];
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	int n;

	if (fd < 0) {
		buf_printf(why, "open %s: %s", path, strerror(errno));
		return -1;
	}
	if (fcntl(fd, F_SETLK, &fl) < 0) {
		pid_t pid = 0;

		if (errno == EACCES || errno == EAGAIN) {
			pidfile_check(path, &pid);
			buf_printf(why, "already running (pid %ld, %s)", (long)pid, path);
		} else {
			buf_printf(why, "lock %s: %s", path, strerror(errno));
		}
		close(fd);
		return -1;
	}
	n = snprintf(text, sizeof(text), "%10ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, text, (size_t)n, 0) != n) {
		buf_printf(why, "write %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* pidfile_check - 1 and the pid if a live process holds the lock, else 0 */
int pidfile_check(const char *path, pid_t *pid_r)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	char text[32] = "";

	*pid_r = 0;
	if (fd < 0)
		return 0;
	if (read(fd, text, sizeof(text) - 1) > 0)
		*pid_r = (pid_t)strtol(text, NULL, 10);
	if (fcntl(fd, F_GETLK, &fl) < 0 || fl.l_type == F_UNLCK) {
		close(fd);
		return 0;	/* stale */
	}
	*pid_r = fl.l_pid;
	close(fd);
	return 1;
}
