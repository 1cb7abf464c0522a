/* mail_acl - what Postfix's lists of local users let the invoking user do.
 *
 *   mail_acl_login(getuid(), name, "unknown")    the login name
 *   mail_acl_allows("authorized_submit_users", cf->authorized_submit_users,
 *                   buf_str(name), why)           1 allowed, 0 not, -1 why
 *   mail_acl_sender_ok(&(struct mail_acl_sender){ ... }, why)   1, 0 or -1
 *   mail_acl_check("authorized_submit_users", list, "submit mail", getuid(),
 *                  NULL, why)   0, or EX_NOPERM / EX_TEMPFAIL and the message
 *
 * mail_acl_allows (authorized_submit_users, authorized_mailq_users,
 * authorized_flush_users): a list of user names, "!pattern" (a match ends
 * the search with "no"), "/file/name" (more items, '#' comments, nested at
 * most 8 deep) and "type:table" (any item with ':'; found when the name
 * is a key, the value is ignored; "static:anyone" matches everybody; a
 * table that will not open is an error), separated by commas and
 * white space; first match wins, no match and the empty list mean "no".
 * Names compare case-insensitively, as Postfix's string lists do.
 * mail_acl_check wraps it for the commands: the real uid's login name
 * ("unknown" when it has none), root and exempt_user (mail_owner, for the
 * queue lists; NULL for submission) always pass, and a refusal reads as
 * Postfix's: "User NAME(UID) is not allowed to ACTION".
 * mail_acl_sender_ok (local_login_sender_maps, Postfix 3.6): the tables
 * are searched by the login name ("uid:N" when there is none); the value
 * is a list of sender patterns: "*" any sender, the null-sender key ("<>")
 * the empty sender, "@domain" that domain, else an address compared
 * without its recipient_delimiter extension.  -1: a table failed or an
 * item is bad (the caller fails temporarily), never "allowed".
 * Trust: the lists come from a main.cf the caller may not choose (the
 * set-group-ID programs check that first); the name and the sender are
 * the caller's.
 */
#ifndef HATO_MAIL_ACL_H
#define HATO_MAIL_ACL_H

#include <sys/types.h>

#include "buf.h"

struct mail_acl_sender {
	const char *maps;		/* local_login_sender_maps */
	const char *login;		/* mail_acl_login(uid, ..., "uid:N") */
	const char *sender;		/* as submitted; "" the null sender */
	const char *null_key;		/* empty_address_local_login_sender_maps_lookup_key */
	const char *delimiters;		/* recipient_delimiter */
};

/* mail_acl_login - uid's login name, else unknown (a "%u" there is the uid) */
void mail_acl_login(uid_t uid, struct buf *out, const char *unknown);
int mail_acl_allows(const char *title, const char *list, const char *name, struct buf *why);
int mail_acl_sender_ok(const struct mail_acl_sender *s, struct buf *why);
int mail_acl_check(const char *title, const char *list, const char *action, uid_t uid,
		   const char *exempt_user, struct buf *why);

#endif
