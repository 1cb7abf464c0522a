/* cleanup_maildrop - a message pickup takes from maildrop/ is queued once,
 * even when pickup dies between cleanup's commit and its own removal of
 * the maildrop file and then, restarted, offers the same file again.
 *
 * pickup asks for the maildrop file's name (a queue ID postdrop chose) as
 * the queue ID.  For the whole session cleanup holds an flock on the
 * maildrop file, so no two cleanups work on one file at a time.  Then:
 *   1. a complete queue file with that ID in incoming/, active/, deferred/
 *      or hold/: the message is queued already; answer 250, make nothing;
 *   2. the maildrop file has no link left: it was queued and has gone
 *      (whoever retires a queue file that came from maildrop/ removes
 *      maildrop/ID first: qfile_maildrop_release); answer 250 likewise;
 *   3. else create incoming/ID; an incomplete incoming/ID left by a dead
 *      cleanup is first completed (qfile_settle: it was whole, case 1) or
 *      removed.
 * 1 looks before 2, the reverse of the retirement order, so a copy retired
 * meanwhile is seen by one or the other.  The queue directories are looked
 * at twice, as qmgr may move the file from one not yet looked at to one
 * already looked at in between.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "log.h"
#include "qfile.h"
#include "queue_id.h"

enum { LOCK_WAIT_MS = 10 * 1000, LOCK_STEP_MS = 20 };

static const char *const queues[] = { "incoming", "active", "deferred", "hold" };

/* lock_maildrop_file - maildrop/NAME opened and locked: fd; -1 with errno */
static int lock_maildrop_file(const char *name)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "maildrop/%s", name);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	for (int waited = 0; flock(fd, LOCK_EX | LOCK_NB) < 0; waited += LOCK_STEP_MS) {
		if ((errno != EWOULDBLOCK && errno != EINTR) || waited >= LOCK_WAIT_MS) {
			int saved = errno;

			close(fd);
			errno = saved;
			return -1;
		}
		nanosleep(&(struct timespec){ 0, LOCK_STEP_MS * 1000000L }, NULL);
	}
	return fd;
}

/* look - 1 a complete queue file name exists, 0 none, -1 an incomplete
 * incoming/name that someone holds or that cannot be removed */
static int look(const char *name)
{
	char path[64];
	struct stat st;

	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < sizeof(queues) / sizeof(queues[0]); i++) {
			snprintf(path, sizeof(path), "%s/%s", queues[i], name);
			if (lstat(path, &st) < 0)
				continue;
			if (i > 0 || (st.st_mode & S_IXUSR))
				return 1;
			switch (qfile_settle(path)) {	/* a dead cleanup's */
			case 1: return 1;
			case 0: continue;
			default: return -1;
			}
		}
	}
	return 0;
}

/* cleanup_maildrop_claim - see above; *lock_r is the maildrop file's lock
 * (-1 when there is none), to be closed after the queue file is committed
 * or removed */
enum maildrop_claim cleanup_maildrop_claim(const char *name, struct qfile_out **qf_r,
					   int *lock_r, struct buf *why)
{
	struct stat st;
	int found;

	*qf_r = NULL;
	if (!queue_id_valid(name)) {
		buf_printf(why, "maildrop file name \"%.40s\" is not a queue ID", name);
		return MAILDROP_FAILED;
	}
	if ((*lock_r = lock_maildrop_file(name)) < 0) {
		if (errno == ENOENT)
			return MAILDROP_QUEUED;	/* queued and gone (or removed by hand) */
		buf_printf(why, "lock maildrop/%s: %m", name);
		return MAILDROP_FAILED;
	}
	if ((found = look(name)) != 0) {
		if (found < 0)
			buf_printf(why, "incoming/%s is held by another process", name);
		return found > 0 ? MAILDROP_QUEUED : MAILDROP_FAILED;
	}
	if (fstat(*lock_r, &st) < 0 || st.st_nlink == 0)
		return MAILDROP_QUEUED;
	if ((*qf_r = qfile_create_as(".", "incoming", name, why)) == NULL) {
		if (buf_len(why) == 0)
			buf_printf(why, "create incoming/%s: %m", name);
		return MAILDROP_FAILED;
	}
	return MAILDROP_NEW;
}
