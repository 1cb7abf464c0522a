/* local - private interface of the local delivery agent.
 *
 * master.cf: local unix - n n - - local (root: it must become each
 * recipient).  One request from qmgr per connection (store/deliver_agent.c); each
 * recipient is the local part of an address in mydestination
 * (local_recipient.c): recipient_delimiter, a Delivered-To: loop check,
 * alias_maps (local_alias.c), the user's ~/.forward (local_dotforward.c),
 * then the mailbox (local_mailbox.c): Maildir when home_mailbox ends in
 * "/", else an mbox file in the home directory or mail_spool_directory.
 * Aliases, .forward and :include: files expand to items (local_item.c):
 * addresses (resubmitted as one new message through cleanup,
 * local_forward.c), /file (local_file.c), |command (local_command.c),
 * :include:/file (local_include.c), \user.
 * Rights: mailboxes and .forward files as the user; files and commands as
 * the user for .forward, as the alias table's owner for aliases and as the
 * include file's owner for :include: (default_privs instead of root);
 * every such step runs in a child that gives up root for good.
 * Results: one status per request recipient (deferred beats bounced beats
 * sent across its items) and one Postfix log line per final destination.
 */
#ifndef HATO_LOCAL_H
#define HATO_LOCAL_H

#include <stdbool.h>
#include <sys/types.h>

#include "buf.h"
#include "config.h"
#include "htable.h"
#include "deliver_agent.h"
#include "deliver_quota.h"
#include "maps.h"
#include "params.h"
#include "strv.h"

enum local_class {
	LOCAL_CLASS_ALIAS = 1 << 0,
	LOCAL_CLASS_FORWARD = 1 << 1,
	LOCAL_CLASS_INCLUDE = 1 << 2,
};

enum {
	LOCAL_MAX_DEPTH = 20,		/* nested aliases, :include:, self references */
	LOCAL_MAX_ITEMS = 1000,		/* items one recipient may expand to */
	LOCAL_MAX_LIST_FILE = 1 << 20,	/* bytes of a .forward or :include: file */
	LOCAL_STEP_TIME = 3600,		/* seconds for a mailbox or file step */
};

struct local_global {
	const struct params *cf;
	struct config *config;
	struct maps *alias_maps;
	int allow_commands, allow_files;	/* enum local_class bits */
	int mbox_locks;				/* mailbox_delivery_lock */
	bool have_default_privs;
	struct agent_privs default_privs;
};

/* a local user from the password database */
struct local_user {
	char *name, *home, *shell;
	uid_t uid;
	gid_t gid;
};

/* where an item came from: what it may do and with whose rights */
struct local_source {
	enum local_class cls;
	struct agent_privs privs;	/* files, commands, :include: */
	const char *name;		/* the alias or user expanded: self reference */
	const char *to;			/* its address, for the log and Delivered-To */
	const struct local_user *user;	/* .forward: its owner (command environment) */
};

/* one request recipient while it is expanded and delivered */
struct local_rcpt {
	struct local_global *g;
	struct agent_msg *m;
	size_t index;
	const char *address;		/* as in the request */
	char *domain;			/* its domain, "" when none */
	char *extension;		/* recipient_delimiter extension, or NULL */
	struct strv *forward;		/* addresses to resubmit */
	struct htable *seen;		/* duplicate filter */
	int depth, nitems;
	bool have_result;
	enum deliver_status status;	/* the worst so far */
	char dsn[16];
	struct buf *text;
};

enum local_deliver_flags {
	LOCAL_NO_ALIAS = 1 << 0,
	LOCAL_NO_FORWARD = 1 << 1,
};

/* local_recipient.c */
void local_recipient(void *ctx, struct agent_msg *m, size_t i);
void local_recipient_local(struct local_rcpt *r, const char *local, int flags);
void local_recipient_result(struct local_rcpt *r, const char *to, const struct agent_result *res);
void local_recipient_status(struct local_rcpt *r, const char *to, const char *dsn, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
char *local_recipient_to(const struct local_rcpt *r, const char *local);
int local_recipient_user(const char *name, struct local_user *u, struct buf *why);
void local_recipient_user_free(struct local_user *u);

/* local_alias.c: 1 handled (delivered, deferred or bounced), 0 no alias */
int local_alias(struct local_rcpt *r, const char *local, const char *base);
void local_alias_init(struct local_global *g);

/* local_item.c */
void local_item_split(const char *value, size_t len, struct strv *out);
void local_item_list(struct local_rcpt *r, const struct strv *items, const struct local_source *src);
void local_item_privs(struct local_global *g, struct local_source *src, uid_t uid, gid_t gid,
		      const char *name);

/* local_dotforward.c: 1 handled, 0 no .forward */
int local_dotforward(struct local_rcpt *r, const struct local_user *u, const char *to);
int local_dotforward_expand(struct buf *out, const char *pattern, const char *const *vars,
			    struct buf *why);

/* local_include.c, local_file.c, local_command.c, local_mailbox.c */
void local_include(struct local_rcpt *r, const char *path, const struct local_source *src);
void local_file(struct local_rcpt *r, const char *path, const struct local_source *src);
void local_command(struct local_rcpt *r, const char *command, const struct local_source *src);
void local_mailbox(struct local_rcpt *r, const struct local_user *u, const char *to);
void local_mailbox_command(struct local_rcpt *r, const struct local_user *u, const char *to);

/* local_forward.c: the collected addresses as one new message */
void local_forward_flush(struct local_rcpt *r);

#endif
