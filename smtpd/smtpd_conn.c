/* smtpd_conn - per-address session counts and the mynetworks process
 * reserve, with byte-range locks; see smtpd_conn.h.  A file named by an
 * address exists while a session of it runs: the last one to leave takes
 * a lock on the whole file, and only while it holds it removes the name.
 * A newcomer that finds the whole file locked waits a moment and opens the
 * name afresh; one that locked a byte of a file removed meanwhile (the
 * name no longer leads to it) starts over.  So two sessions can never
 * count in two different files of one address. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "log.h"
#include "server.h"
#include "smtpd.h"
#include "smtpd_conn.h"

enum { OPEN_TRIES = 200, SLOTS_SPARE = 16 };

static struct {
	int dir_fd;		/* pid/smtpd.sessions, or -1 */
	int service_fd;		/* its service_NAME file, or -1 */
	int service_slots;	/* bytes a session of the service may lock */
	int maxproc, reserve;	/* processes; of them kept for mynetworks */
} conn = { .dir_fd = -1, .service_fd = -1 };

/* lock_byte - F_SETLK one byte (len 1) or the whole file (len 0) */
static int lock_byte(int fd, long offset, long len, short type)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = offset, .l_len = len };

	return fcntl(fd, F_SETLK, &fl);
}

/* other_lock - the length of another process's lock on byte offset:
 * -1 none, 0 a lock on the whole file, else 1 */
static long other_lock(int fd, long offset)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = offset, .l_len = 1 };

	if (fcntl(fd, F_GETLK, &fl) < 0 || fl.l_type == F_UNLCK)
		return -1;
	return fl.l_len;
}

/* take_slot - lock the first free byte of [0, n): its offset, or -1 */
static int take_slot(int fd, int n)
{
	for (int i = 0; i < n; i++)
		if (lock_byte(fd, i, 1, F_WRLCK) == 0)
			return i;
	return -1;
}

/* open_checked - a plain file of the sessions directory, created if need
 * be and then given to the user smtpd runs as; an existing one must be
 * that user's already (the directory is that user's: a file it placed
 * there must not become its by our fchown) */
static int open_checked(const char *name, uid_t uid, gid_t gid, struct stat *sb)
{
	int flags = O_RDWR | O_NOFOLLOW | O_CLOEXEC;
	int fd = openat(conn.dir_fd, name, flags | O_CREAT | O_EXCL, 0600);
	bool created = fd >= 0;

	if (fd < 0 && errno == EEXIST)
		fd = openat(conn.dir_fd, name, flags);
	if (fd < 0)
		return -1;
	if (created && geteuid() != uid && fchown(fd, uid, gid) < 0)
		log_warn("fchown pid/smtpd.sessions/%s: %m", name);
	if (fstat(fd, sb) < 0 || !S_ISREG(sb->st_mode) || sb->st_nlink != 1 || sb->st_uid != uid) {
		log_warn("pid/smtpd.sessions/%s: not a plain file of uid %ld", name, (long)uid);
		close(fd);
		return -1;
	}
	return fd;
}

/* open_dir - the sessions directory, owned by the user smtpd runs as */
static int open_dir(const struct params *cf, const struct server_info *si)
{
	char path[4096];
	struct stat sb;
	int fd;

	snprintf(path, sizeof(path), "%s/%s/smtpd.sessions", cf->queue_directory,
		 cf->process_id_directory);
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		log_warn("mkdir %s: %m", path);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &sb) < 0) {
		log_warn("open %s: %m; smtpd session limits are not enforced", path);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if ((sb.st_uid != si->run_uid || sb.st_gid != si->run_gid) &&
	    fchown(fd, si->run_uid, si->run_gid) < 0)
		log_warn("fchown %s: %m", path);
	if ((sb.st_mode & 07777) != 0700 && fchmod(fd, 0700) < 0)
		log_warn("fchmod %s: %m", path);
	return fd;
}

/* open_service - the service's file (its name made safe for a path) */
static void open_service(const struct server_info *si)
{
	char name[128];
	struct stat sb;
	size_t n = (size_t)snprintf(name, sizeof(name), "service_%s", si->service);

	for (size_t i = strlen("service_"); i < n && i < sizeof(name) - 1; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-", name[i]))
			name[i] = '_';
	if ((conn.service_fd = open_checked(name, si->run_uid, si->run_gid, &sb)) < 0)
		return;
	conn.service_slots = 2 * si->maxproc + SLOTS_SPARE;	/* a reload overlaps two generations */
}

/* smtpd_conn_init - before the privilege drop: the directory, the service file */
void smtpd_conn_init(struct smtpd_global *g, const struct server_info *si)
{
	const struct params *cf = g->cf;
	long pct = cf->smtpd_mynetworks_process_reserve;

	conn.maxproc = si->maxproc;
	if (pct > 0 && si->maxproc >= 2) {
		conn.reserve = (int)(si->maxproc * pct / 100);
		if (conn.reserve < 1)
			conn.reserve = 1;
	}
	if (cf->smtpd_client_connection_count_limit <= 0 && conn.reserve == 0)
		return;
	if ((conn.dir_fd = open_dir(cf, si)) >= 0 && conn.reserve > 0)
		open_service(si);
}

/* busy_others - sessions of this service in other processes, counted up
 * to enough */
static int busy_others(int enough)
{
	int n = 0;

	for (int i = 0; i < conn.service_slots && n < enough; i++)
		if (other_lock(conn.service_fd, i) >= 0)
			n++;
	return n;
}

/* still_named - the name still leads to the file open as fd */
static bool still_named(const char *name, const struct stat *was)
{
	struct stat now;

	return fstatat(conn.dir_fd, name, &now, AT_SYMLINK_NOFOLLOW) == 0 &&
	       now.st_ino == was->st_ino && now.st_dev == was->st_dev;
}

/* addr_enter - a byte of the address's file: 0 held, -1 all taken */
static int addr_enter(struct smtpd_conn *c, const char *addr, int limit)
{
	struct stat sb;

	snprintf(c->addr, sizeof(c->addr), "%s", addr);
	for (int tries = 0; tries < OPEN_TRIES; tries++) {
		int fd = open_checked(c->addr, geteuid(), getegid(), &sb), slot;

		if (fd < 0)
			break;
		if ((slot = take_slot(fd, limit)) >= 0 && still_named(c->addr, &sb)) {
			c->addr_fd = fd;
			c->addr_slot = slot;
			return 0;
		}
		if (slot < 0 && other_lock(fd, 0) == 1 && still_named(c->addr, &sb)) {
			close(fd);
			return -1;	/* every byte held by a session */
		}
		close(fd);		/* the last one leaving, or a removed file */
		usleep(1000);
	}
	log_warn("pid/smtpd.sessions/%s: cannot lock: %m; connection count not enforced", c->addr);
	return 0;
}

/* smtpd_conn_enter - whether the session may start; smtpd_conn_leave
 * afterwards in every case */
enum smtpd_admit smtpd_conn_enter(struct smtpd_global *g, struct smtpd *st, struct smtpd_conn *c)
{
	long limit = g->cf->smtpd_client_connection_count_limit;
	bool trusted = st->in_mynetworks || netmatch_match(g->mynetworks, st->addr, st->name) == 1;

	c->addr_fd = c->service_slot = -1;
	/* the per-address count first: a client kept on the reserve (to log
	 * in) counts against its address like any other */
	if (!trusted && limit > 0 && conn.dir_fd >= 0 &&
	    addr_enter(c, st->addr, limit > 1000000 ? 1000000 : (int)limit) < 0)
		return ADMIT_TOO_MANY;
	if (conn.service_fd >= 0 && (c->service_slot = take_slot(conn.service_fd, conn.service_slots)) >= 0 &&
	    !trusted && busy_others(conn.maxproc) + 1 > conn.maxproc - conn.reserve)
		return ADMIT_RESERVED;
	return ADMIT_OK;
}

/* smtpd_conn_leave - give the bytes back; the last session of an address
 * removes its file */
void smtpd_conn_leave(struct smtpd_conn *c)
{
	if (c->service_slot >= 0)
		lock_byte(conn.service_fd, c->service_slot, 1, F_UNLCK);
	c->service_slot = -1;
	if (c->addr_fd < 0)
		return;
	lock_byte(c->addr_fd, c->addr_slot, 1, F_UNLCK);
	if (lock_byte(c->addr_fd, 0, 0, F_WRLCK) == 0) {
		struct stat sb;

		if (fstat(c->addr_fd, &sb) == 0 && still_named(c->addr, &sb))
			unlinkat(conn.dir_fd, c->addr, 0);
	}
	close(c->addr_fd);
	c->addr_fd = -1;
}
