/* hato_log - "hato log ID [FILE...]": one message's life across the
 * daemons (smtpd's client=, cleanup's message-id=, qmgr's from=, each
 * delivery's status=, removed), as the lines of maillog_file (or of the
 * FILEs: rotated ones, in the order given) whose queue ID is QUEUEID
 * (maillog_line.h), then those of the non-delivery notification it made
 * ("sender non-delivery notification: ID"), and of the one that made, up
 * to MAX_IDS messages.  ID may be a session id instead (session_id.h: the
 * one an IMAP or POP3 client's lines end with, ", session=<ID>", in the
 * login process, authd and the mail process; and smtpd's, in JSON lines):
 * then the lines of that session, and those of every message a line of
 * it names (a JSON smtpd line carries both).  Lines longer than LINE_MAX
 * are skipped.  Exit 0
 * when a line was found; 1 when none was, or when there is no file to
 * read (maillog_file unset: the lines are in syslog). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "hato.h"
#include "log.h"
#include "maillog_line.h"

enum { MAX_IDS = 16, LINE_MAX_BYTES = 65536 };

struct ids {
	char id[MAX_IDS][MAILLOG_ID_SIZE];
	size_t n;
	char session[SESSION_ID_SIZE];	/* "" or the session asked for */
};

/* has - the set holds id */
static bool has(const struct ids *s, const char *id)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->id[i], id) == 0)
			return true;
	return false;
}

/* one_line - print the line when it is about a message of the set; a
 * notification it made joins the set: whether it was printed */
static bool one_line(struct ids *s, const char *line, size_t len)
{
	char id[MAILLOG_ID_SIZE], made[MAILLOG_ID_SIZE], session[SESSION_ID_SIZE];
	bool has_id = maillog_line_id(line, len, id);

	if (s->session[0] && maillog_line_session(line, len, session)
	    && strcmp(session, s->session) == 0) {
		if (has_id && !has(s, id) && s->n < MAX_IDS)	/* a message of the session */
			snprintf(s->id[s->n++], MAILLOG_ID_SIZE, "%s", id);
	} else if (!has_id || !has(s, id)) {
		return false;
	}
	fwrite(line, 1, len, stdout);
	if (maillog_line_after(line, len, "sender non-delivery notification: ", made)
	    && !has(s, made) && s->n < MAX_IDS)
		snprintf(s->id[s->n++], MAILLOG_ID_SIZE, "%s", made);
	return true;
}

/* one_file - every line of path through one_line: lines printed, -1 */
static long one_file(struct ids *s, const char *path)
{
	static char line[LINE_MAX_BYTES];
	FILE *fp = fopen(path, "re");
	bool overlong = false;
	long found = 0;

	if (fp == NULL) {
		log_error("open %s: %m", path);
		return -1;
	}
	while (fgets(line, sizeof(line), fp)) {
		size_t len = strlen(line);
		bool whole = len > 0 && line[len - 1] == '\n';

		if (!overlong && whole)
			found += one_line(s, line, len);
		overlong = !whole && !feof(fp);	/* the rest of it comes next */
	}
	if (ferror(fp))
		log_error("read %s: %m", path);
	fclose(fp);
	return found;
}

/* hato_log - see the top of the file */
int hato_log(struct hato_ctx *ctx)
{
	struct ids s = { .n = 0 };
	struct buf *why = buf_new(0);
	struct config *c = NULL;
	long found = 0, got;
	int rc = 1;

	const char *want = ctx->args[0];

	if (want == NULL || !(log_id_like(want, strlen(want)) || session_id_valid(want))) {
		log_error("usage: hato log ID [FILE...] (ID: a queue ID, 10 to 20 letters and digits, "
			  "or a session id, 16 base64 characters)");
		goto out;
	}
	if (log_id_like(want, strlen(want)))
		snprintf(s.id[s.n++], MAILLOG_ID_SIZE, "%s", want);
	if (session_id_valid(want))	/* both shapes at once: either may match */
		snprintf(s.session, sizeof(s.session), "%s", want);
	if (ctx->args[1]) {
		for (char **f = ctx->args + 1; *f; f++)
			if ((got = one_file(&s, *f)) > 0)
				found += got;
	} else if ((c = config_read(ctx->dir, CONFIG_QUIET, why)) == NULL) {
		log_error("%s", buf_str(why));
		goto out;
	} else if (*config_get(c, "maillog_file") == '\0') {
		log_error("maillog_file is not set: the log is in syslog (journalctl -t %s/qmgr and "
			  "the other daemons' tags), or name the files: hato log ID FILE...",
			  config_get(c, "syslog_name"));
		goto out;
	} else if ((got = one_file(&s, config_get(c, "maillog_file"))) > 0) {
		found = got;
	}
	if (found == 0)
		log_error("no line about %s", want);
	rc = found > 0 ? 0 : 1;
out:
	config_free(&c);
	buf_free(&why);
	return rc;
}
