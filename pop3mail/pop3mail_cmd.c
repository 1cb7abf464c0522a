/* pop3mail_cmd - the TRANSACTION state (RFC 1939 section 5) and QUIT's
 * UPDATE: STAT, LIST, RETR, DELE, NOOP, RSET, TOP, UIDL, CAPA, QUIT.
 * Replies are worded as Dovecot's, so a client that parses them (or a
 * person comparing the two) sees no difference.  Messages are streamed
 * through pop3_copy (pop3mail_copy.c), never read whole into memory. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "mem.h"
#include "pop3_cmd.h"
#include "pop3mail.h"

enum { BAD_COMMANDS_MAX = 20, OUT_FLUSH = 131072, READ_SIZE = 65536 };

/* reply - one response line */
static void reply(struct pop3mail *m, const char *text)
{
	stream_puts(m->s, text);
	stream_puts(m->s, "\r\n");
}

/* msg_index - argv[at] as a message that exists and is not deleted: its
 * index, or -1 after the -ERR */
static long msg_index(struct pop3mail *m, const struct pop3_cmd *c, int at, int argc_max)
{
	const char *a = c->argc > at ? c->argv[at] : "";
	unsigned long n;

	if (c->argc > argc_max) {
		stream_printf(m->s, "-ERR Noise after message number: %s\r\n", c->argv[argc_max]);
		return -1;
	}
	if (*a == '\0' || strspn(a, "0123456789") != strlen(a)) {
		stream_printf(m->s, "-ERR Invalid message number: %s\r\n", a);
		return -1;
	}
	if (strlen(a) > 10 || strtoul(a, NULL, 10) > UINT_MAX) {
		stream_printf(m->s, "-ERR Message number too large: %s\r\n", a);
		return -1;
	}
	n = strtoul(a, NULL, 10);
	if (n == 0 || n > m->box->len) {
		stream_printf(m->s, "-ERR There's no message %lu.\r\n", n);
		return -1;
	}
	if (m->box->msgs[n - 1].deleted) {
		reply(m, "-ERR Message is deleted.");
		return -1;
	}
	return (long)(n - 1);
}

/* vsize - message i's size, or -1 after a -ERR */
static off_t vsize(struct pop3mail *m, size_t i)
{
	struct buf *why = buf_new(0);
	off_t v = -1;

	if (pop3_box_vsize(m->box, i, &v, why) < 0) {
		log_warn("%s", buf_str(why));
		reply(m, "-ERR [SYS/TEMP] Message can't be read.");
		v = -1;
	}
	buf_free(&why);
	return v;
}

/* cmd_stat - count and size of the messages not deleted */
static void cmd_stat(struct pop3mail *m, struct pop3_cmd *c)
{
	size_t count = 0;
	off_t total = 0, v;

	(void)c;
	for (size_t i = 0; i < m->box->len; i++) {
		if (m->box->msgs[i].deleted)
			continue;
		if ((v = vsize(m, i)) < 0)
			return;
		count++;
		total += v;
	}
	stream_printf(m->s, "+OK %zu %lld\r\n", count, (long long)total);
}

/* listing - LIST and UIDL: one message, or all with a header line */
static void listing(struct pop3mail *m, struct pop3_cmd *c, bool uidl)
{
	struct buf *line = buf_new(64), *why = buf_new(0);
	long one = c->argc > 0 ? msg_index(m, c, 0, 1) : -2;
	size_t from = one >= 0 ? (size_t)one : 0, to = one >= 0 ? (size_t)one + 1 : m->box->len;

	if (one == -1)
		goto out;
	if (one == -2)
		stream_printf(m->s, uidl ? "+OK\r\n" : "+OK %zu messages:\r\n", m->box->len);
	for (size_t i = from; i < to; i++) {
		off_t v;

		if (m->box->msgs[i].deleted)
			continue;
		buf_reset(line);
		if (uidl && pop3_box_uidl(m->box, i, m->cf->pop3_uidl_format, line, why) < 0) {
			log_warn("pop3_uidl_format: %s", buf_str(why));
			reply(m, "-ERR [SYS/TEMP] No UIDL for this message.");
			goto out;
		}
		if (!uidl && (v = vsize(m, i)) >= 0)
			buf_printf(line, "%lld", (long long)v);
		else if (!uidl)
			goto out;
		stream_printf(m->s, "%s%zu %s\r\n", one >= 0 ? "+OK " : "", i + 1, buf_str(line));
	}
	if (one == -2)
		reply(m, ".");
out:
	buf_free(&line);
	buf_free(&why);
}

static void cmd_list(struct pop3mail *m, struct pop3_cmd *c) { listing(m, c, false); }
static void cmd_uidl(struct pop3mail *m, struct pop3_cmd *c) { listing(m, c, true); }

/* send_message - the message file fd, whole (body_lines -1) or TOP's
 * part; false when the client went away */
static bool send_message(struct pop3mail *m, long body_lines, int fd)
{
	struct pop3_copy cp;
	char *in = xmalloc(READ_SIZE);
	ssize_t n;
	bool ok = true;

	/* straight into the stream's output buffer: one copy fewer */
	pop3_copy_init(&cp, body_lines);
	while (ok && !cp.stop && (n = read(fd, in, READ_SIZE)) > 0) {
		pop3_copy_bytes(&cp, in, (size_t)n, m->s->out);
		if (buf_len(m->s->out) >= OUT_FLUSH)
			ok = stream_flush(m->s) == 0;
	}
	pop3_copy_end(&cp, m->s->out);
	free(in);
	return ok;
}

/* retrieve - RETR (body_lines -1) and TOP */
static void retrieve(struct pop3mail *m, size_t i, long body_lines)
{
	struct buf *why = buf_new(0);
	off_t v = vsize(m, i);
	int fd;

	if (v < 0)
		goto out;
	if ((fd = pop3_box_open_msg(m->box, i, why)) < 0) {
		log_warn("%s", buf_str(why));
		reply(m, "-ERR [SYS/TEMP] Message can't be read.");
		goto out;
	}
	if (body_lines < 0)
		stream_printf(m->s, "+OK %lld octets\r\n", (long long)v);
	else
		reply(m, "+OK");
	if (!send_message(m, body_lines, fd))
		m->done = true;
	close(fd);
	if (body_lines < 0) {
		m->box->msgs[i].retrieved = true;
		m->retr_n++;
		m->retr_bytes += v;
	} else {
		m->top_n++;
	}
out:
	buf_free(&why);
}

static void cmd_retr(struct pop3mail *m, struct pop3_cmd *c)
{
	long i = msg_index(m, c, 0, 1);

	if (i >= 0)
		retrieve(m, (size_t)i, -1);
}

/* cmd_top - header, blank line and n body lines (RFC 1939 section 7) */
static void cmd_top(struct pop3mail *m, struct pop3_cmd *c)
{
	long i = msg_index(m, c, 0, 2);
	const char *a = c->argc > 1 ? c->argv[1] : "";

	if (i < 0)
		return;
	if (*a == '\0' || strspn(a, "0123456789") != strlen(a) || strlen(a) > 10) {
		stream_printf(m->s, "-ERR Invalid size: %s\r\n", a);
		return;
	}
	retrieve(m, (size_t)i, (long)strtoul(a, NULL, 10));
}

static void cmd_dele(struct pop3mail *m, struct pop3_cmd *c)
{
	long i = msg_index(m, c, 0, 1);

	if (i < 0)
		return;
	m->box->msgs[i].deleted = true;
	m->dele_n++;
	reply(m, "+OK Marked to be deleted.");
}

static void cmd_rset(struct pop3mail *m, struct pop3_cmd *c)
{
	(void)c;
	for (size_t i = 0; i < m->box->len; i++)
		m->box->msgs[i].deleted = m->box->msgs[i].retrieved = false;
	m->dele_n = 0;
	reply(m, "+OK");
}

static void cmd_noop(struct pop3mail *m, struct pop3_cmd *c)
{
	(void)c;
	reply(m, "+OK");
}

static void cmd_capa(struct pop3mail *m, struct pop3_cmd *c)
{
	(void)c;
	stream_puts(m->s, "+OK\r\nCAPA\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nPIPELINING\r\n"
		    "AUTH-RESP-CODE\r\n.\r\n");
}

/* cmd_quit - the UPDATE state: only here is anything deleted */
static void cmd_quit(struct pop3mail *m, struct pop3_cmd *c)
{
	struct buf *why = buf_new(0);
	size_t deleted = 0;

	(void)c;
	if (pop3_box_update(m->box, &deleted, why) < 0) {
		log_warn("%s", buf_str(why));
		reply(m, "-ERR [SYS/TEMP] Some deleted messages were not removed.");
	} else {
		reply(m, deleted ? "+OK Logging out, messages deleted." : "+OK Logging out.");
	}
	m->dele_n = deleted;
	m->done = true;
	buf_free(&why);
}

static const struct command {
	const char *name;
	void (*fn)(struct pop3mail *m, struct pop3_cmd *c);
} commands[] = {
	{ "STAT", cmd_stat }, { "LIST", cmd_list }, { "RETR", cmd_retr }, { "DELE", cmd_dele },
	{ "NOOP", cmd_noop }, { "RSET", cmd_rset }, { "QUIT", cmd_quit }, { "TOP", cmd_top },
	{ "UIDL", cmd_uidl }, { "CAPA", cmd_capa },
};

/* dispatch - one line; false when too many were bad */
static bool dispatch(struct pop3mail *m, const struct buf *line, struct pop3_cmd *c, int *bad)
{
	if (pop3_cmd_parse(buf_str(line), buf_len(line), c) == 0)
		for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
			if (strcmp(commands[i].name, c->name) == 0) {
				commands[i].fn(m, c);
				return true;
			}
	if (++*bad >= BAD_COMMANDS_MAX) {
		reply(m, "-ERR Too many bad commands.");
		return false;
	}
	if (c->error && strcmp(c->error, "Unknown command.") != 0)
		stream_printf(m->s, "-ERR %s\r\n", c->error);
	else
		stream_printf(m->s, "-ERR Unknown command: %s\r\n", c->name);
	return true;
}

/* pop3mail_serve - the command loop, after "+OK Logged in." */
void pop3mail_serve(struct pop3mail *m)
{
	struct buf *line = buf_new(256);
	struct pop3_cmd *c = xmalloc(sizeof(*c));
	int bad = 0;

	while (!m->done) {
		if (stream_pending(m->s) == 0 && stream_flush(m->s) < 0)
			break;
		if (stream_getline(m->s, line, POP3_CMD_LINE_MAX) <= 0) {
			if (m->s->state == STREAM_TIMEOUT) {
				reply(m, "-ERR Disconnected for inactivity.");
				stream_flush(m->s);
			}
			break;
		}
		if (stream_line_is_long(m->s)) {
			reply(m, "-ERR Input line too long.");
			break;
		}
		if (!dispatch(m, line, c, &bad))
			break;
	}
	stream_flush(m->s);
	free(c);
	buf_free(&line);
}
