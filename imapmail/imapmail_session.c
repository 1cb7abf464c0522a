/* imapmail_session - the command loop after login: read a command
 * (imap_parse.h, limits for a logged-in user), check the state, run it.
 * A selected folder's changes (other sessions, delivery, mutt) reach the
 * client as untagged answers just before a tagged one, never EXPUNGE
 * during FETCH, STORE or SEARCH by sequence number (RFC 9051 7.5.1).
 * Words are Dovecot's where a client sees them. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "imapmail.h"
#include "imapmail_context.h"
#include "log.h"

enum { BAD_COMMANDS_MAX = 20, ARGS_MAX = 100000, DEPTH_MAX = 16 };
/* message_size_limit = 0: literals are still held in memory (XXX: stream
 * APPEND to the file), so they keep a bound */
enum { LITERAL_NO_LIMIT = 1 << 30 };
enum { AUTHED, SELECTED };

struct command {
	const char *name;
	imapmail_cmd_fn *fn;
	int state;			/* the least state it needs */
	bool uid_ok;			/* may follow "UID" */
	int sync;			/* IMAPMAIL_SYNC_* (as "UID ...": ALL) */
};

static const struct command commands[] = {
	{ "CAPABILITY", imapmail_cmd_capability, AUTHED, false, IMAPMAIL_SYNC_ALL },
	{ "NOOP", imapmail_cmd_noop, AUTHED, false, IMAPMAIL_SYNC_ALL },
	{ "CHECK", imapmail_cmd_noop, SELECTED, false, IMAPMAIL_SYNC_ALL },
	{ "LOGOUT", imapmail_cmd_logout, AUTHED, false, IMAPMAIL_SYNC_NONE },
	{ "ENABLE", imapmail_cmd_enable, AUTHED, false, IMAPMAIL_SYNC_NONE },
	{ "ID", imapmail_cmd_id, AUTHED, false, IMAPMAIL_SYNC_ALL },
	{ "NAMESPACE", imapmail_cmd_namespace, AUTHED, false, IMAPMAIL_SYNC_ALL },
	{ "IDLE", imapmail_cmd_idle, AUTHED, false, IMAPMAIL_SYNC_ALL },
	{ "SELECT", imapmail_cmd_select, AUTHED, false, IMAPMAIL_SYNC_NONE },
	{ "EXAMINE", imapmail_cmd_select, AUTHED, false, IMAPMAIL_SYNC_NONE },
	{ "CLOSE", imapmail_cmd_close, SELECTED, false, IMAPMAIL_SYNC_NONE },
	{ "UNSELECT", imapmail_cmd_unselect, SELECTED, false, IMAPMAIL_SYNC_NONE },
	{ "CREATE", imapmail_cmd_create, AUTHED, false, IMAPMAIL_SYNC_ALL },
	{ "DELETE", imapmail_cmd_delete, AUTHED, false, IMAPMAIL_SYNC_ALL },
	{ "RENAME", imapmail_cmd_rename, AUTHED, false, IMAPMAIL_SYNC_ALL },
	{ "SUBSCRIBE", imapmail_cmd_subscribe, AUTHED, false, IMAPMAIL_SYNC_ALL },
	{ "UNSUBSCRIBE", imapmail_cmd_subscribe, AUTHED, false, IMAPMAIL_SYNC_ALL },
	{ "LIST", imapmail_cmd_list, AUTHED, false, IMAPMAIL_SYNC_ALL },
	{ "LSUB", imapmail_cmd_list, AUTHED, false, IMAPMAIL_SYNC_ALL },
	{ "STATUS", imapmail_cmd_status, AUTHED, false, IMAPMAIL_SYNC_ALL },
	{ "APPEND", imapmail_cmd_append, AUTHED, false, IMAPMAIL_SYNC_ALL },
	{ "FETCH", imapmail_cmd_fetch, SELECTED, true, IMAPMAIL_SYNC_NO_EXPUNGE },
	{ "STORE", imapmail_cmd_store, SELECTED, true, IMAPMAIL_SYNC_NO_EXPUNGE },
	{ "SEARCH", imapmail_cmd_search, SELECTED, true, IMAPMAIL_SYNC_NO_EXPUNGE },
	{ "COPY", imapmail_cmd_copy, SELECTED, true, IMAPMAIL_SYNC_NO_EXPUNGE },
	{ "MOVE", imapmail_cmd_copy, SELECTED, true, IMAPMAIL_SYNC_ALL },
	{ "EXPUNGE", imapmail_cmd_expunge, SELECTED, true, IMAPMAIL_SYNC_ALL },
	{ "COMPRESS", imapmail_cmd_compress, AUTHED, false, IMAPMAIL_SYNC_NONE },
	{ "SORT", imapmail_cmd_sort, SELECTED, true, IMAPMAIL_SYNC_NO_EXPUNGE },
	{ "THREAD", imapmail_cmd_thread, SELECTED, true, IMAPMAIL_SYNC_NO_EXPUNGE },
	{ "GETQUOTAROOT", imapmail_cmd_getquotaroot, AUTHED, false, IMAPMAIL_SYNC_ALL },
	{ "GETQUOTA", imapmail_cmd_getquota, AUTHED, false, IMAPMAIL_SYNC_ALL },
	{ "SETQUOTA", imapmail_cmd_setquota, AUTHED, false, IMAPMAIL_SYNC_ALL },
	{ "CANCELUPDATE", imapmail_cmd_cancelupdate, SELECTED, false, IMAPMAIL_SYNC_ALL },
};

/* imapmail_capabilities - what a logged-in client is told */
void imapmail_capabilities(const struct params *cf, struct buf *out)
{
	buf_cat(out, "IMAP4rev1 IMAP4rev2 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ NAMESPACE "
		"UIDPLUS MULTIAPPEND MOVE CHILDREN UNSELECT SPECIAL-USE LIST-EXTENDED LIST-STATUS "
		"STATUS=SIZE ESEARCH SEARCHRES WITHIN BINARY COMPRESS=DEFLATE SORT SORT=DISPLAY ESORT "
		"CONTEXT=SEARCH CONTEXT=SORT "
		"THREAD=ORDEREDSUBJECT THREAD=REFERENCES CONDSTORE QRESYNC UTF8=ACCEPT QUOTA");
	if (cf->message_size_limit > 0)
		buf_printf(out, " APPENDLIMIT=%ld", (long)cf->message_size_limit);
}

/* imapmail_untagged - "* ..." */
void imapmail_untagged(struct imapmail *m, const char *fmt, ...)
{
	va_list ap;
	struct buf *b = buf_new(128);

	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
	stream_printf(m->s, "* %s\r\n", buf_str(b));
	buf_free(&b);
}

/* imapmail_tagged - the command's end, after the folder's news */
void imapmail_tagged(struct imapmail *m, const char *status, const char *fmt, ...)
{
	va_list ap;
	struct buf *b = buf_new(128);

	if (m->box && m->sync != IMAPMAIL_SYNC_NONE && strcmp(status, "BAD") != 0)
		(void)imapmail_box_sync(m, m->sync == IMAPMAIL_SYNC_ALL);
	/* RFC 7162 3.2.10: after an expunge is told, the MODSEQ it left */
	if (m->box && m->box->told_expunge && m->condstore && strcmp(status, "OK") == 0 &&
	    fmt[0] != '[')
		buf_printf(b, "[HIGHESTMODSEQ %llu] ", (unsigned long long)m->box->highestmodseq);
	if (m->box)
		m->box->told_expunge = false;
	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
	stream_printf(m->s, "%s %s %s\r\n", m->cmd->tag, status, buf_str(b));
	buf_free(&b);
}

/* find - the command named name */
static const struct command *find(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcasecmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* unwrap_uid - "UID FETCH ..." becomes FETCH with m->uid set; false
 * when what follows UID cannot */
static bool unwrap_uid(struct imapmail *m, struct imap_cmd *c)
{
	const struct command *cmd;

	m->uid = false;
	if (strcmp(c->name, "UID") != 0)
		return true;
	if (c->args_len == 0 || c->args[0].type != IMAP_ARG_ATOM ||
	    (cmd = find(c->args[0].str)) == NULL || !cmd->uid_ok)
		return false;
	snprintf(c->name, sizeof(c->name), "%s", cmd->name);
	c->args++;
	c->args_len--;
	m->uid = true;
	return true;
}

/* dispatch - run one parsed command; false when it was not one */
static bool dispatch(struct imapmail *m, struct imap_cmd *c)
{
	struct imap_arg *args = c->args;
	size_t args_len = c->args_len;
	const struct command *cmd;
	bool known = true;

	if (!unwrap_uid(m, c)) {
		stream_printf(m->s, "%s BAD Error in IMAP command UID: Unknown command.\r\n", c->tag);
		known = false;
	} else if ((cmd = find(c->name)) == NULL) {
		stream_printf(m->s, "%s BAD Error in IMAP command %s: Unknown command.\r\n", c->tag,
			      c->name);
		known = false;
	} else if (cmd->state == SELECTED && m->box == NULL) {
		stream_printf(m->s, "%s BAD No mailbox selected.\r\n", c->tag);
	} else {
		m->sync = m->uid ? IMAPMAIL_SYNC_ALL : cmd->sync;
		cmd->fn(m, c);
	}
	c->args = args;			/* the parser frees what it made */
	c->args_len = args_len;
	return known;
}

/* imapmail_serve - commands until LOGOUT, the client leaves or a limit */
void imapmail_serve(struct imapmail *m)
{
	int bad = 0;

	m->limits = (struct imap_limits){
		.line_max = (size_t)m->cf->imap_max_line_length,
		.literal_max = m->cf->message_size_limit > 0 ? (size_t)m->cf->message_size_limit
							     : LITERAL_NO_LIMIT,
		.command_max = m->cf->message_size_limit > 0 ? (size_t)m->cf->message_size_limit
							     : LITERAL_NO_LIMIT,
		.args_max = ARGS_MAX, .depth_max = DEPTH_MAX, .literal_plus = true };
	m->cmd = imap_cmd_new();
	while (!m->done) {
		enum imap_cmd_rc rc;

		if (stream_pending(m->s) == 0 && stream_flush(m->s) < 0)
			break;
		rc = imap_cmd_read(m->s, &m->limits, m->cmd);
		if (rc == IMAP_CMD_EOF) {
			if (m->s->state == STREAM_TIMEOUT)
				stream_puts(m->s, "* BYE Disconnected for inactivity.\r\n");
			break;
		}
		if (rc == IMAP_CMD_CLOSE) {
			stream_printf(m->s, "* BYE %s\r\n", m->cmd->error);
			break;
		}
		if (rc == IMAP_CMD_BAD || !dispatch(m, m->cmd)) {
			if (rc == IMAP_CMD_BAD)
				stream_printf(m->s, "%s BAD %s\r\n",
					      m->cmd->tag[0] ? m->cmd->tag : "*", m->cmd->error);
			if (++bad >= BAD_COMMANDS_MAX) {
				stream_puts(m->s, "* BYE Too many invalid IMAP commands.\r\n");
				break;
			}
		}
	}
	stream_flush(m->s);
	imap_cmd_free(&m->cmd);
}
