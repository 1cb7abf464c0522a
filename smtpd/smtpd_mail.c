/* smtpd_mail - MAIL FROM and RCPT TO: address syntax (global/addr), the
 * ESMTP parameters, and the restriction stages that apply.
 *
 * Parameters: SIZE, BODY, SMTPUTF8, RET, ENVID (MAIL); NOTIFY, ORCPT
 * (RCPT), after EHLO or HELO alike, as Postfix takes them.  Anything else
 * is "555 5.5.4 Unsupported option: NAME=VALUE", as the client wrote it.  An address with 8-bit bytes needs
 * SMTPUTF8.  With smtpd_delay_reject = no the client, HELO and sender
 * restrictions run at MAIL, else all of them run at each RCPT.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "log.h"
#include "mem.h"
#include "smtpd.h"

/* has_8bit - any byte over 127 */
static bool has_8bit(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s > 127)
			return true;
	return false;
}

/* join_address - "local@domain" */
static char *join_address(const char *local, const char *domain)
{
	char *a = xmalloc(strlen(local) + strlen(domain) + 2);

	sprintf(a, "%s@%s", local, domain);
	return a;
}

/* parse_path - "FROM:<addr> params" -> internal address and the params;
 * NULL (reply sent) on a syntax error */
static char *parse_path(struct smtpd *st, char *args, const char *word, bool allow_null,
			char **params_r)
{
	size_t wlen = strlen(word);
	struct addr_path p = { 0 };
	struct buf *why = buf_new(0);
	char *addr = NULL;
	int n, flags = ADDR_F_SMTPUTF8 | (allow_null ? ADDR_F_ALLOW_NULL : 0) |
		(st->g->cf->strict_rfc821_envelopes ? 0 : ADDR_F_LENIENT);

	if (strncasecmp(args, word, wlen) != 0) {
		smtpd_reply(st, "501 5.5.4 Syntax: %s%s<address>", allow_null ? "MAIL " : "RCPT ",
			    word);
		goto out;
	}
	args += wlen;
	while (*args == ' ')
		args++;
	if ((n = addr_parse_path(args, strlen(args), flags, &p, why)) < 0) {
		log_warn("Illegal address syntax from %s[%s] in %s command: %s (%s)", st->name,
			 st->addr, allow_null ? "MAIL" : "RCPT", args, buf_str(why));
		smtpd_reply(st, "501 5.1.%d Bad %s address syntax", allow_null ? 7 : 3,
			    allow_null ? "sender" : "recipient");
		goto out;
	}
	*params_r = args + n;
	if (p.null)
		addr = xstrdup("");
	else if (p.domain && *p.domain)
		addr = join_address(p.local, p.domain);
	else
		addr = xstrdup(p.local);
out:
	addr_path_free(&p);
	buf_free(&why);
	return addr;
}

/* xtext_ok - RFC 3461 xtext: printable ASCII, "+XX" escapes */
static bool xtext_ok(const char *s)
{
	for (; *s; s++) {
		if (*s == '+' && isxdigit((unsigned char)s[1]) && isxdigit((unsigned char)s[2]))
			s += 2;
		else if (*s <= ' ' || *s > '~' || *s == '=' || *s == '+')
			return false;
	}
	return true;
}

/* mail_param - one MAIL parameter (as written: whole); false after an error reply */
static bool mail_param(struct smtpd *st, const char *name, const char *value, const char *whole)
{
	const struct params *cf = st->g->cf;

	if (strcasecmp(name, "SIZE") == 0 && value) {
		char *end;

		errno = 0;
		st->declared_size = strtoll(value, &end, 10);
		if (*end || errno || st->declared_size < 0) {
			smtpd_reply(st, "501 5.5.4 Bad message size syntax");
			return false;
		}
		if (cf->message_size_limit && st->declared_size > cf->message_size_limit) {
			smtpd_reply(st, "552 5.3.4 Message size exceeds fixed limit");
			return false;
		}
	} else if (strcasecmp(name, "BODY") == 0 && value) {
		if (strcasecmp(value, "7BIT") != 0 && strcasecmp(value, "8BITMIME") != 0) {
			smtpd_reply(st, "501 5.5.4 Unsupported BODY parameter value");
			return false;
		}
	} else if (strcasecmp(name, "SMTPUTF8") == 0 && !value) {
		st->smtputf8 = true;
	} else if (strcasecmp(name, "RET") == 0 && value
		   && (strcasecmp(value, "FULL") == 0 || strcasecmp(value, "HDRS") == 0)) {
		free(st->dsn_ret);
		st->dsn_ret = xstrdup(value);
	} else if (strcasecmp(name, "ENVID") == 0 && value && xtext_ok(value) && strlen(value) <= 100) {
		free(st->dsn_envid);
		st->dsn_envid = xstrdup(value);
	} else if (strcasecmp(name, "AUTH") == 0 && value) {
		/* accepted and ignored, as without a trusted AUTH= source */
	} else {
		smtpd_reply(st, "555 5.5.4 Unsupported option: %s", whole);
		return false;
	}
	return true;
}

/* rcpt_param - one RCPT parameter into r; false after an error reply */
static bool rcpt_param(struct smtpd *st, struct smtpd_rcpt *r, const char *name, const char *value,
		       const char *whole)
{
	if (strcasecmp(name, "NOTIFY") == 0 && value) {
		struct strv *v = strv_split(value, ",");
		bool ok = v->len > 0;

		for (size_t i = 0; i < v->len; i++) {
			const char *k = v->items[i];

			ok &= strcasecmp(k, "NEVER") == 0 ? v->len == 1 :
			      strcasecmp(k, "SUCCESS") == 0 || strcasecmp(k, "FAILURE") == 0 ||
			      strcasecmp(k, "DELAY") == 0;
		}
		strv_free(&v);
		if (!ok) {
			smtpd_reply(st, "501 5.5.4 Error: Bad NOTIFY parameter syntax");
			return false;
		}
		free(r->notify);
		r->notify = xstrdup(value);
	} else if (strcasecmp(name, "ORCPT") == 0 && value && strchr(value, ';') && xtext_ok(value)
		   && strlen(value) <= 500) {
		free(r->orcpt);
		r->orcpt = xstrdup(value);
	} else {
		smtpd_reply(st, "555 5.5.4 Unsupported option: %s", whole);
		return false;
	}
	return true;
}

/* each_param - split "A=b C" and call fn; false after an error reply */
static bool each_param(struct smtpd *st, char *params, struct smtpd_rcpt *r)
{
	char *save = NULL, *tok;
	bool ok = true;

	for (tok = strtok_r(params, " ", &save); tok && ok; tok = strtok_r(NULL, " ", &save)) {
		char *name = xstrdup(tok), *eq = strchr(name, '=');

		if (eq)
			*eq++ = '\0';
		ok = r ? rcpt_param(st, r, name, eq, tok) : mail_param(st, name, eq, tok);
		free(name);
	}
	return ok;
}

/* smtpd_log_whatsup - Postfix's "NOQUEUE: reject: RCPT from NAME[ADDR]:
 * REPLY; from=<S> to=<R> proto=P helo=<H>" line (whatsup "reject" or
 * "reject_warning"); from, to and helo only when known.  At DATA, to= is
 * the recipient when there is only one */
void smtpd_log_whatsup(struct smtpd *st, const char *whatsup, const char *stage,
		       const char *reply, const char *rcpt)
{
	struct buf *b = buf_new(256);

	if (rcpt == NULL && st->nrcpt == 1 && strcmp(stage, "DATA") == 0)
		rcpt = st->rcpts[0].addr;

	buf_printf(b, "%s: %s: %s from %s[%s]: %s;", st->queue_id ? st->queue_id : "NOQUEUE",
		   whatsup, stage, st->name, st->addr, reply);
	if (st->sender)
		buf_printf(b, " from=<%s>", st->sender);
	if (rcpt)
		buf_printf(b, " to=<%s>", rcpt);
	buf_printf(b, " proto=%s", st->protocol ? st->protocol : "SMTP");
	if (st->helo)
		buf_printf(b, " helo=<%s>", st->helo);
	log_info("%s", buf_str(b));
	buf_free(&b);
}

/* smtpd_log_reject - the "reject:" line */
void smtpd_log_reject(struct smtpd *st, const char *stage, const char *reply, const char *rcpt)
{
	smtpd_log_whatsup(st, "reject", stage, reply, rcpt);
}

/* note_pipelining - commands sent ahead of our reply by a client that was
 * never told it may (no EHLO): reject_unauth_pipelining refuses it later */
static void note_pipelining(struct smtpd *st, const char *cmd)
{
	if (st->esmtp || st->ill_pipelining || stream_pending(st->s) == 0)
		return;
	st->ill_pipelining = true;
	log_info("improper command pipelining after %s from %s[%s]", cmd, st->name, st->addr);
}

/* smtpd_cmd_mail - MAIL FROM:<sender> [params] */
void smtpd_cmd_mail(struct smtpd *st, char *args)
{
	const char *reject;
	char *params, *sender;

	note_pipelining(st, "MAIL");
	if (st->helo == NULL && st->g->cf->smtpd_helo_required) {
		smtpd_reply(st, "503 5.5.1 Error: send HELO/EHLO first");
		return;
	}
	if (st->sender) {
		smtpd_reply(st, "503 5.5.1 Error: nested MAIL command");
		return;
	}
	if ((sender = parse_path(st, args, "FROM:", true, &params)) == NULL)
		return;
	if (!each_param(st, params, NULL)) {
		free(sender);
		smtpd_reset(st);
		return;
	}
	if (has_8bit(sender) && !st->smtputf8) {
		smtpd_reply(st, "553 5.6.7 Must declare SMTPUTF8 to send unicode address");
		free(sender);
		smtpd_reset(st);
		return;
	}
	if ((reject = smtpd_space_check(st)) != NULL) {
		smtpd_log_reject(st, "MAIL", reject, NULL);
		smtpd_reply(st, "%s", reject);
		free(sender);
		smtpd_reset(st);
		return;
	}
	st->sender = sender;
	if (!st->g->cf->smtpd_delay_reject && (reject = smtpd_check_sender(st)) != NULL) {
		smtpd_log_reject(st, "MAIL", reject, NULL);
		smtpd_reply(st, "%s", reject);
		smtpd_reset(st);
		return;
	}
	smtpd_reply(st, "250 2.1.0 Ok");
}

/* smtpd_cmd_rcpt - RCPT TO:<recipient> [params] */
void smtpd_cmd_rcpt(struct smtpd *st, char *args)
{
	struct smtpd_rcpt r = { 0 };
	struct buf *why;
	const char *reject;
	char *params;

	note_pipelining(st, "RCPT");
	if (st->sender == NULL) {
		smtpd_reply(st, "503 5.5.1 Error: need MAIL command");
		return;
	}
	if (st->nrcpt >= (size_t)st->g->cf->smtpd_recipient_limit) {
		smtpd_reply(st, "452 4.5.3 Error: too many recipients");
		return;
	}
	if ((r.addr = parse_path(st, args, "TO:", false, &params)) == NULL)
		return;
	if (!each_param(st, params, &r))
		goto fail;
	if (has_8bit(r.addr) && !st->smtputf8) {
		smtpd_reply(st, "553 5.6.7 Must declare SMTPUTF8 to send unicode address");
		goto fail;
	}
	if ((reject = smtpd_check_rcpt(st, r.addr)) != NULL) {
		smtpd_log_reject(st, "RCPT", reject, r.addr);
		smtpd_reply(st, "%s", reject);
		goto fail;
	}
	if (st->nrcpt == st->rcpt_cap) {
		st->rcpt_cap = st->rcpt_cap ? 2 * st->rcpt_cap : 8;
		st->rcpts = xrealloc(st->rcpts, st->rcpt_cap * sizeof(*st->rcpts));
	}
	st->rcpts[st->nrcpt++] = r;
	smtpd_reply(st, "250 2.1.5 Ok");
	why = buf_new(0);
	smtpd_cleanup_connect(st, why);	/* cleanup makes the queue file while the client sends DATA */
	buf_free(&why);
	return;
fail:
	free(r.addr);
	free(r.orcpt);
	free(r.notify);
}
