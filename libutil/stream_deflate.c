/* stream_deflate - raw deflate under a stream's transport; see
 * stream_deflate.h.  The peer is untrusted: each read inflates into the
 * caller's room only (at most STREAM_BUFSIZE), compressed input waits in
 * a buffer of STREAM_BUFSIZE, and a zlib error ends the stream (EPROTO).
 * Output grows a buffer by what the stream flushes (already in memory
 * as plain text) and no more.  A write that meets a full socket keeps its
 * compressed bytes and says EAGAIN; stream_flush calls again with the
 * same bytes, which are then only acknowledged (z->owed).  After a flush
 * that failed (timeout) the output is not to be trusted: end the session,
 * as imapmail does. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "mem.h"
#include "stream_deflate.h"

enum { ZCHUNK = 16384, ZWINDOW = -15, ZMEMLEVEL = 8 };

struct stream_deflate {
	z_stream in, out;		/* inflate (from the peer), deflate */
	bool in_ok, out_ok;		/* initialised */
	bool ended;			/* the peer's stream ended or broke */
	int end_errno;			/* 0: a clean end (EOF), or EPROTO */
	unsigned char ibuf[STREAM_BUFSIZE];	/* compressed input */
	struct buf *zout;		/* compressed output not yet written */
	size_t zout_pos;
	size_t owed;			/* input taken whose output is unsent */
	stream_read_fn *lower_read;	/* the transport underneath */
	stream_write_fn *lower_write;
	void *lower_ctx;
};

/* lower_fill - more compressed input: >0 bytes, 0 EOF, -1 errno */
static ssize_t lower_fill(struct stream_deflate *z, bool *want_write)
{
	ssize_t r = z->lower_read(z->lower_ctx, z->ibuf, sizeof(z->ibuf), want_write);

	if (r > 0) {
		z->in.next_in = z->ibuf;
		z->in.avail_in = (uInt)r;
	}
	return r;
}

/* z_read - the transport's read: inflated bytes, at most n */
static ssize_t z_read(void *ctx, void *p, size_t n, bool *want_write)
{
	struct stream_deflate *z = ctx;

	*want_write = false;
	if (n == 0)
		return 0;
	for (;;) {
		uInt before = z->in.avail_in;
		size_t got;
		ssize_t r;
		int rc;

		if (z->ended) {
			errno = z->end_errno;
			return z->end_errno ? -1 : 0;
		}
		z->in.next_out = p;
		z->in.avail_out = n > UINT_MAX ? UINT_MAX : (uInt)n;
		rc = inflate(&z->in, Z_SYNC_FLUSH);
		got = (n > UINT_MAX ? UINT_MAX : n) - z->in.avail_out;
		if (rc == Z_STREAM_END || (rc != Z_OK && rc != Z_BUF_ERROR)) {
			z->ended = true;
			z->end_errno = rc == Z_STREAM_END ? 0 : EPROTO;
		} else if (got == 0 && z->in.avail_in > 0 && z->in.avail_in == before) {
			z->ended = true;	/* no progress: cannot happen, but never spin */
			z->end_errno = EPROTO;
		}
		if (got > 0)
			return (ssize_t)got;
		if (z->ended || z->in.avail_in > 0)
			continue;
		if ((r = lower_fill(z, want_write)) <= 0)
			return r;
	}
}

/* drain - write the compressed output: 0 all sent, -1 errno (EAGAIN:
 * *want_read as the transport says) */
static int drain(struct stream_deflate *z, bool *want_read)
{
	while (z->zout_pos < buf_len(z->zout)) {
		ssize_t r = z->lower_write(z->lower_ctx, buf_str(z->zout) + z->zout_pos,
					   buf_len(z->zout) - z->zout_pos, want_read);

		if (r > 0)
			z->zout_pos += (size_t)r;
		else if (r < 0 && errno == EINTR)
			continue;
		else {
			if (r == 0)
				errno = EIO;
			return -1;
		}
	}
	buf_reset(z->zout);
	z->zout_pos = 0;
	return 0;
}

/* pack - p's n bytes into z->zout, ending with a sync flush */
static void pack(struct stream_deflate *z, const void *p, size_t n)
{
	unsigned char tmp[ZCHUNK];
	const unsigned char *at = p;

	while (n > 0) {
		uInt take = n > UINT_MAX / 2 ? UINT_MAX / 2 : (uInt)n;

		z->out.next_in = (Bytef *)(uintptr_t)at;
		z->out.avail_in = take;
		do {
			z->out.next_out = tmp;
			z->out.avail_out = sizeof(tmp);
			(void)deflate(&z->out, Z_SYNC_FLUSH);
			buf_add(z->zout, tmp, sizeof(tmp) - z->out.avail_out);
		} while (z->out.avail_out == 0);
		at += take;
		n -= take;
	}
}

/* z_write - the transport's write: all n bytes, or -1 (EAGAIN: call
 * again with the same bytes, as stream_flush does) */
static ssize_t z_write(void *ctx, const void *p, size_t n, bool *want_read)
{
	struct stream_deflate *z = ctx;
	size_t owed;

	*want_read = false;
	if (drain(z, want_read) < 0)
		return -1;
	if (z->owed > 0 && z->owed <= n) {
		owed = z->owed;		/* sent now: those bytes are done */
		z->owed = 0;
		return (ssize_t)owed;
	}
	pack(z, p, n);
	z->owed = n;
	if (drain(z, want_read) < 0)
		return -1;
	z->owed = 0;
	return (ssize_t)n;
}

/* stream_deflate_start - wrap s's transport; its buffered input moves in */
struct stream_deflate *stream_deflate_start(struct stream *s, struct buf *why)
{
	struct stream_deflate *z = xcalloc(1, sizeof(*z));
	size_t pending = stream_pending(s);

	if (inflateInit2(&z->in, ZWINDOW) != Z_OK) {
		buf_set(why, "inflateInit2 failed");
		stream_deflate_free(&z);
		return NULL;
	}
	z->in_ok = true;
	if (deflateInit2(&z->out, Z_DEFAULT_COMPRESSION, Z_DEFLATED, ZWINDOW, ZMEMLEVEL,
			 Z_DEFAULT_STRATEGY) != Z_OK) {
		buf_set(why, "deflateInit2 failed");
		stream_deflate_free(&z);
		return NULL;
	}
	z->out_ok = true;
	z->zout = buf_new(ZCHUNK);
	memcpy(z->ibuf, s->in + s->in_pos, pending);	/* both STREAM_BUFSIZE */
	z->in.next_in = z->ibuf;
	z->in.avail_in = (uInt)pending;
	stream_discard_input(s);
	z->lower_read = s->read;
	z->lower_write = s->write;
	z->lower_ctx = s->io_ctx;
	stream_set_transport(s, z_read, z_write, z);
	return z;
}

/* stream_deflate_free - release zlib's state and the buffers */
void stream_deflate_free(struct stream_deflate **zp)
{
	struct stream_deflate *z = *zp;

	if (z == NULL)
		return;
	if (z->in_ok)
		inflateEnd(&z->in);
	if (z->out_ok)
		deflateEnd(&z->out);
	buf_free(&z->zout);
	free(z);
	*zp = NULL;
}
