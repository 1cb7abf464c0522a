/* cleanup_client - hand a message to the cleanup service (smtpd, pickup).
 *
 *   struct cleanup_client *cc = cleanup_client_open(queue_dir, CLEANUP_F_SMTP, why);
 *   cleanup_client_attr(cc, "client_address", "192.0.2.1");
 *   cleanup_client_sender(cc, "user@example.org");
 *   cleanup_client_rcpt(cc, "rcpt@example.com", NULL, NULL);
 *   cleanup_client_line(cc, "Subject: hi", 11, false);   // content lines
 *   if (cleanup_client_finish(cc, &res, why) == 0 && res.code == 250) ...
 *   cleanup_client_abort(&cc);                           // always, frees
 *
 * Or cleanup_client_connect() early (smtpd: at the first accepted RCPT, so
 * cleanup makes the queue file while the client sends DATA) and
 * cleanup_client_ready() when the queue ID is needed; records put before
 * that are held in memory.
 *
 * The connection goes to public/cleanup under queue_dir (or under the
 * chroot).  The client's request comes first ({} or, from pickup,
 * {maildrop=NAME}); then cleanup says its protocol name, version and the
 * queue ID; the client then streams queue records (qrec.h): attributes,
 * sender, recipients, 'M', content lines, 'X', 'Z'.  cleanup answers with
 * one attribute message {code, dsn, text}: 250 only once the queue file
 * is durable.  Writes are buffered; a dead cleanup shows at finish.
 * Protocol described in docs/cleanup-protocol.md.
 */
#ifndef HATO_CLEANUP_CLIENT_H
#define HATO_CLEANUP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

enum cleanup_flags {
	CLEANUP_F_SMTP = 1 << 0,	/* from smtpd: Received: from the client */
	CLEANUP_F_LOCAL = 1 << 1,	/* local submission: add From:, Date: ... */
	CLEANUP_F_EXTRACT = 1 << 2,	/* sendmail -t: recipients from headers */
	CLEANUP_F_NO_CHECKS = 1 << 3,	/* skip header/body checks */
	CLEANUP_F_NO_ALIASES = 1 << 4,	/* skip virtual_alias/canonical maps */
};

enum { CLEANUP_PROTO_VERSION = 2 };

struct cleanup_result {
	int code;			/* 250, 4xx or 5xx */
	char dsn[16];			/* "2.0.0" */
	char text[512];			/* reply text without code and dsn */
};

struct cleanup_client;

struct cleanup_client *cleanup_client_open(const char *queue_dir, int flags, struct buf *why);
struct cleanup_client *cleanup_client_connect(const char *queue_dir, int flags, struct buf *why);
int cleanup_client_ready(struct cleanup_client *cc, struct buf *why);
struct cleanup_client *cleanup_client_open_maildrop(const char *queue_dir, int flags,
						    const char *name, struct buf *why);
bool cleanup_client_queued(const struct cleanup_client *cc);
const char *cleanup_client_id(const struct cleanup_client *cc);	/* NULL before ready */
void cleanup_client_attr(struct cleanup_client *cc, const char *name, const char *value);
void cleanup_client_sender(struct cleanup_client *cc, const char *sender);
void cleanup_client_rcpt(struct cleanup_client *cc, const char *rcpt, const char *orcpt,
			 const char *notify);
void cleanup_client_line(struct cleanup_client *cc, const char *p, size_t len, bool partial);
int cleanup_client_finish(struct cleanup_client *cc, struct cleanup_result *res,
			  struct buf *why);
void cleanup_client_abort(struct cleanup_client **ccp);

#endif
