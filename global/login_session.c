/* login_session - one client of a login process before and at login
 * (see login_session.h).  Moved here from pop3d so that imapd shares it:
 * the addresses, TLS, the plaintext rule, authd, the handoff and relay. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/socket.h>

#include "duration.h"
#include "log.h"
#include "login_relay.h"
#include "login_session.h"
#include "unix_connect.h"

enum { HANDSHAKE_MS = 15000, HANDOFF_MS = 10000 };

/* login_session_tls_init - as root: the certificate and key, read before
 * the chroot (NULL: no TLS, said in the log) */
struct tls_server *login_session_tls_init(const struct params *cf)
{
	struct buf *why = buf_new(0), *protocols = buf_new(16);
	struct tls_server *t = NULL;

	buf_printf(protocols, ">=%s", cf->ssl_min_protocol);
	if (*cf->ssl_cert == '\0')
		log_info("ssl_cert is not set: no TLS");
	else if ((t = tls_server_new(cf->ssl_cert, cf->ssl_key, buf_str(protocols), why)) == NULL)
		log_warn("cannot read the TLS certificate or key: %s: no TLS", buf_str(why));
	buf_free(&protocols);
	buf_free(&why);
	return t;
}

/* login_session_open - addresses and a stream with the login time limit
 * per command */
void login_session_open(struct login_session *ls, const struct params *cf,
			struct tls_server *tls_server, int fd)
{
	memset(ls, 0, sizeof(*ls));
	ls->cf = cf;
	ls->tls_server = tls_server;
	ls->fd = fd;
	sock_addr_peer(fd, ls->rip, sizeof(ls->rip), &ls->rport);
	sock_addr_local(fd, ls->lip, sizeof(ls->lip), &ls->lport);
	ls->s = stream_new(fd, (int)cf->login_timeout * 1000);
	stream_set_per_record(ls->s, true, 0);
	session_id_new(ls->session);
	log_set_session(ls->session, true);
}

/* login_session_close - TLS and the stream; the token wiped */
void login_session_close(struct login_session *ls)
{
	if (ls->tls)
		tls_conn_close(&ls->tls, false);
	stream_free(&ls->s);
	explicit_bzero(ls->token, sizeof(ls->token));
	log_set_session(NULL, false);
}

/* login_session_vreply - one response line, flushed with the next read */
void login_session_vreply(struct login_session *ls, const char *fmt, va_list ap)
{
	struct buf *b = buf_new(128);

	buf_vprintf(b, fmt, ap);
	buf_cat(b, "\r\n");
	stream_write(ls->s, buf_str(b), buf_len(b));
	buf_free(&b);
}

/* loopback - the client is on this host */
static bool loopback(const char *addr)
{
	return strncmp(addr, "127.", 4) == 0 || strcmp(addr, "::1") == 0;
}

/* login_session_secured - TLS, or a client on this host (as Dovecot) */
bool login_session_secured(const struct login_session *ls)
{
	return ls->tls != NULL || loopback(ls->rip);
}

/* login_session_plaintext_ok - may a password cross this connection? */
bool login_session_plaintext_ok(const struct login_session *ls)
{
	return !ls->cf->disable_plaintext_auth || login_session_secured(ls);
}

/* login_session_tls_offered - a certificate that loads, no TLS yet */
bool login_session_tls_offered(struct login_session *ls)
{
	struct buf *why;
	bool ok;

	if (ls->tls || !tls_server_usable(ls->tls_server))
		return false;
	why = buf_new(0);
	if (!(ok = tls_server_ready(ls->tls_server, why) == 0))
		log_warn("cannot load the TLS certificate or key: %s: no TLS", buf_str(why));
	buf_free(&why);
	return ok;
}

/* login_session_tls_start - the handshake (tls_accept drops what was
 * read before it in the clear: RFC 2595, CVE-2011-0411) */
bool login_session_tls_start(struct login_session *ls)
{
	struct buf *why = buf_new(0);

	ls->tls = tls_accept(ls->tls_server, ls->s, why);
	if (ls->tls == NULL)
		log_info("TLS handshake failed: rip=%s, lip=%s: %s", ls->rip, ls->lip, buf_str(why));
	buf_free(&why);
	return ls->tls != NULL;
}

/* login_session_auth - the process's authd connection, opened on first
 * use and again after an error made it unusable */
struct auth_client *login_session_auth(const struct login_session *ls)
{
	static struct auth_client *ac;
	struct buf *why;
	long ms = 60000;

	if (ac && auth_client_usable(ac))
		return ac;
	auth_client_free(&ac);
	duration_ms(ls->cf->auth_failure_delay, 60000, &ms);
	why = buf_new(0);
	if ((ac = auth_client_open("auth", (int)ms + HANDSHAKE_MS, why)) == NULL)
		log_warn("cannot reach the authentication server: %s", buf_str(why));
	buf_free(&why);
	return ac;
}

/* login_session_plaintext_mech - PLAIN and LOGIN send the password */
bool login_session_plaintext_mech(const char *mech)
{
	return strcasecmp(mech, "PLAIN") == 0 || strcasecmp(mech, "LOGIN") == 0;
}

/* login_session_mechs - authd's mechanisms (auth_mechanisms without it),
 * the plaintext ones only where a password may be sent */
void login_session_mechs(const struct login_session *ls, struct buf *out)
{
	struct auth_client *ac = login_session_auth(ls);
	struct strv *from = ac ? NULL : strv_split(ls->cf->auth_mechanisms, ", \t");
	const struct strv *v = ac ? auth_client_mechs(ac) : from;

	buf_reset(out);
	for (size_t i = 0; i < v->len; i++) {
		if (login_session_plaintext_mech(v->items[i]) && !login_session_plaintext_ok(ls))
			continue;
		buf_printf(out, "%s%s", buf_len(out) ? " " : "", v->items[i]);
	}
	for (char *c = (char *)buf_str(out); *c; c++)
		*c = (char)toupper((unsigned char)*c);
	strv_free(&from);
}

/* login_session_take_token - authd's login token, kept for the handoff */
int login_session_take_token(struct login_session *ls, const struct auth_client *ac)
{
	const char *token = auth_client_login_token(ac);

	if (token == NULL || strlen(token) >= sizeof(ls->token)) {
		log_warn("authd accepted a login but gave no login token (an older authd?)");
		return -1;
	}
	snprintf(ls->token, sizeof(ls->token), "%s", token);
	return 0;
}

/* pending_input - what the client sent after the login command, at most
 * what one handoff carries (the rest stays in the stream for the relay;
 * a plain socket's buffer is never larger) */
static struct buf *pending_input(struct login_session *ls)
{
	struct buf *b = buf_new(64);
	char bytes[LOGIN_HANDOFF_INPUT_MAX];
	size_t n = stream_pending(ls->s);

	if (n > sizeof(bytes))
		n = sizeof(bytes);
	if (n > 0 && stream_read(ls->s, bytes, n) == (ssize_t)n)
		buf_add(b, bytes, n);
	return b;
}

/* send_session - the handoff message over a new connection */
static int send_session(struct login_session *ls, const char *service, const char *tag,
			int client_fd, struct buf *why)
{
	struct login_handoff h = { .client_fd = client_fd, .lport = (int)ls->lport,
				   .secured = ls->tls != NULL };
	int sock = unix_connect(service, why), rc;

	if (sock < 0)
		return -1;
	snprintf(h.protocol, sizeof(h.protocol), "%s", service);
	snprintf(h.token, sizeof(h.token), "%s", ls->token);
	snprintf(h.rip, sizeof(h.rip), "%s", ls->rip);
	snprintf(h.lip, sizeof(h.lip), "%s", ls->lip);
	snprintf(h.tag, sizeof(h.tag), "%s", tag ? tag : "");
	snprintf(h.session, sizeof(h.session), "%s", ls->session);
	h.input = pending_input(ls);
	rc = login_handoff_send(sock, &h, HANDOFF_MS, why);
	buf_free(&h.input);
	explicit_bzero(h.token, sizeof(h.token));
	close(sock);
	return rc;
}

/* login_session_handoff - the session is the mail process's from here;
 * without TLS it gets the client's socket, with TLS one end of a
 * socketpair, and this process relays */
int login_session_handoff(struct login_session *ls, const char *service, const char *tag,
			  long idle_s, struct buf *why)
{
	int pair[2] = { -1, -1 }, rc = -1;

	if (ls->tls && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) {
		buf_printf(why, "socketpair: %m");
	} else if (send_session(ls, service, tag, ls->tls ? pair[1] : ls->fd, why) == 0) {
		rc = 0;
		if (ls->tls) {
			close(pair[1]);
			pair[1] = -1;
			stream_set_per_record(ls->s, false, 0);
			stream_set_timeout(ls->s, (int)idle_s * 1000);
			login_relay(ls->s, pair[0]);
		}
	}
	for (int i = 0; i < 2; i++)
		if (pair[i] >= 0)
			close(pair[i]);
	explicit_bzero(ls->token, sizeof(ls->token));
	return rc;
}
