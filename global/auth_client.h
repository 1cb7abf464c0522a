/* auth_client - the client side of the authd protocol (docs/auth-protocol.md)
 * for smtpd, pop3d and imapd.  One request at a time, each bounded by the
 * timeout given at open; the SASL exchange is passed through in base64.
 *
 *   struct auth_client *ac = auth_client_open("private/auth", 30000, why);
 *   rc = auth_client_start(ac, "PLAIN", &req, initial_b64_or_NULL, out);
 *   while (rc == AUTH_CONTINUE) {      // out: the challenge, base64
 *       ... send it, read the client's answer ...
 *       rc = auth_client_step(ac, answer_b64, out);
 *   }
 *   // AUTH_OK: out is the user name; AUTH_FAIL/AUTH_TEMPFAIL: the reason
 *   // with req.want_token: auth_client_login_token(ac) after AUTH_OK
 *   rc = auth_client_user(ac, "joe", "imap", &u, out);   // the userdb
 *   // AUTH_OK: u holds uid, gid, home, mail, quota rules (then
 *   // auth_client_user_clear(&u)); AUTH_FAIL: unknown user; AUTH_TEMPFAIL: out
 *   rc = auth_client_redeem(ac, token, "pop3", rip, &u, out);  // the mail process
 *   // as auth_client_user: AUTH_OK, AUTH_FAIL (no such token), AUTH_TEMPFAIL
 *   auth_client_free(&ac);
 *
 * A USER answer with a malformed uid, gid or home, or a repeated field,
 * is a protocol error like any other (AUTH_TEMPFAIL, connection unusable);
 * an ERROR for the request is a temporary failure with authd's text, and
 * the connection stays usable (authd answers so when a userdb cannot be
 * read).  An OK whose token= is not 64 lowercase hex digits is a
 * protocol error too.  Tokens are wiped when replaced or freed.
 */
#ifndef HATO_AUTH_CLIENT_H
#define HATO_AUTH_CLIENT_H

#include <stdbool.h>
#include <sys/types.h>

#include "buf.h"
#include "strv.h"

enum auth_status { AUTH_OK, AUTH_CONTINUE, AUTH_FAIL, AUTH_TEMPFAIL };

struct auth_request {
	const char *service;	/* smtp, imap, pop3 */
	const char *rip, *lip;	/* client and local address */
	bool secured;		/* TLS is active */
	bool want_token;	/* ask for a one-time login token with the OK */
	const char *session;	/* NULL, or the session id for authd's log lines
				 * (session_id.h) */
};

/* a userdb entry as authd answers USER (docs/auth-protocol.md) */
struct auth_user {
	char *name;			/* as authd normalised it */
	bool has_uid, has_gid;		/* false: the entry has none */
	uid_t uid;
	gid_t gid;
	char *home;			/* NULL: none */
	char *mail;			/* mail_location expanded for the user, or NULL */
	char *system_groups_user;	/* whose /etc/group groups apply, or NULL */
	struct strv *quota_rules;	/* "quota_rule=RULE", "quota_rule2=RULE" ... in answer order */
};

struct auth_client;

/* connect and do the handshake; NULL with why when authd is unreachable */
struct auth_client *auth_client_open(const char *path, int timeout_ms, struct buf *why);
void auth_client_free(struct auth_client **acp);
/* false once an I/O or protocol error made the connection unusable */
bool auth_client_usable(const struct auth_client *ac);
/* the mechanisms authd offers, upper case */
const struct strv *auth_client_mechs(const struct auth_client *ac);

enum auth_status auth_client_start(struct auth_client *ac, const char *mech,
				   const struct auth_request *req, const char *initial,
				   struct buf *out);
enum auth_status auth_client_step(struct auth_client *ac, const char *response, struct buf *out);
/* the user gave up: tell authd and forget the request */
void auth_client_cancel(struct auth_client *ac);

/* the login token of the last AUTH_OK, NULL if it carried none */
const char *auth_client_login_token(const struct auth_client *ac);
/* the user a login token was issued for (TOKEN); results as auth_client_user;
 * session: NULL or the client's session id, for authd's log line */
enum auth_status auth_client_redeem(struct auth_client *ac, const char *token, const char *service,
				    const char *rip, const char *session, struct auth_user *u,
				    struct buf *out);

enum auth_status auth_client_user(struct auth_client *ac, const char *name, const char *service,
				  struct auth_user *u, struct buf *out);
void auth_client_user_clear(struct auth_user *u);

#endif
