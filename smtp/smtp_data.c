/* smtp_data - the message content from the queue file onto the wire.
 *
 *   smtp_data_scan(d, why)     // d->eightbit: any byte over 127 in the content
 *   smtp_data_send(d, ss)      // after "354": content, "."; 0, -1, -2
 *
 * Queue file lines have no line ends ('L' is a whole line, 'P' a piece
 * that the next record continues): each line goes out with CRLF, a line
 * that starts with "." gets one more (RFC 5321 4.5.2), and content that
 * does not end in a line end gets one before the final ".".  Lines are
 * sent as they are, however long, and 8-bit bytes are never changed (no
 * MIME conversion, as with Postfix's disable_mime_output_conversion).
 * Output is written every SMTP_DATA_FLUSH bytes, each write bounded by
 * smtp_data_xfer_timeout.
 */
#include <string.h>

#include "log.h"
#include "smtp.h"

/* smtp_has_8bit - any byte over 127 */
bool smtp_has_8bit(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] & 0x80)
			return true;
	return false;
}

/* smtp_data_scan - set d->eightbit from the content; 0, or -1 with why
 * (the queue file could not be read) */
int smtp_data_scan(struct smtp_deliv *d, struct buf *why)
{
	const char *line;
	size_t len;
	bool partial;
	int rc;

	if (d->eightbit >= 0)
		return 0;
	if (qfile_content_begin(d->qf, why) < 0)
		return -1;
	d->eightbit = 0;
	while ((rc = qfile_content_next(d->qf, &line, &len, &partial, why)) > 0)
		if (d->eightbit == 0 && smtp_has_8bit(line, len))
			d->eightbit = 1;
	if (rc < 0) {
		d->eightbit = -1;
		return -1;
	}
	return 0;
}

/* smtp_data_send - the content and the final "."; 0, -1 when the
 * connection failed (ss->broken), -2 when the queue file could not be
 * read (d->last says why; the session is dropped, so that the server
 * never takes the partial message) */
int smtp_data_send(struct smtp_deliv *d, struct smtp_session *ss)
{
	const char *line;
	size_t len;
	bool partial, at_start = true;
	int rc, tmo = (int)ss->cf->smtp_data_xfer_timeout;
	struct buf *why = buf_new(0);

	if (qfile_content_begin(d->qf, why) < 0)
		goto qfile_failed;
	while ((rc = qfile_content_next(d->qf, &line, &len, &partial, why)) > 0) {
		if (at_start && len > 0 && line[0] == '.')
			stream_write(ss->s, ".", 1);
		stream_write(ss->s, line, len);
		if (!partial)
			stream_write(ss->s, "\r\n", 2);
		at_start = !partial;
		if (buf_len(ss->s->out) >= SMTP_DATA_FLUSH && smtp_cmd_flush(ss, tmo) < 0)
			goto out;
	}
	if (rc < 0)
		goto qfile_failed;
	if (!at_start)
		stream_write(ss->s, "\r\n", 2);
	stream_write(ss->s, ".\r\n", 3);
	(void)smtp_cmd_flush(ss, tmo);
out:
	buf_free(&why);
	return ss->broken ? -1 : 0;
qfile_failed:
	/* the server has part of a message: only dropping the connection
	 * keeps it from being delivered */
	log_warn("%s: %s", d->rq->queue_id, buf_str(why));
	smtp_why_set(&d->last, DELIVER_DEFERRED, "4.3.0", "none", "cannot read the queue file: %s",
		     buf_str(why));
	ss->broken = true;
	buf_free(&why);
	return -2;
}
