/* pop3mail_copy - a message file as POP3 sends it (RFC 1939 section 3):
 * every line ended by CRLF (a bare LF gets its CR; a CRLF stays one), a
 * line that starts with '.' gets another, and the answer ends with a
 * line holding only ".".  TOP sends the header, the empty line and the
 * first body_lines lines of the body.  The state carries across pieces,
 * so a CR at the end of one read and its LF at the start of the next
 * are one line end, whatever the read size. */
#include <string.h>

#include "pop3mail.h"

/* pop3_copy_init - before the first byte */
void pop3_copy_init(struct pop3_copy *cp, long body_lines)
{
	*cp = (struct pop3_copy){ .line_start = true, .in_header = true, .body_lines = body_lines };
}

/* line_end - a LF at o: CRLF out, then what it ends (the header, TOP's
 * lines); where the next byte goes */
static char *line_end(struct pop3_copy *cp, char *o)
{
	bool empty = cp->line_start;

	if (!cp->cr)
		*o++ = '\r';
	*o++ = '\n';
	if (cp->in_header && empty) {
		cp->in_header = false;	/* the empty line */
		cp->stop = cp->body_lines == 0;
	} else if (!cp->in_header && cp->body_lines > 0) {
		cp->stop = --cp->body_lines == 0;
	}
	cp->line_start = true;
	cp->cr = false;
	return o;
}

/* pop3_copy_bytes - p[0..n) into out, until TOP's lines are sent.  The
 * room for the worst case (every byte a LF or a dot to double) is made
 * once, and the text between line ends is copied in runs (memchr). */
void pop3_copy_bytes(struct pop3_copy *cp, const char *p, size_t n, struct buf *out)
{
	size_t i = 0;
	char *o;

	buf_reserve(out, 2 * n);
	o = out->data + out->len;
	while (i < n && !cp->stop) {
		const char *nl;
		size_t end;

		if (p[i] == '\n') {
			o = line_end(cp, o);
			i++;
			continue;
		}
		if (cp->line_start && p[i] == '\r') {	/* still empty so far */
			*o++ = '\r';
			cp->cr = true;
			i++;
			continue;
		}
		if (cp->line_start && p[i] == '.')
			*o++ = '.';
		cp->line_start = false;
		nl = memchr(p + i, '\n', n - i);
		end = nl ? (size_t)(nl - p) : n;
		memcpy(o, p + i, end - i);
		o += end - i;
		cp->cr = p[end - 1] == '\r';
		i = end;
	}
	out->len = (size_t)(o - out->data);
	out->data[out->len] = '\0';
}

/* pop3_copy_end - end an unterminated last line, then the "." line */
void pop3_copy_end(struct pop3_copy *cp, struct buf *out)
{
	if (!cp->line_start)
		buf_cat(out, "\r\n");
	buf_cat(out, ".\r\n");
}
