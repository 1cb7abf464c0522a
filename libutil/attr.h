/* attr - the named-attribute codec daemons speak over UNIX stream sockets
 * (smtpd <-> cleanup, qmgr <-> delivery agents, authd clients).
 *
 *   struct attr_out *o = attr_out_new();
 *   attr_put_str(o, "queue_id", id); attr_put_int(o, "size", n); attr_end(o);
 *   if (attr_write(fd, o, 10000, why) < 0) ...     // whole message or -1
 *
 *   struct attr_in *in = attr_in_new(0, 0);        // default limits
 *   while ((rc = attr_read(in, fd, 10000, why)) > 0)
 *       if (attr_require(in, why, "queue_id", "size", (char *)NULL) == 0)
 *           use(attr_get(in, "queue_id"));
 *
 * Wire format: a message is "name\0value\0" pairs ended by an empty name
 * ("\0").  Names are [a-z0-9_]{1,64}; values are any bytes but NUL.  A
 * connection opens with attr_hello_write() from the server: {protocol=NAME,
 * version=N}.  Unknown extra names are allowed (protocol evolution).
 * Errors: -1 and a reason in why (timeout, EOF inside a message, a limit,
 * a bad or duplicate name, a missing attribute).  After a read error the
 * stream is out of step and the reader refuses further reads.
 * Trust boundary: the peer is another hato process, which may be a
 * compromised one facing the network; the reader bounds every name, value,
 * pair count and message and does no arithmetic on peer-sent lengths.
 */
#ifndef HATO_ATTR_H
#define HATO_ATTR_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

enum {
	ATTR_MAX_NAME = 64,			/* bytes in a name */
	ATTR_MAX_VALUE = 1024 * 1024,		/* default per-value limit */
	ATTR_MAX_COUNT = 1024,			/* pairs per message */
	ATTR_MAX_MESSAGE = 4 * 1024 * 1024,	/* default per-message limit */
};

struct attr_out;
struct attr_in;

/* Writer.  attr_put_*() return 0, or -1 when the value cannot be sent (a
 * NUL byte, over ATTR_MAX_VALUE, too many pairs); the failure is also kept,
 * so attr_write() refuses the whole message with that reason.  A bad name
 * is a programming error (log_panic).  attr_write() sends every message
 * ended so far, then empties the writer, also when it fails. */
struct attr_out *attr_out_new(void);
void attr_out_free(struct attr_out **op);
int attr_put_str(struct attr_out *o, const char *name, const char *value);
int attr_put_mem(struct attr_out *o, const char *name, const void *value, size_t len);
int attr_put_int(struct attr_out *o, const char *name, long long value);
void attr_end(struct attr_out *o);
const struct buf *attr_out_buf(const struct attr_out *o);
int attr_write(int fd, struct attr_out *o, int timeout_ms, struct buf *why);

/* Reader.  Limits of 0 mean ATTR_MAX_VALUE and ATTR_MAX_MESSAGE.
 * attr_read(): 1 one message, 0 clean EOF before its first byte, -1 error.
 * Bytes after the message stay buffered for the next call.  The strings
 * stay valid until the next attr_read()/attr_parse_mem()/attr_in_free().
 * attr_parse_mem() parses exactly one message (nothing may follow it) and
 * drops whatever attr_read() had buffered.  timeout_ms < 0: no deadline. */
struct attr_in *attr_in_new(size_t max_value, size_t max_message);
void attr_in_free(struct attr_in **inp);
int attr_read(struct attr_in *in, int fd, int timeout_ms, struct buf *why);
/* attr_in_buffered - bytes read past the current message (the start of the
 * next one, pipelined by the peer): poll() will not see them */
size_t attr_in_buffered(const struct attr_in *in);
int attr_parse_mem(struct attr_in *in, const void *data, size_t len, struct buf *why);
size_t attr_count(const struct attr_in *in);
const char *attr_name(const struct attr_in *in, size_t i);
const char *attr_value(const struct attr_in *in, size_t i);
const char *attr_get(const struct attr_in *in, const char *name);
int attr_get_int(const struct attr_in *in, const char *name, long long min,
		 long long max, long long *v_r, struct buf *why);
int attr_require(const struct attr_in *in, struct buf *why, ...)
	__attribute__((sentinel));

/* Handshake: the server speaks first.  attr_hello_read() returns the
 * peer's version (>= min_version) or -1. */
int attr_hello_write(int fd, const char *protocol, int version, int timeout_ms,
		     struct buf *why);
int attr_hello_read(struct attr_in *in, int fd, const char *protocol,
		    int min_version, int timeout_ms, struct buf *why);

#endif
