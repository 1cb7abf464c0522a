/* maildir - one message into a Maildir; see maildir.h.
 *
 * Order of operations (what a crash at any point leaves behind): the file
 * is written in tmp/ (a crash leaves a stray tmp/ file, never a partial
 * message in new/), fsync'ed, hard-linked into new/ (renamed where the file
 * system has no hard links), removed from tmp/, and new/ is fsync'ed so
 * the link survives a crash before the caller reports "delivered".
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "maildir.h"
#include "mem.h"
#include "selfpid.h"

enum { CREATE_ATTEMPTS = 100 };

struct maildir {
	int dir_fd, tmp_fd, new_fd;
	char *path;			/* as given, for messages */
	struct buf *last_name;		/* new/ name of the last commit */
};

struct maildir_file {
	struct maildir *md;
	int fd;
	char *name;			/* in tmp/ */
	char *key;			/* the keyed name's unique part, or NULL */
	off_t counted_size;		/* maildir_file_counted's, or -1 */
	off_t vsize;
};

/* fail - errno kept, reason in why; returns -1 */
static int fail(struct buf *why, int err, const char *what, const char *path, const char *name)
{
	buf_printf(why, "%s %s%s%s: %s", what, path, *name ? "/" : "", name, strerror(err));
	errno = err;
	return -1;
}

/* open_component - one directory below fd, never through a symlink */
static int open_component(int fd, const char *name, int flags, struct buf *why, const char *shown)
{
	int d = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (d < 0 && errno == ENOENT && (flags & MAILDIR_CREATE)) {
		if (mkdirat(fd, name, 0700) < 0 && errno != EEXIST)
			return fail(why, errno, "create directory", shown, "");
		fsync(fd);	/* the new entry survives a crash */
		d = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (d < 0 && (errno == ELOOP || errno == ENOTDIR)) {
		int err = errno;
		struct stat st;

		if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
			buf_printf(why, "open directory %s: is a symbolic link (not followed)", shown);
		else
			buf_printf(why, "open directory %s: not a directory", shown);
		errno = err;
		return -1;
	}
	if (d < 0)
		return fail(why, errno, "open directory", shown, "");
	return d;
}

/* maildir_open_path - walk path below at_fd without following symlinks */
int maildir_open_path(int at_fd, const char *path, int flags, struct buf *why)
{
	char *copy = xstrdup(path), *save = NULL, *comp;
	struct buf *shown = buf_new(64);
	/* an absolute path starts at "/", as with openat(2) */
	int fd = path[0] == '/' ? open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
		 : at_fd == AT_FDCWD ? open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
				     : fcntl(at_fd, F_DUPFD_CLOEXEC, 0);
	int depth = 0;

	if (fd < 0)
		fail(why, errno, "open directory", path, "");
	for (comp = strtok_r(copy, "/", &save); fd >= 0 && comp; comp = strtok_r(NULL, "/", &save)) {
		int next, err;

		if (strcmp(comp, ".") == 0)
			continue;
		if (buf_len(shown))
			buf_putc(shown, '/');
		buf_cat(shown, comp);
		if (strcmp(comp, "..") == 0 || ++depth > MAILDIR_MAX_DEPTH) {
			buf_printf(why, "open directory %s: \"..\" or too deep a path", path);
			next = -1;
			errno = EINVAL;
		} else {
			next = open_component(fd, comp, flags, why, buf_str(shown));
		}
		err = errno;
		close(fd);
		fd = next;
		errno = err;
	}
	free(copy);
	buf_free(&shown);
	return fd;
}

/* open_sub - tmp, new or cur of the Maildir */
static int open_sub(struct maildir *md, const char *name, int flags, struct buf *why)
{
	struct buf *shown = buf_new(64);
	int fd;

	buf_printf(shown, "%s/%s", md->path, name);
	fd = open_component(md->dir_fd, name, flags, why, buf_str(shown));
	buf_free(&shown);
	return fd;
}

/* maildir_open - the Maildir at path below at_fd, with tmp/ new/ cur/ */
struct maildir *maildir_open(int at_fd, const char *path, int flags, struct buf *why)
{
	struct maildir *md;
	size_t len;
	int dir_fd = maildir_open_path(at_fd, path, flags, why), cur_fd = -1, err;

	if (dir_fd < 0)
		return NULL;
	md = xcalloc(1, sizeof(*md));
	md->dir_fd = dir_fd;
	md->tmp_fd = md->new_fd = -1;
	md->path = xstrdup(path);
	md->last_name = buf_new(64);
	len = strlen(md->path);
	if (len > 1 && md->path[len - 1] == '/')
		md->path[len - 1] = '\0';
	if ((md->tmp_fd = open_sub(md, "tmp", flags, why)) >= 0
	    && (md->new_fd = open_sub(md, "new", flags, why)) >= 0
	    && (cur_fd = open_sub(md, "cur", flags, why)) >= 0) {
		close(cur_fd);
		return md;
	}
	err = errno;
	maildir_close(&md);
	errno = err;
	return NULL;
}

/* maildir_close - release the directory descriptors */
void maildir_close(struct maildir **mdp)
{
	struct maildir *md = *mdp;

	if (md == NULL)
		return;
	if (md->tmp_fd >= 0)
		close(md->tmp_fd);
	if (md->new_fd >= 0)
		close(md->new_fd);
	close(md->dir_fd);
	free(md->path);
	buf_free(&md->last_name);
	free(md);
	*mdp = NULL;
}

/* put_host - the host part of a name, '/', ':', ',' and the unprintable
 * escaped as \ooo */
static void put_host(struct buf *out, const char *host)
{
	for (const char *p = host; *p; p++) {
		if (*p == '/' || *p == ':' || *p == ',')
			buf_printf(out, "\\%03o", (unsigned)(unsigned char)*p);
		else if ((unsigned char)*p > ' ' && (unsigned char)*p < 0x7f)
			buf_putc(out, *p);
		else
			buf_printf(out, "\\%03o", (unsigned)(unsigned char)*p);
	}
}

/* maildir_unique - the unique part of a Maildir file name */
void maildir_unique(struct buf *out, const struct timeval *tv, pid_t pid,
		    unsigned long counter, const char *host)
{
	buf_printf(out, "%lld.M%ldP%ldQ%lu.", (long long)tv->tv_sec, (long)tv->tv_usec,
		   (long)pid, counter);
	put_host(out, host);
}

/* hostname - this host's name, once */
static const char *hostname(void)
{
	static char name[256];

	if (name[0] == '\0' && (gethostname(name, sizeof(name) - 1) < 0 || name[0] == '\0'))
		snprintf(name, sizeof(name), "localhost");
	return name;
}

/* maildir_file_create - a new, empty, uniquely named file in tmp/ */
struct maildir_file *maildir_file_create(struct maildir *md, struct buf *why)
{
	static unsigned long counter;
	struct buf *name = buf_new(128);
	struct timeval tv;
	int fd = -1;

	for (int i = 0; fd < 0 && i < CREATE_ATTEMPTS; i++) {
		gettimeofday(&tv, NULL);
		buf_reset(name);
		maildir_unique(name, &tv, self_pid(), ++counter, hostname());
		fd = openat(md->tmp_fd, buf_str(name),
			    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0) {
		fail(why, errno, "create", md->path, "tmp/");
		buf_free(&name);
		return NULL;
	}
	struct maildir_file *f = xcalloc(1, sizeof(*f));
	f->md = md;
	f->fd = fd;
	f->name = buf_steal(&name);
	f->counted_size = f->vsize = -1;
	return f;
}

/* maildir_file_fd - where the caller writes the message */
int maildir_file_fd(const struct maildir_file *f)
{
	return f->fd;
}

/* maildir_msg_open - see maildir.h */
int maildir_msg_open(int at_fd, const char *path)
{
	int flags = O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC;
	int fd = openat(at_fd, path, flags | O_NOATIME);

	if (fd < 0 && errno == EPERM)		/* not ours: O_NOATIME refused */
		fd = openat(at_fd, path, flags);
	return fd;
}

/* publish - tmp/NAME into new/NEWNAME, never replacing a file there:
 * one rename that refuses to replace (RENAME_NOREPLACE), or, where the
 * file system has none, qmail's hard link and unlink */
static int publish(struct maildir *md, const char *name, const char *newname)
{
	if (renameat2(md->tmp_fd, name, md->new_fd, newname, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
		return -1;
	if (linkat(md->tmp_fd, name, md->new_fd, newname, 0) < 0)
		return -1;
	return unlinkat(md->tmp_fd, name, 0) < 0 && errno != ENOENT ? -1 : 0;
}

/* maildir_file_counted - the caller's count of what it wrote */
void maildir_file_counted(struct maildir_file *f, const struct mail_vsize *v)
{
	f->counted_size = v->size;
	f->vsize = v->vsize;
}

/* maildir_dir_fd - the Maildir's own directory */
int maildir_dir_fd(const struct maildir *md)
{
	return md->dir_fd;
}

/* new_name - f's name in new/: its own, or its key's, with ",S=size",
 * and ",W=vsize" when the caller's count covers the whole file */
static void new_name(struct buf *out, const struct maildir_file *f, off_t size)
{
	if (f->key) {
		buf_printf(out, "%s.", f->key);
		put_host(out, hostname());
	} else {
		buf_cat(out, f->name);
	}
	buf_printf(out, ",S=%lld", (long long)size);
	if (f->vsize >= 0 && f->counted_size == size)
		buf_printf(out, ",W=%lld", (long long)f->vsize);
}

/* found_earlier - a keyed file whose name is in new/ already: an earlier
 * attempt delivered it; tmp/ is cleaned, new/ synced (that attempt may
 * not have got that far).  MAILDIR_FOUND, or -1 with why */
static int found_earlier(struct maildir_file *f, struct buf *why)
{
	unlinkat(f->md->tmp_fd, f->name, 0);
	if (fsync(f->md->new_fd) < 0)
		return fail(why, errno, "fsync", f->md->path, "new/");
	return MAILDIR_FOUND;
}

/* maildir_file_commit - fsync, into new/ with ",S=size,W=vsize", fsync new/;
 * MAILDIR_FOUND when a keyed file finds its name taken in new/ */
int maildir_file_commit(struct maildir_file **fp, struct buf *why)
{
	struct maildir_file *f = *fp;
	struct maildir *md = f->md;
	struct buf *newname = buf_new(128);
	struct stat st;
	int rc = -1, err;

	if (fstat(f->fd, &st) < 0) {
		fail(why, errno, "fstat", md->path, f->name);
	} else if (!S_ISREG(st.st_mode) || st.st_nlink != 1) {
		buf_printf(why, "%s/tmp/%s: not a regular file with one link", md->path, f->name);
		errno = EPERM;
	} else if (fsync(f->fd) < 0) {
		fail(why, errno, "fsync", md->path, f->name);
	} else {
		new_name(newname, f, st.st_size);
		if (publish(md, f->name, buf_str(newname)) == 0)
			rc = fsync(md->new_fd) < 0 ? fail(why, errno, "fsync", md->path, "new/") : 0;
		else if (errno == EEXIST && f->key)
			rc = found_earlier(f, why);
		else
			fail(why, errno, "link into", md->path, "new/");
	}
	err = errno;
	if (rc >= 0) {
		buf_set(md->last_name, buf_str(newname));
		close(f->fd);
		free(f->name);
		free(f->key);
		free(f);
		*fp = NULL;
	}
	buf_free(&newname);
	errno = err;
	return rc;
}

/* maildir_file_abort - remove an uncommitted file (no-op after commit) */
void maildir_file_abort(struct maildir_file **fp)
{
	struct maildir_file *f = *fp;
	int err = errno;

	if (f == NULL)
		return;
	close(f->fd);
	unlinkat(f->md->tmp_fd, f->name, 0);
	free(f->name);
	free(f->key);
	free(f);
	*fp = NULL;
	errno = err;
}

/* maildir_last_name - the name in new/ of the last committed file */
const char *maildir_last_name(const struct maildir *md)
{
	return buf_str(md->last_name);
}

/* is_key_char - [0-9A-Za-z] */
static bool is_key_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* maildir_key_make - "ASEC.M<ausec>Q<queue id>R<16 hex digits>": the
 * arrival time keeps the names in arrival order for readers that sort by
 * them, the hash (64-bit FNV-1a) tells the recipients apart */
bool maildir_key_make(struct maildir_key *k, const struct timeval *arrival, const char *queue_id,
		      const char *recipient, bool retry)
{
	unsigned long long h = 14695981039346656037ULL;
	size_t len = strlen(queue_id);

	memset(k, 0, sizeof(*k));
	for (size_t i = 0; i < len; i++)
		if (!is_key_char(queue_id[i]))
			return false;
	if (len == 0 || len > 40)
		return false;
	for (const char *p = recipient; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	snprintf(k->unique, sizeof(k->unique), "%lld.M%ldQ%sR%016llx", (long long)arrival->tv_sec,
		 (long)arrival->tv_usec, queue_id, h);
	k->retry = retry;
	return true;
}

/* maildir_key_valid - digits, '.', 'M', digits, 'Q', ID, 'R', 16 hex digits */
bool maildir_key_valid(const char *s)
{
	size_t len = strlen(s);
	const char *dot = strchr(s, '.');

	if (len < 25 || len >= sizeof(((struct maildir_key *)0)->unique) || dot == NULL || dot[1] != 'M'
	    || s[len - 17] != 'R')
		return false;
	for (const char *p = s; *p; p++)
		if (!is_key_char(*p) && p != dot)
			return false;
	return strchr(dot + 1, 'Q') != NULL;
}

/* maildir_file_key - f is committed under k's name */
void maildir_file_key(struct maildir_file *f, const struct maildir_key *k)
{
	free(f->key);
	f->key = xstrdup(k->unique);
}

/* find_in - 1 when the directory dup'ed from fd holds "unique.*" (the
 * name into last), 0 when not, -1 */
static int find_in(int fd, const char *unique, struct buf *last)
{
	size_t len = strlen(unique);
	int d = fcntl(fd, F_DUPFD_CLOEXEC, 0), found = 0;
	DIR *dir = d < 0 ? NULL : fdopendir(d);
	struct dirent *de;

	if (dir == NULL) {
		if (d >= 0)
			close(d);
		return -1;
	}
	while (!found && (de = readdir(dir)) != NULL)
		if (strncmp(de->d_name, unique, len) == 0 && de->d_name[len] == '.') {
			buf_set(last, de->d_name);
			found = 1;
		}
	closedir(dir);
	return found;
}

/* maildir_find - k's file in new/, else in cur/ (a reader moved it) */
int maildir_find(struct maildir *md, const struct maildir_key *k, struct buf *why)
{
	int rc = find_in(md->new_fd, k->unique, md->last_name), cur_fd;

	if (rc != 0)
		return rc < 0 ? fail(why, errno, "read", md->path, "new/") : rc;
	if ((cur_fd = open_sub(md, "cur", 0, why)) < 0)
		return -1;
	rc = find_in(cur_fd, k->unique, md->last_name);
	if (rc < 0)
		fail(why, errno, "read", md->path, "cur/");
	close(cur_fd);
	return rc;
}
