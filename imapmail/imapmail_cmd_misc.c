/* imapmail_cmd_misc - the small commands of any state after login:
 * CAPABILITY, NOOP and CHECK, LOGOUT, ENABLE (RFC 5161: IMAP4rev2,
 * UTF8=ACCEPT in imapmail_utf8.c), ID (RFC 2971),
 * NAMESPACE (RFC 2342), IDLE (RFC 2177). */
#include <malloc.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "imapmail.h"

enum { IDLE_NOTIFY_S = 120 };

void imapmail_cmd_capability(struct imapmail *m, struct imap_cmd *c)
{
	struct buf *caps = buf_new(256);

	(void)c;
	imapmail_capabilities(m->cf, caps);
	imapmail_untagged(m, "CAPABILITY %s", buf_str(caps));
	imapmail_tagged(m, "OK", "Capability completed.");
	buf_free(&caps);
}

void imapmail_cmd_noop(struct imapmail *m, struct imap_cmd *c)
{
	imapmail_tagged(m, "OK", "%s completed.", strcmp(c->name, "CHECK") == 0 ? "Check" : "NOOP");
}

void imapmail_cmd_logout(struct imapmail *m, struct imap_cmd *c)
{
	(void)c;
	imapmail_untagged(m, "BYE Logging out");
	imapmail_tagged(m, "OK", "Logout completed.");
	m->done = true;
}

/* imapmail_cmd_enable - ENABLE (RFC 5161): IMAP4rev2 switches to RFC
 * 9051's answers (no \Recent, ESEARCH for SEARCH, LIST in SELECT);
 * names unknown or needing no enabling are left out of ENABLED (3.1) */
void imapmail_cmd_enable(struct imapmail *m, struct imap_cmd *c)
{
	struct buf *enabled = buf_new(32);

	if (c->args_len == 0) {
		imapmail_tagged(m, "BAD", "Missing argument.");
		buf_free(&enabled);
		return;
	}
	for (size_t i = 0; i < c->args_len; i++) {
		if (c->args[i].type != IMAP_ARG_ATOM) {
			imapmail_tagged(m, "BAD", "Invalid arguments.");
			buf_free(&enabled);
			return;
		}
		if (imap_arg_atom_is(&c->args[i], "IMAP4rev2") && !m->rev2) {
			m->rev2 = true;
			buf_cat(enabled, " IMAP4rev2");
		} else if (imap_arg_atom_is(&c->args[i], "UTF8=ACCEPT") && !m->utf8) {
			imapmail_utf8_enable(m);
			buf_cat(enabled, " UTF8=ACCEPT");
		}
		/* as Dovecot: CONDSTORE is named even when a command enabled it */
		if (imap_arg_atom_is(&c->args[i], "CONDSTORE") && !m->condstore_told) {
			imapmail_condstore_enable(m);
			m->condstore_told = true;
			buf_cat(enabled, " CONDSTORE");
		}
		if (imap_arg_atom_is(&c->args[i], "QRESYNC") && !m->qresync) {
			m->qresync = true;	/* RFC 7162 3.2.3: CONDSTORE too */
			imapmail_condstore_enable(m);
			buf_cat(enabled, " QRESYNC");
		}
	}
	imapmail_untagged(m, "ENABLED%s", buf_str(enabled));
	imapmail_tagged(m, "OK", "Enabled.");
	buf_free(&enabled);
}

void imapmail_cmd_id(struct imapmail *m, struct imap_cmd *c)
{
	if (c->args_len != 1 || (c->args[0].type != IMAP_ARG_NIL && c->args[0].type != IMAP_ARG_LIST)) {
		imapmail_tagged(m, "BAD", "Invalid ID parameters.");
		return;
	}
	imapmail_untagged(m, "ID (\"name\" \"hato\")");
	imapmail_tagged(m, "OK", "ID completed.");
}

void imapmail_cmd_namespace(struct imapmail *m, struct imap_cmd *c)
{
	(void)c;
	imapmail_untagged(m, "NAMESPACE ((\"\" \".\")) NIL NIL");
	imapmail_tagged(m, "OK", "Namespace completed.");
}

/* idle_done - the client's line during IDLE: DONE ends it */
static void idle_done(struct imapmail *m, struct buf *line)
{
	if (stream_getline(m->s, line, 64) <= 0) {
		m->done = true;
		return;
	}
	while (buf_len(line) && strchr("\r\n", buf_str(line)[buf_len(line) - 1]))
		buf_truncate(line, buf_len(line) - 1);
	if (strcasecmp(buf_str(line), "DONE") == 0)
		imapmail_tagged(m, "OK", "Idle completed.");
	else
		imapmail_tagged(m, "BAD", "Expected DONE.");
}

/* imapmail_cmd_idle - "+ idling", then the folder's news as they come
 * (inotify on the Maildir: within moments of a delivery), "* OK Still
 * here" every IDLE_NOTIFY_S (NAT boxes forget silent connections), until
 * DONE or imapd_timeout */
void imapmail_cmd_idle(struct imapmail *m, struct imap_cmd *c)
{
	struct buf *line = buf_new(16);
	int ino = imapmail_box_watch_fd(m), timeout = m->s->timeout_ms;
	long long waited = 0;

	(void)c;
	stream_puts(m->s, "+ idling\r\n");
	if (m->box) {			/* an idle folder: the index whole, its look kept */
		imapmail_box_flush(m);
		imapmail_box_stamp(m, false);
	}
	imapmail_cache_end(m);		/* and the cache fills held written */
	stream_set_timeout(m->s, IDLE_NOTIFY_S * 1000);
	/* an idle session may last hours: the free heap goes back to the
	 * kernel (malloc_trim also gives back whole free pages inside it) */
	(void)stream_flush(m->s);
	malloc_trim(0);
	stream_release(m->s);	/* the input buffer's empty pages too */
	while (!m->done) {
		int rc;

		if (stream_flush(m->s) < 0) {
			m->done = true;
			break;
		}
		rc = stream_wait_input(m->s, ino);
		if (rc & DEADLINE_FD) {
			idle_done(m, line);
			break;
		}
		if (rc < 0) {
			m->done = true;
		} else if (rc == 0 && (waited += IDLE_NOTIFY_S * 1000) >= timeout) {
			stream_puts(m->s, "* BYE Disconnected for inactivity.\r\n");
			m->done = true;
		} else if (rc == 0) {
			stream_puts(m->s, "* OK Still here\r\n");
		}
		if (!m->done && m->box)		/* it reads the watch's events */
			(void)imapmail_box_sync(m, true);
	}
	stream_set_timeout(m->s, timeout);
	buf_free(&line);
}
