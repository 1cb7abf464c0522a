/* privdrop - the one place a hato process gives up root (STYLE R12).
 *
 *   struct privdrop pd;
 *   privdrop_resolve(&pd, "hato", "/var/spool/hato", why);  // reads /etc first
 *   ... open what must be opened as root ...
 *   privdrop_apply(&pd, why);
 *
 * privdrop_apply: supplementary groups dropped (setgroups to the one
 * group), then setresgid, then chroot + chdir("/"), then setresuid last;
 * then it proves the drop worked (setuid(0) fails, real/effective/saved
 * ids are the target, no other groups).  Any failure is returned as -1 with
 * the reason; callers treat that as fatal.  When the process is not root
 * (a --dev instance) and the target user is the current one, nothing
 * changes; chroot is skipped there because only root may chroot.
 * A caller that needs one more group (authd: "shadow") sets extra_gid and
 * has_extra after privdrop_resolve: it becomes the only supplementary
 * group instead of the user's own.
 */
#ifndef HATO_PRIVDROP_H
#define HATO_PRIVDROP_H

#include <stdbool.h>
#include <sys/types.h>

#include "buf.h"

struct privdrop {
	uid_t uid;
	gid_t gid;
	char user[64];
	char chroot_dir[4096];	/* "" for no chroot */
	gid_t extra_gid;	/* the supplementary group, when has_extra */
	bool has_extra;
};

int privdrop_resolve(struct privdrop *pd, const char *user, const char *chroot_dir,
		     struct buf *why);
int privdrop_apply(const struct privdrop *pd, struct buf *why);

#endif
