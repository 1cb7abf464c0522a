/* login_session - what the login processes (pop3d, imapd) share about one
 * client before login: its addresses and stream, TLS (STARTTLS/STLS and
 * implicit TLS), whether a password may cross the connection, authd
 * (the connection, the mechanisms offered, the login token), and the
 * handoff to the mail process with the TLS relay after it
 * (docs/mail-access.md).
 *
 *   g->tls = login_session_tls_init(cf);          // pre_init, as root
 *   struct login_session ls;
 *   login_session_open(&ls, cf, g->tls, fd);      // per client
 *   ... the protocol's commands; after authd's OK:
 *   if (login_session_take_token(&ls, ac) == 0)
 *       login_session_handoff(&ls, "imap", tag, idle_s, why);   // -1: answer, log
 *   login_session_close(&ls);
 *
 * Trust: everything here faces an unauthenticated client; the process
 * runs as default_login_user in queue_directory/login.  The token is
 * wiped when the session closes.  Errors: -1 with why; TLS failures are
 * logged here (the session is then over).
 */
#ifndef HATO_LOGIN_SESSION_H
#define HATO_LOGIN_SESSION_H

#include <stdarg.h>
#include <stdbool.h>

#include "auth_client.h"
#include "buf.h"
#include "login_handoff.h"
#include "params.h"
#include "session_id.h"
#include "sock_addr.h"
#include "stream.h"
#include "tls.h"

struct login_session {
	const struct params *cf;
	struct tls_server *tls_server;	/* NULL: no certificate, no STARTTLS */
	struct stream *s;
	int fd;
	struct tls_conn *tls;		/* after STARTTLS, or implicit TLS */
	char rip[SOCK_ADDR_MAX], lip[SOCK_ADDR_MAX];
	unsigned rport, lport;
	char token[LOGIN_HANDOFF_TOKEN_MAX + 1];	/* authd's, after a login */
	char session[SESSION_ID_SIZE];	/* this client's id in every log line
					 * (login process, authd, mail process) */
};

struct tls_server *login_session_tls_init(const struct params *cf);
void login_session_open(struct login_session *ls, const struct params *cf,
			struct tls_server *tls_server, int fd);
void login_session_close(struct login_session *ls);

/* one response line (CRLF added), sent with the next flush */
void login_session_vreply(struct login_session *ls, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* TLS, or a client on this host (as Dovecot) */
bool login_session_secured(const struct login_session *ls);
/* may a password cross this connection (disable_plaintext_auth)? */
bool login_session_plaintext_ok(const struct login_session *ls);
/* STARTTLS can be offered: a certificate that loads, no TLS yet */
bool login_session_tls_offered(struct login_session *ls);
/* the handshake; false when it failed (logged; the session is over) */
bool login_session_tls_start(struct login_session *ls);

/* the process's authd connection (login/auth), opened on first use */
struct auth_client *login_session_auth(const struct login_session *ls);
/* the mechanisms this connection may use, upper case, space-separated */
void login_session_mechs(const struct login_session *ls, struct buf *out);
/* PLAIN and LOGIN send the password as it is */
bool login_session_plaintext_mech(const char *mech);
/* authd's token after AUTH_OK into ls->token; -1 (logged) without one */
int login_session_take_token(struct login_session *ls, const struct auth_client *ac);

/* the client, the token, tag and pipelined input to the mail service
 * (login/SERVICE); with TLS, relays until the session ends (idle_s: the
 * mail side's idle limit).  -1 with why: the client has not been told. */
int login_session_handoff(struct login_session *ls, const char *service, const char *tag,
			  long idle_s, struct buf *why);

#endif
