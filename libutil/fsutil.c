/* fsutil - durable filesystem helpers; see fsutil.h. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "deadline.h"
#include "fsutil.h"
#include "mem.h"

/* fsutil_fsync_dir_of - fsync the directory that holds path */
int fsutil_fsync_dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) : xstrdup(".");
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = -1;

	if (fd >= 0) {
		rc = fsync(fd);
		close(fd);
	}
	free(dir);
	return rc;
}

/* fsutil_read_until - everything written to fd until EOF or the deadline */
int fsutil_read_until(int fd, long long deadline, struct buf *out, size_t keep)
{
	char chunk[8192];
	bool overflow = false;

	for (;;) {
		ssize_t got;

		if (deadline_wait(fd, POLLIN, deadline) <= 0)
			return 0;
		if ((got = read(fd, chunk, sizeof(chunk))) < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return overflow ? -1 : 1;
		if (buf_len(out) + (size_t)got > keep) {
			overflow = true;
			got = (ssize_t)(keep - buf_len(out));
		}
		buf_add(out, chunk, (size_t)got);
	}
}
