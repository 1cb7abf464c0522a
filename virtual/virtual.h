/* virtual - private interface of the virtual delivery agent.
 *
 * master.cf: virtual unix - n n - - virtual (root: it becomes each
 * mailbox's uid).  Recipients are addresses in virtual_mailbox_domains.
 * Each is looked up (virtual_recipient.c) in virtual_mailbox_maps as
 * user+ext@domain, user@domain, then @domain (catch-all); the value is a
 * path below virtual_mailbox_base, a Maildir when it ends in "/", else an
 * mbox file.  virtual_uid_maps and virtual_gid_maps give the rights the
 * delivery runs with (static:N works); a uid below virtual_minimum_uid
 * defers.  The delivery itself (virtual_mailbox.c) runs in a child with
 * those rights, through the Maildir writer and mbox code local uses, and
 * the request loop, child runner and log line are local's (deliver_agent.h).
 */
#ifndef HATO_VIRTUAL_H
#define HATO_VIRTUAL_H

#include <sys/types.h>

#include "config.h"
#include "deliver_agent.h"
#include "deliver_quota.h"
#include "maps.h"
#include "params.h"

enum { VIRTUAL_STEP_TIME = 3600 };

struct virtual_global {
	const struct params *cf;
	struct config *config;
	struct maps *mailbox_maps, *uid_maps, *gid_maps;
	int locks;			/* virtual_mailbox_lock */
};

/* where one recipient's mail goes, and as whom */
struct virtual_dest {
	char *path;			/* below virtual_mailbox_base */
	char *user;			/* the address without its extension (the userdb's name) */
	uid_t uid;
	gid_t gid;
};

/* virtual_recipient.c */
void virtual_recipient(void *ctx, struct agent_msg *m, size_t i);
void virtual_init(struct virtual_global *g);

/* virtual_mailbox.c: deliver to d; the result in res */
void virtual_mailbox(struct virtual_global *g, struct agent_msg *m, size_t i,
		     const struct virtual_dest *d, struct agent_result *res);

#endif
