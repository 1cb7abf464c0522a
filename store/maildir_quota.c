/* maildir_quota - read, recalculate and append to "maildirsize"; see
 * maildir_quota.h.
 *
 * The file is the user's: every number is at most 18 digits (sums are
 * checked for overflow), at most MAILDIR_QUOTA_FILE_MAX bytes are read,
 * and a bad line makes the file due for recalculation rather than
 * trusted.  Appends are one write() of one line with O_APPEND, so
 * concurrent writers' lines do not interleave.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "maildir_quota.h"

/* number - [-]1..18 digits at *pp (before end); the value into *v */
static bool number(const char **pp, const char *end, bool sign, long long *v)
{
	const char *p = *pp;
	bool neg = sign && p < end && *p == '-';
	int digits = 0;

	p += neg;
	for (*v = 0; p < end && *p >= '0' && *p <= '9' && digits < 18; digits++)
		*v = *v * 10 + (*p++ - '0');
	if (neg)
		*v = -*v;
	*pp = p;
	return digits > 0 && !(p < end && *p >= '0' && *p <= '9');
}

/* parse_def - "NNNS,MMMC": the limits into q; false when malformed */
static bool parse_def(const char *p, const char *end, struct maildir_quota *q)
{
	long long v;

	while (p < end) {
		if (!number(&p, end, false, &v) || p == end)
			return false;
		if (*p == 'S')
			q->bytes_limit = v;
		else if (*p == 'C')
			q->count_limit = v;
		else if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')))
			return false;
		if (++p < end && *p++ != ',')
			return false;
	}
	return true;
}

/* parse_use - "BYTES COUNT" (blanks around them allowed) added to q;
 * false when malformed */
static bool parse_use(const char *p, const char *end, struct maildir_quota *q)
{
	long long bytes, count;

	while (p < end && *p == ' ')
		p++;
	if (!number(&p, end, true, &bytes) || p == end || *p != ' ')
		return false;
	while (p < end && *p == ' ')
		p++;
	if (!number(&p, end, true, &count))
		return false;
	while (p < end && *p == ' ')
		p++;
	return p == end && !__builtin_add_overflow(q->bytes, bytes, &q->bytes)
	       && !__builtin_add_overflow(q->count, count, &q->count);
}

/* maildir_quota_parse - definition line, then the use lines */
int maildir_quota_parse(const char *text, size_t len, struct maildir_quota *q, struct buf *why)
{
	const char *p = text, *end = text + len;

	memset(q, 0, sizeof(*q));
	for (int line = 1; p < end; line++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *eol = nl ? nl : end;

		if (line == 1 && !parse_def(p, eol, q)) {
			buf_printf(why, "maildirsize, line 1: bad quota definition");
			errno = EINVAL;
			return -1;
		}
		if (line > 1 && eol > p && !parse_use(p, eol, q) && !q->recalc) {
			buf_printf(why, "maildirsize, line %d: not \"BYTES COUNT\"", line);
			q->recalc = true;
		}
		p = nl ? nl + 1 : end;
	}
	if (len >= MAILDIR_QUOTA_FILE_MAX || q->bytes < 0 || q->count < 0)
		q->recalc = true;
	return 0;
}

/* maildir_quota_read - 1 read, 0 no maildirsize, -1 error */
int maildir_quota_read(int root_fd, struct maildir_quota *q, struct buf *why)
{
	char text[MAILDIR_QUOTA_FILE_MAX];
	int fd = openat(root_fd, "maildirsize", O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	ssize_t n = -1;

	memset(q, 0, sizeof(*q));
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd >= 0 && fstat(fd, &st) == 0 && !S_ISREG(st.st_mode))
		errno = EINVAL;
	else if (fd >= 0)
		n = read(fd, text, sizeof(text));
	if (n < 0) {
		buf_printf(why, "read maildirsize: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	if (maildir_quota_parse(text, (size_t)n, q, why) < 0)
		return -1;
	if (st.st_size >= MAILDIR_QUOTA_FILE_MAX)
		q->recalc = true;
	return 1;
}

/* is_over - would one more message of bytes go past q's limits? */
static bool is_over(const struct maildir_quota *q, long long bytes)
{
	long long sum;

	if (q->bytes_limit > 0 && (__builtin_add_overflow(q->bytes, bytes, &sum) || sum > q->bytes_limit))
		return true;
	return q->count_limit > 0 && q->count >= q->count_limit;
}

/* maildir_quota_check - read (recalculate when due), then compare */
int maildir_quota_check(int root_fd, long long bytes, struct maildir_quota *q, struct buf *why)
{
	int rc = maildir_quota_read(root_fd, q, why);

	if (rc <= 0)
		return rc;
	if (q->recalc) {
		buf_reset(why);
		if (maildir_quota_recalc(root_fd, q, why) < 0)
			return -1;
	}
	return is_over(q, bytes) ? MAILDIR_QUOTA_OVER : MAILDIR_QUOTA_FITS;
}
