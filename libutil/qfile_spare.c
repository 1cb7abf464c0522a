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
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "qfile_spare.h"
#include "queue_id.h"
#include "selfpid.h"

enum {
	RECOUNT = 64, CACHE = 256, EMPTY_WAIT = 1,
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

/* path_of - queue_dir/queue/id into out (callers pass checked names) */
static void path_of(char *out, size_t size, const char *queue_dir, const char *queue, const char *id)
{
	snprintf(out, size, "%s/%s/%s", queue_dir, queue, id);
}

/* qfile_spare_count - the queue IDs in queue_dir/spare, -1 when it cannot be read */
int qfile_spare_count(const char *queue_dir)
{
	char path[4096];
	struct dirent *de;
	DIR *dir;
	int n = 0;

	snprintf(path, sizeof(path), "%s/spare", queue_dir);
	if ((dir = opendir(path)) == NULL)
		return -1;
	while ((de = readdir(dir)) != NULL)
		n += queue_id_valid(de->d_name);
	closedir(dir);
	return n;
}

/* qfile_spare_forget - drop what this process believes about spare/ (tests) */
void qfile_spare_forget(void)
{
	cache.n = 0;
	cache.empty_at = 0;
	estimate = -1;
	since_count = 0;
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

/* empty_own - truncate the file at fd to nothing and set it to 0600 if it
 * is a plain file of ours; 0 when done */
static int empty_own(int fd)
{
	struct stat st;

	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink == 1 && st.st_uid == geteuid()
	    && ftruncate(fd, 0) == 0 && fchmod(fd, 0600) == 0)
		return 0;
	return -1;
}

/* qfile_spare_put - a finished queue/id (open at fd, or -1): emptied into
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
		ok = fd >= 0 && empty_own(fd) == 0
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
	int nown = 0, scanned = 0;
	struct dirent *de;
	DIR *dir;
	time_t now = time(NULL);

	if (cache.empty_at && now >= cache.empty_at && now - cache.empty_at < EMPTY_WAIT)
		return 0;
	snprintf(path, sizeof(path), "%s/spare", queue_dir);
	if ((dir = opendir(path)) != NULL) {
		while (nown < CACHE - FOREIGN && scanned++ < SCAN_MAX && (de = readdir(dir)) != NULL) {
			if (!queue_id_valid(de->d_name))
				continue;
			if (qfile_spare_slice(de->d_name) == mine)
				memcpy(own[nown++], de->d_name, strlen(de->d_name) + 1);
			else if (cache.n < FOREIGN)
				memcpy(cache.names[cache.n++], de->d_name, strlen(de->d_name) + 1);
		}
		closedir(dir);
	}
	shuffle(0);
	memcpy(cache.names[cache.n], own, sizeof(own[0]) * (size_t)nown);
	cache.n += nown;
	shuffle(cache.n - nown);
	cache.empty_at = cache.n ? 0 : now;
	return cache.n;
}

/* usable - is the file at fd a spare as qfile_spare_put leaves one? */
static int usable(int fd, const char *path)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return 0;
	if (S_ISREG(st.st_mode) && st.st_nlink == 1 && st.st_uid == geteuid() && st.st_size == 0
	    && (st.st_mode & 07777) == 0600)
		return 1;
	log_warn("%s: not an empty spare queue file (mode %04o, size %ld, links %lu): removed", path,
		 (unsigned)(st.st_mode & 07777), (long)st.st_size, (unsigned long)st.st_nlink);
	return 0;
}

/* qfile_spare_take - a spare renamed to queue_dir/queue/id and opened for
 * writing; -1 when there is none (or id is taken: try another) */
int qfile_spare_take(const char *queue_dir, const char *queue, const char *id)
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
		if ((fd = open(to, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) >= 0 && usable(fd, to)) {
			fcntl(fd, F_SETFL, 0);
			return fd;
		}
		if (fd >= 0)
			close(fd);
		unlink(to);
	}
	return -1;
}
