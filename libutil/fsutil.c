/* fsutil - durable filesystem helpers; see fsutil.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

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

/* read_all - fd into out, refusing more than max bytes; 0 or -1 */
static int read_all(int fd, const char *name, size_t max, struct buf *out, struct buf *why)
{
	char chunk[65536];
	ssize_t n;

	buf_reset(out);
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			buf_printf(why, "%s: read: %s", name, strerror(errno));
			return -1;
		}
		if ((size_t)n > max - buf_len(out)) {
			buf_printf(why, "%s: longer than %zu bytes", name, max);
			errno = EFBIG;
			return -1;
		}
		buf_add(out, chunk, (size_t)n);
	}
	return 0;
}

/* fsutil_load_at - name below dir_fd, not following links, a regular
 * file of at most max bytes, into out: 1, 0 absent, -1 with why (errno
 * EFBIG when too long) */
int fsutil_load_at(int dir_fd, const char *name, size_t max, struct buf *out,
		      struct buf *why)
{
	int fd = openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	int rc = -1, err;

	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0) {
		buf_printf(why, "%s: open: %s", name, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0)
		buf_printf(why, "%s: fstat: %s", name, strerror(errno));
	else if (!S_ISREG(st.st_mode)) {
		buf_printf(why, "%s: not a regular file", name);
		errno = EINVAL;
	}
	else if ((unsigned long long)st.st_size > max) {
		buf_printf(why, "%s: longer than %zu bytes", name, max);
		errno = EFBIG;
	}
	else if (read_all(fd, name, max, out, why) == 0)
		rc = 1;
	err = errno;
	close(fd);
	errno = err;
	return rc;
}

/* fsutil_pread_all - see fsutil.h */
int fsutil_pread_all(int fd, unsigned long long off, size_t len, struct buf *out)
{
	size_t start = buf_len(out);

	buf_reserve(out, len);
	while (len > 0) {
		ssize_t n = pread(fd, out->data + out->len, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = 0;
			buf_truncate(out, start);
			return -1;
		}
		out->len += (size_t)n;
		out->data[out->len] = '\0';
		off += (unsigned long long)n;
		len -= (size_t)n;
	}
	return 0;
}

/* fsutil_replace - see fsutil.h */
int fsutil_replace(const char *path, const void *data, size_t len, unsigned mode,
		   struct buf *why)
{
	struct buf *tmp = buf_new(64);
	int fd, rc = -1;

	buf_printf(tmp, "%s.tmp.%ld", path, (long)getpid());
	fd = open(buf_str(tmp), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		buf_printf(why, "create %s: %s", buf_str(tmp), strerror(errno));
	else if (write(fd, data, len) != (ssize_t)len || fchmod(fd, (mode_t)mode) < 0 ||
		 fsync(fd) < 0)
		buf_printf(why, "write %s: %s", buf_str(tmp), strerror(errno));
	else if (rename(buf_str(tmp), path) < 0)
		buf_printf(why, "rename %s to %s: %s", buf_str(tmp), path, strerror(errno));
	else if (fsutil_fsync_dir_of(path) < 0)
		buf_printf(why, "fsync directory of %s: %s", path, strerror(errno));
	else
		rc = 0;
	if (fd >= 0)
		close(fd);
	if (rc < 0 && fd >= 0)
		unlink(buf_str(tmp));
	buf_free(&tmp);
	return rc;
}

/* fsutil_exe_dir - see fsutil.h */
int fsutil_exe_dir(struct buf *out)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (n <= 0)
		return -1;
	exe[n] = '\0';
	if ((slash = strrchr(exe, '/')) == NULL)
		return -1;
	buf_add(out, exe, (size_t)(slash - exe));
	return 0;
}
