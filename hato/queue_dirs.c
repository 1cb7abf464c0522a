/* queue_dirs - create and check the queue tree; see queue_dirs.h.
 * Directories are made with mkdirat below the open queue root, opened
 * with O_NOFOLLOW and given their owner and mode through that descriptor:
 * a symlink where a queue directory should be is an error, never
 * followed, and no name is resolved twice. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "queue_dirs.h"

enum owner_kind { OWN_ROOT, OWN_MAIL, OWN_MAIL_SETGID };

static const struct queue_dir {
	const char *name;
	mode_t mode;
	enum owner_kind owner;
} dirs[] = {
	{ "", 0755, OWN_ROOT },
	{ "incoming", 0700, OWN_MAIL }, { "active", 0700, OWN_MAIL },
	{ "deferred", 0700, OWN_MAIL }, { "hold", 0700, OWN_MAIL },
	{ "corrupt", 0700, OWN_MAIL }, { "bounce", 0700, OWN_MAIL },
	{ "defer", 0700, OWN_MAIL }, { "trace", 0700, OWN_MAIL },
	{ "saved", 0700, OWN_MAIL }, { "spare", 0700, OWN_MAIL }, { "private", 0700, OWN_MAIL },
	{ "public", 0710, OWN_MAIL_SETGID }, { "maildrop", 01730, OWN_MAIL_SETGID },
	{ "pid", 0755, OWN_ROOT }, { "login", 0755, OWN_ROOT },
};

/* queue_dirs_owners - resolve the users and groups; dev instances use ours */
int queue_dirs_owners(const char *mail_owner, const char *setgid_group,
		      struct queue_owners *o, struct buf *why)
{
	struct passwd *pw = getpwnam(mail_owner);
	struct group *gr = getgrnam(setgid_group);

	if (pw == NULL) {
		buf_printf(why, "mail_owner \"%s\" does not exist; create it with: "
			   "useradd -r -U -s /usr/sbin/nologin -d /nonexistent %s", mail_owner, mail_owner);
		return -1;
	}
	if (gr == NULL) {
		buf_printf(why, "setgid_group \"%s\" does not exist; create it with: groupadd -r %s",
			   setgid_group, setgid_group);
		return -1;
	}
	o->owner_uid = pw->pw_uid;
	o->owner_gid = pw->pw_gid;
	o->setgid_gid = gr->gr_gid;
	o->root_uid = geteuid() == 0 ? 0 : pw->pw_uid;
	o->root_gid = geteuid() == 0 ? 0 : pw->pw_gid;
	return 0;
}

/* want - the owner and group a directory should have */
static void want(const struct queue_dir *d, const struct queue_owners *o, uid_t *uid, gid_t *gid)
{
	*uid = o->root_uid;
	*gid = o->root_gid;
	switch (d->owner) {
	case OWN_ROOT: *uid = o->root_uid; *gid = o->root_gid; break;
	case OWN_MAIL: *uid = o->owner_uid; *gid = o->owner_gid; break;
	case OWN_MAIL_SETGID: *uid = o->owner_uid; *gid = o->setgid_gid; break;
	}
}

enum { NDIRS = sizeof(dirs) / sizeof(dirs[0]) };

/* dir_path - where d lives below queue_dir */
static void dir_path(char *path, size_t size, const char *queue_dir, const struct queue_dir *d)
{
	snprintf(path, size, "%s%s%s", queue_dir, *d->name ? "/" : "", d->name);
}

/* open_root - queue_dir itself, never through a symlink; -1 with why */
static int open_root(const char *queue_dir, struct buf *why)
{
	int fd = open(queue_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		buf_printf(why, "%s: %s", queue_dir, errno == ELOOP || errno == ENOTDIR
			   ? "not a directory (a symlink is not accepted)" : strerror(errno));
	return fd;
}

/* open_dir - d below the open root (made first when missing, if make),
 * never through a symlink: the owner and mode are then set on this
 * descriptor, so that whoever can write the queue root cannot swap the
 * name for a link to a file of root's between the steps */
static int open_dir(int root, const struct queue_dir *d, bool make)
{
	if (*d->name == '\0')
		return fcntl(root, F_DUPFD_CLOEXEC, 0);
	if (make && mkdirat(root, d->name, 0700) < 0 && errno != EEXIST)
		return -1;
	return openat(root, d->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

/* fix - the owner and mode d should have, on the open directory fd */
static int fix(int fd, const struct queue_dir *d, const struct queue_owners *o, const char *path,
	       struct buf *why)
{
	struct stat st;
	uid_t uid;
	gid_t gid;

	want(d, o, &uid, &gid);
	if (fstat(fd, &st) < 0 || ((st.st_uid != uid || st.st_gid != gid) && fchown(fd, uid, gid) < 0)) {
		buf_printf(why, "chown %s: %s", path, strerror(errno));
		return -1;
	}
	if (fchmod(fd, d->mode) < 0) {
		buf_printf(why, "chmod %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* make_fix - d made if missing and given its owner and mode; -1 with why */
static int make_fix(int root, const char *queue_dir, const struct queue_dir *d,
		    const struct queue_owners *o, struct buf *why)
{
	char path[4096];
	int fd = open_dir(root, d, true), rc;

	dir_path(path, sizeof(path), queue_dir, d);
	if (fd < 0) {
		buf_printf(why, "%s: %s", path, errno == ELOOP || errno == ENOTDIR
			   ? "not a directory (a symlink is not accepted)" : strerror(errno));
		return -1;
	}
	rc = fix(fd, d, o, path, why);
	close(fd);
	return rc;
}

/* queue_dirs_create - make the tree, fix owners and modes (the root
 * first: once it is root's, nobody else can rename in it) */
int queue_dirs_create(const char *queue_dir, const struct queue_owners *o, struct buf *why)
{
	int root, rc = 0;

	if (mkdir(queue_dir, 0700) < 0 && errno != EEXIST) {
		buf_printf(why, "mkdir %s: %s", queue_dir, strerror(errno));
		return -1;
	}
	if ((root = open_root(queue_dir, why)) < 0)
		return -1;
	for (size_t i = 0; i < NDIRS && rc == 0; i++)
		rc = make_fix(root, queue_dir, &dirs[i], o, why);
	close(root);
	return rc;
}

/* queue_dirs_add_missing - make the directories that do not exist (a
 * newer hato's, say) with their owner and mode, and name each in report;
 * existing ones are left as they are.  -1 when one cannot be made. */
int queue_dirs_add_missing(const char *queue_dir, const struct queue_owners *o, struct buf *report)
{
	struct stat st;
	int root = open_root(queue_dir, report), rc = 0;

	if (root < 0) {
		buf_putc(report, '\n');
		return -1;
	}
	for (size_t i = 1; i < NDIRS; i++) {	/* not the root itself */
		const struct queue_dir *d = &dirs[i];
		struct buf *why = buf_new(0);
		char path[4096];

		dir_path(path, sizeof(path), queue_dir, d);
		if (fstatat(root, d->name, &st, AT_SYMLINK_NOFOLLOW) == 0 || errno != ENOENT) {
			buf_free(&why);
			continue;
		}
		if (make_fix(root, queue_dir, d, o, why) < 0) {
			buf_printf(report, "%s: cannot create: %s\n", path, buf_str(why));
			rc = -1;
		} else {
			buf_printf(report, "%s: was missing, created (mode %04o)\n", path, (unsigned)d->mode);
		}
		buf_free(&why);
	}
	close(root);
	return rc;
}

/* owner_names - "user:group" by name (the number where there is none) */
static void owner_names(uid_t uid, gid_t gid, struct buf *out)
{
	struct passwd *pw = getpwuid(uid);
	struct group *gr;

	if (pw)
		buf_cat(out, pw->pw_name);
	else
		buf_printf(out, "%lu", (unsigned long)uid);
	if ((gr = getgrgid(gid)) != NULL)
		buf_printf(out, ":%s", gr->gr_name);
	else
		buf_printf(out, ":%lu", (unsigned long)gid);
}

/* queue_dirs_check - report every missing or wrong directory */
int queue_dirs_check(const char *queue_dir, const struct queue_owners *o, struct buf *report)
{
	char path[4096];
	int problems = 0;

	for (size_t i = 0; i < NDIRS; i++) {
		const struct queue_dir *d = &dirs[i];
		struct stat st;
		uid_t uid;
		gid_t gid;

		dir_path(path, sizeof(path), queue_dir, d);
		want(d, o, &uid, &gid);
		if (lstat(path, &st) < 0) {
			buf_printf(report, "%s: missing\n", path);
			problems++;
		} else if (!S_ISDIR(st.st_mode)) {
			buf_printf(report, "%s: not a directory\n", path);
			problems++;
		} else {
			if (st.st_uid != uid || st.st_gid != gid) {
				buf_printf(report, "%s: owner ", path);
				owner_names(st.st_uid, st.st_gid, report);
				buf_cat(report, ", should be ");
				owner_names(uid, gid, report);
				buf_cat(report, "\n");
				problems++;
			}
			if ((st.st_mode & 07777) != d->mode) {
				buf_printf(report, "%s: mode %04o, should be %04o\n", path,
					   (unsigned)(st.st_mode & 07777), (unsigned)d->mode);
				problems++;
			}
		}
	}
	return problems;
}

/* queue_dirs_mail_owned - see queue_dirs.h (maildrop's files are the
 * submitting users', as in Postfix) */
const char *queue_dirs_mail_owned(size_t i)
{
	for (size_t k = 0; k < NDIRS; k++)
		if (dirs[k].owner != OWN_ROOT && strcmp(dirs[k].name, "maildrop") != 0 && i-- == 0)
			return dirs[k].name;
	return NULL;
}
