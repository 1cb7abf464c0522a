/* deliver - the delivery request protocol between qmgr and the delivery
 * agents (local, virtual, smtp), over UNIX sockets in private/.
 *
 * Agent side (one request per connection):
 *   struct deliver_request *rq = deliver_request_read(fd, why);  // after hello
 *   for each rq->rcpt[i]: deliver, then
 *       deliver_status(rq, i, DELIVER_SENT, "2.0.0", "relay", "delivered to maildir");
 *   deliver_reply(fd, rq, why);  deliver_request_free(&rq);
 * qmgr side (in: one attr_in for the whole connection):
 *   deliver_send_early(fd, rq, why)  // right after connect, if small enough
 *   deliver_read_hello(in, fd, ms, why) [deliver_send_request(fd, rq, why)]
 *   deliver_read_reply(in, fd, rq, why)  -> statuses in rq
 *
 * The agent speaks first: {protocol=delivery, version=1}; qmgr may send a
 * request of at most DELIVER_EARLY_MAX bytes before it has read that hello
 * (one round trip less per delivery), so the agent must not depend on the
 * order.  The request is
 * one attribute message: queue_id, queue_file (relative to the queue
 * directory, e.g. "active/ID"), nexthop, sender, flags, arrival_time,
 * dsn_envid, dsn_ret, and rcpt_count then rcpt_N, orcpt_N, notify_N,
 * offset_N (of the recipient record, for qmgr's own use) per recipient,
 * and retry (enum deliver_retry; absent: a first attempt).
 * The reply is one attribute message with status_N (sent, deferred,
 * bounced), dsn_N ("2.0.0"), relay_N and text_N per recipient.  Every
 * recipient gets exactly one status; a missing one counts as deferred.
 * Limits: DELIVER_MAX_RCPT recipients per request.  The agent treats the
 * request as untrusted input (it comes from qmgr, but bounds are checked).
 */
#ifndef HATO_DELIVER_H
#define HATO_DELIVER_H

#include <stddef.h>
#include <sys/types.h>

#include "attr.h"
#include "buf.h"

enum {
	DELIVER_PROTO_VERSION = 1,
	DELIVER_MAX_RCPT = 250,		/* x 4 attributes each stays under ATTR_MAX_COUNT */
	DELIVER_TIMEOUT_MS = 3600 * 1000,
	DELIVER_EARLY_MAX = 32768,	/* well inside a UNIX socket's send buffer */
};

enum deliver_status { DELIVER_DEFERRED, DELIVER_SENT, DELIVER_BOUNCED };

/* what qmgr knows of earlier attempts for the request's recipients */
enum deliver_retry {
	DELIVER_FIRST,			/* none (as far as qmgr knows) */
	DELIVER_RETRY,			/* deferred before: one may have delivered */
	DELIVER_INTERRUPTED,		/* one was cut off after the request went out */
};

struct deliver_rcpt {
	char *address;
	char *orcpt;			/* DSN ORCPT "rfc822;addr" or NULL */
	char *notify;			/* DSN NOTIFY or NULL */
	off_t offset;			/* of the recipient record in the queue file */
	enum deliver_status status;	/* filled in by the agent */
	char dsn[16];			/* "2.0.0", "4.2.2", "5.1.1" */
	char *relay;			/* "local", "mx.example.com[192.0.2.1]:25" */
	char *text;			/* why, for the log line and the bounce */
};

struct deliver_request {
	char *queue_id;
	char *queue_file;		/* "active/ID", relative to queue_directory */
	char *nexthop;			/* domain, [host]:port, or the local domain */
	char *sender;			/* "" for <> */
	int flags;
	long arrival_time;
	long arrival_usec;	/* microseconds of arrival_time, for delay= */
	char *dsn_envid, *dsn_ret;
	int retry;			/* enum deliver_retry */
	struct deliver_rcpt *rcpt;
	size_t nrcpt;
};

/* building (qmgr) */
struct deliver_request *deliver_request_new(const char *queue_id, const char *queue_file,
					    const char *nexthop, const char *sender);
void deliver_request_add(struct deliver_request *rq, const char *address, const char *orcpt,
			 const char *notify, off_t offset);
int deliver_send_early(int fd, const struct deliver_request *rq, struct buf *why);
int deliver_read_hello(struct attr_in *in, int fd, int timeout_ms, struct buf *why);
int deliver_send_request(int fd, const struct deliver_request *rq, struct buf *why);
int deliver_read_reply(struct attr_in *in, int fd, struct deliver_request *rq, struct buf *why);

/* serving (agents) */
struct deliver_request *deliver_request_read(int fd, struct buf *why);
void deliver_status(struct deliver_request *rq, size_t i, enum deliver_status st,
		    const char *dsn, const char *relay, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
int deliver_reply(int fd, const struct deliver_request *rq, struct buf *why);

void deliver_request_free(struct deliver_request **rqp);
const char *deliver_status_name(enum deliver_status st);
void deliver_fmt_delay(struct buf *b, double secs);

#endif
