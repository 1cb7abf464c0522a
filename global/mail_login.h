/* mail_login - the mail process's side of a login (pop3mail, imapmail):
 * from the login process's handoff to running as the user.
 *
 *   mail_login_init(si, "imap");              // pre_init, as root
 *   struct mail_login ml;
 *   if (mail_login_accept(fd, refuse, &ml) == 0) {
 *       ... as the user: ml.h (client_fd, tag, input), ml.u, ml.maildir
 *   }
 *   mail_login_done(&ml);
 *
 * Still root in accept, so nothing from the client is read there: the
 * handoff (bounded, from the login process, whose uid is checked), then
 * authd's answer for the token, the session counted against
 * mail_max_userip_connections (per protocol), then the switch to exactly
 * the user's uid, gid and groups (privdrop_login).  A refusal the client
 * should hear is told through refuse (the protocol's words); the reason
 * is logged here.  Passwords never pass through here: only the token.
 */
#ifndef HATO_MAIL_LOGIN_H
#define HATO_MAIL_LOGIN_H

#include "auth_client.h"
#include "buf.h"
#include "conn_count.h"
#include "login_handoff.h"
#include "server.h"

enum mail_login_refusal {
	MAIL_LOGIN_INTERNAL,		/* token, userdb, switch: see the log */
	MAIL_LOGIN_LIMIT,		/* mail_max_userip_connections reached */
};

/* refuse - tell the client (text only; still root, nothing read) */
typedef void mail_login_refuse_fn(const struct login_handoff *h, enum mail_login_refusal why,
				  long limit);

struct mail_login {
	struct login_handoff h;
	struct auth_user u;
	struct buf *maildir;		/* the INBOX's directory */
	struct conn_count_slot slot;
};

void mail_login_init(const struct server_info *si, const char *protocol);
/* mail_login_accept - 0 running as the user, -1 refused (logged, told) */
int mail_login_accept(int fd, mail_login_refuse_fn *refuse, struct mail_login *ml);
void mail_login_done(struct mail_login *ml);
/* mail_login_say - a line to the client, CRLF added (for refuse) */
void mail_login_say(int fd, const char *text);

#endif
