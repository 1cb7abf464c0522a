/* authd_conn - one client connection of authd: the handshake, lines of at
 * most AUTHD_MAX_LINE bytes, the command table, buffered output.
 *
 * A line that is too long, has a control character or too many fields
 * gets "ERROR - text" and the connection is closed; so does anything
 * before the client's VERSION, or a VERSION with another major number.
 * Output the client does not read is bounded (AUTHD_MAX_OUTPUT), then the
 * connection is dropped.  At end of input, requests whose delayed FAIL is
 * pending are still answered before the connection is closed.  The
 * peer's uid (SO_PEERCRED) is read once at accept: TOKEN needs it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "authd.h"
#include "ev.h"
#include "log.h"
#include "mem.h"
#include "server.h"

struct authd_conn {
	int fd;
	uid_t peer_uid;		/* (uid_t)-1: unknown */
	struct buf *in, *out;
	bool versioned;		/* the client's VERSION arrived */
	bool closing;		/* ERROR sent: close after this */
	bool dead;		/* I/O failed */
	bool eof;		/* no more input */
	struct authd_req *reqs[AUTHD_MAX_REQUESTS];
	uint32_t ids[AUTHD_MAX_REQUESTS];
	int nreqs;
};

static void on_read(struct ev *ev, int fd, void *ctx);

/* destroy - close the connection and forget its requests */
static void destroy(struct authd_conn *c)
{
	while (c->nreqs > 0)
		authd_req_free(c->reqs[--c->nreqs]);
	server_multi_done(c->fd);
	explicit_bzero(c->in->data, c->in->cap);
	buf_free(&c->in);
	buf_free(&c->out);
	free(c);
}

/* settle - destroy the connection if it is finished (only from the
 * event loop's own callbacks: nobody may use c afterwards) */
static void settle(struct authd_conn *c)
{
	if (c->dead || c->closing || (c->eof && c->nreqs == 0))
		destroy(c);
}

/* on_write - the socket can take more output */
static void on_write(struct ev *ev, int fd, void *ctx);

/* flush - write what we can; watch for writability if some is left */
static void flush(struct authd_conn *c)
{
	while (buf_len(c->out) > 0 && !c->dead) {
		ssize_t n = write(c->fd, buf_str(c->out), buf_len(c->out));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (buf_len(c->out) > AUTHD_MAX_OUTPUT)
				c->dead = true;
			else if (!c->eof)
				ev_write(server_ev(), c->fd, on_write, c);
			return;
		}
		if (n <= 0) {
			c->dead = true;
			return;
		}
		memmove(c->out->data, c->out->data + n, buf_len(c->out) - (size_t)n);
		buf_truncate(c->out, buf_len(c->out) - (size_t)n);
		explicit_bzero(c->out->data + buf_len(c->out), (size_t)n);	/* sent tokens */
	}
	if (!c->eof && !c->dead)
		ev_read(server_ev(), c->fd, on_read, c);
}

/* on_write - see flush */
static void on_write(struct ev *ev, int fd, void *ctx)
{
	(void)ev;
	(void)fd;
	flush(ctx);
	settle(ctx);
}

/* authd_conn_send - queue a line (with its LF) and try to write it */
void authd_conn_send(struct authd_conn *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(c->out, fmt, ap);
	va_end(ap);
	flush(c);
}

/* authd_conn_error - ERROR id text; close_it for a broken line */
void authd_conn_error(struct authd_conn *c, const char *id, const char *text, bool close_it)
{
	authd_conn_send(c, "ERROR\t%s\t%s\n", id, text);
	if (close_it)
		c->closing = true;
}

/* authd_conn_peer_uid - the client's uid at accept, (uid_t)-1 if unknown */
uid_t authd_conn_peer_uid(const struct authd_conn *c)
{
	return c->peer_uid;
}

/* peer_uid - SO_PEERCRED of a UNIX socket, (uid_t)-1 if it has none */
static uid_t peer_uid(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || len != sizeof(cred))
		return (uid_t)-1;
	return cred.uid;
}

/* authd_conn_find - the outstanding request with this ID */
struct authd_req *authd_conn_find(struct authd_conn *c, uint32_t id)
{
	for (int i = 0; i < c->nreqs; i++)
		if (c->ids[i] == id)
			return c->reqs[i];
	return NULL;
}

/* authd_conn_full - no room for another outstanding request */
bool authd_conn_full(const struct authd_conn *c)
{
	return c->nreqs >= AUTHD_MAX_REQUESTS;
}

/* authd_conn_add - register a request (the caller checked authd_conn_full) */
void authd_conn_add(struct authd_conn *c, struct authd_req *r, uint32_t id)
{
	if (c->nreqs >= AUTHD_MAX_REQUESTS)
		log_panic("authd_conn_add: too many requests");
	c->ids[c->nreqs] = id;
	c->reqs[c->nreqs++] = r;
}

/* authd_conn_remove - unregister a request */
void authd_conn_remove(struct authd_conn *c, struct authd_req *r)
{
	for (int i = 0; i < c->nreqs; i++)
		if (c->reqs[i] == r) {
			c->reqs[i] = c->reqs[--c->nreqs];
			c->ids[i] = c->ids[c->nreqs];
			break;
		}
}

/* authd_conn_settle - for timers: close the connection if it is finished */
void authd_conn_settle(struct authd_conn *c)
{
	settle(c);
}

/* cmd_version - VERSION major minor: the client's protocol version */
static void cmd_version(struct authd_conn *c, char **f, int n)
{
	if (n < 3 || strcmp(f[1], "1") != 0)
		authd_conn_error(c, "-", "unsupported protocol version (this is 1)", true);
	else
		c->versioned = true;
}

static const struct command {
	const char *name;
	void (*fn)(struct authd_conn *c, char **f, int n);
} commands[] = {
	{ "VERSION", cmd_version },
	{ "AUTH", authd_cmd_auth },
	{ "CONT", authd_cmd_cont },
	{ "CANCEL", authd_cmd_cancel },
	{ "USER", authd_cmd_user },
	{ "TOKEN", authd_cmd_token },
};

/* one_line - check, split and dispatch one line (without its LF) */
static void one_line(struct authd_conn *c, char *line, size_t len)
{
	char *f[AUTHD_MAX_FIELDS];
	int n;

	if (!authd_line_ok(line, len)) {
		authd_conn_error(c, "-", "control character in line", true);
		return;
	}
	if ((n = authd_split(line, f, AUTHD_MAX_FIELDS)) < 0) {
		authd_conn_error(c, "-", "too many fields", true);
		return;
	}
	if (!c->versioned && strcmp(f[0], "VERSION") != 0) {
		authd_conn_error(c, "-", "VERSION expected first", true);
		return;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, f[0]) == 0) {
			commands[i].fn(c, f, n);
			return;
		}
	authd_conn_error(c, "-", "unknown command", false);
}

/* lines - every complete line of the input buffer */
static void lines(struct authd_conn *c)
{
	size_t done = 0;
	char *nl;

	while (!c->closing && !c->dead &&
	       (nl = memchr(c->in->data + done, '\n', buf_len(c->in) - done)) != NULL) {
		size_t len = (size_t)(nl - (c->in->data + done));

		if (len + 1 > AUTHD_MAX_LINE) {
			authd_conn_error(c, "-", "line too long", true);
			break;
		}
		*nl = '\0';
		one_line(c, c->in->data + done, len);
		done += len + 1;
	}
	if (!c->closing && buf_len(c->in) - done >= AUTHD_MAX_LINE)
		authd_conn_error(c, "-", "line too long", true);
	explicit_bzero(c->in->data, done);
	memmove(c->in->data, c->in->data + done, buf_len(c->in) - done);
	buf_truncate(c->in, buf_len(c->in) - done);
}

/* end_of_input - answer what is pending, drop what waits for the client */
static void end_of_input(struct authd_conn *c)
{
	c->eof = true;
	ev_off(server_ev(), c->fd);
	for (int i = c->nreqs - 1; i >= 0; i--)
		if (!authd_req_pending(c->reqs[i])) {
			struct authd_req *r = c->reqs[i];

			authd_conn_remove(c, r);
			authd_req_free(r);
		}
}

/* on_read - input from the client */
static void on_read(struct ev *ev, int fd, void *ctx)
{
	struct authd_conn *c = ctx;
	char chunk[4096];
	ssize_t n = read(fd, chunk, sizeof(chunk));

	(void)ev;
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n <= 0) {
		end_of_input(c);
	} else {
		buf_add(c->in, chunk, (size_t)n);
		explicit_bzero(chunk, sizeof(chunk));
		lines(c);
	}
	settle(c);
}

/* authd_conn_new - a client: send our handshake, wait for its lines */
void authd_conn_new(int fd)
{
	struct authd_conn *c = xcalloc(1, sizeof(*c));
	size_t nmech;
	const struct mech *m = authd_mech_table(&nmech);

	c->fd = fd;
	c->peer_uid = peer_uid(fd);
	c->in = buf_new(AUTHD_MAX_LINE);
	c->out = buf_new(256);
	buf_cat(c->out, "VERSION\t1\t0\n");
	for (size_t i = 0; i < nmech; i++)
		if (authd.mechs & m[i].bit)
			buf_printf(c->out, "MECH\t%s%s\n", m[i].name, m[i].plaintext ? "\tplaintext" : "");
	buf_cat(c->out, "DONE\n");
	flush(c);
	settle(c);
}
