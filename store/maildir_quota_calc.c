/* maildir_quota_calc - recalculating "maildirsize" from the messages,
 * and the one-line appends after a delivery or an expunge; see
 * maildir_quota.h.
 *
 * A delivery or an expunge during the scan may be counted or not: as the
 * spec asks, a new/ or cur/ modified after the recalculation started
 * (mtime later than the start) makes it start over, once; a second such
 * change leaves the result written but marked q.recalc (the next reader
 * does it again).  The start is read from the fine clock: the kernel's
 * file stamps never run ahead of it, so an earlier change is never taken
 * for a later one; one within the same clock tick as the start can go
 * unnoticed (the stamps are coarser), as with the spec's seconds.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "maildir.h"
#include "maildir_folder.h"
#include "maildir_quota.h"
#include "maildir_scan.h"
#include "selfpid.h"

/* gone - a folder (or its new/ or cur/) removed meanwhile counts as
 * empty: forget the reason, 0; otherwise -1 */
static int gone(struct buf *why, size_t why_len)
{
	if (errno != ENOENT)
		return -1;
	buf_truncate(why, why_len);
	return 0;
}

/* is_changed - was new/ or cur/ below fd modified after since? */
static bool is_changed(int fd, const struct timespec *since)
{
	static const char *const subs[] = { "new", "cur" };
	struct stat st;

	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (fstatat(fd, subs[i], &st, AT_SYMLINK_NOFOLLOW) == 0
		    && (st.st_mtim.tv_sec > since->tv_sec
			|| (st.st_mtim.tv_sec == since->tv_sec && st.st_mtim.tv_nsec > since->tv_nsec)))
			return true;
	return false;
}

/* sum_folder - the messages of the folder at path below root into q;
 * *changed set when it was modified after since */
static int sum_folder(int root_fd, const char *path, struct maildir_quota *q,
		      const struct timespec *since, bool *changed, struct buf *why)
{
	size_t why_len = buf_len(why);
	int fd = maildir_open_path(root_fd, path, 0, why), rc = 0;
	struct maildir_scan *s = NULL;

	if (fd < 0)
		return gone(why, why_len);
	if (maildir_scan(fd, MAILDIR_QUOTA_SCAN_MAX, &s, why) < 0)
		rc = gone(why, why_len);
	if (is_changed(fd, since))
		*changed = true;
	close(fd);
	for (size_t i = 0; s && i < s->len; i++)
		if (__builtin_add_overflow(q->bytes, (long long)s->msgs[i].size, &q->bytes)
		    || __builtin_add_overflow(q->count, 1, &q->count)) {
			buf_printf(why, "%s: sizes add up beyond the counter", path);
			errno = EOVERFLOW;
			rc = -1;
			break;
		}
	maildir_scan_free(&s);
	return rc;
}

/* maildir_quota_write - "LIMITS\nBYTES COUNT\n" into tmp/, renamed to
 * maildirsize */
int maildir_quota_write(int root_fd, const struct maildir_quota *q, struct buf *why)
{
	char name[64], text[128];
	int tmp_fd = maildir_open_path(root_fd, "tmp", 0, why), fd = -1, len, rc = -1;

	if (tmp_fd < 0)
		return -1;
	snprintf(name, sizeof(name), "maildirsize.%ld", (long)self_pid());
	len = snprintf(text, sizeof(text), "%lldS,%lldC\n%lld %lld\n", q->bytes_limit,
		       q->count_limit, q->bytes, q->count);
	unlinkat(tmp_fd, name, 0);
	errno = EIO;	/* what a short write reports: it sets none */
	fd = openat(tmp_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd >= 0 && write(fd, text, (size_t)len) == len && fsync(fd) == 0
	    && renameat(tmp_fd, name, root_fd, "maildirsize") == 0)
		rc = 0;
	else
		buf_printf(why, "write maildirsize: %s", strerror(errno));
	if (fd >= 0)
		close(fd);
	if (rc < 0)
		unlinkat(tmp_fd, name, 0);
	close(tmp_fd);
	return rc;
}

/* sum_all - the INBOX and the folders but Trash, summed into q */
static int sum_all(int root_fd, struct maildir_quota *q, bool *changed, struct buf *why)
{
	struct strv *folders = NULL;
	struct buf *path = buf_new(64);
	struct timespec since;
	int rc;

	clock_gettime(CLOCK_REALTIME, &since);
	q->bytes = q->count = 0;
	*changed = false;
	rc = sum_folder(root_fd, ".", q, &since, changed, why);
	if (rc == 0)
		rc = maildir_folder_list(root_fd, &folders, why);
	for (size_t i = 0; rc == 0 && i < folders->len; i++) {
		if (strcmp(folders->items[i], "Trash") == 0)
			continue;
		buf_reset(path);
		buf_printf(path, ".%s", folders->items[i]);
		rc = sum_folder(root_fd, buf_str(path), q, &since, changed, why);
	}
	strv_free(&folders);
	buf_free(&path);
	return rc;
}

/* maildir_quota_recalc - sum (again if the Maildir changed meanwhile),
 * then replace maildirsize */
int maildir_quota_recalc(int root_fd, struct maildir_quota *q, struct buf *why)
{
	bool changed = false;

	for (int attempt = 0; attempt == 0 || (changed && attempt < 2); attempt++)
		if (sum_all(root_fd, q, &changed, why) < 0)
			return -1;
	q->recalc = changed;
	return maildir_quota_write(root_fd, q, why);
}

/* maildir_quota_add - one "BYTES COUNT" line appended (no file: nothing) */
int maildir_quota_add(int root_fd, long long bytes, long long count, struct buf *why)
{
	int fd = openat(root_fd, "maildirsize", O_WRONLY | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	char line[64];
	int len = snprintf(line, sizeof(line), "%lld %lld\n", bytes, count);
	struct stat st;
	int rc = -1;

	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd >= 0 && fstat(fd, &st) == 0 && !S_ISREG(st.st_mode))
		errno = EINVAL;
	else if (fd >= 0 && write(fd, line, (size_t)len) == len)
		rc = 0;
	if (rc < 0)
		buf_printf(why, "append to maildirsize: %s", strerror(errno));
	if (fd >= 0)
		close(fd);
	return rc;
}
