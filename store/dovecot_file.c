/* dovecot_file - load a small file from a user's Maildir folder, cut it
 * into lines with limits (see dovecot_file.h). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dovecot_file.h"

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
			return -1;
		}
		buf_add(out, chunk, (size_t)n);
	}
	return 0;
}

/* dovecot_file_load - open without following links, check, read */
int dovecot_file_load(int dir_fd, const char *name, size_t max, struct buf *out,
		      struct buf *why)
{
	int fd = openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	int rc = -1;

	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0) {
		buf_printf(why, "%s: open: %s", name, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0)
		buf_printf(why, "%s: fstat: %s", name, strerror(errno));
	else if (!S_ISREG(st.st_mode))
		buf_printf(why, "%s: not a regular file", name);
	else if ((unsigned long long)st.st_size > max)
		buf_printf(why, "%s: longer than %zu bytes", name, max);
	else if (read_all(fd, name, max, out, why) == 0)
		rc = 1;
	close(fd);
	return rc;
}

/* dovecot_lines_next - one newline-terminated line, checked */
int dovecot_lines_next(struct dovecot_lines *ln, struct buf *line, struct buf *why)
{
	const char *nl = memchr(ln->p, '\n', (size_t)(ln->end - ln->p));
	size_t len;

	if (nl == NULL)
		return 0;	/* nothing left, or a line still being written */
	len = (size_t)(nl - ln->p);
	ln->lineno++;
	if (len > ln->max) {
		buf_printf(why, "%s, line %d: longer than %zu bytes", ln->path, ln->lineno, ln->max);
		return -1;
	}
	if (memchr(ln->p, '\0', len) != NULL) {
		buf_printf(why, "%s, line %d: NUL byte", ln->path, ln->lineno);
		return -1;
	}
	buf_reset(line);
	buf_add(line, ln->p, len);
	ln->p = nl + 1;
	return 1;
}
