/* sendmail_smtp - "sendmail -bs": an SMTP dialog on stdin and stdout, as
 * Postfix's sendmail runs smtpd in stand-alone mode for it.  The client is
 * the user who ran sendmail, with that user's rights only: each message
 * goes into the queue through postdrop exactly as "sendmail rcpt < msg"
 * would send it (sendmail_tx_*), and the reply to the end of DATA is 250
 * only once postdrop has written and committed it.
 *
 * Commands: HELO, EHLO (PIPELINING, SIZE, 8BITMIME, ENHANCEDSTATUSCODES,
 * SMTPUTF8), MAIL FROM:<path> [SIZE= BODY= SMTPUTF8], RCPT TO:<path>,
 * DATA, RSET, NOOP, VRFY (252), QUIT.  Limits: a command line of
 * LINE_MAX bytes (longer: 500 and the rest of it dropped), RCPT_MAX
 * recipients per message, ERRORS_MAX errors in a session (then 421 and
 * the end), message_size_limit (552 at the end of DATA, nothing queued).
 * The end of the input ends the session; a transaction it cut short is
 * dropped.  DATA: lines end in CRLF or LF; "." alone ends the message; a
 * leading dot is removed from every other line (RFC 5321 4.5.2).
 * The dialog (sendmail_smtp_session) takes its descriptors and its queue
 * (struct sendmail_smtp_queue) as arguments, so fuzz_sendmail_smtp runs
 * it over any input without a postdrop.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <unistd.h>

#include "addr.h"
#include "log.h"
#include "mem.h"
#include "sendmail.h"

enum { IN_MAX = 65536, LINE_MAX_BYTES = 4096, RCPT_MAX = 1000, ERRORS_MAX = 20 };

struct smtp {
	const struct params *cf;
	const struct sendmail_smtp_queue *q;
	int in_fd, out_fd;
	char in[IN_MAX];
	size_t start, end;	/* unread input: in[start..end) */
	bool eof;
	char *sender;		/* NULL: no MAIL yet */
	struct strv *rcpts;
	int errors;
};

/* reply - one reply line, written at once (the client waits for it) */
static void reply(struct smtp *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void reply(struct smtp *c, const char *fmt, ...)
{
	struct buf *b = buf_new(128);
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
	buf_cat(b, "\r\n");
	if (b->data[0] == '4' || b->data[0] == '5')
		c->errors++;
	for (size_t off = 0; off < buf_len(b);) {
		ssize_t n = write(c->out_fd, buf_str(b) + off, buf_len(b) - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			c->eof = true;	/* the client is gone */
			break;
		}
		off += (size_t)n;
	}
	buf_free(&b);
}

/* fill - more input; false at its end */
static bool fill(struct smtp *c)
{
	ssize_t n;

	if (c->eof)
		return false;
	if (c->start > 0) {
		memmove(c->in, c->in + c->start, c->end - c->start);
		c->end -= c->start;
		c->start = 0;
	}
	do
		n = read(c->in_fd, c->in + c->end, sizeof(c->in) - c->end);
	while (n < 0 && errno == EINTR);
	if (n <= 0) {
		c->eof = true;
		return false;
	}
	c->end += (size_t)n;
	return true;
}

/* next_line - the next input line without its line end into *p, *len;
 * *whole is false for a piece of a line longer than the buffer (the rest
 * comes next).  false at the end of the input. */
static bool next_line(struct smtp *c, const char **p, size_t *len, bool *whole)
{
	char *nl;

	while ((nl = memchr(c->in + c->start, '\n', c->end - c->start)) == NULL) {
		if (c->end - c->start == sizeof(c->in) || (!fill(c) && c->end > c->start)) {
			*p = c->in + c->start;	/* a buffer's worth, or the last bytes */
			*len = c->end - c->start;
			*whole = false;
			c->start = c->end;
			return true;
		}
		if (c->eof)
			return false;
	}
	*p = c->in + c->start;
	*len = (size_t)(nl - *p);
	*whole = true;
	c->start = (size_t)(nl - c->in) + 1;
	if (*len > 0 && (*p)[*len - 1] == '\r')
		(*len)--;
	return true;
}

/* forget - the transaction's envelope */
static void forget(struct smtp *c)
{
	free(c->sender);
	c->sender = NULL;
	strv_free(&c->rcpts);
	c->rcpts = strv_new();
}

/* path - "FROM:<addr> params" (word "FROM:") into the internal address,
 * the parameters into *params_r; NULL after a 501 */
static char *path(struct smtp *c, const char *args, const char *word, bool is_mail,
		  const char **params_r)
{
	struct addr_path p = { 0 };
	struct buf *why = buf_new(0), *a = buf_new(64);
	size_t wlen = strlen(word);
	char *addr = NULL;
	int n;

	if (strncasecmp(args, word, wlen) != 0) {
		reply(c, "501 5.5.4 Syntax: %s%s<address>", is_mail ? "MAIL " : "RCPT ", word);
		goto out;
	}
	args += wlen;
	while (*args == ' ')
		args++;
	n = addr_parse_path(args, strlen(args), ADDR_F_SMTPUTF8 | ADDR_F_LENIENT |
			    (is_mail ? ADDR_F_ALLOW_NULL : ADDR_F_POSTMASTER), &p, why);
	if (n < 0) {
		reply(c, "501 5.1.%d Bad %s address syntax", is_mail ? 7 : 3,
		      is_mail ? "sender" : "recipient");
		goto out;
	}
	*params_r = args + n;
	if (!p.null && p.domain && *p.domain)
		buf_printf(a, "%s@%s", p.local, p.domain);
	else if (!p.null)
		buf_cat(a, p.local);
	addr = xstrdup(buf_str(a));
out:
	addr_path_free(&p);
	buf_free(&why);
	buf_free(&a);
	return addr;
}

/* cmd_ehlo - the greeting line and the extensions */
static void cmd_ehlo(struct smtp *c, bool extended)
{
	forget(c);
	if (!extended) {
		reply(c, "250 %s", c->cf->myhostname);
		return;
	}
	reply(c, "250-%s", c->cf->myhostname);
	reply(c, "250-PIPELINING");
	if (c->cf->message_size_limit)
		reply(c, "250-SIZE %ld", c->cf->message_size_limit);
	reply(c, "250-8BITMIME");
	reply(c, "250-ENHANCEDSTATUSCODES");
	reply(c, "250 SMTPUTF8");
}

/* cmd_mail - MAIL FROM: the sender; SIZE is checked, other parameters
 * taken as they are */
static void cmd_mail(struct smtp *c, const char *args)
{
	const char *params, *size;
	char *sender;

	if (c->sender) {
		reply(c, "503 5.5.1 Error: nested MAIL command");
		return;
	}
	if ((sender = path(c, args, "FROM:", true, &params)) == NULL)
		return;
	size = strcasestr(params, " SIZE=");
	if (size && c->cf->message_size_limit && atol(size + 6) > c->cf->message_size_limit) {
		reply(c, "552 5.3.4 Message size exceeds fixed limit");
		free(sender);
		return;
	}
	c->sender = sender;
	reply(c, "250 2.1.0 Ok");
}

/* cmd_rcpt - RCPT TO: one more recipient */
static void cmd_rcpt(struct smtp *c, const char *args)
{
	const char *params;
	char *rcpt;

	if (c->sender == NULL) {
		reply(c, "503 5.5.1 Error: need MAIL command");
		return;
	}
	if (c->rcpts->len >= RCPT_MAX) {
		reply(c, "452 4.5.3 Error: too many recipients");
		return;
	}
	if ((rcpt = path(c, args, "TO:", false, &params)) == NULL)
		return;
	strv_add(c->rcpts, rcpt);
	free(rcpt);
	reply(c, "250 2.1.5 Ok");
}

/* read_data - the message up to "." into tx; false when the input ended
 * first */
static bool read_data(struct smtp *c, void *tx)
{
	const char *p;
	size_t len;
	bool whole, at_start = true;

	while (next_line(c, &p, &len, &whole)) {
		if (at_start && whole && len == 1 && p[0] == '.')
			return true;
		if (at_start && len > 0 && p[0] == '.') {
			p++;	/* dot-stuffing */
			len--;
		}
		c->q->write(tx, p, len);
		if (whole)
			c->q->write(tx, "\n", 1);
		at_start = whole;
	}
	return false;
}

/* cmd_data - the message into the queue through postdrop */
static void cmd_data(struct smtp *c)
{
	void *tx;
	bool ended;
	int rc;

	if (c->sender == NULL) {
		reply(c, "503 5.5.1 Error: need MAIL command");
		return;
	}
	if (c->rcpts->len == 0) {
		reply(c, "503 5.5.1 Error: need RCPT command");
		return;
	}
	reply(c, "354 End data with <CR><LF>.<CR><LF>");
	tx = c->q->begin(c->q->ctx, c->sender, c->rcpts);
	ended = read_data(c, tx);
	rc = c->q->end(tx, ended);
	forget(c);
	if (!ended)
		return;		/* the input ended inside DATA: nothing queued */
	if (rc == 0)
		reply(c, "250 2.0.0 Ok: queued");
	else if (rc == EX_DATAERR)
		reply(c, "552 5.3.4 Message size exceeds fixed limit");
	else
		reply(c, "451 4.3.0 Error: queue file write error");
}

/* command - one command line (NUL-terminated); false to end the session */
static bool command(struct smtp *c, char *line)
{
	char *args = line + strcspn(line, " ");

	if (*args)
		*args++ = '\0';
	if (strcasecmp(line, "HELO") == 0 || strcasecmp(line, "EHLO") == 0) {
		if (*args == '\0')
			reply(c, "501 Syntax: %s hostname", strcasecmp(line, "HELO") == 0 ? "HELO" : "EHLO");
		else
			cmd_ehlo(c, strcasecmp(line, "EHLO") == 0);
	} else if (strcasecmp(line, "MAIL") == 0) {
		cmd_mail(c, args);
	} else if (strcasecmp(line, "RCPT") == 0) {
		cmd_rcpt(c, args);
	} else if (strcasecmp(line, "DATA") == 0) {
		cmd_data(c);
	} else if (strcasecmp(line, "RSET") == 0) {
		forget(c);
		reply(c, "250 2.0.0 Ok");
	} else if (strcasecmp(line, "NOOP") == 0) {
		reply(c, "250 2.0.0 Ok");
	} else if (strcasecmp(line, "VRFY") == 0) {
		reply(c, "252 2.0.0 Send some mail, I'll try my best");
	} else if (strcasecmp(line, "QUIT") == 0) {
		reply(c, "221 2.0.0 Bye");
		return false;
	} else {
		reply(c, "502 5.5.2 Error: command not recognized");
	}
	return true;
}

/* sendmail_smtp_session - the dialog on in_fd and out_fd, each message
 * into q */
void sendmail_smtp_session(const struct params *cf, int in_fd, int out_fd,
			   const struct sendmail_smtp_queue *q)
{
	struct smtp *c = xcalloc(1, sizeof(*c));
	char line[LINE_MAX_BYTES + 1];
	const char *p;
	size_t len;
	bool whole, go = true, overlong = false;

	c->cf = cf;
	c->q = q;
	c->in_fd = in_fd;
	c->out_fd = out_fd;
	c->rcpts = strv_new();
	reply(c, "220 %s", cf->smtpd_banner);
	while (go && !c->eof && next_line(c, &p, &len, &whole)) {
		if (overlong || !whole || len > LINE_MAX_BYTES) {
			overlong = !whole;	/* the rest of this line follows */
			if (whole)
				reply(c, "500 5.5.2 Error: line too long");
			continue;
		}
		memcpy(line, p, len);
		line[len] = '\0';
		if (memchr(line, '\0', len)) {
			reply(c, "500 5.5.2 Error: NUL in the command");
			continue;
		}
		go = command(c, line);
		if (go && c->errors >= ERRORS_MAX) {
			reply(c, "421 4.7.0 %s Error: too many errors", cf->myhostname);
			go = false;
		}
	}
	forget(c);
	strv_free(&c->rcpts);
	free(c);
}

/* the queue of a real session: postdrop (sendmail_submit.c) */
struct postdrop_ctx {
	const struct sendmail_opts *o;
	const struct params *cf;
};

static void *postdrop_begin(void *ctx, const char *sender, const struct strv *rcpts)
{
	const struct postdrop_ctx *pc = ctx;

	return sendmail_tx_begin(pc->o, pc->cf, sender, rcpts);
}

static bool postdrop_write(void *tx, const char *p, size_t len)
{
	return sendmail_tx_write(tx, p, len);
}

static int postdrop_end(void *tx, bool commit)
{
	struct sendmail_tx *t = tx;

	return sendmail_tx_end(&t, commit);
}

/* sendmail_smtp - see the top of the file */
int sendmail_smtp(const struct sendmail_opts *o, const struct params *cf)
{
	struct postdrop_ctx pc = { .o = o, .cf = cf };
	const struct sendmail_smtp_queue q = { .begin = postdrop_begin, .write = postdrop_write,
					       .end = postdrop_end, .ctx = &pc };

	sendmail_check_submit_users(cf);
	sendmail_smtp_session(cf, STDIN_FILENO, STDOUT_FILENO, &q);
	return EX_OK;
}
