/* queue_dirs - create and check the queue tree; see queue_dirs.h.
 * Directories are created with mkdir and then checked with lstat: a
 * symlink where a queue directory should be is an error, never followed. */
#include <errno.h>
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
	{ "pid", 0755, OWN_ROOT },
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

/* queue_dirs_create - make the tree, fix owners and modes */
int queue_dirs_create(const char *queue_dir, const struct queue_owners *o, struct buf *why)
{
	char path[4096];

	for (size_t i = 0; i < NDIRS; i++) {
		const struct queue_dir *d = &dirs[i];
		struct stat st;
		uid_t uid;
		gid_t gid;

		dir_path(path, sizeof(path), queue_dir, d);
		if (mkdir(path, 0700) < 0 && errno != EEXIST) {
			buf_printf(why, "mkdir %s: %s", path, strerror(errno));
			return -1;
		}
		if (lstat(path, &st) < 0 || !S_ISDIR(st.st_mode)) {
			buf_printf(why, "%s: not a directory (a symlink is not accepted)", path);
			return -1;
		}
		want(d, o, &uid, &gid);
		if ((st.st_uid != uid || st.st_gid != gid) && lchown(path, uid, gid) < 0) {
			buf_printf(why, "chown %s: %s", path, strerror(errno));
			return -1;
		}
		if (chmod(path, d->mode) < 0) {
			buf_printf(why, "chmod %s: %s", path, strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* queue_dirs_add_missing - make the directories that do not exist (a
 * newer hato's, say) with their owner and mode, and name each in report;
 * existing ones are left as they are.  -1 when one cannot be made. */
int queue_dirs_add_missing(const char *queue_dir, const struct queue_owners *o, struct buf *report)
{
	char path[4096];
	int rc = 0;

	for (size_t i = 1; i < NDIRS; i++) {	/* not the root itself */
		const struct queue_dir *d = &dirs[i];
		struct stat st;
		uid_t uid;
		gid_t gid;

		dir_path(path, sizeof(path), queue_dir, d);
		if (lstat(path, &st) == 0 || errno != ENOENT)
			continue;
		want(d, o, &uid, &gid);
		if (mkdir(path, 0700) < 0 || lchown(path, uid, gid) < 0 || chmod(path, d->mode) < 0) {
			buf_printf(report, "%s: cannot create: %s\n", path, strerror(errno));
			rc = -1;
		} else {
			buf_printf(report, "%s: was missing, created (mode %04o)\n", path, (unsigned)d->mode);
		}
	}
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
