/* mail_login_nss - user database lookups in a short-lived child; see
 * mail_login_nss.h.  The child makes the lookup, writes one struct
 * answer to a pipe and exits at once (_exit: no atexit handler, no stdio
 * flush of the parent's buffers); the parent reads the whole record or
 * makes the lookup itself. */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "mail_login_nss.h"

/* what a child found */
struct answer {
	int rc;
	uid_t uid;
	struct privdrop pd;
	char why[512];
};

/* what a child is to look up */
struct question {
	const char *user;		/* getpwnam */
	uid_t uid;			/* privdrop_ids */
	gid_t gid;
	const char *name, *groups_user;
};

typedef void lookup_fn(const struct question *q, struct answer *a);

/* look_uid - getpwnam's uid */
static void look_uid(const struct question *q, struct answer *a)
{
	struct passwd *pw = getpwnam(q->user);

	a->rc = pw ? 0 : -1;
	a->uid = pw ? pw->pw_uid : (uid_t)-1;
}

/* look_ids - privdrop_ids, its message in a->why */
static void look_ids(const struct question *q, struct answer *a)
{
	struct buf *why = buf_new(0);

	a->rc = privdrop_ids(&a->pd, q->uid, q->gid, q->name, q->groups_user, why);
	snprintf(a->why, sizeof(a->why), "%s", buf_str(why));
	buf_free(&why);
}

/* move_all - the whole record through fd, by write (out) or read */
static bool move_all(int fd, struct answer *a, bool out)
{
	char *p = (char *)a;
	size_t done = 0;

	while (done < sizeof(*a)) {
		ssize_t n = out ? write(fd, p + done, sizeof(*a) - done) : read(fd, p + done, sizeof(*a) - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		done += (size_t)n;
	}
	return true;
}

/* in_child - fn's answer from a child; false when none came (then the
 * caller asks fn here) */
static bool in_child(lookup_fn *fn, const struct question *q, struct answer *a)
{
	int p[2];
	pid_t pid;
	bool ok;

	if (pipe2(p, O_CLOEXEC) < 0)
		return false;
	if ((pid = fork()) < 0) {
		close(p[0]);
		close(p[1]);
		return false;
	}
	if (pid == 0) {
		close(p[0]);
		fn(q, a);
		_exit(move_all(p[1], a, true) ? 0 : 1);
	}
	close(p[1]);
	ok = move_all(p[0], a, false);
	close(p[0]);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	return ok;
}

/* ask - fn's answer, from a child if one can be made */
static void ask(lookup_fn *fn, const struct question *q, struct answer *a)
{
	memset(a, 0, sizeof(*a));
	if (!in_child(fn, q, a)) {
		memset(a, 0, sizeof(*a));
		fn(q, a);
	}
}

/* mail_login_nss_uid - the uid of user in the password database: 0 and
 * *uid, or -1 when there is no such user */
int mail_login_nss_uid(const char *user, uid_t *uid)
{
	struct answer a;

	ask(look_uid, &(struct question){ .user = user }, &a);
	*uid = a.uid;
	return a.rc;
}

/* mail_login_nss_ids - privdrop_ids, the group lookup (if any) in a child */
int mail_login_nss_ids(struct privdrop *pd, uid_t uid, gid_t gid, const char *name,
		       const char *groups_user, struct buf *why)
{
	struct answer a;

	if (groups_user == NULL)	/* no lookup to make */
		return privdrop_ids(pd, uid, gid, name, NULL, why);
	ask(look_ids, &(struct question){ .uid = uid, .gid = gid, .name = name,
					  .groups_user = groups_user }, &a);
	*pd = a.pd;
	if (a.rc < 0)
		buf_cat(why, a.why);
	return a.rc;
}
