/* qrec - the queue record codec: writer, buffered reader, varints; see
 * qrec.h.  The record-order checker is in the second half of this file.
 * The reader trusts nothing: a length is compared with the caller's limit
 * before memory is reserved for it, a varint must be minimal and fit in
 * 32 bits, and an fd reader with a timeout gives up at a deadline per
 * record, so a stalled peer cannot hold a daemon forever.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "deadline.h"
#include "log.h"
#include "mem.h"
#include "qrec.h"

enum { READER_BUF = 65536 };

struct qrec_reader {
	int fd;				/* -1: memory reader */
	int timeout_ms;			/* -1: none */
	const unsigned char *data;	/* memory, or space */
	unsigned char *space;		/* fd reader's buffer */
	size_t pos, end;		/* unread bytes are data[pos..end) */
	off_t base;			/* offset of data[0] in the source */
	bool eof, failed;
	bool io_error;			/* the failure was I/O, not data */
};

/* qrec_varint_put - encode v; returns the number of bytes written */
size_t qrec_varint_put(unsigned char out[QREC_VARINT_MAX], uint32_t v)
{
	size_t n = 0;

	do {
		out[n] = (unsigned char)(v & 0x7f);
		v >>= 7;
		if (v)
			out[n] |= 0x80;
		n++;
	} while (v);
	return n;
}

/* qrec_varint_get - decode a minimal varint of at most 5 bytes */
int qrec_varint_get(const unsigned char *p, size_t len, uint32_t *v_r)
{
	uint64_t v = 0;

	for (size_t i = 0; i < QREC_VARINT_MAX; i++) {
		if (i >= len)
			return 0;
		v |= (uint64_t)(p[i] & 0x7f) << (7 * i);
		if (p[i] & 0x80)
			continue;
		if (v > UINT32_MAX || (i > 0 && p[i] == 0))
			return -1;	/* overflow, or not minimal */
		*v_r = (uint32_t)v;
		return (int)i + 1;
	}
	return -1;			/* a sixth byte would follow */
}

/* qrec_put - append one record; -1 (nothing written) if len is too big */
int qrec_put(struct buf *out, int type, const void *p, size_t len)
{
	unsigned char hdr[1 + QREC_VARINT_MAX];
	size_t n;

	if (type < 0 || type > 255)
		log_panic("qrec_put: bad record type %d", type);
	if (len > QREC_MAX_LEN)
		return -1;
	hdr[0] = (unsigned char)type;
	n = qrec_varint_put(hdr + 1, (uint32_t)len);
	buf_add(out, hdr, n + 1);
	buf_add(out, p, len);
	return 0;
}

/* qrec_put_str - append a record holding a C string */
int qrec_put_str(struct buf *out, int type, const char *s)
{
	return qrec_put(out, type, s, strlen(s));
}

/* qrec_putf - append a record holding formatted text */
int qrec_putf(struct buf *out, int type, const char *fmt, ...)
{
	struct buf *tmp = buf_new(64);
	va_list ap;
	int rc;

	va_start(ap, fmt);
	buf_vprintf(tmp, fmt, ap);
	va_end(ap);
	rc = qrec_put(out, type, buf_str(tmp), buf_len(tmp));
	buf_free(&tmp);
	return rc;
}

/* qrec_put_line - one content line as 'P' chunks and a final 'L' (or 'P'
 * when the caller's line continues) */
int qrec_put_line(struct buf *out, const void *p, size_t len, bool partial)
{
	const char *s = p;

	while (len > QREC_LINE_CHUNK) {
		qrec_put(out, QREC_PART, s, QREC_LINE_CHUNK);
		s += QREC_LINE_CHUNK;
		len -= QREC_LINE_CHUNK;
	}
	if (partial && len == 0)
		return 0;
	return qrec_put(out, partial ? QREC_PART : QREC_LINE, s, len);
}

/* qrec_put_sizes - append the fixed-width 'C' record */
void qrec_put_sizes(struct buf *out, const struct qrec_sizes *s)
{
	char text[QREC_SIZES_LEN + 1];
	int n = snprintf(text, sizeof(text), "%15ld %15ld %15ld %15ld", s->content_offset,
			 s->content_size, s->xtra_offset, s->rcpt_count);

	if (n != QREC_SIZES_LEN)
		log_panic("qrec_put_sizes: a size does not fit in 15 digits");
	qrec_put(out, QREC_SIZE, text, QREC_SIZES_LEN);
}

/* size_field - one right-aligned 15-character decimal field */
static bool size_field(const char *p, long *v_r)
{
	int i = 0;
	long v = 0;

	while (i < 14 && p[i] == ' ')
		i++;
	for (; i < 15; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		v = v * 10 + (p[i] - '0');	/* 15 digits cannot overflow a long */
	}
	*v_r = v;
	return true;
}

/* qrec_sizes_parse - read a 'C' payload; 0 or -1 */
int qrec_sizes_parse(const char *p, size_t len, struct qrec_sizes *s_r)
{
	long *f[4] = { &s_r->content_offset, &s_r->content_size, &s_r->xtra_offset,
		       &s_r->rcpt_count };

	if (len != QREC_SIZES_LEN)
		return -1;
	for (int i = 0; i < 4; i++)
		if (!size_field(p + 16 * i, f[i]) || (i < 3 && p[16 * i + 15] != ' '))
			return -1;
	return 0;
}

/* qrec_reader_fd - a buffered reader over fd (not closed by the reader) */
struct qrec_reader *qrec_reader_fd(int fd, int timeout_ms)
{
	struct qrec_reader *r = xmalloc(sizeof(*r));
	off_t here = lseek(fd, 0, SEEK_CUR);

	r->fd = fd;
	r->timeout_ms = timeout_ms;
	r->space = xmalloc_raw(READER_BUF);	/* read() fills what is used */
	r->data = r->space;
	r->base = here < 0 ? 0 : here;
	return r;
}

/* qrec_reader_mem - a reader over len bytes at p (not copied) */
struct qrec_reader *qrec_reader_mem(const void *p, size_t len)
{
	struct qrec_reader *r = xmalloc(sizeof(*r));

	r->fd = -1;
	r->timeout_ms = -1;
	r->data = p;
	r->end = len;
	r->eof = true;
	return r;
}

/* qrec_reader_free - release a reader and clear the caller's pointer */
void qrec_reader_free(struct qrec_reader **rp)
{
	if (*rp == NULL)
		return;
	free((*rp)->space);
	XFREE(*rp);
}

/* qrec_reader_offset - source offset of the next unread record */
off_t qrec_reader_offset(const struct qrec_reader *r)
{
	return r->base + (off_t)r->pos;
}

/* qrec_reader_is_io_error - whether the last failure was I/O or a timeout */
bool qrec_reader_is_io_error(const struct qrec_reader *r)
{
	return r->io_error;
}

/* qrec_reader_seek - continue reading at offset */
int qrec_reader_seek(struct qrec_reader *r, off_t offset, struct buf *why)
{
	r->failed = false;
	if (r->fd < 0) {
		if (offset < 0 || (size_t)offset > r->end) {
			buf_printf(why, "seek to offset %lld: beyond the end", (long long)offset);
			return -1;
		}
		r->pos = (size_t)offset;
		return 0;
	}
	if (lseek(r->fd, offset, SEEK_SET) < 0) {
		buf_printf(why, "seek to offset %lld: %m", (long long)offset);
		r->io_error = true;
		return -1;
	}
	r->base = offset;
	r->pos = r->end = 0;
	r->io_error = false;
	r->eof = false;
	return 0;
}

/* wait_readable - wait until fd is readable or the deadline passes */
static int wait_readable(struct qrec_reader *r, long long deadline, struct buf *why)
{
	int n = deadline_wait(r->fd, POLLIN, deadline);

	if (n > 0)
		return 0;
	if (n == 0)
		buf_printf(why, "offset %lld: timeout after %d ms", (long long)qrec_reader_offset(r),
			   r->timeout_ms);
	else
		buf_printf(why, "poll: %m");
	r->io_error = true;
	return -1;
}

/* fill - read more bytes; 1 got some, 0 end of input, -1 error */
static int fill(struct qrec_reader *r, long long deadline, struct buf *why)
{
	ssize_t n;

	if (r->fd < 0 || r->eof)
		return 0;
	if (r->pos == r->end || r->end == READER_BUF) {
		memmove(r->space, r->space + r->pos, r->end - r->pos);
		r->base += (off_t)r->pos;
		r->end -= r->pos;
		r->pos = 0;
	}
	for (;;) {
		if (r->timeout_ms >= 0 && wait_readable(r, deadline, why) < 0)
			return -1;
		n = read(r->fd, r->space + r->end, READER_BUF - r->end);
		if (n > 0) {
			r->end += (size_t)n;
			return 1;
		}
		if (n == 0) {
			r->eof = true;
			return 0;
		}
		if (errno != EINTR && errno != EAGAIN) {
			buf_printf(why, "read: %m");
			r->io_error = true;
			return -1;
		}
	}
}

/* get_header - type byte and length; 1, 0 clean EOF, -1 error */
static int get_header(struct qrec_reader *r, long long deadline, int *type_r, uint32_t *len_r,
		      struct buf *why)
{
	for (;;) {
		size_t avail = r->end - r->pos;
		int n = avail ? qrec_varint_get(r->data + r->pos + 1, avail - 1, len_r) : 0;

		if (n > 0) {
			*type_r = r->data[r->pos];
			r->pos += 1 + (size_t)n;
			return 1;
		}
		if (n < 0) {
			buf_printf(why, "offset %lld: bad record length", (long long)qrec_reader_offset(r));
			return -1;
		}
		if ((n = fill(r, deadline, why)) < 0)
			return -1;
		if (n == 0 && avail == 0)
			return 0;
		if (n == 0) {
			buf_printf(why, "offset %lld: truncated record header", (long long)qrec_reader_offset(r));
			return -1;
		}
	}
}

/* qrec_get - read one record into payload (at most max_len bytes) */
int qrec_get(struct qrec_reader *r, int *type_r, struct buf *payload, size_t max_len,
	     struct buf *why)
{
	long long deadline = deadline_in(r->timeout_ms);
	off_t start = qrec_reader_offset(r);
	uint32_t len, left;
	int rc;

	if (r->failed) {
		buf_printf(why, "offset %lld: read after an error", (long long)start);
		return -1;
	}
	if ((rc = get_header(r, deadline, type_r, &len, why)) <= 0) {
		r->failed = rc < 0;
		return rc;
	}
	if (max_len > QREC_MAX_LEN)
		max_len = QREC_MAX_LEN;
	if (len > max_len) {
		buf_printf(why, "offset %lld: record length %lu exceeds the limit %zu", (long long)start,
			   (unsigned long)len, max_len);
		r->failed = true;
		return -1;
	}
	buf_reset(payload);
	/* grow with the data: a record that claims 1 MiB and stops costs nothing */
	buf_reserve(payload, len < READER_BUF ? len : READER_BUF);
	for (left = len; left > 0;) {
		size_t take = r->end - r->pos < left ? r->end - r->pos : left;

		buf_add(payload, r->data + r->pos, take);
		r->pos += take;
		left -= (uint32_t)take;
		if (left > 0 && (rc = fill(r, deadline, why)) <= 0) {
			if (rc == 0)
				buf_printf(why, "offset %lld: truncated record: %lu of %lu bytes",
					   (long long)start, (unsigned long)(len - left), (unsigned long)len);
			r->failed = true;
			return -1;
		}
	}
	return 1;
}

/* ---- record types and the order checker ------------------------------ */

enum section { SEC_START, SEC_SIZE, SEC_ENV, SEC_CONTENT, SEC_POST, SEC_EXTRACT, SEC_DONE };

static const char *const section_names[] = {
	"the start", "the sizes", "the envelope", "the content", "the end of the content",
	"the extracted envelope", "the end"
};

static const struct { int type; const char *name; } type_names[] = {
	{ QREC_VERSION, "version" }, { QREC_SIZE, "sizes" }, { QREC_TIME, "arrival time" },
	{ QREC_FLAGS, "flags" }, { QREC_SENDER, "sender" }, { QREC_ATTR, "attribute" },
	{ QREC_ORCPT, "original recipient" }, { QREC_NOTIFY, "notify" },
	{ QREC_RCPT, "recipient" }, { QREC_DONE, "done recipient" },
	{ QREC_MESG, "content start" }, { QREC_LINE, "content line" },
	{ QREC_PART, "partial line" }, { QREC_XTRA, "content end" },
	{ QREC_EXTRACT, "extracted envelope" }, { QREC_WARN, "warning" }, { QREC_END, "end" },
};

enum { ATTR_MAX_COUNT = 256, ATTR_NAME_MAX = 64 };

/* qrec_type_known - whether type is one of enum qrec_type */
bool qrec_type_known(int type)
{
	return qrec_type_name(type) != NULL;
}

/* qrec_type_name - "sender" for 'S'; NULL for an unknown type */
const char *qrec_type_name(int type)
{
	for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (type_names[i].type == type)
			return type_names[i].name;
	return NULL;
}

/* qrec_check_init - start checking a file or a stream */
void qrec_check_init(struct qrec_check *c, enum qrec_check_mode mode)
{
	memset(c, 0, sizeof(*c));
	c->mode = mode;
	c->section = SEC_START;
	c->size_offset = -1;
	c->attr_names = buf_new(64);
}

/* qrec_check_free - release the checker's memory */
void qrec_check_free(struct qrec_check *c)
{
	buf_free(&c->attr_names);
}

/* bad - format a complaint about the record at offset; returns -1 */
static int bad(struct buf *why, off_t offset, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int bad(struct buf *why, off_t offset, const char *fmt, ...)
{
	va_list ap;

	buf_printf(why, "offset %lld: ", (long long)offset);
	va_start(ap, fmt);
	buf_vprintf(why, fmt, ap);
	va_end(ap);
	return -1;
}

/* has_ctl - any control character (addresses never hold one) */
static bool has_ctl(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f)
			return true;
	return false;
}

/* is_digits - len > 0 decimal digits */
static bool is_digits(const char *p, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if (p[i] < '0' || p[i] > '9')
			return false;
	return true;
}

/* time_ok - "SEC.USEC" with 1-18 digits of seconds and exactly 6 of micro */
static bool time_ok(const char *p, size_t len)
{
	const char *dot = memchr(p, '.', len);

	return dot && dot - p <= 18 && is_digits(p, (size_t)(dot - p))
	       && len - (size_t)(dot - p) == 7 && is_digits(dot + 1, 6);
}

/* notify_ok - "NEVER" or a comma list of SUCCESS, FAILURE, DELAY (RFC 3461) */
static bool notify_ok(const char *p, size_t len)
{
	static const char *const words[] = { "SUCCESS", "FAILURE", "DELAY" };

	if (len == 5 && strncasecmp(p, "NEVER", 5) == 0)
		return true;
	while (len > 0) {
		const char *comma = memchr(p, ',', len);
		size_t n = comma ? (size_t)(comma - p) : len;
		bool hit = false;

		for (size_t i = 0; i < 3; i++)
			hit |= n == strlen(words[i]) && strncasecmp(p, words[i], n) == 0;
		if (!hit || (comma && n + 1 == len))
			return false;
		p += comma ? n + 1 : n;
		len -= comma ? n + 1 : n;
	}
	return true;
}

/* attr_ok - "name=value": name [a-z0-9_]{1,64}, no NUL in the value */
static bool attr_ok(const char *p, size_t len, size_t *name_len_r)
{
	const char *eq = memchr(p, '=', len);
	size_t n = eq ? (size_t)(eq - p) : 0;

	if (n == 0 || n > ATTR_NAME_MAX || memchr(p, '\0', len))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= '0' && p[i] <= '9') || p[i] == '_'))
			return false;
	*name_len_r = n;
	return true;
}

/* payload_ok - the syntax of one record's payload, whatever its place */
static int payload_ok(int type, const char *p, size_t len, off_t off, struct buf *why)
{
	const char *what = qrec_type_name(type);
	size_t n;

	switch (type) {
	case QREC_VERSION:
		if (len > 11 && memcmp(p, "hato-queue ", 11) == 0 && is_digits(p + 11, len - 11)
		    && !(len == 12 && p[11] == '1'))
			return bad(why, off, "unsupported format version \"%.*s\"", (int)(len - 11), p + 11);
		return len == strlen(QREC_VERSION_TEXT) && memcmp(p, QREC_VERSION_TEXT, len) == 0 ? 0
		       : bad(why, off, "not a hato queue file (bad version record)");
	case QREC_SIZE: {
		struct qrec_sizes s;

		return qrec_sizes_parse(p, len, &s) == 0 ? 0 : bad(why, off, "malformed sizes record");
	}
	case QREC_TIME:
		return time_ok(p, len) ? 0 : bad(why, off, "malformed arrival time");
	case QREC_FLAGS:
		return is_digits(p, len) && len <= 9 ? 0 : bad(why, off, "malformed flags");
	case QREC_SENDER: case QREC_RCPT: case QREC_DONE: case QREC_ORCPT:
		if ((len == 0 && type != QREC_SENDER) || len > QREC_ADDR_MAX || has_ctl(p, len)
		    || (type == QREC_ORCPT && memchr(p, ';', len) == NULL))
			return bad(why, off, "malformed %s record", what);
		return 0;
	case QREC_NOTIFY:
		return notify_ok(p, len) ? 0 : bad(why, off, "malformed notify record");
	case QREC_ATTR:
		return attr_ok(p, len, &n) ? 0 : bad(why, off, "malformed attribute record");
	case QREC_WARN:
		return memchr(p, '\0', len) == NULL ? 0 : bad(why, off, "NUL byte in warning record");
	case QREC_MESG: case QREC_XTRA: case QREC_EXTRACT: case QREC_END:
		return len == 0 ? 0 : bad(why, off, "%s record with a payload", what);
	case QREC_LINE: case QREC_PART:
		return 0;
	default:
		return bad(why, off, "unknown record type 0x%02x", (unsigned)type & 0xff);
	}
}

/* add_attr_name - remember an attribute name; -1 on a duplicate or too many */
static int add_attr_name(struct qrec_check *c, const char *p, size_t len, off_t off,
			 struct buf *why)
{
	size_t n = 0, count = 0;
	const char *names = buf_str(c->attr_names), *end = names + buf_len(c->attr_names);

	attr_ok(p, len, &n);		/* checked before: a NUL-free "name=value" */
	for (const char *s = names; s < end; s += strlen(s) + 1, count++)
		if (strlen(s) == n && memcmp(s, p, n) == 0)
			return bad(why, off, "duplicate attribute \"%.*s\"", (int)n, p);
	if (count >= ATTR_MAX_COUNT)
		return bad(why, off, "more than %d attributes", ATTR_MAX_COUNT);
	buf_add(c->attr_names, p, n);
	buf_putc(c->attr_names, '\0');
	return 0;
}

/* add_long - sizes arithmetic that refuses to overflow */
static int add_long(long *sum, long v, off_t off, struct buf *why)
{
	return __builtin_add_overflow(*sum, v, sum) ? bad(why, off, "content size overflow") : 0;
}

/* recipient_part - O, N, R, r: the recipient records of either section */
static int recipient_part(struct qrec_check *c, int type, off_t off, struct buf *why)
{
	bool *pending = type == QREC_ORCPT ? &c->pending_orcpt : &c->pending_notify;

	if (type == QREC_ORCPT || type == QREC_NOTIFY) {
		if (*pending)
			return bad(why, off, "two %s records for one recipient", qrec_type_name(type));
		*pending = true;
		return 0;
	}
	if (type == QREC_DONE && c->mode == QREC_CHECK_STREAM)
		return bad(why, off, "done recipient in a stream");
	c->pending_orcpt = c->pending_notify = false;
	c->sizes.rcpt_count++;
	return 0;
}

/* no_pending - a section ends: no O or N may wait for a recipient */
static int no_pending(struct qrec_check *c, off_t off, struct buf *why)
{
	if (c->pending_orcpt || c->pending_notify)
		return bad(why, off, "original recipient or notify record without a recipient");
	return 0;
}

/* envelope - one record of the envelope section */
static int envelope(struct qrec_check *c, int type, const char *p, size_t len, off_t off,
		    struct buf *why)
{
	switch (type) {
	case QREC_TIME:
		return c->ntime++ ? bad(why, off, "second arrival time record") : 0;
	case QREC_FLAGS:
		return c->nflags++ ? bad(why, off, "second flags record") : 0;
	case QREC_SENDER:
		return c->nsender++ ? bad(why, off, "second sender record") : 0;
	case QREC_ATTR:
		return add_attr_name(c, p, len, off, why);
	case QREC_WARN:
		return 0;
	case QREC_ORCPT: case QREC_NOTIFY: case QREC_RCPT: case QREC_DONE:
		return recipient_part(c, type, off, why);
	case QREC_MESG:
		if (c->nsender == 0)
			return bad(why, off, "no sender record before the content");
		if (c->mode == QREC_CHECK_FILE && c->ntime == 0)
			return bad(why, off, "no arrival time record before the content");
		c->sizes.content_offset = (long)off;
		c->section = SEC_CONTENT;
		return no_pending(c, off, why);
	default:
		return -2;
	}
}

/* in_section - the record-order state machine; -2 means "not allowed here" */
static int in_section(struct qrec_check *c, int type, const char *p, size_t len, off_t off,
		      struct buf *why)
{
	switch (c->section) {
	case SEC_START:
		if (type != QREC_VERSION)
			return bad(why, off, "not a hato queue file (no version record)");
		c->section = c->mode == QREC_CHECK_FILE ? SEC_SIZE : SEC_ENV;
		return 0;
	case SEC_SIZE:
		if (type != QREC_SIZE)
			return -2;
		qrec_sizes_parse(p, len, &c->claimed);
		c->size_offset = (long)off;
		c->section = SEC_ENV;
		return 0;
	case SEC_ENV:
		return envelope(c, type, p, len, off, why);
	case SEC_CONTENT:
		if (type == QREC_LINE || type == QREC_PART)
			return add_long(&c->sizes.content_size, (long)len + (type == QREC_LINE), off, why);
		if (type != QREC_XTRA)
			return -2;
		c->sizes.xtra_offset = (long)off;
		c->section = SEC_POST;
		return 0;
	case SEC_POST: case SEC_EXTRACT:
		if (type == QREC_EXTRACT && c->section == SEC_POST) {
			c->section = SEC_EXTRACT;
			return 0;
		}
		if (type == QREC_END) {
			c->section = SEC_DONE;
			c->ended = true;
			return no_pending(c, off, why);
		}
		if (c->section == SEC_POST)
			return -2;
		if (type == QREC_WARN)
			return 0;
		if (type == QREC_ORCPT || type == QREC_NOTIFY || type == QREC_RCPT || type == QREC_DONE)
			return recipient_part(c, type, off, why);
		return -2;
	default:
		return bad(why, off, "data after the end record");
	}
}

/* qrec_check_record - check one record at offset; 0 fine, -1 why says what */
int qrec_check_record(struct qrec_check *c, int type, const char *p, size_t len, off_t offset,
		      struct buf *why)
{
	int rc;

	if (c->section == SEC_DONE)
		return bad(why, offset, "data after the end record");
	if (payload_ok(type, p, len, offset, why) < 0)
		return -1;
	rc = in_section(c, type, p, len, offset, why);
	if (rc == -2)
		return bad(why, offset, "%s record out of order (in %s)", qrec_type_name(type),
			   section_names[c->section]);
	return rc;
}

/* qrec_check_end - at the end of input: complete, and recipients present */
int qrec_check_end(struct qrec_check *c, struct buf *why)
{
	if (c->section != SEC_DONE) {
		buf_printf(why, "incomplete: no end record after %s", section_names[c->section]);
		return -1;
	}
	if (c->mode == QREC_CHECK_FILE && c->sizes.rcpt_count == 0) {
		buf_printf(why, "no recipients");
		return -1;
	}
	return 0;
}

/* qrec_check_sizes - the 'C' record agrees with what was read */
int qrec_check_sizes(const struct qrec_check *c, struct buf *why)
{
	const struct qrec_sizes *a = &c->claimed, *b = &c->sizes;

	if (a->content_offset == b->content_offset && a->content_size == b->content_size
	    && a->xtra_offset == b->xtra_offset && a->rcpt_count == b->rcpt_count)
		return 0;
	buf_printf(why, "offset %ld: sizes record says %ld %ld %ld %ld, the file has %ld %ld %ld %ld",
		   c->size_offset, a->content_offset, a->content_size, a->xtra_offset, a->rcpt_count,
		   b->content_offset, b->content_size, b->xtra_offset, b->rcpt_count);
	return -1;
}
