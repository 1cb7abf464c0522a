/* smtp_chat - commands out, replies in, and the words for what went wrong.
 *
 *   smtp_cmd(ss, "MAIL FROM:<%s>", sender);     // buffered
 *   smtp_cmd_flush(ss, cf->smtp_mail_timeout)   // 0, or -1 (ss->broken)
 *   smtp_reply_read(ss, timeout_s)              // code, or -1 (ss->broken)
 *   smtp_reply_failure(ss, "RCPT TO", &why)     // "host H[A] said: 550 ..."
 *
 * A reply is read line by line ("250-..." continues, "250 ..." ends it);
 * at most SMTP_REPLY_LINE_MAX bytes of a line and SMTP_REPLY_LINES_MAX
 * lines are kept (the rest is read and dropped) and at most
 * SMTP_REPLY_TEXT_MAX bytes go into the text, with unprintable bytes
 * shown as '?': the server is untrusted and the text ends up in logs
 * and bounces.  A line without a 3-digit code is a protocol error.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "smtp.h"

/* smtp_reply_init - an empty reply */
void smtp_reply_init(struct smtp_reply *r)
{
	r->code = 0;
	strcpy(r->dsn, "4.0.0");
	r->text = buf_new(128);
	r->lines = strv_new();
}

/* smtp_reply_free - release the text */
void smtp_reply_free(struct smtp_reply *r)
{
	buf_free(&r->text);
	strv_free(&r->lines);
}

/* smtp_reply_parse_line - "250-text" / "250 text" / "250": 0 with the code
 * and whether more lines follow, -1 when it is not a reply line */
int smtp_reply_parse_line(const char *line, size_t len, int *code_r, bool *more_r)
{
	if (len < 3 || line[0] < '2' || line[0] > '5' || !isdigit((unsigned char)line[1])
	    || !isdigit((unsigned char)line[2]))
		return -1;
	if (len > 3 && line[3] != ' ' && line[3] != '-')
		return -1;
	*code_r = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
	*more_r = len > 3 && line[3] == '-';
	return 0;
}

/* digits - 1..max decimal digits at p; how many, 0 if none or too many */
static size_t digits(const char *p, size_t max)
{
	size_t n = 0;

	while (isdigit((unsigned char)p[n]))
		n++;
	return n <= max ? n : 0;
}

/* smtp_reply_dsn - the enhanced status code after "CODE " in text when it
 * is well formed and of the reply's class, else "C.0.0" */
void smtp_reply_dsn(const char *text, int code, char dsn[16])
{
	const char *p = strlen(text) > 4 ? text + 4 : "";
	size_t a = digits(p, 1), b, c;

	snprintf(dsn, 16, "%d.0.0", code / 100);
	if (a != 1 || p[0] - '0' != code / 100 || p[1] != '.')
		return;
	if ((b = digits(p + 2, 3)) == 0 || p[2 + b] != '.')
		return;
	if ((c = digits(p + 3 + b, 3)) == 0 || (p[3 + b + c] != ' ' && p[3 + b + c] != '\0'))
		return;
	snprintf(dsn, 16, "%.*s", (int)(3 + b + c), p);
}

/* add_text - one reply line (CRLF stripped) into the reply, printable only */
static void add_text(struct smtp_reply *r, const char *line, size_t len)
{
	size_t start;

	if (buf_len(r->text) > 0 && buf_len(r->text) < SMTP_REPLY_TEXT_MAX)
		buf_putc(r->text, ' ');
	start = buf_len(r->text);
	for (size_t i = 0; i < len && buf_len(r->text) < SMTP_REPLY_TEXT_MAX; i++) {
		unsigned char c = (unsigned char)line[i];

		buf_putc(r->text, c >= 0x20 && c < 0x7f ? c : '?');
	}
	strv_addn(r->lines, buf_str(r->text) + start, buf_len(r->text) - start);
}

/* read_line - one reply line without its line end; -1 when the stream ended */
static int read_line(struct stream *s, struct buf *line)
{
	struct buf *rest;
	bool cut;

	if (stream_getline(s, line, SMTP_REPLY_LINE_MAX) <= 0)
		return -1;
	cut = stream_line_is_long(s);
	if (cut) {			/* read the rest of an over-long line and drop it */
		rest = buf_new(SMTP_REPLY_LINE_MAX);
		while (stream_getline(s, rest, SMTP_REPLY_LINE_MAX) > 0 && stream_line_is_long(s))
			;
		buf_free(&rest);
		if (s->state != STREAM_OK)
			return -1;
	}
	while (buf_len(line) > 0 && (buf_str(line)[buf_len(line) - 1] == '\n'
				     || buf_str(line)[buf_len(line) - 1] == '\r'))
		buf_truncate(line, buf_len(line) - 1);
	return 0;
}

/* smtp_reply_read - the next reply into ss->reply; its code, or -1 (the
 * session is broken: I/O error, timeout, EOF or a malformed reply) */
int smtp_reply_read(struct smtp_session *ss, int timeout_s)
{
	struct smtp_reply *r = &ss->reply;
	struct buf *line = buf_new(SMTP_REPLY_LINE_MAX);
	bool more = true;
	int code = 0, nlines = 0;

	stream_set_timeout(ss->s, timeout_s * 1000);
	buf_reset(r->text);
	strv_clear(r->lines);
	r->code = 0;
	while (more) {
		if (read_line(ss->s, line) < 0
		    || smtp_reply_parse_line(buf_str(line), buf_len(line), &code, &more) < 0) {
			if (ss->s->state == STREAM_OK)
				buf_set(r->text, "malformed server reply");
			ss->broken = true;
			buf_free(&line);
			return -1;
		}
		if (nlines++ < SMTP_REPLY_LINES_MAX)
			add_text(r, buf_str(line), buf_len(line));
	}
	buf_free(&line);
	r->code = code;
	smtp_reply_dsn(buf_str(r->text), code, r->dsn);
	if (code == 421)		/* the server is closing the session */
		ss->broken = true;
	return code;
}

/* smtp_cmd - queue one command line */
void smtp_cmd(struct smtp_session *ss, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(ss->s->out, fmt, ap);
	va_end(ap);
	stream_write(ss->s, "\r\n", 2);
}

/* smtp_cmd_flush - send what is queued; -1 marks the session broken */
int smtp_cmd_flush(struct smtp_session *ss, int timeout_s)
{
	stream_set_timeout(ss->s, timeout_s * 1000);
	if (stream_flush(ss->s) < 0) {
		ss->broken = true;
		return -1;
	}
	return 0;
}

/* smtp_why_set - a reason for the recipients it applies to */
void smtp_why_set(struct smtp_why *why, enum deliver_status st, const char *dsn,
		  const char *relay, const char *fmt, ...)
{
	va_list ap;

	why->status = st;
	snprintf(why->dsn, sizeof(why->dsn), "%s", dsn);
	snprintf(why->relay, sizeof(why->relay), "%s", relay);
	buf_reset(why->text);
	va_start(ap, fmt);
	buf_vprintf(why->text, fmt, ap);
	va_end(ap);
}

/* smtp_io_failure - the session ended under us (Postfix's wording) */
void smtp_io_failure(struct smtp_session *ss, const char *while_what, struct smtp_why *why)
{
	ss->broken = true;
	if (ss->s->state == STREAM_TIMEOUT)
		smtp_why_set(why, DELIVER_DEFERRED, "4.4.2", ss->relay,
			     "conversation with %s timed out while %s", ss->label, while_what);
	else if (ss->s->state == STREAM_OK)
		smtp_why_set(why, DELIVER_DEFERRED, "4.5.0", ss->relay,
			     "protocol error with %s while %s: %s", ss->label, while_what,
			     buf_len(ss->reply.text) ? buf_str(ss->reply.text) : "malformed server reply");
	else
		smtp_why_set(why, DELIVER_DEFERRED, "4.4.2", ss->relay,
			     "lost connection with %s while %s", ss->label, while_what);
}

/* smtp_reply_failure - a 4xx/5xx reply: "host H[A] said: TEXT (in reply to X command)" */
void smtp_reply_failure(struct smtp_session *ss, const char *in_reply_to, struct smtp_why *why)
{
	const struct smtp_reply *r = &ss->reply;

	smtp_why_set(why, r->code >= 500 ? DELIVER_BOUNCED : DELIVER_DEFERRED, r->dsn, ss->relay,
		     "host %s said: %s (in reply to %s command)", ss->label, buf_str(r->text),
		     in_reply_to);
}

/* is_xtext - RFC 3461 xtext: printable ASCII but '+' and '=', "+XX" escapes */
static bool is_xtext(const char *s)
{
	for (; *s; s++) {
		if (*s == '+') {
			if (!isxdigit((unsigned char)s[1]) || !isxdigit((unsigned char)s[2]))
				return false;
			s += 2;
		} else if (*s < '!' || *s > '~' || *s == '=') {
			return false;
		}
	}
	return true;
}

/* xtext_encode - s as xtext; a value that is xtext already (smtpd keeps
 * what the client sent) passes unchanged */
void xtext_encode(struct buf *out, const char *s)
{
	if (is_xtext(s)) {
		buf_cat(out, s);
		return;
	}
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < '!' || c > '~' || c == '+' || c == '=')
			buf_printf(out, "+%02X", c);
		else
			buf_putc(out, c);
	}
}

/* xtext_decode - "+XX" escapes undone (for the log) */
void xtext_decode(struct buf *out, const char *s)
{
	for (; *s; s++) {
		unsigned v;

		if (*s == '+' && isxdigit((unsigned char)s[1]) && isxdigit((unsigned char)s[2])
		    && sscanf(s + 1, "%2x", &v) == 1) {
			buf_putc(out, (int)v);
			s += 2;
		} else {
			buf_putc(out, *s);
		}
	}
}
