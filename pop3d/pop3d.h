/* pop3d - the POP3 login process (docs/mail-access.md).
 *
 * Runs as default_login_user, chrooted into queue_directory/login, one
 * client at a time.  It alone parses what a client sends before login:
 * the greeting, CAPA, STLS (and implicit TLS for pop3s), USER/PASS and
 * AUTH, checked by authd through login/auth.  After a login it hands the
 * client, with authd's one-time token, to a pop3mail process through
 * login/pop3; with TLS it stays the TLS end and relays.
 *
 * main.c: the skeleton call, the certificate read as root.
 * pop3d_session.c: the command loop and the commands that need no authd.
 * pop3d_auth.c: USER/PASS and AUTH (RFC 5034) through authd.
 * pop3d_handoff.c: the handoff to pop3mail and the TLS relay.
 * What imapd does the same way is in global/login_session.c.
 */
#ifndef HATO_POP3D_H
#define HATO_POP3D_H

#include <stdbool.h>

#include "buf.h"
#include "login_session.h"
#include "params.h"
#include "pop3_cmd.h"

struct pop3d_global {
	const struct params *cf;
	struct tls_server *tls;		/* NULL: no certificate, no STLS */
};

struct pop3d {
	struct pop3d_global *g;
	struct login_session ls;	/* stream, TLS, addresses, token */
	char *user;			/* from USER, for PASS */
	int bad_commands;
	bool done;			/* QUIT, a handoff, or a fatal error */
};

/* pop3d_session.c */
void pop3d_session(struct pop3d_global *g, int fd);
void pop3d_reply(struct pop3d *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* pop3d_auth.c */
void pop3d_cmd_user(struct pop3d *p, struct pop3_cmd *c);
void pop3d_cmd_pass(struct pop3d *p, struct pop3_cmd *c);
void pop3d_cmd_auth(struct pop3d *p, struct pop3_cmd *c);
void pop3d_cmd_apop(struct pop3d *p, struct pop3_cmd *c);
void pop3d_auth_mechs(struct pop3d *p, struct buf *out);

/* pop3d_handoff.c */
void pop3d_handoff(struct pop3d *p);

#endif
