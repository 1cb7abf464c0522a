/* imapmail_cmd_fetch - FETCH and UID FETCH (RFC 9051 6.4.5): the items
 * are parsed once, then each message's answer is built and sent in
 * turn.  What comes from the index (UID, FLAGS, INTERNALDATE,
 * RFC822.SIZE) needs no file; the rest reads the message file, opened
 * without following a link.  A body part fetched without .PEEK sets
 * \Seen (read-write folders), and the answer then carries FLAGS too. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "imapmail.h"
#include "log.h"
#include "mail_vsize.h"
#include "mem.h"

enum item_kind { I_UID, I_FLAGS, I_INTERNALDATE, I_SIZE, I_WHOLE };
enum { ITEMS_MAX = 64, FILE_MAX = 1 << 30 };

struct item {
	enum item_kind kind;
	const char *label;		/* as the answer names it */
};

struct fetch {
	struct item items[ITEMS_MAX];
	size_t len;
	bool seen;			/* some item sets \Seen */
};

/* add - one item (once); false when there are too many */
static bool add(struct fetch *f, enum item_kind kind, const char *label, bool seen)
{
	for (size_t i = 0; i < f->len; i++)
		if (f->items[i].kind == kind && strcmp(f->items[i].label, label) == 0)
			return true;
	if (f->len == ITEMS_MAX)
		return false;
	f->items[f->len++] = (struct item){ kind, label };
	f->seen = f->seen || seen;
	return true;
}

/* item - one attribute of the request into f; false: not one we know */
static bool item(struct fetch *f, const char *a)
{
	if (strcasecmp(a, "UID") == 0)
		return add(f, I_UID, "UID", false);
	if (strcasecmp(a, "FLAGS") == 0)
		return add(f, I_FLAGS, "FLAGS", false);
	if (strcasecmp(a, "INTERNALDATE") == 0)
		return add(f, I_INTERNALDATE, "INTERNALDATE", false);
	if (strcasecmp(a, "RFC822.SIZE") == 0)
		return add(f, I_SIZE, "RFC822.SIZE", false);
	if (strcasecmp(a, "FAST") == 0 || strcasecmp(a, "ALL") == 0)
		return item(f, "FLAGS") && item(f, "INTERNALDATE") && item(f, "RFC822.SIZE");
	if (strcasecmp(a, "RFC822") == 0)
		return add(f, I_WHOLE, "RFC822", true);
	if (strcasecmp(a, "BODY[]") == 0)
		return add(f, I_WHOLE, "BODY[]", true);
	if (strcasecmp(a, "BODY.PEEK[]") == 0)
		return add(f, I_WHOLE, "BODY[]", false);
	return false;
}

/* parse - the item or list of items after the set */
static bool parse(struct imapmail *m, const struct imap_cmd *c, struct fetch *f)
{
	const struct imap_arg *a = &c->args[1];
	size_t n = 1;

	if (c->args_len != 2)
		return false;
	if (a->type == IMAP_ARG_LIST) {
		n = a->list_len;
		a = a->list;
	}
	if (m->uid)
		(void)add(f, I_UID, "UID", false);
	for (size_t i = 0; i < n; i++)
		if (a[i].type != IMAP_ARG_ATOM || !item(f, a[i].str))
			return false;
	return n > 0;
}

/* internaldate - "06-Dec-2026 20:30:01 +0000" */
static void internaldate(time_t t, struct buf *out)
{
	char s[64];
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(s, sizeof(s), "\"%d-%b-%Y %H:%M:%S %z\"", &tm);
	buf_cat(out, s);
}

/* open_msg - the message file, not through a link: fd or -1 */
static int open_msg(struct imapmail *m, const struct mail_index_msg *msg)
{
	struct buf *path = buf_new(64);
	int fd;

	buf_printf(path, "%s/%s", msg->in_new ? "new" : "cur", msg->name);
	fd = openat(m->box->fd, buf_str(path), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	buf_free(&path);
	return fd;
}

/* vsize - RFC822.SIZE: the index's, else counted from the file */
static off_t vsize(struct imapmail *m, const struct mail_index_msg *msg)
{
	off_t v = msg->vsize;
	int fd;

	if (v >= 0 || (fd = open_msg(m, msg)) < 0)
		return v >= 0 ? v : msg->size;
	if (mail_vsize_fd(fd, FILE_MAX, &v) < 0)
		v = msg->size;
	close(fd);
	return v;
}

/* whole - the message with CRLF line ends, as a literal */
static bool whole(struct imapmail *m, const struct mail_index_msg *msg, struct buf *out)
{
	struct buf *text = buf_new(msg->size > 0 ? (size_t)msg->size + msg->size / 16 : 64);
	char in[65536];
	bool cr = false;
	ssize_t n;
	int fd = open_msg(m, msg);

	if (fd < 0) {
		buf_free(&text);
		return false;
	}
	while ((n = read(fd, in, sizeof(in))) > 0 && buf_len(text) < FILE_MAX) {
		for (ssize_t i = 0; i < n; i++) {
			if (in[i] == '\n' && !cr)
				buf_putc(text, '\r');
			cr = in[i] == '\r';
			buf_putc(text, in[i]);
		}
	}
	close(fd);
	buf_printf(out, "{%zu}\r\n", buf_len(text));
	buf_add(out, buf_str(text), buf_len(text));
	buf_free(&text);
	return n == 0;
}

/* one - the FETCH answer for message i into out; false: the file is gone */
static bool one(struct imapmail *m, const struct fetch *f, size_t i, struct buf *out)
{
	const struct mail_index_msg *msg = &m->box->f->msgs[i];
	bool ok = true, flags_done = false;

	buf_printf(out, "* %zu FETCH (", i + 1);
	for (size_t k = 0; ok && k < f->len; k++) {
		if (k)
			buf_putc(out, ' ');
		switch (f->items[k].kind) {
		case I_UID:
			buf_printf(out, "UID %u", msg->uid);
			break;
		case I_FLAGS:
			imapmail_box_flags(m, i, out);
			flags_done = true;
			break;
		case I_INTERNALDATE:
			buf_cat(out, "INTERNALDATE ");
			internaldate(msg->date, out);
			break;
		case I_SIZE:
			buf_printf(out, "RFC822.SIZE %lld", (long long)vsize(m, msg));
			break;
		case I_WHOLE:
			buf_printf(out, "%s ", f->items[k].label);
			ok = whole(m, msg, out);
			break;
		}
	}
	if (f->seen && !flags_done) {
		buf_cat(out, " ");
		imapmail_box_flags(m, i, out);
	}
	buf_cat(out, ")\r\n");
	return ok;
}

/* set_seen - the messages a non-PEEK body fetch reads get \Seen first */
static void set_seen(struct imapmail *m, const size_t *idx, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		const struct mail_index_msg *msg = &m->box->f->msgs[idx[k]];
		char flags[MAILDIR_FLAGS_MAX + 1];

		if (strchr(msg->flags, 'S'))
			continue;
		snprintf(flags, sizeof(flags), "%sS", msg->flags);
		(void)imapmail_flags_set(m, idx[k], flags);
	}
}

/* imapmail_cmd_fetch - FETCH set items */
void imapmail_cmd_fetch(struct imapmail *m, struct imap_cmd *c)
{
	struct fetch f = { .len = 0 };
	struct buf *out = buf_new(4096);
	size_t *idx = NULL, n = 0, gone = 0;

	if (c->args_len < 1 || c->args[0].type != IMAP_ARG_ATOM ||
	    imapmail_box_seqset(m, c->args[0].str, &idx, &n) < 0) {
		imapmail_tagged(m, "BAD", "Error in IMAP command FETCH: Invalid messageset");
		goto out;
	}
	if (!parse(m, c, &f)) {
		imapmail_tagged(m, "BAD", "Error in IMAP command FETCH: Invalid fetch items");
		goto out;
	}
	if (f.seen && !m->box->readonly)
		set_seen(m, idx, n);
	for (size_t k = 0; k < n && m->s->state == STREAM_OK; k++) {
		buf_reset(out);
		if (!one(m, &f, idx[k], out)) {
			gone++;
			continue;
		}
		stream_write(m->s, buf_str(out), buf_len(out));
		if (stream_pending(m->s) == 0 && buf_len(m->s->out) >= 65536)
			(void)stream_flush(m->s);
	}
	m->n_fetch++;
	if (gone)
		imapmail_tagged(m, "NO", "Some messages were not found or could not be read.");
	else
		imapmail_tagged(m, "OK", "Fetch completed.");
out:
	free(idx);
	buf_free(&out);
}
