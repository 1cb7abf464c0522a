/* hato_reach - can the daemons, as mail_owner, reach their directories?
 *
 * Every daemon that drops privileges does chdir(queue_directory) as
 * mail_owner; a queue below a directory that user cannot search (root's
 * 0700 home, a mktemp -d directory) makes every daemon die at start-up
 * with "chdir: Permission denied" while master keeps restarting them.
 * hato check and hato start refuse such an instance, naming the
 * directory: each component of queue_directory and data_directory must be
 * searchable by mail_owner's uid or one of its groups (mode bits; the
 * owner class wins over the group class, as the kernel decides).
 * Nothing is changed.  A --dev instance run by its own user has nothing
 * to check: the daemons keep that user's ids.
 */
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "hato.h"
#include "log.h"

enum { MAX_GROUPS = 256 };

/* who - mail_owner's ids (copied: getpwuid below reuses getpwnam's buffer) */
struct who {
	uid_t uid;
	gid_t gids[MAX_GROUPS];
	int ngids;
};

/* may_search - the kernel's verdict on search permission by mode bits */
static bool may_search(const struct stat *st, const struct who *w)
{
	if (w->uid == 0)
		return true;
	if (st->st_uid == w->uid)
		return (st->st_mode & S_IXUSR) != 0;
	for (int i = 0; i < w->ngids; i++)
		if (st->st_gid == w->gids[i])
			return (st->st_mode & S_IXGRP) != 0;
	return (st->st_mode & S_IXOTH) != 0;
}

/* blocked_at - the first directory on path (itself included) that w
 * cannot search, into out; false when every one is fine or path is absent */
static bool blocked_at(const char *path, const struct who *w, struct buf *out)
{
	char real[PATH_MAX];
	struct stat st;

	if (realpath(path, real) == NULL)
		return false;	/* missing: check_queue says so */
	for (char *p = real;; p++) {
		if (*p == '/' || *p == '\0') {
			char saved = *p;

			*p = '\0';
			if (stat(real[0] ? real : "/", &st) == 0 && !may_search(&st, w)) {
				buf_printf(out, "%s (owner %s, mode %04o)", real[0] ? real : "/",
					   getpwuid(st.st_uid) ? getpwuid(st.st_uid)->pw_name : "?",
					   (unsigned)(st.st_mode & 07777));
				return true;
			}
			*p = saved;
		}
		if (*p == '\0')
			return false;
	}
}

/* hato_check_reach - -1 (with an error naming the directory) when
 * mail_owner cannot reach queue_directory or data_directory */
int hato_check_reach(struct config *c)
{
	static const char *const names[] = { "queue_directory", "data_directory" };
	const char *owner = config_get(c, "mail_owner");
	struct passwd *pw = getpwnam(owner);
	struct buf *where = buf_new(64);
	struct who w = { .ngids = MAX_GROUPS };
	int rc = 0;

	if (pw == NULL || pw->pw_uid == geteuid())
		goto out;	/* check_queue names a missing user */
	w.uid = pw->pw_uid;
	if (getgrouplist(owner, pw->pw_gid, w.gids, &w.ngids) < 0)
		w.ngids = MAX_GROUPS;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *dir = config_get(c, names[i]);

		buf_reset(where);
		if (!blocked_at(dir, &w, where))
			continue;
		log_error("%s %s: mail_owner %s cannot enter %s%s: let %s search it (chmod o+x) "
			  "or move the instance (make run puts it under /run/hato-run/ when run as "
			  "root from such a directory)", names[i], dir, owner, buf_str(where),
			  i == 0 ? ", so every daemon would die with \"chdir: Permission denied\"" : "",
			  owner);
		rc = -1;
	}
out:
	buf_free(&where);
	return rc;
}
