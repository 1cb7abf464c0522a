/* attr - named-attribute codec; see attr.h.
 *
 * The writer appends pairs to a struct buf.  The reader keeps one read
 * buffer per connection: the current message occupies its first msg_len
 * bytes (names and values are NUL-terminated in place, so the strings
 * handed out point into it), and pipelined bytes follow.  A scanner checks
 * the bytes as they arrive, so a peer that breaks a limit is refused
 * without waiting for the rest of its message.  Lookups binary-search a
 * copy of the pair list sorted by name, which also finds duplicates.
 * I/O waits with deadline_wait() for one deadline per message; socket
 * writes are non-blocking (MSG_DONTWAIT) so the deadline holds even when
 * the peer stops reading.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "attr.h"
#include "deadline.h"
#include "log.h"
#include "mem.h"

struct attr_out {
	struct buf *buf;	/* complete messages, then the open one */
	size_t count;		/* pairs in the open message */
	struct buf *error;	/* first refused value, or empty */
};

struct attr_pair {
	const char *name;
	const char *value;
};

struct attr_in {
	size_t max_value, max_message;
	char *rb;		/* read buffer */
	size_t cap, len;	/* allocated, filled */
	size_t msg_len;		/* bytes of the current message at rb[0] */
	size_t scan;		/* bytes of the next message checked so far */
	bool in_value;		/* scanner: inside a value */
	size_t tok;		/* scanner: bytes of the current name/value */
	size_t name_at;		/* scanner: offset of the current name */
	size_t nscan;		/* scanner: pairs completed */
	bool broken;		/* an earlier error left the stream out of step */
	struct attr_pair *pairs, *sorted;
	size_t count, pairs_cap;
};

/* is_name_char - [a-z0-9_] */
static bool is_name_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

/* valid_name - whether name is [a-z0-9_]{1,ATTR_MAX_NAME} */
static bool valid_name(const char *name)
{
	size_t n = 0;

	for (; name[n]; n++)
		if (!is_name_char((unsigned char)name[n]) || n >= ATTR_MAX_NAME)
			return false;
	return n > 0;
}

/* wait_fd - deadline_wait with a reason; 0 ready, -1 timeout/error */
static int wait_fd(int fd, short events, long long deadline, struct buf *why)
{
	int rc = deadline_wait(fd, events, deadline);

	if (rc > 0)
		return 0;	/* ready, or POLLHUP/POLLERR for read/write to report */
	if (rc == 0)
		buf_printf(why, "timeout %s attributes", events == POLLIN ? "reading" : "writing");
	else
		buf_printf(why, "poll: %s", strerror(errno));
	return -1;
}

/* attr_out_new - an empty writer */
struct attr_out *attr_out_new(void)
{
	struct attr_out *o = xmalloc(sizeof(*o));

	o->buf = buf_new(256);
	o->error = buf_new(0);
	return o;
}

/* attr_out_free - release a writer and clear the pointer */
void attr_out_free(struct attr_out **op)
{
	if (*op == NULL)
		return;
	buf_free(&(*op)->buf);
	buf_free(&(*op)->error);
	XFREE(*op);
}

/* out_reset - forget every message and error */
static void out_reset(struct attr_out *o)
{
	buf_reset(o->buf);
	buf_reset(o->error);
	o->count = 0;
}

/* attr_put_mem - append name=value; -1 (kept for attr_write) if unsendable */
int attr_put_mem(struct attr_out *o, const char *name, const void *value, size_t len)
{
	if (!valid_name(name))
		log_panic("attr_put: bad attribute name \"%.80s\"", name);
	if (buf_len(o->error) == 0) {
		if (memchr(value, '\0', len) != NULL)
			buf_printf(o->error, "attribute %s: value contains a NUL byte", name);
		else if (len > ATTR_MAX_VALUE)
			buf_printf(o->error, "attribute %s: value longer than %d bytes",
				   name, ATTR_MAX_VALUE);
		else if (o->count >= ATTR_MAX_COUNT)
			buf_printf(o->error, "more than %d attributes", ATTR_MAX_COUNT);
	}
	if (buf_len(o->error) > 0)
		return -1;
	buf_add(o->buf, name, strlen(name) + 1);
	buf_add(o->buf, value, len);
	buf_putc(o->buf, '\0');
	o->count++;
	return 0;
}

/* attr_put_str - append name=value for a C string */
int attr_put_str(struct attr_out *o, const char *name, const char *value)
{
	return attr_put_mem(o, name, value, strlen(value));
}

/* attr_put_int - append name=decimal value */
int attr_put_int(struct attr_out *o, const char *name, long long value)
{
	char num[32];
	int n = snprintf(num, sizeof(num), "%lld", value);

	return attr_put_mem(o, name, num, (size_t)n);
}

/* attr_end - close the open message */
void attr_end(struct attr_out *o)
{
	buf_putc(o->buf, '\0');
	o->count = 0;
}

/* attr_out_buf - the encoded bytes so far */
const struct buf *attr_out_buf(const struct attr_out *o)
{
	return o->buf;
}

/* send_some - one write that does not block; bytes written, 0 retry, -1 error */
static ssize_t send_some(int fd, const char *p, size_t n, bool *is_sock)
{
	ssize_t w = -1;

	if (*is_sock) {
		w = send(fd, p, n, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (w < 0 && errno == ENOTSOCK)
			*is_sock = false;
	}
	/* A pipe that polled writable takes PIPE_BUF bytes without blocking. */
	if (!*is_sock)
		w = write(fd, p, n < PIPE_BUF ? n : PIPE_BUF);
	if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return 0;
	return w;
}

/* attr_write - write all ended messages before the deadline; 0 or -1 */
int attr_write(int fd, struct attr_out *o, int timeout_ms, struct buf *why)
{
	long long deadline = deadline_in(timeout_ms);
	bool is_sock = true;
	size_t done = 0;
	int rc = 0;

	if (buf_len(o->error) > 0) {
		buf_cat(why, buf_str(o->error));
		out_reset(o);
		return -1;
	}
	if (o->count > 0)
		log_panic("attr_write: message not ended");
	while (done < buf_len(o->buf)) {
		ssize_t w;

		if ((rc = wait_fd(fd, POLLOUT, deadline, why)) < 0)
			break;
		w = send_some(fd, buf_str(o->buf) + done, buf_len(o->buf) - done, &is_sock);
		if (w < 0) {
			buf_printf(why, "write attributes: %s", strerror(errno));
			rc = -1;
			break;
		}
		done += (size_t)w;
	}
	out_reset(o);
	return rc;
}

/* attr_in_new - a reader with the given limits (0: the defaults) */
struct attr_in *attr_in_new(size_t max_value, size_t max_message)
{
	struct attr_in *in = xmalloc(sizeof(*in));

	in->max_value = max_value ? max_value : ATTR_MAX_VALUE;
	in->max_message = max_message ? max_message : ATTR_MAX_MESSAGE;
	in->cap = 4096;
	in->rb = xmalloc(in->cap);
	return in;
}

/* attr_in_free - release a reader and clear the pointer */
void attr_in_free(struct attr_in **inp)
{
	struct attr_in *in = *inp;

	if (in == NULL)
		return;
	free(in->rb);
	free(in->pairs);
	free(in->sorted);
	XFREE(*inp);
}

/* drop_message - forget the current message, keep pipelined bytes */
static void drop_message(struct attr_in *in)
{
	memmove(in->rb, in->rb + in->msg_len, in->len - in->msg_len);
	in->len -= in->msg_len;
	in->msg_len = 0;
	in->scan = 0;
	in->in_value = false;
	in->tok = 0;
	in->nscan = 0;
	in->count = 0;
}

/* scan_value - check value bytes; 1 value done, 0 need more, -1 error */
static int scan_value(struct attr_in *in, struct buf *why)
{
	const char *p = in->rb + in->scan;
	const char *nul = memchr(p, '\0', in->len - in->scan);
	size_t n = nul ? (size_t)(nul - p) : in->len - in->scan;

	if (n > in->max_value - in->tok) {
		buf_printf(why, "attribute %s: value longer than %zu bytes",
			   in->rb + in->name_at, in->max_value);
		return -1;
	}
	in->tok += n;
	in->scan += n;
	if (nul == NULL)
		return 0;
	in->scan++;
	in->in_value = false;
	in->tok = 0;
	if (++in->nscan > ATTR_MAX_COUNT) {
		buf_printf(why, "more than %d attributes in a message", ATTR_MAX_COUNT);
		return -1;
	}
	return 1;
}

/* scan - check buffered bytes; 1 a whole message, 0 need more, -1 error */
static int scan(struct attr_in *in, struct buf *why)
{
	while (in->scan < in->len) {
		if (in->in_value) {
			if (scan_value(in, why) < 0)
				return -1;
		} else {
			unsigned char c = (unsigned char)in->rb[in->scan++];

			if (c == '\0' && in->tok == 0) {
				in->msg_len = in->scan;
				return 1;
			} else if (c == '\0') {
				in->in_value = true;
				in->tok = 0;
			} else if (!is_name_char(c)) {
				buf_printf(why, "bad byte 0x%02x in an attribute name", c);
				return -1;
			} else if (++in->tok > ATTR_MAX_NAME) {
				buf_printf(why, "attribute name longer than %d bytes",
					   ATTR_MAX_NAME);
				return -1;
			} else if (in->tok == 1) {
				in->name_at = in->scan - 1;
			}
		}
		if (in->scan > in->max_message) {
			buf_printf(why, "message longer than %zu bytes", in->max_message);
			return -1;
		}
	}
	return 0;
}

/* pair_cmp - qsort/bsearch order of pairs: by name */
static int pair_cmp(const void *a, const void *b)
{
	return strcmp(((const struct attr_pair *)a)->name, ((const struct attr_pair *)b)->name);
}

/* index_message - list the pairs of the scanned message; -1 on a duplicate */
static int index_message(struct attr_in *in, struct buf *why)
{
	const char *p = in->rb, *end = in->rb + in->msg_len - 1;

	if (in->nscan > in->pairs_cap) {
		in->pairs_cap = in->nscan;
		free(in->pairs);
		free(in->sorted);
		in->pairs = xcalloc(in->pairs_cap, sizeof(*in->pairs));
		in->sorted = xcalloc(in->pairs_cap, sizeof(*in->sorted));
	}
	for (in->count = 0; p < end; in->count++) {
		in->pairs[in->count].name = p;
		p += strlen(p) + 1;
		in->pairs[in->count].value = p;
		p += strlen(p) + 1;
	}
	if (in->count == 0)
		return 0;
	memcpy(in->sorted, in->pairs, in->count * sizeof(*in->pairs));
	qsort(in->sorted, in->count, sizeof(*in->sorted), pair_cmp);
	for (size_t i = 1; i < in->count; i++) {
		if (strcmp(in->sorted[i - 1].name, in->sorted[i].name) == 0) {
			buf_printf(why, "duplicate attribute %s", in->sorted[i].name);
			in->count = 0;
			return -1;
		}
	}
	return 0;
}

/* fill - read more bytes; >0 got some, 0 EOF, -1 error */
static int fill(struct attr_in *in, int fd, long long deadline, struct buf *why)
{
	for (;;) {
		ssize_t n;

		if (in->len == in->cap) {
			in->cap = mem_mul_size(in->cap, 2);
			in->rb = xrealloc(in->rb, in->cap);
		}
		if (wait_fd(fd, POLLIN, deadline, why) < 0)
			return -1;
		n = read(fd, in->rb + in->len, in->cap - in->len);
		if (n > 0) {
			in->len += (size_t)n;
			return 1;
		}
		if (n == 0)
			return 0;
		if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK) {
			buf_printf(why, "read attributes: %s", strerror(errno));
			return -1;
		}
	}
}

/* attr_read - read one message; 1, 0 at a clean EOF, -1 error */
int attr_read(struct attr_in *in, int fd, int timeout_ms, struct buf *why)
{
	long long deadline = deadline_in(timeout_ms);
	int rc;

	if (in->broken) {
		buf_cat(why, "attribute stream out of step after an earlier error");
		return -1;
	}
	drop_message(in);
	while ((rc = scan(in, why)) == 0) {
		rc = fill(in, fd, deadline, why);
		if (rc == 0 && in->len == 0)
			return 0;
		if (rc == 0)
			buf_printf(why, "connection closed inside an attribute message (%zu bytes)",
				   in->len);
		if (rc <= 0) {
			rc = -1;
			break;
		}
	}
	if (rc > 0 && index_message(in, why) == 0)
		return 1;
	in->broken = true;
	return -1;
}

/* attr_in_buffered - bytes after the current message */
size_t attr_in_buffered(const struct attr_in *in)
{
	return in->len - in->msg_len;
}

/* attr_parse_mem - parse exactly one message from memory; 0 or -1 */
int attr_parse_mem(struct attr_in *in, const void *data, size_t len, struct buf *why)
{
	int rc;

	in->len = in->msg_len = 0;
	in->broken = false;
	drop_message(in);
	if (len > in->cap) {
		free(in->rb);
		in->cap = len;
		in->rb = xmalloc(in->cap);
	}
	memcpy(in->rb, data, len);
	in->len = len;
	if ((rc = scan(in, why)) == 0)
		buf_cat(why, len ? "attribute message not terminated" : "empty input");
	else if (rc > 0 && in->msg_len != len)
		buf_printf(why, "%zu bytes after the end of the attribute message",
			   len - in->msg_len);
	else if (rc > 0 && index_message(in, why) == 0)
		return 0;
	in->broken = true;
	in->msg_len = in->len;
	in->count = 0;
	return -1;
}

/* attr_count - pairs in the current message */
size_t attr_count(const struct attr_in *in)
{
	return in->count;
}

/* attr_name - the i-th name in wire order */
const char *attr_name(const struct attr_in *in, size_t i)
{
	if (i >= in->count)
		log_panic("attr_name: index %zu of %zu", i, in->count);
	return in->pairs[i].name;
}

/* attr_value - the i-th value in wire order */
const char *attr_value(const struct attr_in *in, size_t i)
{
	if (i >= in->count)
		log_panic("attr_value: index %zu of %zu", i, in->count);
	return in->pairs[i].value;
}

/* attr_get - the value of name, or NULL */
const char *attr_get(const struct attr_in *in, const char *name)
{
	struct attr_pair key = { .name = name };
	const struct attr_pair *hit;

	if (in->count == 0)
		return NULL;
	hit = bsearch(&key, in->sorted, in->count, sizeof(key), pair_cmp);
	return hit ? hit->value : NULL;
}

/* parse_decimal - strict canonical decimal ("0", "-12", no "+", "007", "-0") */
static bool parse_decimal(const char *s, long long *v_r)
{
	bool neg = (*s == '-');
	long long v = 0;

	s += neg;
	if (*s < '0' || *s > '9' || (s[0] == '0' && (s[1] != '\0' || neg)))
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || __builtin_mul_overflow(v, 10, &v)
		    || __builtin_sub_overflow(v, *s - '0', &v))
			return false;	/* accumulate negative: LLONG_MIN fits */
	}
	if (!neg && __builtin_mul_overflow(v, -1, &v))
		return false;
	*v_r = v;
	return true;
}

/* attr_get_int - a decimal value within [min, max]; 0 or -1 */
int attr_get_int(const struct attr_in *in, const char *name, long long min,
		 long long max, long long *v_r, struct buf *why)
{
	const char *s = attr_get(in, name);
	long long v;

	if (s == NULL) {
		buf_printf(why, "missing attribute %s", name);
		return -1;
	}
	if (!parse_decimal(s, &v)) {
		buf_printf(why, "attribute %s: not a decimal number", name);
		return -1;
	}
	if (v < min || v > max) {
		buf_printf(why, "attribute %s: %lld is not in [%lld, %lld]", name, v, min, max);
		return -1;
	}
	*v_r = v;
	return 0;
}

/* attr_require - -1 and "missing attribute X" unless every name is present */
int attr_require(const struct attr_in *in, struct buf *why, ...)
{
	va_list ap;
	const char *name;
	int rc = 0;

	va_start(ap, why);
	while ((name = va_arg(ap, const char *)) != NULL) {
		if (attr_get(in, name) == NULL) {
			buf_printf(why, "missing attribute %s", name);
			rc = -1;
			break;
		}
	}
	va_end(ap);
	return rc;
}

/* attr_hello_write - send {protocol, version}: the server's first words */
int attr_hello_write(int fd, const char *protocol, int version, int timeout_ms,
		     struct buf *why)
{
	struct attr_out *o = attr_out_new();
	int rc;

	attr_put_str(o, "protocol", protocol);
	attr_put_int(o, "version", version);
	attr_end(o);
	rc = attr_write(fd, o, timeout_ms, why);
	attr_out_free(&o);
	return rc;
}

/* attr_hello_read - read and check the peer's hello; its version or -1 */
int attr_hello_read(struct attr_in *in, int fd, const char *protocol,
		    int min_version, int timeout_ms, struct buf *why)
{
	const char *got;
	long long v;
	int rc = attr_read(in, fd, timeout_ms, why);

	if (rc == 0)
		buf_printf(why, "connection closed before the %s handshake", protocol);
	if (rc <= 0)
		return -1;
	if ((got = attr_get(in, "protocol")) == NULL || strcmp(got, protocol) != 0) {
		buf_printf(why, "peer does not speak protocol %s", protocol);
		return -1;
	}
	if (attr_get_int(in, "version", 0, INT_MAX, &v, why) < 0)
		return -1;
	if (v < min_version) {
		buf_printf(why, "protocol %s version %lld is older than %d",
			   protocol, v, min_version);
		return -1;
	}
	return (int)v;
}
