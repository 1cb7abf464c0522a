/* stream_deflate - raw deflate (RFC 1951, zlib windowBits -15) under a
 * stream, both ways: IMAP COMPRESS=DEFLATE (RFC 4978).
 *
 *   stream_flush(s);                       // the OK goes out as it is
 *   if ((z = stream_deflate_start(s, why)) == NULL) ...
 *   ...                                    // s reads and writes as before
 *   stream_free(&s); stream_deflate_free(&z);
 *
 * The layer wraps whatever transport s has (the socket, TLS): input is
 * inflated on the way up, at most what the stream's buffer has room for
 * per read, so a small compressed input that expands a lot costs no
 * memory; output is deflated on the way down with Z_SYNC_FLUSH at every
 * stream_flush, so the peer can decode everything sent so far.  Input
 * the stream had already buffered (sent after the command, compressed)
 * is taken over and inflated first.  Input that is not a deflate stream
 * ends the stream as an I/O error (errno EPROTO); the end of the peer's
 * deflate stream is an EOF.  Untrusted: the peer's compressed bytes.
 */
#ifndef HATO_STREAM_DEFLATE_H
#define HATO_STREAM_DEFLATE_H

#include "buf.h"
#include "stream.h"

struct stream_deflate;

/* stream_deflate_start - compress s from now on; NULL with why */
struct stream_deflate *stream_deflate_start(struct stream *s, struct buf *why);
/* stream_deflate_free - release the layer (after the stream's last use) */
void stream_deflate_free(struct stream_deflate **zp);

#endif
