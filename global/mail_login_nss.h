/* mail_login_nss - the user database lookups of a mail process (pop3mail,
 * imapmail), each made in a short-lived child so that the NSS modules
 * they load never map into the session process.
 *
 *   if (mail_login_nss_uid("hatonull", &uid) == 0) ...   // getpwnam's uid
 *   rc = mail_login_nss_ids(&pd, uid, gid, name, groups_user, why);
 *                                   // privdrop_ids, same results
 *
 * Why: glibc loads a module per nsswitch.conf source on the first lookup
 * (Debian's "files systemd": libnss_systemd with libcap and libm) and
 * never unloads it; its relocated data, its .bss and the lookup's heap
 * stayed private in every session, about 60 KB of an idle IMAP session's
 * 330.  A fork per login costs a few hundred microseconds.
 * Errors: when the child cannot be made or dies, the lookup is made here
 * instead (a correct answer first, the memory second).
 * Trust: the child is a copy of this process; its answer is one
 * fixed-size record over a pipe.
 */
#ifndef HATO_MAIL_LOGIN_NSS_H
#define HATO_MAIL_LOGIN_NSS_H

#include <sys/types.h>

#include "buf.h"
#include "privdrop.h"

int mail_login_nss_uid(const char *user, uid_t *uid);
int mail_login_nss_ids(struct privdrop *pd, uid_t uid, gid_t gid, const char *name,
		       const char *groups_user, struct buf *why);

#endif
