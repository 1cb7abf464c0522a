/* privdrop - the one place a hato process gives up root (STYLE R12).
 *
 *   struct privdrop pd;
 *   privdrop_resolve(&pd, "hato", "/var/spool/hato", why);  // reads /etc first
 *   ... open what must be opened as root ...
 *   privdrop_apply(&pd, why);
 *
 * privdrop_apply: supplementary groups set to the user's own from
 * /etc/group (as Postfix's initgroups: `adduser hato sasl` lets smtpd reach
 * saslauthd; a mail_owner in no other group has none), then setresgid,
 * then chroot + chdir("/"), then setresuid last; then it proves the drop
 * worked (setuid(0) fails, real/effective/saved ids are the target, no
 * groups but those).  Any failure is returned as -1 with
 * the reason; callers treat that as fatal.  When the process is not root
 * (a --dev instance) and the target user is the current one, nothing
 * changes; chroot is skipped there because only root may chroot.
 */
#ifndef HATO_PRIVDROP_H
#define HATO_PRIVDROP_H

#include <stdbool.h>
#include <sys/types.h>

#include "buf.h"

enum { PRIVDROP_MAX_GROUPS = 32 };

struct privdrop {
	uid_t uid;
	gid_t gid;
	char user[64];
	gid_t groups[PRIVDROP_MAX_GROUPS];	/* the user's groups, gid first */
	int ngroups;
	char chroot_dir[4096];	/* "" for no chroot */
};

int privdrop_resolve(struct privdrop *pd, const char *user, const char *chroot_dir,
		     struct buf *why);
int privdrop_apply(const struct privdrop *pd, struct buf *why);

#endif
