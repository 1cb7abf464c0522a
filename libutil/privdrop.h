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
 * groups but those).  The parent-death signal, which the kernel clears
 * on a credential change, is set again (a daemon ends with its master).  Any failure is returned as -1 with
 * the reason; callers treat that as fatal.  When the process is not root
 * (a --dev instance) and the target user is the current one, nothing
 * changes; chroot is skipped there because only root may chroot.
 *
 * A user known by its ids (a delivery's recipient, a login's userdb
 * answer) gets its struct from privdrop_ids: the gid alone, or with
 * groups_user also that user's groups from /etc/group (Dovecot's
 * system_groups_user, initgroups).  pop3d and imapd switch after a login
 * with privdrop_login, which first refuses uid 0, gid 0 or a supplementary
 * group 0, and uids below first_valid_uid (Dovecot's parameter; Postfix
 * has none), then applies and verifies as above:
 *
 *   privdrop_ids(&pd, uid, gid, "joe", "joe", why);
 *   if (privdrop_login(&pd, cf->first_valid_uid, why) < 0) ... refuse the login
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
int privdrop_ids(struct privdrop *pd, uid_t uid, gid_t gid, const char *name,
		 const char *groups_user, struct buf *why);
int privdrop_login(const struct privdrop *pd, long first_valid_uid, struct buf *why);

#endif
