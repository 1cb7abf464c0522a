/* showq_session - the showq protocol: one request, one answer.
 *
 *   showq:   {protocol=showq, version=1}
 *   client:  one request (named attributes, libutil/attr.h), at most
 *            REQUEST_MAX bytes, within REQUEST_TIMEOUT_MS:
 *              {request=list, format=text|json}    postqueue -p / -j
 *              {request=deliver, queue_id=ID}      postqueue -i ID
 *              {request=site, site=SITE}           postqueue -s SITE
 *   showq:   for list, the report in {data=BYTES} messages of at most
 *            SHOWQ_CHUNK bytes each (the client concatenates them), then
 *            always a last message {status=N[, text=WHY]}: N is 0 or a
 *            sysexits code for postqueue to exit with, WHY what to say.
 * The last message tells the client the report is complete: a showq that
 * dies half-way leaves the client without it, not with half a listing
 * that looks whole.  The client is another local user's process: its
 * request is bounded and checked, and a client that stops reading only
 * costs this process WRITE_TIMEOUT_MS per message.
 */
#include <stdbool.h>
#include <string.h>
#include <sysexits.h>

#include "attr.h"
#include "log.h"
#include "showq.h"

enum {
	REQUEST_MAX = 4096,
	REQUEST_TIMEOUT_MS = 10 * 1000,
	WRITE_TIMEOUT_MS = 60 * 1000,
};

struct listing {
	int fd;
	bool json;
	struct buf *out;		/* report text not sent yet */
	unsigned long count;
	unsigned long long bytes;
	struct buf *why;
};

/* send_data - the buffered report in SHOWQ_CHUNK pieces; all: the last,
 * shorter piece too; -1 when the client is gone */
static int send_data(struct listing *l, bool all)
{
	struct attr_out *o = attr_out_new();
	size_t done = 0, len = buf_len(l->out);
	int rc = 0;

	while (rc == 0 && (len - done >= SHOWQ_CHUNK || (all && done < len))) {
		size_t n = len - done < SHOWQ_CHUNK ? len - done : SHOWQ_CHUNK;

		attr_put_mem(o, "data", buf_str(l->out) + done, n);
		attr_end(o);
		rc = attr_write(l->fd, o, WRITE_TIMEOUT_MS, l->why);
		done += n;
	}
	memmove(l->out->data, l->out->data + done, len - done);
	buf_truncate(l->out, len - done);
	attr_out_free(&o);
	return rc;
}

/* on_msg - format one message; stop when the client is gone */
static int on_msg(const struct showq_msg *m, void *ctx)
{
	struct listing *l = ctx;

	if (l->json)
		showq_json_msg(l->out, m);
	else
		showq_text_msg(l->out, m, l->count == 0);
	l->count++;
	l->bytes += (unsigned long long)(m->size > 0 ? m->size : 0);
	return send_data(l, false);
}

/* list - the whole report; 0 or a sysexits status */
static int list(int fd, bool json, struct buf *why)
{
	struct listing l = { .fd = fd, .json = json, .out = buf_new(SHOWQ_CHUNK + 4096), .why = why };
	int rc = showq_scan(on_msg, &l);

	if (rc == 0 && !json)
		showq_text_end(l.out, l.count, l.bytes);
	if (rc == 0)
		rc = send_data(&l, true);
	buf_free(&l.out);
	return rc == 0 ? 0 : EX_IOERR;
}

/* req_list - postqueue -p / -j */
static int req_list(int fd, const struct attr_in *in, struct buf *text)
{
	const char *format = attr_get(in, "format");

	if (format && (strcmp(format, "text") == 0 || strcmp(format, "json") == 0))
		return list(fd, strcmp(format, "json") == 0, text);
	buf_printf(text, "showq list request: unknown format \"%.20s\"", format ? format : "");
	return EX_USAGE;
}

/* req_deliver - postqueue -i */
static int req_deliver(int fd, const struct attr_in *in, struct buf *text)
{
	(void)fd;
	return showq_deliver_id(attr_get(in, "queue_id"), text);
}

/* req_site - postqueue -s */
static int req_site(int fd, const struct attr_in *in, struct buf *text)
{
	(void)fd;
	return showq_deliver_site(attr_get(in, "site"), text);
}

typedef int request_fn(int fd, const struct attr_in *in, struct buf *text);

static const struct request {
	const char *name, *needs;	/* the request and its one argument */
	request_fn *fn;
} requests[] = {
	{ "list", "format", req_list },
	{ "deliver", "queue_id", req_deliver },
	{ "site", "site", req_site },
};

/* dispatch - act on a request; the status for the last message */
static int dispatch(int fd, const struct attr_in *in, struct buf *text)
{
	const char *req = attr_get(in, "request");

	for (size_t i = 0; req && i < sizeof(requests) / sizeof(requests[0]); i++)
		if (strcmp(req, requests[i].name) == 0 && attr_get(in, requests[i].needs))
			return requests[i].fn(fd, in, text);
	buf_printf(text, "unknown or incomplete showq request \"%.40s\"", req ? req : "");
	return EX_USAGE;
}

/* showq_session - serve one client */
void showq_session(int in_fd, int out_fd)
{
	struct attr_in *in = attr_in_new(REQUEST_MAX, REQUEST_MAX);
	struct attr_out *o = attr_out_new();
	struct buf *why = buf_new(0), *text = buf_new(0);
	int status;

	if (attr_hello_write(out_fd, "showq", SHOWQ_PROTO_VERSION, WRITE_TIMEOUT_MS, why) < 0
	    || attr_read(in, in_fd, REQUEST_TIMEOUT_MS, why) <= 0) {
		if (buf_len(why))
			log_warn("showq client: %s", buf_str(why));
		goto out;
	}
	status = dispatch(out_fd, in, text);
	if (status == EX_IOERR && buf_len(text)) {
		log_warn("showq client: %s", buf_str(text));	/* it is gone: nobody to tell */
		goto out;
	}
	attr_put_int(o, "status", status);
	if (buf_len(text))
		attr_put_str(o, "text", buf_str(text));
	attr_end(o);
	if (attr_write(out_fd, o, WRITE_TIMEOUT_MS, why) < 0)
		log_warn("showq client: %s", buf_str(why));
out:
	attr_in_free(&in);
	attr_out_free(&o);
	buf_free(&why);
	buf_free(&text);
}
