/* imapmail_cmd_compress - COMPRESS (RFC 4978): DEFLATE only.
 *
 * The tagged OK goes out as it is; from the byte after it both ways are
 * raw deflate (libutil/stream_deflate.h) on the session's stream, over
 * whatever carries it (the socket, or imapd's TLS relay).  A second
 * COMPRESS is NO [COMPRESSIONACTIVE]; another mechanism or other
 * arguments are BAD (RFC 4978 section 3).  Input that is not deflate
 * ends the session as an I/O error (the stream's state): no answer can
 * reach a client that does not speak it.  m->deflate is the layer,
 * freed with the session (imapmail_login.c).
 */
#include <strings.h>

#include "imapmail.h"
#include "log.h"
#include "stream_deflate.h"

/* imapmail_cmd_compress - COMPRESS DEFLATE */
void imapmail_cmd_compress(struct imapmail *m, struct imap_cmd *c)
{
	struct buf *why;

	if (c->args_len != 1 || c->args[0].type != IMAP_ARG_ATOM) {
		imapmail_tagged(m, "BAD", "Invalid arguments.");
		return;
	}
	if (m->deflate != NULL) {
		imapmail_tagged(m, "NO", "[COMPRESSIONACTIVE] COMPRESSION=DEFLATE already enabled.");
		return;
	}
	if (strcasecmp(c->args[0].str, "DEFLATE") != 0) {
		imapmail_tagged(m, "BAD", "%s compression mechanism not supported",
				c->args[0].str);
		return;
	}
	imapmail_tagged(m, "OK", "Begin compression.");
	if (stream_flush(m->s) < 0) {
		m->done = true;
		return;
	}
	why = buf_new(0);
	if ((m->deflate = stream_deflate_start(m->s, why)) == NULL) {
		log_warn("user %s: COMPRESS: %s", m->user, buf_str(why));
		m->done = true;		/* the client compresses now: cannot answer */
	}
	buf_free(&why);
}
