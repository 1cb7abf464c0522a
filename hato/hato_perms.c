/* hato_perms - "hato set-permissions", as "postfix set-permissions".
 *
 * Sets the owner and mode of every queue directory (queue_dirs_create),
 * hands every file and subdirectory inside the mail_owner directories
 * (incoming, active, deferred, ..., private, public) back to mail_owner,
 * gives data_directory to mail_owner (0700), and makes postdrop and
 * postqueue set-group-ID setgid_group (mode 2755): in command_directory
 * when main.cf sets it, else next to this hato program.  Trust boundary:
 * the queue directories are writable by mail_owner, so each entry is
 * opened with O_NOFOLLOW and changed through its descriptor after fstat
 * (a regular file or directory with one link; symlinks, sockets, fifos
 * and hard-linked files are left alone).  Needs root, except for a --dev
 * instance whose user owns everything anyway.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "fsutil.h"
#include "hato.h"
#include "log.h"
#include "queue_dirs.h"

enum { MAX_DEPTH = 4 };

/* give_tree - every entry below the open directory dfd to uid:gid; the
 * number of entries changed, -1 on error (logged) */
static int give_tree(int dfd, const char *path, uid_t uid, gid_t gid, int depth)
{
	DIR *d = fdopendir(dfd);
	struct dirent *de;
	int changed = 0;

	if (d == NULL) {
		log_error("%s: %m", path);
		close(dfd);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		int fd = -1;
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		fd = openat(dirfd(d), de->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &st) < 0 || !(S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) ||
		    (S_ISREG(st.st_mode) && st.st_nlink != 1)) {
			if (fd >= 0)
				close(fd);
			continue;	/* a symlink, socket, fifo or link: not ours to change */
		}
		if ((st.st_uid != uid || st.st_gid != gid) && fchown(fd, uid, gid) == 0)
			changed++;
		if (S_ISDIR(st.st_mode) && depth < MAX_DEPTH) {
			int n = give_tree(fd, path, uid, gid, depth + 1);

			changed += n > 0 ? n : 0;
			continue;	/* give_tree closed fd */
		}
		close(fd);
	}
	closedir(d);
	return changed;
}

/* fix_queue - the tree's directories, then the contents of mail_owner's */
static int fix_queue(struct config *c, const struct queue_owners *o)
{
	const char *queue_dir = config_get(c, "queue_directory");
	struct buf *why = buf_new(0), *path = buf_new(64);
	const char *name;
	int rc = 0, fd, n;

	if (queue_dirs_create(queue_dir, o, why) < 0) {
		log_error("%s", buf_str(why));
		rc = -1;
	}
	for (size_t i = 0; rc == 0 && (name = queue_dirs_mail_owned(i)) != NULL; i++) {
		buf_reset(path);
		buf_printf(path, "%s/%s", queue_dir, name);
		fd = open(buf_str(path), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || (n = give_tree(fd, buf_str(path), o->owner_uid, o->owner_gid, 0)) < 0) {
			log_error("%s: %m", buf_str(path));
			rc = -1;
		} else if (n > 0) {
			log_info("%s: %d entr%s given back to %s", buf_str(path), n, n == 1 ? "y" : "ies",
				 config_get(c, "mail_owner"));
		}
	}
	buf_free(&why);
	buf_free(&path);
	return rc;
}

/* fix_one - open path (no symlink) and give it uid:gid and mode via the fd */
static int fix_one(const char *path, uid_t uid, gid_t gid, mode_t mode, bool want_dir)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | (want_dir ? O_DIRECTORY : 0));
	struct stat st;
	int rc = -1;

	if (fd < 0 || fstat(fd, &st) < 0)
		log_error("%s: %m", path);
	else if (!want_dir && (!S_ISREG(st.st_mode) || st.st_nlink != 1))
		log_error("%s: not a regular file with one link: left alone", path);
	else if (!want_dir && st.st_uid != uid)	/* a program: only one of ours is made set-GID */
		log_error("%s: owned by another user than the one it would get: left alone", path);
	/* chown first: it clears the set-group-ID bit that fchmod then sets */
	else if ((st.st_uid != uid || st.st_gid != gid) && fchown(fd, uid, gid) < 0)
		log_error("chown %s: %m", path);
	else if ((st.st_mode & 07777) != mode && fchmod(fd, mode) < 0)
		log_error("chmod %s: %m", path);
	else
		rc = 0;
	if (fd >= 0)
		close(fd);
	return rc;
}

/* safe_dir - whether the programs' directory is one only root (or the
 * --dev user) can change: set-group-ID programs in any other could be
 * swapped or rewritten by its owner */
static bool safe_dir(const char *dir)
{
	struct stat st;
	const char *why = NULL;

	if (*dir == '\0' || stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		why = *dir ? "not a directory" : "cannot find it";
	else
		why = hato_unsafe_owner(&st);
	if (why)
		log_error("command directory %s: %s: postdrop and postqueue left alone", dir, why);
	return why == NULL;
}

/* fix_programs - postdrop and postqueue: root (or the --dev user),
 * setgid_group, 2755 */
static int fix_programs(struct config *c, const struct queue_owners *o)
{
	static const char *const progs[] = { "postdrop", "postqueue" };
	struct buf *dir = buf_new(64), *path = buf_new(64);
	int rc = 0;

	if (config_origin(c, "command_directory") != CONFIG_DEFAULT)
		buf_cat(dir, config_get(c, "command_directory"));
	else
		(void)fsutil_exe_dir(dir);	/* unknown: "" is refused below */
	if (!safe_dir(buf_str(dir))) {
		buf_free(&dir);
		buf_free(&path);
		return -1;
	}
	for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		buf_reset(path);
		buf_printf(path, "%s/%s", buf_str(dir), progs[i]);
		if (fix_one(buf_str(path), o->root_uid, o->setgid_gid, 02755, false) < 0)
			rc = -1;
	}
	buf_free(&dir);
	buf_free(&path);
	return rc;
}

/* hato_set_permissions - the command */
int hato_set_permissions(struct hato_ctx *ctx)
{
	struct buf *why = buf_new(0);
	struct config *c = config_read(ctx->dir, CONFIG_STRICT, why);
	struct queue_owners o;
	int rc = 1;

	if (c == NULL || queue_dirs_owners(config_get(c, "mail_owner"), config_get(c, "setgid_group"),
					   &o, why) < 0) {
		log_error("%s", buf_str(why));
		goto out;
	}
	if (fix_queue(c, &o) == 0 &&
	    fix_one(config_get(c, "data_directory"), o.owner_uid, o.owner_gid, 0700, true) == 0 &&
	    fix_programs(c, &o) == 0) {
		log_info("%s: owners and modes set", ctx->dir);
		rc = 0;
	}
out:
	config_free(&c);
	buf_free(&why);
	return rc;
}
