/* stream - buffered socket I/O with a time limit per wait; see stream.h.
 * The peer is untrusted: input is never buffered beyond STREAM_BUFSIZE
 * plus the caller's line limit, and every wait is bounded. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "deadline.h"
#include "mem.h"
#include "stream.h"

/* fd_read - the plain transport */
static ssize_t fd_read(void *ctx, void *p, size_t n, bool *want_write)
{
	*want_write = false;
	return read(*(int *)ctx, p, n);
}

/* fd_write - the plain transport */
static ssize_t fd_write(void *ctx, const void *p, size_t n, bool *want_read)
{
	*want_read = false;
	return write(*(int *)ctx, p, n);
}

/* stream_new - a stream on a connected socket; timeout_ms < 0: no limit */
struct stream *stream_new(int fd, int timeout_ms)
{
	struct stream *s = xcalloc(1, sizeof(*s));
	int fl = fcntl(fd, F_GETFL);

	/* non-blocking, so that every wait goes through deadline_wait() */
	if (fl >= 0)
		(void)fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	s->fd = fd;
	s->timeout_ms = timeout_ms;
	s->out = buf_new(1024);
	s->read = fd_read;
	s->write = fd_write;
	s->io_ctx = &s->fd;
	s->wake_fd = -1;
	return s;
}

/* stream_free - release the stream; the fd stays open */
void stream_free(struct stream **sp)
{
	if (*sp == NULL)
		return;
	buf_free(&(*sp)->out);
	free(*sp);
	*sp = NULL;
}

/* stream_set_transport - replace read/write (STARTTLS) */
void stream_set_transport(struct stream *s, stream_read_fn *r, stream_write_fn *w, void *ctx)
{
	s->read = r;
	s->write = w;
	s->io_ctx = ctx;
}

/* stream_set_timeout - change the limit per wait */
void stream_set_timeout(struct stream *s, int timeout_ms)
{
	s->timeout_ms = timeout_ms;
}

/* stream_set_per_record - timeout_ms limits each line, not each wait;
 * min_rate > 0: bytes per second that extend a content deadline */
void stream_set_per_record(struct stream *s, bool on, long min_rate)
{
	s->per_record = on;
	s->min_rate = min_rate;
}

/* stream_content_begin - one deadline for the content that follows
 * (without per-record deadlines or a min_rate: nothing changes) */
void stream_content_begin(struct stream *s)
{
	if (!s->per_record || s->min_rate <= 0)
		return;
	s->content = true;
	s->deadline_ms = s->per_record && s->timeout_ms >= 0 ? deadline_now() + s->timeout_ms : 0;
}

/* stream_content_end - back to a deadline per line */
void stream_content_end(struct stream *s)
{
	s->content = false;
	s->deadline_ms = 0;
}

/* wait_deadline - when the next wait ends: the per-wait limit from now,
 * or the line's (the content's) deadline when that comes first */
static long long wait_deadline(const struct stream *s)
{
	long long end = deadline_in(s->timeout_ms);

	if (s->deadline_ms == 0 || s->timeout_ms < 0)
		return end;
	return s->deadline_ms < end ? s->deadline_ms : end;
}

/* stream_set_wake - call fn once, from inside a wait, when fd becomes
 * readable (or hangs up); fn may change the stream's timeout, which the
 * wait under way then obeys */
void stream_set_wake(struct stream *s, int fd, stream_wake_fn *fn, void *ctx)
{
	s->wake_fd = fn ? fd : -1;
	s->wake = fn;
	s->wake_ctx = ctx;
}

/* wait_fd - wait until fd is readable or writable; false on timeout */
static bool wait_fd(struct stream *s, short events)
{
	long long end = wait_deadline(s);
	int n;

	for (;;) {
		n = deadline_wait2(s->fd, events, s->wake_fd, end);
		if (n <= 0 || !(n & DEADLINE_FD2))
			break;
		s->wake_fd = -1;	/* once: the fd stays readable */
		s->wake(s, s->wake_ctx);
		if (n & DEADLINE_FD)
			break;
		end = wait_deadline(s);	/* fn may have changed the timeout */
	}
	if (n == 0)
		s->state = STREAM_TIMEOUT;
	else if (n < 0)
		s->state = STREAM_ERROR;
	return n > 0;
}

/* read_some - one read without waiting: 1 got input, 0 none yet (EAGAIN;
 * *want_write: the transport needs output room first), -1 the stream
 * ended (state set) */
static int read_some(struct stream *s, bool *want_write)
{
	ssize_t n;

	do
		n = s->read(s->io_ctx, s->in + s->in_len, sizeof(s->in) - s->in_len, want_write);
	while (n < 0 && errno == EINTR);
	if (n > 0) {
		s->in_len += (size_t)n;
		s->bytes_in += (unsigned long long)n;
		if (s->content && s->deadline_ms && s->min_rate > 0)
			s->deadline_ms += (long long)n * 1000 / s->min_rate;
		return 1;
	}
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	s->state = n == 0 ? STREAM_EOF : STREAM_ERROR;
	return -1;
}

/* fill - read more input into the buffer; false when the stream ended */
static bool fill(struct stream *s)
{
	bool want_write = false;
	int rc;

	if (s->state != STREAM_OK)
		return false;
	if (s->in_pos > 0 && s->in_pos == s->in_len)
		s->in_pos = s->in_len = 0;
	while ((rc = read_some(s, &want_write)) == 0)
		if (!wait_fd(s, want_write ? POLLOUT : POLLIN))
			return false;
	return rc > 0;
}

/* stream_wait_input - wait, within the stream's time limit, until the
 * stream has input (or an EOF or error for the next read to report) or
 * fd2 is readable: DEADLINE_FD, DEADLINE_FD2 or both (input already
 * buffered, in the stream or its transport, comes first); 0 when the
 * limit passed (the stream goes on); -1 when poll() failed */
int stream_wait_input(struct stream *s, int fd2)
{
	bool want_write = false;
	int rc;

	if (stream_pending(s) > 0 || s->state != STREAM_OK)
		return DEADLINE_FD;
	s->in_pos = s->in_len = 0;
	if (read_some(s, &want_write) != 0)
		return DEADLINE_FD;
	rc = deadline_wait2(s->fd, want_write ? POLLOUT : POLLIN, fd2, wait_deadline(s));
	if (rc < 0)
		s->state = STREAM_ERROR;
	return rc;
}

/* compact - move unread input to the front of the buffer */
static void compact(struct stream *s)
{
	if (s->in_pos == 0)
		return;
	memmove(s->in, s->in + s->in_pos, s->in_len - s->in_pos);
	s->in_len -= s->in_pos;
	s->in_pos = 0;
}

/* get_line - stream_getline without the deadline bookkeeping */
static int get_line(struct stream *s, struct buf *line, size_t max)
{
	buf_reset(line);
	s->long_line = false;
	for (;;) {
		const char *start = s->in + s->in_pos;
		const char *nl = memchr(start, '\n', s->in_len - s->in_pos);
		size_t take = nl ? (size_t)(nl - start) + 1 : s->in_len - s->in_pos;
		bool complete = nl != NULL;

		if (buf_len(line) + take > max) {
			take = max - buf_len(line);
			complete = false;
			s->long_line = true;
		}
		buf_add(line, start, take);
		s->in_pos += take;
		if (complete || s->long_line)
			return 1;
		compact(s);
		if (!fill(s))
			return s->state != STREAM_EOF ? -1 : buf_len(line) > 0 ? 1 : 0;
	}
}

/* stream_getline - the next line including its "\n", at most max bytes:
 * 1 a line (or a piece of a long one), 0 EOF with nothing read, -1 error */
int stream_getline(struct stream *s, struct buf *line, size_t max)
{
	int rc;

	if (s->content)
		return get_line(s, line, max);	/* the content's deadline runs */
	s->deadline_ms = s->per_record && s->timeout_ms >= 0 ? deadline_now() + s->timeout_ms : 0;
	rc = get_line(s, line, max);
	s->deadline_ms = 0;
	return rc;
}

/* stream_read - up to n bytes (at least one); 0 EOF, -1 error */
ssize_t stream_read(struct stream *s, void *p, size_t n)
{
	size_t take;

	if (s->in_pos == s->in_len && !fill(s))
		return s->state == STREAM_EOF ? 0 : -1;
	take = s->in_len - s->in_pos < n ? s->in_len - s->in_pos : n;
	memcpy(p, s->in + s->in_pos, take);
	s->in_pos += take;
	return (ssize_t)take;
}

/* stream_pending - input already buffered (a pipelining client) */
size_t stream_pending(const struct stream *s)
{
	return s->in_len - s->in_pos;
}

/* stream_discard_input - drop buffered input (after STARTTLS) */
void stream_discard_input(struct stream *s)
{
	s->in_pos = s->in_len = 0;
}

/* stream_release - a stream about to wait long (IMAP IDLE) gives the
 * whole pages of its empty input buffer back to the kernel; they come
 * back as zero pages when next read into.  Nothing unread: a no-op
 * otherwise. */
void stream_release(struct stream *s)
{
	long page = sysconf(_SC_PAGESIZE);
	uintptr_t lo, hi;

	if (s->in_pos != s->in_len || page <= 0)
		return;
	s->in_pos = s->in_len = 0;
	lo = ((uintptr_t)s->in + (uintptr_t)page - 1) & ~((uintptr_t)page - 1);
	hi = ((uintptr_t)s->in + sizeof(s->in)) & ~((uintptr_t)page - 1);
	if (hi > lo)
		(void)madvise((void *)lo, hi - lo, MADV_DONTNEED);
}

/* stream_preload - bytes read by someone else (a login process) go
 * first; at most what the input buffer holds, the rest is dropped */
size_t stream_preload(struct stream *s, const void *p, size_t n)
{
	compact(s);
	if (n > sizeof(s->in) - s->in_len)
		n = sizeof(s->in) - s->in_len;
	memmove(s->in + s->in_pos + n, s->in + s->in_pos, s->in_len - s->in_pos);
	memcpy(s->in + s->in_pos, p, n);
	s->in_len += n;
	return n;
}

/* stream_write - queue output */
void stream_write(struct stream *s, const void *p, size_t n)
{
	buf_add(s->out, p, n);
}

/* stream_puts - queue a string */
void stream_puts(struct stream *s, const char *str)
{
	buf_cat(s->out, str);
}

/* stream_printf - queue formatted output */
void stream_printf(struct stream *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(s->out, fmt, ap);
	va_end(ap);
}

/* stream_flush - write all queued output; -1 when the peer is gone.
 * A read timeout or EOF does not stop writing: the peer still gets the
 * "421 timeout" reply. */
int stream_flush(struct stream *s)
{
	size_t done = 0;
	bool want_read = false;
	int rc = 0;

	while (done < buf_len(s->out) && s->state != STREAM_ERROR) {
		ssize_t n = s->write(s->io_ctx, buf_str(s->out) + done, buf_len(s->out) - done,
				     &want_read);

		if (n > 0) {
			done += (size_t)n;
			s->bytes_out += (unsigned long long)n;
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			enum stream_state was = s->state;

			if (!wait_fd(s, want_read ? POLLIN : POLLOUT)) {
				rc = -1;
				break;
			}
			s->state = was;
		} else {
			s->state = STREAM_ERROR;
		}
	}
	buf_reset(s->out);
	return rc == 0 && s->state != STREAM_ERROR ? 0 : -1;
}

/* stream_error - why the stream ended */
const char *stream_error(const struct stream *s)
{
	switch (s->state) {
	case STREAM_OK: return "no error";
	case STREAM_EOF: return "lost connection";
	case STREAM_TIMEOUT: return "timeout";
	default: return "I/O error";
	}
}
