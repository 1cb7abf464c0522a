/* login_handoff - how a login process (pop3d, imapd) hands a logged-in
 * client to the mail process that serves it (docs/mail-access.md).
 *
 *   login side:                              mail side (root, one client):
 *   struct login_handoff h = { .client_fd = fd, .token = t, ... };
 *   login_handoff_send(sock, &h, 10000, why);
 *                                            login_handoff_recv(sock, &h, 10000, why);
 *                                            ... redeem h.token with authd ...
 *                                            login_handoff_clear(&h);
 *
 * Wire: one byte carrying the client descriptor (SCM_RIGHTS), then one
 * attr message (attr.h): protocol, token, rip, lip, lport, secured,
 * tag (IMAP: the login command's tag), session (the id the login process
 * logs the client with; optional), input (the client's bytes the login
 * process read past the login command, base64).
 * Trust: the mail process reads this as root, from a process that faced
 * the network.  Every field is bounded and checked; nothing in it names
 * the user: only the token, which authd exchanges for the user's record.
 */
#ifndef HATO_LOGIN_HANDOFF_H
#define HATO_LOGIN_HANDOFF_H

#include <stdbool.h>

#include "buf.h"
#include "session_id.h"

enum {
	LOGIN_HANDOFF_INPUT_MAX = 16384,	/* pipelined bytes passed along */
	LOGIN_HANDOFF_TOKEN_MAX = 128,
	LOGIN_HANDOFF_TAG_MAX = 256,
};

struct login_handoff {
	int client_fd;			/* -1: none */
	char protocol[8];		/* "pop3", "imap" */
	char token[LOGIN_HANDOFF_TOKEN_MAX + 1];
	char rip[64], lip[64];		/* client and local address */
	int lport;			/* local port (for logs) */
	bool secured;			/* TLS, ended by the login process */
	char tag[LOGIN_HANDOFF_TAG_MAX + 1];	/* "" for POP3 */
	char session[SESSION_ID_SIZE];	/* the login process's session id, or "" */
	struct buf *input;		/* NULL or bytes to be read first */
};

int login_handoff_send(int sock, const struct login_handoff *h, int timeout_ms, struct buf *why);
/* 0 with h filled (h->client_fd open, h->input allocated), or -1 with why */
int login_handoff_recv(int sock, struct login_handoff *h, int timeout_ms, struct buf *why);
/* login_handoff_parse - the attr message part (fuzzed); h->input is made */
int login_handoff_parse(const void *data, size_t len, struct login_handoff *h, struct buf *why);
void login_handoff_clear(struct login_handoff *h);

#endif
