/* imapd - the IMAP login process (docs/mail-access.md), pop3d's twin.
 *
 * Runs as default_login_user, chrooted into queue_directory/login, one
 * client at a time.  It alone parses what an IMAP client sends before
 * login (RFC 9051, RFC 3501): the greeting with its capabilities,
 * CAPABILITY, NOOP, LOGOUT, ID, STARTTLS (and implicit TLS on imaps),
 * LOGIN and AUTHENTICATE (SASL-IR), checked by authd on login/auth.
 * After a login it hands the client, authd's one-time token, the login
 * command's tag and any pipelined input to an imapmail process on
 * login/imap, which answers the tagged OK; with TLS it stays the TLS end
 * and relays (global/login_session.c, shared with pop3d).
 * Input is hostile: commands go through imap_parse with small limits
 * (IMAPD_LINE_MAX), SASL lines are bounded the same, and the third bad
 * command ends the session, as in Dovecot's imap-login.
 *
 * main.c: the skeleton call, the certificate read as root.
 * imapd_session.c: the command loop and the commands that need no authd.
 * imapd_auth.c: LOGIN and AUTHENTICATE through authd.
 */
#ifndef HATO_IMAPD_H
#define HATO_IMAPD_H

#include <stdbool.h>

#include "buf.h"
#include "imap_parse.h"
#include "login_session.h"
#include "params.h"

enum {
	IMAPD_LINE_MAX = 8192,		/* a command line, a literal, a SASL line */
	IMAPD_ARGS_MAX = 100,		/* ID's 30 pairs fit */
	IMAPD_DEPTH_MAX = 4,
	IMAPD_BAD_COMMANDS_MAX = 3,	/* as Dovecot's imap-login */
};

struct imapd_global {
	const struct params *cf;
	struct tls_server *tls;		/* NULL: no certificate, no STARTTLS */
};

struct imapd {
	struct imapd_global *g;
	struct login_session ls;	/* stream, TLS, addresses, token */
	int bad_commands;
	bool done;			/* LOGOUT, a login, or a fatal error */
	char tag[IMAP_TAG_MAX + 1];	/* of the command that logged in */
};

/* imapd_session.c */
void imapd_session(struct imapd_global *g, int fd);
void imapd_reply(struct imapd *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void imapd_bad(struct imapd *d, const char *tag, const char *text);

/* imapd_auth.c */
void imapd_cmd_login(struct imapd *d, struct imap_cmd *c);
void imapd_cmd_authenticate(struct imapd *d, struct imap_cmd *c);

#endif
