/* hato_as - one probe (open a file, connect to a socket) in a child
 * process with a user's identity, as the daemon that runs as that user
 * sees the system: privdrop.c's drop (the user's groups from /etc/group,
 * and one more group when asked, e.g. shadow for authd), proved before
 * the probe runs.  Run by a non-root hato (a --dev instance), the probe
 * runs with the caller's own identity.  Nothing else is changed.
 */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/wait.h>

#include "hato.h"
#include "privdrop.h"

/* hato_as_user - probe(arg) as user (plus extra_gid unless it is
 * (gid_t)-1): 0, the probe's errno, EPERM when the drop failed, or the
 * errno of fork or wait */
int hato_as_user(const char *user, gid_t extra_gid, int (*probe)(const char *arg),
		 const char *arg)
{
	struct privdrop pd;
	struct buf *why = buf_new(0);
	char name[256];
	int status = 0;
	pid_t pid;

	/* a copy: user may point into getpwnam's buffer, which resolving reuses */
	snprintf(name, sizeof(name), "%s", user);
	if (geteuid() == 0 && privdrop_resolve(&pd, name, "", why) < 0) {
		buf_free(&why);
		return ENOENT;	/* no such user: the caller's other checks say so */
	}
	if (geteuid() == 0 && extra_gid != (gid_t)-1 && pd.ngroups < PRIVDROP_MAX_GROUPS)
		pd.groups[pd.ngroups++] = extra_gid;
	if ((pid = fork()) == 0) {
		if (geteuid() == 0 && privdrop_apply(&pd, why) < 0)
			_exit(EPERM);
		_exit(probe(arg));
	}
	buf_free(&why);
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : EIO;
}
