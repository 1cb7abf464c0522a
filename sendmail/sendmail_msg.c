/* sendmail_msg - the message text, as read from stdin, into content
 * records for cleanup (L = a line without its end, P = a piece of a line).
 *
 * Lines end in LF or CRLF; a bare CR is content.  Unless -i, a line that
 * is a lone "." ends the message, the rest of the input is not read.  A
 * line longer than SENDMAIL_PIECE is sent in pieces.  A first line "From "
 * (an mbox separator, never a header) is dropped, as Postfix does.  The
 * header block is held back (up to HOLD_MAX bytes) so that From: can be
 * added when it has none, and so that -t can tell whether To:, Cc: or
 * Bcc: name anyone; a header block that is larger, or a header line that
 * comes in pieces, is released early with From: added at that point.
 * Sizes count "\n" line ends, as cleanup counts against
 * message_size_limit.  Input is the caller's and may be anything.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "mem.h"
#include "qrec.h"
#include "sendmail.h"

enum {
	SENDMAIL_PIECE = 64 * 1024,	/* longest line piece sent at once */
	HOLD_MAX = 1 << 20,		/* header bytes held back */
	RCPT_TEXT_MAX = 256 * 1024,	/* one recipient header's value */
};

struct sendmail_msg {
	struct sendmail_msg_opts o;
	sendmail_emit_fn *emit;
	void *ctx;
	struct buf *line;		/* the line being read, without its end */
	bool continued;			/* pieces of this line were sent already */
	bool first_line;
	bool in_headers;		/* the header block is being held back */
	bool has_from;
	bool in_rcpt_header;		/* the current header is To:, Cc:, ... */
	bool rcpt_overflow;
	struct buf *held;		/* the header block so far, as L records */
	struct buf *rcpt;		/* the current recipient header's value */
	size_t nrcpt;
	long long size;
	enum sendmail_msg_status status;
};

/* sendmail_msg_new - a message that sends its records to emit(ctx, ...) */
struct sendmail_msg *sendmail_msg_new(const struct sendmail_msg_opts *o, sendmail_emit_fn *emit,
				      void *ctx)
{
	struct sendmail_msg *m = xcalloc(1, sizeof(*m));

	m->o = *o;
	m->emit = emit;
	m->ctx = ctx;
	m->line = buf_new(1024);
	m->held = buf_new(4096);
	m->rcpt = buf_new(256);
	m->first_line = m->in_headers = true;
	return m;
}

/* sendmail_msg_free - release m and clear the caller's pointer */
void sendmail_msg_free(struct sendmail_msg **mp)
{
	struct sendmail_msg *m = *mp;

	if (m == NULL)
		return;
	buf_free(&m->line);
	buf_free(&m->held);
	buf_free(&m->rcpt);
	XFREE(*mp);
}

/* sendmail_msg_header_rcpts - addresses found in the recipient headers */
size_t sendmail_msg_header_rcpts(const struct sendmail_msg *m)
{
	return m->nrcpt;
}

/* header_name_len - length of "Name" in "Name: value", 0 if not a header */
static size_t header_name_len(const char *p, size_t len)
{
	size_t i = 0;

	while (i < len && p[i] != ':' && (unsigned char)p[i] > 0x20 && (unsigned char)p[i] < 0x7f)
		i++;
	return i > 0 && i < len && p[i] == ':' ? i : 0;
}

/* is_name - the header name is one of the NULL-terminated list */
static bool is_name(const char *p, size_t n, const char *const *names)
{
	for (; *names; names++)
		if (strlen(*names) == n && strncasecmp(p, *names, n) == 0)
			return true;
	return false;
}

/* end_rcpt_header - count the addresses of the recipient header just ended */
static void end_rcpt_header(struct sendmail_msg *m)
{
	struct strv *list = strv_new();
	struct buf *why = buf_new(0);
	int n;

	if (m->in_rcpt_header) {
		n = m->rcpt_overflow ? 1 : addr_list_parse(buf_str(m->rcpt), buf_len(m->rcpt), list, why);
		if (n > 0)
			m->nrcpt += (size_t)n;	/* a bad list is cleanup's to report */
	}
	m->in_rcpt_header = m->rcpt_overflow = false;
	buf_reset(m->rcpt);
	strv_free(&list);
	buf_free(&why);
}

/* rcpt_text - more of the current recipient header's value */
static void rcpt_text(struct sendmail_msg *m, const char *p, size_t len)
{
	if (buf_len(m->rcpt) + len > RCPT_TEXT_MAX)
		m->rcpt_overflow = true;
	else
		buf_add(m->rcpt, p, len);
}

/* end_headers - add From: if missing, release the held header block */
static void end_headers(struct sendmail_msg *m)
{
	struct qrec_reader *r;
	struct buf *p = buf_new(1024), *why = buf_new(0);
	int type;

	end_rcpt_header(m);
	if (!m->has_from && m->o.from_line) {
		qrec_put_str(m->held, QREC_LINE, m->o.from_line);
		m->size += (long long)strlen(m->o.from_line) + 1;
	}
	r = qrec_reader_mem(buf_str(m->held), buf_len(m->held));
	while (qrec_get(r, &type, p, QREC_MAX_LEN, why) > 0)
		m->emit(m->ctx, type, buf_str(p), buf_len(p));
	qrec_reader_free(&r);
	buf_reset(m->held);
	m->in_headers = false;
	buf_free(&p);
	buf_free(&why);
}

/* header_line - one complete line while the header block is held back */
static void header_line(struct sendmail_msg *m, const char *p, size_t len)
{
	/* the headers cleanup takes -t recipients from */
	static const char *const rcpt_names[] = { "To", "Cc", "Bcc", NULL };
	static const char *const from_names[] = { "From", NULL };
	size_t n;

	if ((p[0] == ' ' || p[0] == '\t') && buf_len(m->held) > 0) {
		if (m->in_rcpt_header)
			rcpt_text(m, p, len);
	} else if ((n = header_name_len(p, len)) > 0) {
		end_rcpt_header(m);
		m->has_from |= is_name(p, n, from_names);
		if ((m->in_rcpt_header = is_name(p, n, rcpt_names)))
			rcpt_text(m, p + n + 1, len - n - 1);
	} else {
		end_headers(m);		/* the empty line, or the body without one */
		m->emit(m->ctx, QREC_LINE, p, len);
		return;
	}
	qrec_put(m->held, QREC_LINE, p, len);
	if (buf_len(m->held) > HOLD_MAX)
		end_headers(m);
}

/* line_out - one complete line (partial false) or a piece of one */
static void line_out(struct sendmail_msg *m, const char *p, size_t len, bool partial)
{
	bool whole = !partial && !m->continued;

	if (m->first_line && whole && len >= 5 && memcmp(p, "From ", 5) == 0) {
		m->first_line = false;
		return;
	}
	m->first_line = false;
	m->size += (long long)len + !partial;
	if (m->in_headers && whole) {
		header_line(m, p, len);
		return;
	}
	if (m->in_headers)
		end_headers(m);		/* a header line too long to hold */
	m->emit(m->ctx, partial ? QREC_PART : QREC_LINE, p, len);
}

/* complete_line - the line in m->line ended */
static void complete_line(struct sendmail_msg *m)
{
	struct buf *l = m->line;

	if (buf_len(l) > 0 && l->data[buf_len(l) - 1] == '\r')
		buf_truncate(l, buf_len(l) - 1);
	if (!m->o.ignore_dots && !m->continued && buf_len(l) == 1 && l->data[0] == '.')
		m->status = SENDMAIL_MSG_DOT;
	else
		line_out(m, buf_str(l), buf_len(l), false);
	buf_reset(l);
	m->continued = false;
}

/* send_piece - m->line is as long as a piece may be: send it, keeping a
 * final CR back in case an LF follows */
static void send_piece(struct sendmail_msg *m)
{
	struct buf *l = m->line;
	bool cr = l->data[buf_len(l) - 1] == '\r';

	line_out(m, buf_str(l), buf_len(l) - cr, true);
	m->continued = true;
	buf_reset(l);
	if (cr)
		buf_putc(l, '\r');
}

/* check_size - the content so far against the limit */
static void check_size(struct sendmail_msg *m)
{
	if (m->o.size_limit > 0 && m->size > m->o.size_limit)
		m->status = SENDMAIL_MSG_TOO_BIG;
}

/* sendmail_msg_input - more input; MORE until a lone "." or too big */
enum sendmail_msg_status sendmail_msg_input(struct sendmail_msg *m, const char *p, size_t len)
{
	while (len > 0 && m->status == SENDMAIL_MSG_MORE) {
		const char *nl = memchr(p, '\n', len);
		size_t n = nl ? (size_t)(nl - p) : len, room = SENDMAIL_PIECE - buf_len(m->line);

		if (n >= room) {
			buf_add(m->line, p, room);
			p += room;
			len -= room;
			send_piece(m);
		} else {
			buf_add(m->line, p, n);
			p += n;
			len -= n;
			if (nl) {
				p++;
				len--;
				complete_line(m);
			}
		}
		check_size(m);
	}
	return m->status;
}

/* sendmail_msg_end - the input ended (or a "." line ended it); the status */
enum sendmail_msg_status sendmail_msg_end(struct sendmail_msg *m)
{
	if (m->status == SENDMAIL_MSG_MORE && (buf_len(m->line) > 0 || m->continued))
		complete_line(m);	/* the last line had no line end */
	if (m->status != SENDMAIL_MSG_TOO_BIG && m->in_headers)
		end_headers(m);
	if (m->status != SENDMAIL_MSG_TOO_BIG)
		check_size(m);
	return m->status;
}
