/* pop3mail_copy - a message file as POP3 sends it (RFC 1939 section 3):
 * every line ended by CRLF (a bare LF gets its CR; a CRLF stays one), a
 * line that starts with '.' gets another, and the answer ends with a
 * line holding only ".".  TOP sends the header, the empty line and the
 * first body_lines lines of the body.  The state carries across pieces,
 * so a CR at the end of one read and its LF at the start of the next
 * are one line end, whatever the read size. */
#include "pop3mail.h"

/* pop3_copy_init - before the first byte */
void pop3_copy_init(struct pop3_copy *cp, long body_lines)
{
	*cp = (struct pop3_copy){ .line_start = true, .in_header = true, .body_lines = body_lines };
}

/* pop3_copy_bytes - p[0..n) into out, until TOP's lines are sent */
void pop3_copy_bytes(struct pop3_copy *cp, const char *p, size_t n, struct buf *out)
{
	for (size_t i = 0; i < n && !cp->stop; i++) {
		char ch = p[i];

		if (cp->line_start && ch == '.')
			buf_putc(out, '.');
		if (ch == '\n' && !cp->cr)
			buf_putc(out, '\r');
		buf_putc(out, ch);
		if (ch == '\n' && cp->in_header && cp->line_start) {
			cp->in_header = false;	/* the empty line */
			cp->stop = cp->body_lines == 0;
		} else if (ch == '\n' && !cp->in_header && cp->body_lines > 0) {
			cp->stop = --cp->body_lines == 0;
		}
		cp->line_start = ch == '\n' || (cp->line_start && ch == '\r');
		cp->cr = ch == '\r';
	}
}

/* pop3_copy_end - end an unterminated last line, then the "." line */
void pop3_copy_end(struct pop3_copy *cp, struct buf *out)
{
	if (!cp->line_start)
		buf_cat(out, "\r\n");
	buf_cat(out, ".\r\n");
}
