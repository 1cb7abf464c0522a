/* privdrop - resolve, drop and verify; see privdrop.h. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>

#include "privdrop.h"

/* user_groups - pd->gid and the groups of user in /etc/group */
static int user_groups(struct privdrop *pd, const char *user, struct buf *why)
{
	pd->ngroups = PRIVDROP_MAX_GROUPS;
	if (getgrouplist(user, pd->gid, pd->groups, &pd->ngroups) < 0) {
		buf_printf(why, "user \"%s\" is in more than %d groups", user, PRIVDROP_MAX_GROUPS);
		return -1;
	}
	return 0;
}

/* privdrop_resolve - look the user up while /etc is still reachable */
int privdrop_resolve(struct privdrop *pd, const char *user, const char *chroot_dir,
		     struct buf *why)
{
	struct passwd *pw;

	memset(pd, 0, sizeof(*pd));
	errno = 0;
	if ((pw = getpwnam(user)) == NULL) {
		buf_printf(why, "user \"%s\" does not exist%s%s (create it: useradd -r -s /usr/sbin/nologin -d /nonexistent %s)",
			   user, errno ? ": " : "", errno ? strerror(errno) : "", user);
		return -1;
	}
	if (pw->pw_uid == 0) {
		buf_printf(why, "user \"%s\" has uid 0: the daemons must not run as root", user);
		return -1;
	}
	pd->uid = pw->pw_uid;
	pd->gid = pw->pw_gid;
	if (user_groups(pd, user, why) < 0)
		return -1;
	snprintf(pd->user, sizeof(pd->user), "%s", user);
	snprintf(pd->chroot_dir, sizeof(pd->chroot_dir), "%s", chroot_dir ? chroot_dir : "");
	tzset();		/* load the zone file before chroot hides it */
	return 0;
}

/* member - gid is one of the user's groups */
static bool member(const struct privdrop *pd, gid_t gid)
{
	for (int i = 0; i < pd->ngroups; i++)
		if (pd->groups[i] == gid)
			return true;
	return false;
}

/* verify - prove the drop: no way back to root, exactly the target ids */
static int verify(const struct privdrop *pd, struct buf *why)
{
	uid_t r, e, s;
	gid_t rg, eg, sg, groups[PRIVDROP_MAX_GROUPS + 1];
	int n = getgroups(PRIVDROP_MAX_GROUPS + 1, groups);

	if (setuid(0) == 0 || seteuid(0) == 0) {
		buf_printf(why, "privilege drop failed: could regain root");
		return -1;
	}
	if (getresuid(&r, &e, &s) < 0 || r != pd->uid || e != pd->uid || s != pd->uid ||
	    getresgid(&rg, &eg, &sg) < 0 || rg != pd->gid || eg != pd->gid || sg != pd->gid) {
		buf_printf(why, "privilege drop failed: ids are not %lu:%lu",
			   (unsigned long)pd->uid, (unsigned long)pd->gid);
		return -1;
	}
	for (int i = 0; i < n; i++)
		if (!member(pd, groups[i]))
			n = -1;
	if (n < 0) {
		buf_printf(why, "privilege drop failed: supplementary groups remain");
		return -1;
	}
	return 0;
}

/* keep_death_signal - the kernel clears the parent-death signal when
 * the credentials change: set it again, so that a daemon that dropped
 * root still ends with its master */
static int keep_death_signal(int sig, struct buf *why)
{
	if (sig != 0 && prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0) < 0) {
		buf_printf(why, "prctl PR_SET_PDEATHSIG: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* privdrop_apply - groups, gid, chroot, uid, then verify */
int privdrop_apply(const struct privdrop *pd, struct buf *why)
{
	int death_sig = 0;

	(void)prctl(PR_GET_PDEATHSIG, &death_sig, 0, 0, 0);
	if (geteuid() != 0) {
		if (geteuid() == pd->uid)
			return 0;	/* a --dev instance already runs as the user */
		buf_printf(why, "cannot switch to user %s: not running as root", pd->user);
		return -1;
	}
	if (setgroups((size_t)pd->ngroups, pd->groups) < 0 || setresgid(pd->gid, pd->gid, pd->gid) < 0) {
		buf_printf(why, "user %s: set group %lu: %s", pd->user, (unsigned long)pd->gid,
			   strerror(errno));
		return -1;
	}
	if (pd->chroot_dir[0] && (chroot(pd->chroot_dir) < 0 || chdir("/") < 0)) {
		buf_printf(why, "chroot %s: %s", pd->chroot_dir, strerror(errno));
		return -1;
	}
	if (setresuid(pd->uid, pd->uid, pd->uid) < 0) {
		buf_printf(why, "set user %s: %s", pd->user, strerror(errno));
		return -1;
	}
	/* no core dump and no ptrace or /proc/PID/fd for the new user: what
	 * the process holds from its privileged past is not theirs (the
	 * kernel's default, fs.suid_dumpable = 0, made explicit) */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
		buf_printf(why, "prctl PR_SET_DUMPABLE: %s", strerror(errno));
		return -1;
	}
	return keep_death_signal(death_sig, why) < 0 ? -1 : verify(pd, why);
}

/* privdrop_ids - pd for uid and gid; groups: gid alone, or with
 * groups_user also that user's groups from /etc/group */
int privdrop_ids(struct privdrop *pd, uid_t uid, gid_t gid, const char *name,
		 const char *groups_user, struct buf *why)
{
	memset(pd, 0, sizeof(*pd));
	pd->uid = uid;
	pd->gid = gid;
	pd->groups[0] = gid;
	pd->ngroups = 1;
	snprintf(pd->user, sizeof(pd->user), "%s", name);
	return groups_user ? user_groups(pd, groups_user, why) : 0;
}

/* privdrop_login - refuse root and uids below first_valid_uid, then apply */
int privdrop_login(const struct privdrop *pd, long first_valid_uid, struct buf *why)
{
	if (pd->uid == 0 || pd->gid == 0 || member(pd, 0)) {
		buf_printf(why, "user %s: %s 0 (root) is not allowed for a login", pd->user,
			   pd->uid == 0 ? "uid" : pd->gid == 0 ? "gid" : "group");
		return -1;
	}
	if ((long long)pd->uid < first_valid_uid) {
		buf_printf(why, "user %s: uid %lu is below first_valid_uid (%ld)", pd->user,
			   (unsigned long)pd->uid, first_valid_uid);
		return -1;
	}
	return privdrop_apply(pd, why);
}
