/* proxymap_conn - one client connection of proxymap: the hello, then
 * request/reply pairs until the client closes.
 *
 * Clients keep their connection for their life (an smtpd asks at every
 * RCPT), so a connection unused for ipc_idle is closed here: the client
 * reconnects on its next lookup (dict_proxy.c), and a proxymap retired by
 * a reload is not held up by idle clients.  A request is read whole once
 * its first bytes arrive, within PROXYMAP_IO_TIMEOUT_MS, and answered at
 * once (lookups are short; one process serves every client, as Postfix's
 * proxymap does).  A request over the dict_proxy.h limits, a protocol
 * error or a reply that cannot be written closes the connection.
 */
#include <stdlib.h>

#include "dict_proxy.h"
#include "ev.h"
#include "log.h"
#include "mem.h"
#include "proxymap.h"
#include "server.h"

struct conn {
	int fd;
	struct attr_in *in;
	int idle_timer;		/* 0: none */
	long idle_ms;
};

/* conn_close - forget the client */
static void conn_close(struct conn *c)
{
	if (c->idle_timer)
		ev_cancel(server_ev(), c->idle_timer);
	attr_in_free(&c->in);
	server_multi_done(c->fd);
	free(c);
}

/* on_idle - the client has been quiet for ipc_idle */
static void on_idle(struct ev *ev, void *ctx)
{
	struct conn *c = ctx;

	(void)ev;
	c->idle_timer = 0;
	conn_close(c);
}

/* arm_idle - (re)start the idle timer */
static void arm_idle(struct conn *c)
{
	if (c->idle_timer)
		ev_cancel(server_ev(), c->idle_timer);
	c->idle_timer = ev_timer(server_ev(), c->idle_ms, on_idle, c);
}

/* serve_one - read one request and answer it; false: close the connection */
static bool serve_one(struct conn *c, struct buf *why)
{
	struct attr_out *o;
	int rc = attr_read(c->in, c->fd, PROXYMAP_IO_TIMEOUT_MS, why);

	if (rc <= 0) {
		if (rc < 0)
			log_warn("client request: %s", buf_str(why));
		return false;
	}
	o = attr_out_new();
	proxymap_lookup_reply(c->in, o);
	rc = attr_write(c->fd, o, PROXYMAP_IO_TIMEOUT_MS, why);
	attr_out_free(&o);
	if (rc < 0)
		log_warn("reply to client: %s", buf_str(why));
	return rc == 0;
}

/* on_read - a request (or several, pipelined) from the client */
static void on_read(struct ev *ev, int fd, void *ctx)
{
	struct conn *c = ctx;
	struct buf *why = buf_new(0);
	bool open;

	(void)ev;
	(void)fd;
	do
		open = serve_one(c, why);
	while (open && attr_in_buffered(c->in) > 0);
	buf_free(&why);
	if (open)
		arm_idle(c);
	else
		conn_close(c);
}

/* proxymap_conn_new - greet a new client and wait for its requests */
void proxymap_conn_new(int fd, long idle_ms)
{
	struct conn *c = xcalloc(1, sizeof(*c));
	struct buf *why = buf_new(0);

	c->fd = fd;
	c->idle_ms = idle_ms;
	c->in = attr_in_new(DICT_PROXY_MAX_KEY, DICT_PROXY_MAX_REQUEST);
	if (attr_hello_write(fd, DICT_PROXY_PROTOCOL, DICT_PROXY_VERSION, PROXYMAP_IO_TIMEOUT_MS, why) < 0) {
		log_warn("hello to client: %s", buf_str(why));
		conn_close(c);
	} else {
		ev_read(server_ev(), fd, on_read, c);
		arm_idle(c);
	}
	buf_free(&why);
}
