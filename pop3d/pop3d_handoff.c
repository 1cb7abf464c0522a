/* pop3d_handoff - after a login: the client, authd's token and any
 * pipelined input go to a pop3mail process through login/pop3.  Without
 * TLS the client's own socket is passed and this process is done with
 * it; with TLS the mail process gets one end of a socketpair and this
 * process relays (docs/mail-access.md: why not kernel TLS). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "log.h"
#include "login_relay.h"
#include "pop3d.h"
#include "unix_connect.h"

enum { HANDOFF_MS = 10000 };

/* pending_input - what the client sent after the login command */
static struct buf *pending_input(struct pop3d *p)
{
	struct buf *b = buf_new(64);
	char bytes[LOGIN_HANDOFF_INPUT_MAX];
	size_t n = stream_pending(p->s);

	/* at most what one handoff carries: the rest stays in the stream
	 * for the relay (a plain socket's buffer is never larger) */
	if (n > sizeof(bytes))
		n = sizeof(bytes);
	if (n > 0 && stream_read(p->s, bytes, n) == (ssize_t)n)
		buf_add(b, bytes, n);
	return b;
}

/* send_session - the handoff message over a new connection to pop3mail */
static int send_session(struct pop3d *p, int client_fd, struct buf *why)
{
	struct login_handoff h = { .client_fd = client_fd, .lport = (int)p->lport,
				   .secured = p->tls != NULL };
	int sock = unix_connect("pop3", why), rc;

	if (sock < 0)
		return -1;
	snprintf(h.protocol, sizeof(h.protocol), "pop3");
	snprintf(h.token, sizeof(h.token), "%s", p->token);
	snprintf(h.rip, sizeof(h.rip), "%s", p->rip);
	snprintf(h.lip, sizeof(h.lip), "%s", p->lip);
	h.input = pending_input(p);
	rc = login_handoff_send(sock, &h, HANDOFF_MS, why);
	buf_free(&h.input);
	explicit_bzero(h.token, sizeof(h.token));
	close(sock);
	return rc;
}

/* pop3d_handoff - the session is the mail process's from here on */
void pop3d_handoff(struct pop3d *p)
{
	struct buf *why = buf_new(0);
	int pair[2] = { -1, -1 };

	if (p->tls && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) {
		buf_printf(why, "socketpair: %m");
	} else if (send_session(p, p->tls ? pair[1] : p->fd, why) == 0) {
		if (p->tls) {
			close(pair[1]);
			pair[1] = -1;
			stream_set_per_record(p->s, false, 0);
			stream_set_timeout(p->s, (int)p->g->cf->pop3d_timeout * 1000);
			login_relay(p->s, pair[0]);
		}
		goto out;
	}
	log_warn("cannot hand the login of %s to the mail process: %s", p->rip, buf_str(why));
	pop3d_reply(p, "-ERR [SYS/TEMP] Internal login failure. Refer to server log for more information.");
	stream_flush(p->s);
out:
	for (int i = 0; i < 2; i++)
		if (pair[i] >= 0)
			close(pair[i]);
	explicit_bzero(p->token, sizeof(p->token));
	buf_free(&why);
}
