/* showq - private interface of the queue listing service.
 *
 * showq (master.cf: showq unix n - n - - showq, socket public/showq, runs
 * as mail_owner) is how postqueue, and so an ordinary user, sees the queue
 * without reading it: the queue directories are mail_owner's, mode 0700.
 * One request per connection (protocol: showq_session.c):
 *   list     the messages in incoming/, active/, deferred/ and hold/ as
 *            Postfix's "mailq" text or as JSON lines (showq_format.c)
 *   deliver  postqueue -i ID: a deferred message goes back to incoming/
 *   site     postqueue -s SITE: the same for every deferred message with a
 *            pending recipient at SITE (showq_flush.c)
 * showq_scan.c reads the queue: every file through the validating reader
 * (global/qfile), the deferral reasons from defer/ID.  Nothing here
 * writes a queue file; corrupt or incomplete files are skipped (qmgr deals
 * with them).  "showq -S" serves one request on stdin/stdout instead of a
 * socket: postqueue runs it when the mail system is down and the caller
 * may read the queue itself (root), as Postfix's postqueue does.
 */
#ifndef HATO_SHOWQ_H
#define HATO_SHOWQ_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "queue_id.h"

enum {
	SHOWQ_PROTO_VERSION = 1,
	SHOWQ_CHUNK = 64 * 1024,	/* report bytes per {data=...} message */
};

struct showq_rcpt {
	char *address;
	char *reason;		/* from defer/ID, NULL when none */
};

struct showq_msg {
	const char *queue;	/* "incoming", "active", "deferred", "hold" */
	char id[QUEUE_ID_SIZE];
	long arrival;		/* seconds since the epoch */
	long size;		/* content bytes, the 'C' record's size */
	char *sender;		/* "" for the null sender */
	struct showq_rcpt *rcpts;	/* pending only, reasons first */
	size_t nrcpts;
};

/* showq_format.c: append one message or the closing line to out */
void showq_text_msg(struct buf *out, const struct showq_msg *m, bool first);
void showq_text_end(struct buf *out, unsigned long count, unsigned long long bytes);
void showq_json_msg(struct buf *out, const struct showq_msg *m);

/* showq_scan.c: walk the queues in order, each in queue ID order; fn's
 * non-zero return stops the walk and is returned */
typedef int showq_msg_fn(const struct showq_msg *m, void *ctx);
extern const char *const showq_queues[];
int showq_scan(showq_msg_fn *fn, void *ctx);
int showq_load(const char *queue, const char *id, struct showq_msg *m);
void showq_msg_clear(struct showq_msg *m);
bool showq_rcpt_at(const char *address, const char *site);

/* showq_flush.c: 0, or a sysexits status with text saying why */
int showq_deliver_id(const char *id, struct buf *text);
int showq_deliver_site(const char *site, struct buf *text);

/* showq_session.c: one request from in_fd, the answer to out_fd */
void showq_session(int in_fd, int out_fd);

#endif
