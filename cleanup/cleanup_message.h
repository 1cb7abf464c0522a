/* cleanup_message - the message content pass of cleanup: header assembly,
 * header_checks / mime_header_checks / nested_header_checks / body_checks
 * with MIME awareness, the headers cleanup adds, and the hop count.
 *
 *   struct msg *m = msg_new(&opts, emit, ctx);
 *   msg_line(m, p, len, partial);     // every content line from the client
 *   msg_end(m);                       // end of content
 *   m->verdict: MSG_OK, MSG_REJECT (m->reply), MSG_DISCARD, MSG_HOLD
 *
 * Output goes to emit(ctx, type, p, len) as queue content records ('L'
 * a line, 'P' a piece of a longer line).  Input is hostile: header
 * lines are bounded by header_size_limit (the excess is dropped, not
 * kept), MIME nesting by MIME_MAX_DEPTH (the walker in store/mime.h says
 * what each line is), and body_checks see at most body_checks_size_limit
 * bytes of each body part.
 */
#ifndef HATO_CLEANUP_MESSAGE_H
#define HATO_CLEANUP_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "maps.h"
#include "mime.h"
#include "strv.h"

enum msg_verdict { MSG_OK, MSG_REJECT, MSG_DISCARD, MSG_HOLD };

typedef void msg_emit_fn(void *ctx, int type, const char *p, size_t len);

struct msg_opts {
	struct maps *header_checks, *mime_header_checks, *nested_header_checks, *body_checks;
	long header_size_limit;
	long body_checks_size_limit;
	long hopcount_limit;
	const char *queue_id;
	struct strv *prepend;		/* header lines to put first (Received:, PREPEND) */
	struct strv *add_if_missing;	/* "Date", "Message-ID", "From" ... with values */
	bool strip_bcc;			/* local submission: Bcc: is not delivered */
};

struct msg {
	const struct msg_opts *o;
	msg_emit_fn *emit;
	void *ctx;
	enum msg_verdict verdict;
	struct buf *reply;		/* for MSG_REJECT: "550 5.7.1 text" */
	struct buf *hdr;		/* the header being assembled */
	bool in_headers;		/* primary headers not finished */
	bool hdr_truncated;
	enum mime_section hdr_section;	/* of the header in hdr */
	int hops;
	bool seen_date, seen_msgid, seen_from, seen_to;
	char *message_id;		/* for the log */
	struct mime *mime;		/* the MIME structure walker */
	struct strv *header_rcpts;	/* To/Cc/Bcc values (sendmail -t) */
	long long body_bytes;		/* of the current part, for the checks limit */
};

struct msg *msg_new(const struct msg_opts *o, msg_emit_fn *emit, void *ctx);
void msg_line(struct msg *m, const char *p, size_t len, bool partial);
void msg_end(struct msg *m);
void msg_free(struct msg **mp);

#endif
