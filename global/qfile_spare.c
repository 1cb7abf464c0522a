/* qfile_spare - spare queue files; see qfile_spare.h for the protocol and
 * why.
 *
 * The putting side (one queue manager) keeps an estimate of spare/'s size
 * and counts the directory again when it looks full.  The taking side
 * (many cleanup processes) reads up to CACHE names at a time.  Every
 * cleanup would read the same first names of the directory, so each keeps
 * the names of its own slice (a hash of the name, modulo SLICES, against
 * its process ID modulo SLICES) and only a few others, taken last, in a
 * random order: processes rarely race for the same name (a lost race is
 * an ENOENT from rename, nothing worse; without slices, 10 concurrent
 * cleanups lost 3.7 races per spare taken).  When spare/ was found empty
 * it is not read again for EMPTY_WAIT seconds: a directory that once held
 * thousands of names costs a read of all its blocks even when empty.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "qfile_spare.h"
#include "queue_id.h"
#include "queue_scan.h"
#include "selfpid.h"

enum {
	RECOUNT = 64, RECHECK = 16, CACHE = 256, EMPTY_WAIT = 1,
	SLICES = QFILE_SPARE_SLICES, FOREIGN = CACHE / 8,	/* other slices' names kept, at most */
	SCAN_MAX = 2 * QFILE_SPARE_MAX,		/* directory entries read per refill */
};

static struct {
	char names[CACHE][QUEUE_ID_SIZE];
	int n;
	time_t empty_at;	/* when spare/ was last found empty, or 0 */
} cache;

static int estimate = -1;	/* spare/ files, as the putting side believes */
static unsigned since_count;	/* puts since spare/ was counted */
static int keeping = -1;	/* spares keep their blocks: enough free space */
static unsigned since_statvfs;	/* puts since the free space was looked at */
static unsigned long long keep_free = QFILE_SPARE_KEEP_FREE;

/* path_of - queue_dir/queue/id into out (callers pass checked names) */
static void path_of(char *out, size_t size, const char *queue_dir, const char *queue, const char *id)
{
	snprintf(out, size, "%s/%s/%s", queue_dir, queue, id);
}

/* qfile_spare_count - the queue IDs in queue_dir/spare, -1 when it cannot be read */
int qfile_spare_count(const char *queue_dir)
{
	char path[4096];
	struct queue_scan qs;
	int n = 0;

	snprintf(path, sizeof(path), "%s/spare", queue_dir);
	if (queue_scan_open(&qs, path, QUEUE_SCAN_IDS, 0) < 0)
		return -1;
	while (queue_scan_next(&qs) != NULL)
		n++;
	queue_scan_close(&qs);
	return n;
}

/* qfile_spare_forget - drop what this process believes about spare/ (tests) */
void qfile_spare_forget(void)
{
	cache.n = 0;
	cache.empty_at = 0;
	estimate = -1;
	since_count = 0;
	keeping = -1;
	since_statvfs = 0;
}

/* qfile_spare_set_keep_free - the free bytes below which spares are
 * emptied (tests; QFILE_SPARE_KEEP_FREE otherwise) */
void qfile_spare_set_keep_free(unsigned long long bytes)
{
	keep_free = bytes;
	keeping = -1;
}

/* trim - empty every spare that kept its blocks (the file system runs
 * short: they must not keep smtpd under queue_minfree) */
static void trim(const char *queue_dir)
{
	char path[4096];
	struct queue_scan qs;
	struct stat st;
	const char *id;
	int n = 0;

	snprintf(path, sizeof(path), "%s/spare", queue_dir);
	if (queue_scan_open(&qs, path, QUEUE_SCAN_IDS, 0) < 0)
		return;
	while ((id = queue_scan_next(&qs)) != NULL) {
		int fd;

		/* the lock keeps a cleanup that has just taken this spare from
		 * writing before the truncate (qfile_create locks before it
		 * writes); one that holds it already is left alone */
		fd = openat(queue_scan_dirfd(&qs), id, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0 && fstat(fd, &st) == 0
		    && S_ISREG(st.st_mode) && st.st_uid == geteuid() && st.st_size > 0
		    && ftruncate(fd, 0) == 0)
			n++;
		if (fd >= 0)
			close(fd);
	}
	queue_scan_close(&qs);
	if (n)
		log_info("queue file system below %llu MB free: %d spare queue files emptied",
			 keep_free >> 20, n);
}

/* keep_blocks - may a spare keep its blocks?  Only while the queue's file
 * system has QFILE_SPARE_KEEP_FREE bytes free (looked at every RECHECK
 * puts); when it falls below, the spares that kept theirs are emptied */
static int keep_blocks(const char *queue_dir)
{
	if (keeping < 0 || ++since_statvfs >= RECHECK) {
		struct statvfs sv;
		int was = keeping;

		keeping = statvfs(queue_dir, &sv) == 0
			  && (unsigned long long)sv.f_bavail * sv.f_frsize >= keep_free;
		since_statvfs = 0;
		if (!keeping && was != 0)
			trim(queue_dir);
	}
	return keeping;
}

/* room - may one more file go to spare/?  The estimate only grows here
 * (cleanup's takes are not seen), so a full-looking spare/ is counted
 * again, at most every RECOUNT puts */
static int room(const char *queue_dir)
{
	if (estimate < 0 || (estimate >= QFILE_SPARE_MAX && ++since_count >= RECOUNT)) {
		estimate = qfile_spare_count(queue_dir);
		since_count = 0;
	}
	return estimate >= 0 && estimate < QFILE_SPARE_MAX;
}

/* retire_own - make the file at fd a spare if it is a plain file of ours:
 * overwritten with zeros (the delivered message does not stay on disk,
 * and no queue file starts with NUL, so it can never validate again) and
 * mode 0600; its blocks are kept for the next message when it is at most
 * QFILE_SPARE_KEEP bytes and keep says so, else it is emptied.  0 when
 * done */
static int retire_own(int fd, int keep)
{
	static const char zeros[QFILE_SPARE_KEEP];
	struct stat st;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1 || st.st_uid != geteuid())
		return -1;
	if (st.st_size > 0) {
		bool keep_these = keep && st.st_size <= QFILE_SPARE_KEEP;

		if (keep_these ? pwrite(fd, zeros, (size_t)st.st_size, 0) != st.st_size : ftruncate(fd, 0) < 0)
			return -1;
	}
	return fchmod(fd, 0600);
}

/* qfile_spare_put - a finished queue/id (open at fd, or -1): retired into
 * spare/, or else removed; -1 (errno) only when it could not even be
 * removed.  The caller still closes fd. */
int qfile_spare_put(const char *queue_dir, const char *queue, const char *id, int fd)
{
	char from[4096], to[4096];
	int own = -1, ok = 0;

	if (!queue_id_valid(id)) {
		errno = EINVAL;
		return -1;
	}
	path_of(from, sizeof(from), queue_dir, queue, id);
	path_of(to, sizeof(to), queue_dir, "spare", id);
	if (room(queue_dir)) {
		if (fd < 0)
			fd = own = open(from, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		/* no reuse while another opener may still mark recipients
		 * (qfile_open with QFILE_RDWR holds a shared lock): an agent of
		 * an interrupted attempt would write into the next message */
		ok = fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0
		     && retire_own(fd, keep_blocks(queue_dir)) == 0
		     && renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0;
		if (own >= 0)
			close(own);
	}
	if (ok) {
		estimate++;
		return 0;
	}
	return unlink(from) == 0 || errno == ENOENT ? 0 : -1;
}

/* shuffle - cached names [from, cache.n) in a random order (one getrandom
 * per refill, then xorshift: the order only has to differ between
 * processes) */
static void shuffle(int from)
{
	unsigned long long x = 0;

	if (getrandom(&x, sizeof(x), GRND_NONBLOCK) != (ssize_t)sizeof(x) || x == 0)
		x = (unsigned long long)self_pid() * 2654435761u + 1;
	for (int i = cache.n - 1 - from; i > 0; i--) {
		char tmp[QUEUE_ID_SIZE];
		int r;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		r = from + (int)(x % (unsigned long long)(i + 1));
		memcpy(tmp, cache.names[from + i], QUEUE_ID_SIZE);
		memcpy(cache.names[from + i], cache.names[r], QUEUE_ID_SIZE);
		memcpy(cache.names[r], tmp, QUEUE_ID_SIZE);
	}
}

/* qfile_spare_slice - the slice a spare name belongs to (FNV-1a of the
 * name); a taking process prefers slice self_pid() % QFILE_SPARE_SLICES */
unsigned qfile_spare_slice(const char *name)
{
	unsigned h = 2166136261u;

	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 16777619u;
	return h % SLICES;
}

/* refill - spare/'s names into the cache: up to FOREIGN of other slices
 * at the bottom (taken last), this process's slice above them, shuffled;
 * 0 when there are none */
static int refill(const char *queue_dir)
{
	char path[4096], own[CACHE - FOREIGN][QUEUE_ID_SIZE];
	unsigned mine = (unsigned)self_pid() % SLICES;
	int nown = 0;
	struct queue_scan qs;
	const char *id;
	time_t now = time(NULL);

	if (cache.empty_at && now >= cache.empty_at && now - cache.empty_at < EMPTY_WAIT)
		return 0;
	snprintf(path, sizeof(path), "%s/spare", queue_dir);
	if (queue_scan_open(&qs, path, QUEUE_SCAN_IDS, SCAN_MAX) == 0) {
		while (nown < CACHE - FOREIGN && (id = queue_scan_next(&qs)) != NULL) {
			if (qfile_spare_slice(id) == mine)
				memcpy(own[nown++], id, strlen(id) + 1);
			else if (cache.n < FOREIGN)
				memcpy(cache.names[cache.n++], id, strlen(id) + 1);
		}
		queue_scan_close(&qs);
	}
	shuffle(0);
	memcpy(cache.names[cache.n], own, sizeof(own[0]) * (size_t)nown);
	cache.n += nown;
	shuffle(cache.n - nown);
	cache.empty_at = cache.n ? 0 : now;
	return cache.n;
}

/* usable - is the file at fd a spare as qfile_spare_put leaves one?  Its
 * size into *size_r */
static int usable(int fd, const char *path, off_t *size_r)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return 0;
	*size_r = st.st_size;
	if (S_ISREG(st.st_mode) && st.st_nlink == 1 && st.st_uid == geteuid()
	    && st.st_size <= QFILE_SPARE_KEEP && (st.st_mode & 07777) == 0600)
		return 1;
	log_warn("%s: not a spare queue file (mode %04o, size %ld, links %lu): removed", path,
		 (unsigned)(st.st_mode & 07777), (long)st.st_size, (unsigned long)st.st_nlink);
	return 0;
}

/* qfile_spare_take - a spare renamed to queue_dir/queue/id and opened for
 * writing, its old size into *size_r (the writer overwrites from the start
 * and truncates to its own length at commit); -1 when there is none (or id
 * is taken: try another) */
int qfile_spare_take(const char *queue_dir, const char *queue, const char *id, off_t *size_r)
{
	char from[4096], to[4096];

	if (!queue_id_valid(id))
		return -1;
	path_of(to, sizeof(to), queue_dir, queue, id);
	while (cache.n > 0 || refill(queue_dir)) {
		int fd;

		path_of(from, sizeof(from), queue_dir, "spare", cache.names[--cache.n]);
		if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) < 0) {
			if (errno == EEXIST || errno == EINVAL || errno == ENOTDIR)
				return -1;
			continue;	/* ENOENT: another process took it */
		}
		if ((fd = open(to, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) >= 0 && usable(fd, to, size_r)) {
			fcntl(fd, F_SETFL, 0);
			return fd;
		}
		if (fd >= 0)
			close(fd);
		unlink(to);
	}
	return -1;
}
