/* stream - buffered, deadline-bound I/O on a socket for line protocols
 * (smtpd, pop3d, imapd, the smtp client).
 *
 *   struct stream *s = stream_new(fd, 300 * 1000);
 *   while ((rc = stream_getline(s, line, 2048)) > 0) {    // line incl. "\n"
 *       if (stream_line_is_long(s)) ...                     // cut at the limit
 *       stream_printf(s, "250 Ok\r\n");
 *       if (stream_pending(s) == 0) stream_flush(s);        // pipelining
 *   }
 *
 * Every read waits at most timeout_ms for data (the protocol's idle time
 * limit).  With stream_set_per_record(s, true) timeout_ms is instead the
 * time limit for a whole line (Postfix's smtpd_per_record_deadline): a
 * client that trickles one byte at a time is cut when it runs out.
 * stream_content_begin/_end bracket a message's content (DATA, a BDAT
 * chunk): one deadline covers it all, and each byte read extends it by
 * 1/min_rate seconds (Postfix's smtpd_min_data_rate), so a slow but steady
 * client gets through and a trickle below min_rate is cut (min_rate 0:
 * content keeps a deadline per line).  A timeout, an I/O error or EOF ends
 * the stream for good (stream_error() says which).  Replies are buffered
 * until stream_flush().  Lines longer than the limit come back in pieces,
 * each flagged long.  The transport is replaceable (TLS plugs in its own).
 * stream_set_wake(s, fd, fn, ctx): waits watch fd too and call fn once it
 * is readable (smtpd: master declared stress; fn shortens the timeout).
 * stream_wait_input(s, fd2): wait for the client or another descriptor
 * (IMAP IDLE: the client's DONE or a change in the mailbox), within the
 * stream's timeout; which is ready (DEADLINE_FD, DEADLINE_FD2), 0 when
 * the time is up (the stream goes on).  stream_preload(s, p, n): input
 * someone else read (a login process's pipelined bytes), read before
 * anything from the descriptor.  stream_release(s): before a long wait
 * with nothing unread (IDLE), the input buffer's pages go back to the
 * kernel.  Every wait goes through
 * deadline_wait (deadline.h): a signal neither ends one nor restarts it.
 */
#ifndef HATO_STREAM_H
#define HATO_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "buf.h"
#include "deadline.h"

enum { STREAM_BUFSIZE = 16384 };

enum stream_state { STREAM_OK, STREAM_EOF, STREAM_TIMEOUT, STREAM_ERROR };

/* a transport: like read(2)/write(2), but may return -1 with errno EAGAIN
 * and set *want_write (TLS renegotiation) */
typedef ssize_t stream_read_fn(void *ctx, void *p, size_t n, bool *want_write);
typedef ssize_t stream_write_fn(void *ctx, const void *p, size_t n, bool *want_read);
struct stream;
typedef void stream_wake_fn(struct stream *s, void *ctx);

struct stream {
	int fd;
	int timeout_ms;
	enum stream_state state;
	bool long_line;			/* the last line was cut at the limit */
	bool per_record;		/* timeout_ms bounds a whole line */
	bool content;			/* inside stream_content_begin/_end */
	long min_rate;			/* bytes/s that extend a content deadline */
	long long deadline_ms;		/* CLOCK_MONOTONIC; 0: none running */
	char in[STREAM_BUFSIZE];
	size_t in_pos, in_len;
	struct buf *out;
	stream_read_fn *read;
	stream_write_fn *write;
	void *io_ctx;
	unsigned long long bytes_in, bytes_out;
	int wake_fd;			/* stream_set_wake, or -1 */
	stream_wake_fn *wake;
	void *wake_ctx;
};

struct stream *stream_new(int fd, int timeout_ms);
void stream_free(struct stream **sp);
void stream_set_transport(struct stream *s, stream_read_fn *r, stream_write_fn *w, void *ctx);
void stream_set_timeout(struct stream *s, int timeout_ms);
void stream_set_wake(struct stream *s, int fd, stream_wake_fn *fn, void *ctx);
void stream_set_per_record(struct stream *s, bool on, long min_rate);
void stream_content_begin(struct stream *s);
void stream_content_end(struct stream *s);

int stream_getline(struct stream *s, struct buf *line, size_t max);
static inline bool stream_line_is_long(const struct stream *s) { return s->long_line; }
ssize_t stream_read(struct stream *s, void *p, size_t n);
size_t stream_pending(const struct stream *s);
int stream_wait_input(struct stream *s, int fd2);
void stream_discard_input(struct stream *s);
void stream_release(struct stream *s);
size_t stream_preload(struct stream *s, const void *p, size_t n);

void stream_write(struct stream *s, const void *p, size_t n);
void stream_puts(struct stream *s, const char *str);
void stream_printf(struct stream *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int stream_flush(struct stream *s);

const char *stream_error(const struct stream *s);

#endif
