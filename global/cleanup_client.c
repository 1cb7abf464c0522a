/* cleanup_client - the client side of the cleanup protocol; see
 * cleanup_client.h and docs/cleanup-protocol.md.  Records are collected
 * in a buffer and written in large blocks; the connection never waits for
 * cleanup before the end, so a slow disk does not stall SMTP reading
 * beyond the socket buffers. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "attr.h"
#include "cleanup_client.h"
#include "mem.h"
#include "qrec.h"
#include "unix_connect.h"

enum {
	CLEANUP_TIMEOUT_MS = 300 * 1000,	/* cleanup itself never stalls this long */
	FLUSH_AT = 64 * 1024,
};

struct cleanup_client {
	int fd;
	char *queue_id;
	struct buf *out;
	struct attr_in *in;
	bool failed;		/* a write failed: finish reports it */
	bool content;		/* 'M' sent */
	bool queued;		/* cleanup has the message already: nothing to send */
	struct buf *why;
};

/* connect_to - the public/cleanup socket under queue_dir */
static int connect_to(const char *queue_dir, struct buf *why)
{
	struct buf *path = buf_new(64);
	int fd;

	buf_printf(path, "%s/public/cleanup", queue_dir);
	fd = unix_connect(buf_str(path), why);
	buf_free(&path);
	return fd;
}

/* connect_with - connect, send the request, queue the first records;
 * cleanup's hello is read later (cleanup_client_ready), so that cleanup
 * can create the queue file while the caller does something else */
static struct cleanup_client *connect_with(const char *queue_dir, int flags, const char *maildrop,
					   struct buf *why)
{
	struct cleanup_client *cc;
	struct attr_out *req = attr_out_new();
	char f[16];
	int fd = connect_to(queue_dir, why);

	if (fd >= 0 && maildrop)
		attr_put_str(req, "maildrop", maildrop);
	attr_end(req);
	if (fd >= 0 && attr_write(fd, req, CLEANUP_TIMEOUT_MS, why) < 0) {
		close(fd);
		fd = -1;
	}
	attr_out_free(&req);
	if (fd < 0)
		return NULL;
	cc = xcalloc(1, sizeof(*cc));
	cc->fd = fd;
	cc->out = buf_new(FLUSH_AT + 8192);
	cc->in = attr_in_new(0, 0);
	cc->why = buf_new(0);
	qrec_put_str(cc->out, QREC_VERSION, QREC_VERSION_TEXT);
	snprintf(f, sizeof(f), "%d", flags);
	qrec_put_str(cc->out, QREC_FLAGS, f);
	return cc;
}

/* cleanup_client_connect - a new message; see connect_with */
struct cleanup_client *cleanup_client_connect(const char *queue_dir, int flags, struct buf *why)
{
	return connect_with(queue_dir, flags, NULL, why);
}

/* cleanup_client_ready - cleanup's hello with the queue ID (read once);
 * 0, or -1 with why */
int cleanup_client_ready(struct cleanup_client *cc, struct buf *why)
{
	const char *id;

	if (cc->queue_id)
		return 0;
	if (attr_hello_read(cc->in, cc->fd, "cleanup", CLEANUP_PROTO_VERSION, CLEANUP_TIMEOUT_MS, why) < 0
	    || (id = attr_get(cc->in, "queue_id")) == NULL) {
		if (buf_len(why) == 0)
			buf_printf(why, "cleanup: %s", attr_get(cc->in, "error") ?
				   attr_get(cc->in, "error") : "no queue ID");
		return -1;
	}
	cc->queue_id = xstrdup(id);
	cc->queued = attr_get(cc->in, "queued") != NULL;
	if (cc->queued)
		buf_reset(cc->out);
	return 0;
}

/* cleanup_client_open - connect and read the queue ID */
struct cleanup_client *cleanup_client_open(const char *queue_dir, int flags, struct buf *why)
{
	struct cleanup_client *cc = cleanup_client_connect(queue_dir, flags, why);

	if (cc && cleanup_client_ready(cc, why) < 0)
		cleanup_client_abort(&cc);
	return cc;
}

/* cleanup_client_open_maildrop - the same for pickup's maildrop/NAME: the
 * queue ID is NAME; when cleanup_client_queued() says so, the message is
 * queued already (pickup died before it removed the file) and finish
 * returns cleanup's 250 without sending anything */
struct cleanup_client *cleanup_client_open_maildrop(const char *queue_dir, int flags,
						    const char *name, struct buf *why)
{
	struct cleanup_client *cc = connect_with(queue_dir, flags, name, why);

	if (cc && cleanup_client_ready(cc, why) < 0)
		cleanup_client_abort(&cc);
	return cc;
}

/* cleanup_client_queued - cleanup has this message queued already */
bool cleanup_client_queued(const struct cleanup_client *cc)
{
	return cc->queued;
}

/* cleanup_client_id - the queue ID cleanup assigned */
const char *cleanup_client_id(const struct cleanup_client *cc)
{
	return cc->queue_id;
}

/* write_all - send the buffered records */
static void write_all(struct cleanup_client *cc)
{
	size_t done = 0;

	while (!cc->failed && done < buf_len(cc->out)) {
		ssize_t n = write(cc->fd, buf_str(cc->out) + done, buf_len(cc->out) - done);

		if (n > 0) {
			done += (size_t)n;
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else {
			buf_printf(cc->why, "write to cleanup: %s", n < 0 ? strerror(errno) : "closed");
			cc->failed = true;
		}
	}
	buf_reset(cc->out);
}

/* put - one record; flush when the buffer is large (only once cleanup
 * has said hello: before that nothing is written) */
static void put(struct cleanup_client *cc, int type, const char *p, size_t len)
{
	if (cc->queued)
		return;
	qrec_put(cc->out, type, p, len);
	if (buf_len(cc->out) >= FLUSH_AT && cc->queue_id)
		write_all(cc);
}

/* cleanup_client_attr - a "name=value" attribute record */
void cleanup_client_attr(struct cleanup_client *cc, const char *name, const char *value)
{
	struct buf *b = buf_new(64);

	buf_printf(b, "%s=%s", name, value);
	put(cc, QREC_ATTR, buf_str(b), buf_len(b));
	buf_free(&b);
}

/* cleanup_client_sender - the envelope sender ("" for <>) */
void cleanup_client_sender(struct cleanup_client *cc, const char *sender)
{
	put(cc, QREC_SENDER, sender, strlen(sender));
}

/* cleanup_client_rcpt - a recipient with its DSN ORCPT and NOTIFY */
void cleanup_client_rcpt(struct cleanup_client *cc, const char *rcpt, const char *orcpt,
			 const char *notify)
{
	if (orcpt)
		put(cc, QREC_ORCPT, orcpt, strlen(orcpt));
	if (notify)
		put(cc, QREC_NOTIFY, notify, strlen(notify));
	put(cc, QREC_RCPT, rcpt, strlen(rcpt));
}

/* cleanup_client_line - a content line or piece (without line end) */
void cleanup_client_line(struct cleanup_client *cc, const char *p, size_t len, bool partial)
{
	if (!cc->content) {
		put(cc, QREC_MESG, "", 0);
		cc->content = true;
	}
	put(cc, partial ? QREC_PART : QREC_LINE, p, len);
}

/* parse_result - cleanup's answer */
static int parse_result(struct cleanup_client *cc, struct cleanup_result *res, struct buf *why)
{
	long long code;
	const char *dsn = attr_get(cc->in, "dsn"), *text = attr_get(cc->in, "text");

	if (attr_get_int(cc->in, "code", 200, 599, &code, why) < 0)
		return -1;
	res->code = (int)code;
	snprintf(res->dsn, sizeof(res->dsn), "%s", dsn ? dsn : code == 250 ? "2.0.0" : "4.3.0");
	snprintf(res->text, sizeof(res->text), "%s", text ? text : "");
	return 0;
}

/* cleanup_client_finish - end the message and wait for cleanup's verdict */
int cleanup_client_finish(struct cleanup_client *cc, struct cleanup_result *res,
			  struct buf *why)
{
	int rc;

	if (!cc->content)
		put(cc, QREC_MESG, "", 0);
	put(cc, QREC_XTRA, "", 0);
	put(cc, QREC_END, "", 0);
	if (cleanup_client_ready(cc, why) < 0)
		return -1;
	if (!cc->queued)
		write_all(cc);
	if (cc->failed) {
		buf_cat(why, buf_str(cc->why));
		return -1;
	}
	rc = attr_read(cc->in, cc->fd, CLEANUP_TIMEOUT_MS, why);
	if (rc == 0)
		buf_cat(why, "cleanup closed the connection without an answer");
	return rc > 0 ? parse_result(cc, res, why) : -1;
}

/* cleanup_client_abort - close (cleanup removes an unfinished file) */
void cleanup_client_abort(struct cleanup_client **ccp)
{
	struct cleanup_client *cc = *ccp;

	if (cc == NULL)
		return;
	close(cc->fd);
	free(cc->queue_id);
	buf_free(&cc->out);
	buf_free(&cc->why);
	attr_in_free(&cc->in);
	free(cc);
	*ccp = NULL;
}
