/* conn_count - per-key session counts with byte-range locks; see
 * conn_count.h.  A file named by a key exists while a session holds it:
 * the last one to leave takes a lock on the whole file, and only while it
 * holds it removes the name.  A newcomer that finds the whole file locked
 * waits a moment and opens the name afresh; one that locked a byte of a
 * file removed meanwhile (the name no longer leads to it) starts over.  So
 * two sessions can never count in two different files of one key.
 * The locks are open file description (OFD) locks: each slot is its own
 * open of the file, so one process may hold several, and a slot is only
 * given back by its holder (a POSIX lock goes when its process closes any
 * descriptor of the file).  A free byte is found in a few tries whatever
 * the count (the kernel walks every lock of the file per fcntl, so one
 * fcntl per session held, as a first-free scan did, made a login at 7,000
 * sessions of a key take a second): the file's first bytes hold a hint,
 * the byte after the one last taken (or the one last given back), tried
 * first; then bytes at random; then, only when those were all held, every
 * byte in turn, which is also how "all held" is known.  The hint is only
 * a guess: races on it cost a try, never a wrong count.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "conn_count.h"
#include "mem.h"
#include "sha256.h"

enum { OPEN_TRIES = 200, NAME_PLAIN_MAX = 200, RANDOM_TRIES = 24 };

struct conn_count {
	int dir_fd;		/* BASE/SERVICE.sessions */
	uid_t uid;		/* its owner, and every file's */
	gid_t gid;
	char *path;		/* for messages */
};

static const char safe[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.:@+,=_-";

/* is_safe_name - a service name fit for a directory name */
static bool is_safe_name(const char *s)
{
	return *s && *s != '.' && strspn(s, safe) == strlen(s) && strlen(s) < NAME_PLAIN_MAX;
}

/* conn_count_open - the service's directory, made and given to uid:gid */
struct conn_count *conn_count_open(const char *base_dir, const char *service, uid_t uid, gid_t gid,
				   struct buf *why)
{
	struct conn_count *cc;
	struct buf *path;
	struct stat sb;
	int fd;

	if (!is_safe_name(service)) {
		buf_printf(why, "conn_count: bad service name \"%s\"", service);
		return NULL;
	}
	path = buf_new(128);
	buf_printf(path, "%s/%s.sessions", base_dir, service);
	if (mkdir(buf_str(path), 0700) < 0 && errno != EEXIST)
		buf_printf(why, "mkdir %s: %s", buf_str(path), strerror(errno));
	else if ((fd = open(buf_str(path), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		buf_printf(why, "open %s: %s", buf_str(path), strerror(errno));
	else if (fstat(fd, &sb) < 0 ||
		 ((sb.st_uid != uid || sb.st_gid != gid) && fchown(fd, uid, gid) < 0) ||
		 ((sb.st_mode & 07777) != 0700 && fchmod(fd, 0700) < 0)) {
		buf_printf(why, "%s: cannot give it to %ld:%ld, mode 0700: %s", buf_str(path), (long)uid,
			   (long)gid, strerror(errno));
		close(fd);
	} else {
		cc = xcalloc(1, sizeof(*cc));
		*cc = (struct conn_count){ .dir_fd = fd, .uid = uid, .gid = gid, .path = buf_steal(&path) };
		return cc;
	}
	buf_free(&path);
	return NULL;
}

/* conn_count_close - forget the directory (held slots stay held) */
void conn_count_close(struct conn_count **ccp)
{
	if (*ccp == NULL)
		return;
	close((*ccp)->dir_fd);
	free((*ccp)->path);
	free(*ccp);
	*ccp = NULL;
}

/* key_name - the file name of key: the key with unsafe bytes as %XX, or
 * '#' and its SHA-256 in hex when that would be long; -1 for an empty key */
static int key_name(const char *key, char name[CONN_COUNT_NAME_MAX])
{
	unsigned char md[SHA256_LEN];
	size_t n = 0;

	if (*key == '\0')
		return -1;
	for (const char *p = key; *p && n <= NAME_PLAIN_MAX; p++) {
		if (strchr(safe, *p) && !(p == key && *p == '.'))
			name[n++] = *p;
		else
			n += (size_t)snprintf(name + n, 4, "%%%02X", (unsigned char)*p);
	}
	name[n] = '\0';
	if (n <= NAME_PLAIN_MAX)
		return 0;
	sha256(key, strlen(key), md);
	name[0] = '#';
	for (unsigned int i = 0; i < SHA256_LEN; i++)
		snprintf(name + 1 + 2 * i, 3, "%02x", md[i]);
	return 0;
}

/* lock_byte - F_OFD_SETLK one byte (len 1) or the whole file (len 0) */
static int lock_byte(int fd, long offset, long len, short type)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = offset, .l_len = len };

	return fcntl(fd, F_OFD_SETLK, &fl);
}

/* other_lock - the length of another holder's lock on byte offset:
 * -1 none, 0 a lock on the whole file, else 1 */
static long other_lock(int fd, long offset)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = offset, .l_len = 1 };

	if (fcntl(fd, F_OFD_GETLK, &fl) < 0 || fl.l_type == F_UNLCK)
		return -1;
	return fl.l_len;
}

/* hint_get - the byte the file's hint names, in [0, n) */
static int hint_get(int fd, int n)
{
	uint32_t h = 0;

	if (pread(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h))
		return 0;
	return (int)(h % (uint32_t)n);
}

/* hint_put - the byte the next newcomer tries first */
static void hint_put(int fd, int slot)
{
	uint32_t h = (uint32_t)slot;

	(void)!pwrite(fd, &h, sizeof(h), 0);
}

/* random_below - a byte of [0, n) at random */
static int random_below(int n)
{
	uint32_t r;

	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r))
		r = (uint32_t)getpid() * 2654435761u;
	return (int)(r % (uint32_t)n);
}

/* take_slot - lock a free byte of [0, n): the hint's, else one of
 * RANDOM_TRIES at random, else the first free one from a random start;
 * its offset, or -1 when every byte is held (or the whole file is) */
static int take_slot(int fd, int n)
{
	int at = hint_get(fd, n), slot = -1;

	if (lock_byte(fd, at, 1, F_WRLCK) == 0)
		slot = at;
	else if (other_lock(fd, at) == 0)
		return -1;	/* the last one is leaving: the caller opens afresh */
	for (int i = 0; slot < 0 && n > 1 && i < RANDOM_TRIES; i++)
		if (lock_byte(fd, at = random_below(n), 1, F_WRLCK) == 0)
			slot = at;
	for (int i = 0, start = random_below(n); slot < 0 && i < n; i++)
		if (lock_byte(fd, at = (start + i) % n, 1, F_WRLCK) == 0)
			slot = at;
	if (slot >= 0)
		hint_put(fd, (slot + 1) % n);
	return slot;
}

/* open_checked - the key's file, created if need be; an existing one must
 * be a plain file of the directory's owner with one link (the directory
 * is that user's: a file it placed there must not become its by fchown) */
static int open_checked(struct conn_count *cc, const char *name, struct stat *sb, struct buf *why)
{
	int flags = O_RDWR | O_NOFOLLOW | O_CLOEXEC;
	int fd = openat(cc->dir_fd, name, flags | O_CREAT | O_EXCL, 0600);
	bool created = fd >= 0;

	if (fd < 0 && errno == EEXIST)
		fd = openat(cc->dir_fd, name, flags);
	if (fd < 0) {
		buf_printf(why, "open %s/%s: %s", cc->path, name, strerror(errno));
		return -1;
	}
	if (created && geteuid() != cc->uid && fchown(fd, cc->uid, cc->gid) < 0)
		buf_printf(why, "fchown %s/%s: %s; ", cc->path, name, strerror(errno));
	if (fstat(fd, sb) < 0 || !S_ISREG(sb->st_mode) || sb->st_nlink != 1 || sb->st_uid != cc->uid) {
		buf_printf(why, "%s/%s: not a plain file of uid %ld", cc->path, name, (long)cc->uid);
		close(fd);
		return -1;
	}
	return fd;
}

/* still_named - the name still leads to the file open as fd */
static bool still_named(const struct conn_count *cc, const char *name, const struct stat *was)
{
	struct stat now;

	return fstatat(cc->dir_fd, name, &now, AT_SYMLINK_NOFOLLOW) == 0 &&
	       now.st_ino == was->st_ino && now.st_dev == was->st_dev;
}

/* conn_count_enter - a byte of key's file: 1 held, 0 every one of limit
 * held by other sessions, -1 with why */
int conn_count_enter(struct conn_count *cc, const char *key, int limit, struct conn_count_slot *s,
		     struct buf *why)
{
	struct stat sb;

	*s = (struct conn_count_slot){ .fd = -1, .slot = -1, .limit = limit };
	if (limit < 1 || key_name(key, s->name) < 0) {
		buf_printf(why, "conn_count: empty key or a limit below 1");
		return -1;
	}
	for (int tries = 0; tries < OPEN_TRIES; tries++) {
		int fd = open_checked(cc, s->name, &sb, why), slot;

		if (fd < 0)
			return -1;
		if ((slot = take_slot(fd, limit)) >= 0 && still_named(cc, s->name, &sb)) {
			s->fd = fd;
			s->slot = slot;
			return 1;
		}
		if (slot < 0 && other_lock(fd, 0) == 1 && still_named(cc, s->name, &sb)) {
			close(fd);
			return 0;	/* every byte held by a session */
		}
		close(fd);		/* the last one leaving, or a removed file */
		usleep(1000);
	}
	buf_printf(why, "%s/%s: cannot lock: %s", cc->path, s->name, strerror(errno));
	return -1;
}

/* conn_count_others - the slots of s's key others hold, counted
 * up to upto */
int conn_count_others(const struct conn_count_slot *s, int upto)
{
	int n = 0;

	for (int i = 0; s->fd >= 0 && i < s->limit && n < upto; i++)
		if (other_lock(s->fd, i) >= 0)
			n++;
	return n;
}

/* conn_count_leave - give the byte back; the last session of a key
 * removes its file */
void conn_count_leave(struct conn_count *cc, struct conn_count_slot *s)
{
	struct stat sb;

	if (s->fd < 0)
		return;
	lock_byte(s->fd, s->slot, 1, F_UNLCK);
	hint_put(s->fd, s->slot);
	if (lock_byte(s->fd, 0, 0, F_WRLCK) == 0 && fstat(s->fd, &sb) == 0 && still_named(cc, s->name, &sb))
		unlinkat(cc->dir_fd, s->name, 0);
	close(s->fd);
	s->fd = -1;
}
