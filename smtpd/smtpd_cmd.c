/* smtpd_cmd - the command table and the small commands (HELO, EHLO, RSET,
 * NOOP, QUIT, VRFY, ETRN, HELP).  MAIL/RCPT live in smtpd_mail.c,
 * DATA/BDAT in smtpd_data.c, STARTTLS in smtpd_tls.c and AUTH in
 * smtpd_sasl.c.  One function per command.  The commands a client can
 * repeat without end at no cost (Postfix's list: HELO EHLO RSET NOOP VRFY
 * ETRN) are junk: past smtpd_junk_command_limit since the last message,
 * each counts as an error, so smtpd_hard_error_limit ends the session.
 * A client on probation (smtpd_session.c: outside mynetworks on a process
 * of the reserve) may only greet, STARTTLS and AUTH until it has logged in. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "mem.h"
#include "smtpd.h"

typedef void smtpd_cmd_fn(struct smtpd *st, char *args);

static smtpd_cmd_fn cmd_helo, cmd_ehlo, cmd_rset, cmd_noop, cmd_quit, cmd_vrfy, cmd_etrn,
	cmd_help;

enum {
	CMD_F_BDAT = 1,		/* allowed while a BDAT transfer is under way */
	CMD_F_JUNK = 2,		/* counts against smtpd_junk_command_limit */
	CMD_F_PRE_AUTH = 4,	/* allowed on a reserved process before AUTH */
};

static const struct smtpd_cmd {
	const char *name;
	smtpd_cmd_fn *fn;
	int flags;
} commands[] = {
	{ "HELO", cmd_helo, CMD_F_JUNK | CMD_F_PRE_AUTH },
	{ "EHLO", cmd_ehlo, CMD_F_JUNK | CMD_F_PRE_AUTH },
	{ "MAIL", smtpd_cmd_mail, 0 }, { "RCPT", smtpd_cmd_rcpt, 0 }, { "DATA", smtpd_cmd_data, 0 },
	{ "BDAT", smtpd_cmd_bdat, CMD_F_BDAT },
	{ "RSET", cmd_rset, CMD_F_BDAT | CMD_F_JUNK | CMD_F_PRE_AUTH },
	{ "NOOP", cmd_noop, CMD_F_BDAT | CMD_F_JUNK | CMD_F_PRE_AUTH },
	{ "QUIT", cmd_quit, CMD_F_BDAT | CMD_F_PRE_AUTH },
	{ "VRFY", cmd_vrfy, CMD_F_JUNK }, { "ETRN", cmd_etrn, CMD_F_JUNK },
	{ "HELP", cmd_help, CMD_F_BDAT | CMD_F_PRE_AUTH },
	{ "STARTTLS", smtpd_cmd_starttls, CMD_F_PRE_AUTH },
	{ "AUTH", smtpd_cmd_auth, CMD_F_PRE_AUTH },
};
enum { NCOMMANDS = sizeof(commands) / sizeof(commands[0]), UNKNOWN = NCOMMANDS };

/* smtpd_dispatch - run one command line */
void smtpd_dispatch(struct smtpd *st, char *line)
{
	size_t n = strcspn(line, " \t");
	char *args = line + n;
	size_t i;

	while (*args == ' ' || *args == '\t')
		args++;
	for (i = 0; i < NCOMMANDS; i++)
		if (strlen(commands[i].name) == n && strncasecmp(line, commands[i].name, n) == 0)
			break;
	st->total++;
	st->count[i]++;
	st->last = i == UNKNOWN ? "UNKNOWN" : commands[i].name;
	if (i == UNKNOWN) {
		log_info("warning: %s[%s]: unknown command", st->name, st->addr);
		smtpd_reply(st, "502 5.5.2 Error: command not recognized");
		return;
	}
	if (st->probation && st->sasl_username == NULL && !(commands[i].flags & CMD_F_PRE_AUTH)) {
		log_info("%s before AUTH from %s[%s] on a process reserved for mynetworks",
			 commands[i].name, st->name, st->addr);
		smtpd_reply(st, "421 4.3.2 All server ports are busy");
		st->quit = true;
		return;
	}
	if (st->bdat_active && !(commands[i].flags & CMD_F_BDAT)) {
		smtpd_reply(st, "503 5.5.1 Error: %s not allowed during BDAT", commands[i].name);
		return;
	}
	if (smtpd_tls_refuse(st, commands[i].name))
		return;
	if (st->access_denied[0] && strcmp(commands[i].name, "QUIT") != 0) {
		smtpd_reply(st, "503 5.7.0 Error: access denied for %s[%s]", st->name, st->addr);
		return;
	}
	commands[i].fn(st, args);
	/* Postfix's count: the limit is how many pass before one is an error */
	if ((commands[i].flags & CMD_F_JUNK) && st->junk++ > st->g->cf->smtpd_junk_command_limit)
		st->errors++;
}

/* smtpd_cmd_counts - " ehlo=1 mail=1 ... commands=N" for the disconnect line */
void smtpd_cmd_counts(const struct smtpd *st, struct buf *out)
{
	for (size_t i = 0; i <= NCOMMANDS; i++) {
		if (st->count[i] == 0)
			continue;
		buf_printf(out, " %s=%d", i == UNKNOWN ? "unknown" : commands[i].name, st->count[i]);
	}
	buf_printf(out, " commands=%d", st->total);
	buf_lower(out);
}

/* set_helo - remember the HELO/EHLO name; false after a syntax reply */
static bool set_helo(struct smtpd *st, const char *cmd, char *args)
{
	size_t len = strcspn(args, " \t");

	if (len == 0) {
		smtpd_reply(st, "501 5.5.4 Syntax: %s hostname", cmd);
		return false;
	}
	free(st->helo);
	st->helo = xstrndup(args, len);
	smtpd_reset(st);
	return true;
}

/* cmd_helo - RFC 5321 HELO */
static void cmd_helo(struct smtpd *st, char *args)
{
	const char *reject;

	if (!set_helo(st, "HELO", args))
		return;
	st->esmtp = false;
	st->protocol = st->tls ? "SMTPS" : "SMTP";
	if (!st->g->cf->smtpd_delay_reject && (reject = smtpd_check_helo(st)) != NULL) {
		smtpd_reply(st, "%s", reject);
		free(st->helo);		/* a refused HELO did not happen */
		st->helo = NULL;
		return;
	}
	smtpd_reply(st, "250 %s", st->g->cf->myhostname);
}

/* discarded - whether smtpd_discard_ehlo_keywords hides keyword */
static bool discarded(struct smtpd *st, const char *keyword)
{
	struct strv *v = strv_split(st->g->cf->smtpd_discard_ehlo_keywords, ", \t\r\n");
	bool hit = false;

	for (size_t i = 0; i < v->len && !hit; i++)
		hit = strcasecmp(v->items[i], keyword) == 0;
	strv_free(&v);
	return hit;
}

/* cmd_ehlo - RFC 5321 EHLO with the extensions we offer */
static void cmd_ehlo(struct smtpd *st, char *args)
{
	const struct params *cf = st->g->cf;
	const char *reject, *ext[] = { "PIPELINING", "SIZE", "VRFY", "STARTTLS",
		"ENHANCEDSTATUSCODES", "8BITMIME", "DSN", "SMTPUTF8", "CHUNKING" };
	struct strv *lines = strv_new();

	if (!set_helo(st, "EHLO", args))
		goto out;
	st->esmtp = true;
	st->protocol = st->sasl_username ? (st->tls ? "ESMTPSA" : "ESMTPA")
					 : (st->tls ? "ESMTPS" : "ESMTP");
	if (!cf->smtpd_delay_reject && (reject = smtpd_check_helo(st)) != NULL) {
		smtpd_reply(st, "%s", reject);
		free(st->helo);		/* a refused EHLO did not happen */
		st->helo = NULL;
		goto out;
	}
	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		if (discarded(st, ext[i]) || (strcmp(ext[i], "VRFY") == 0 && cf->disable_vrfy_command)
		    || (strcmp(ext[i], "STARTTLS") == 0 && (!tls_server_usable(st->g->tls) || st->tls)))
			continue;
		if (strcmp(ext[i], "ENHANCEDSTATUSCODES") == 0 && !discarded(st, "AUTH"))
			smtpd_sasl_ehlo(st, lines);
		if (strcmp(ext[i], "SIZE") == 0 && cf->message_size_limit) {
			char size[40];

			snprintf(size, sizeof(size), "SIZE %ld", (long)cf->message_size_limit);
			strv_add(lines, size);
		} else {
			strv_add(lines, ext[i]);
		}
	}
	stream_printf(st->s, "250%s%s\r\n", lines->len ? "-" : " ", cf->myhostname);
	for (size_t i = 0; i < lines->len; i++)
		stream_printf(st->s, "250%s%s\r\n", i + 1 < lines->len ? "-" : " ", lines->items[i]);
	smtpd_count_reply("250");
out:
	strv_free(&lines);
}

/* cmd_rset - forget the transaction */
static void cmd_rset(struct smtpd *st, char *args)
{
	(void)args;
	smtpd_reset(st);
	smtpd_reply(st, "250 2.0.0 Ok");
}

/* cmd_noop - nothing */
static void cmd_noop(struct smtpd *st, char *args)
{
	(void)args;
	smtpd_reply(st, "250 2.0.0 Ok");
}

/* cmd_quit - say goodbye; the loop ends */
static void cmd_quit(struct smtpd *st, char *args)
{
	(void)args;
	smtpd_reply(st, "221 2.0.0 Bye");
	st->quit = true;
}

/* cmd_vrfy - refused when disable_vrfy_command, else a non-committal 252 */
static void cmd_vrfy(struct smtpd *st, char *args)
{
	if (st->g->cf->disable_vrfy_command) {
		smtpd_reply(st, "502 5.5.1 VRFY command is disabled");
		return;
	}
	if (*args == '\0') {
		smtpd_reply(st, "501 5.5.4 Syntax: VRFY address");
		return;
	}
	smtpd_reply(st, "252 2.0.0 %s", args);
}

/* cmd_etrn - no fast-flush service */
static void cmd_etrn(struct smtpd *st, char *args)
{
	(void)args;
	smtpd_reply(st, "502 5.5.1 Error: command not implemented");
}

/* cmd_help - RFC 5321 says HELP should exist */
static void cmd_help(struct smtpd *st, char *args)
{
	(void)args;
	smtpd_reply(st, "214 2.0.0 See RFC 5321");
}
