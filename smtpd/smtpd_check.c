/* smtpd_check - the restriction lists, evaluated in Postfix's order, with
 * Postfix's replies (log parsers and people's scripts match them).
 *
 * Stages: client, helo, sender, relay, recipient, data.  In a stage the
 * restrictions run in order until one permits (the stage ends, the next
 * stage runs), rejects or defers (the command is refused).  With
 * smtpd_delay_reject = yes every stage up to the recipient's runs at RCPT;
 * with "no" each runs at its own command (client: at connect).
 * A temporary DNS failure of reject_unknown_helo_hostname or
 * reject_unknown_{sender,recipient}_domain is Postfix's defer_if_permit:
 * its 450 is the answer only when no later restriction refuses, so a
 * later REJECT still gives 5xx.  defer_if_reject works the other way.
 * After the recipient stages, an unknown recipient in our domains is
 * refused (smtpd_reject_unlisted_recipient); "postmaster" alone is always
 * accepted.  Access maps (access.h) may answer OK, REJECT, DUNNO, a code
 * with an optional enhanced status, HOLD/DISCARD/PREPEND (passed on to
 * cleanup) or restriction names.  An unknown restriction or a table that
 * fails is "451 4.3.x", never a silent permit.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "access.h"
#include "htable.h"
#include "log.h"
#include "mem.h"
#include "restriction.h"
#include "smtpd.h"
#include "smtpd_check.h"

enum { MAX_CLASS_DEPTH = 10, MAX_REPLY = 510 };

static struct htable *tables;		/* "type:name" -> struct dict * */
static const char *const class_text[] = {
	"Client host", "Helo command", "Sender address", "Recipient address",
	"Recipient address", "Data command",
};

/* check_table - an access table, opened once per process */
struct dict *check_table(const char *spec)
{
	struct dict *d = htable_get(tables, spec);

	if (d == NULL) {
		d = dict_open_surrogate(spec, DICT_FLAG_FOLD_KEY);
		htable_put(tables, spec, d);
	}
	return d;
}

/* check_class - what the replies call the thing they refuse */
const char *check_class(const struct check *c)
{
	return c->class ? c->class : class_text[c->stage];
}

/* format_reply - "CODE X.Y.Z text" into out: the status's first digit the
 * code's, at most 510 bytes, printable */
static void format_reply(struct buf *out, int code, const char *dsn, const char *fmt,
			 va_list ap)
{
	if (code < 400 || code > 599) {
		log_warn("SMTP reply code configuration error: %d", code);
		code = 450, dsn = "4.7.1";
	}
	buf_reset(out);
	buf_printf(out, "%d %s ", code, dsn);
	buf_vprintf(out, fmt, ap);
	buf_truncate(out, MAX_REPLY);
	for (char *p = out->data; *p; p++)
		if (!isprint((unsigned char)*p))
			*p = ' ';
	out->data[4] = out->data[0];
}

/* check_refuse - refuse with "CODE X.Y.Z text" (Postfix's smtpd_check_reject);
 * a 5xx becomes the armed defer_if_reject reply, or 4xx with soft_bounce */
int check_refuse(struct check *c, int code, const char *dsn, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	format_reply(c->reply, code, dsn, fmt, ap);
	va_end(ap);
	if (!c->warn_only && buf_len(c->dir) && buf_str(c->reply)[0] == '5') {
		buf_set(c->reply, buf_str(c->dir));
		buf_reset(c->dir);
	}
	if (c->st->g->cf->soft_bounce && buf_str(c->reply)[0] == '5')
		c->reply->data[0] = c->reply->data[4] = '4';
	return buf_str(c->reply)[0] == '5' ? CHECK_REJECT : CHECK_DEFER;
}

/* check_defer_if - arm defer_if_permit (slot c->dip) or defer_if_reject
 * (c->dir) with this reply, unless it already holds an earlier one */
int check_defer_if(struct check *c, struct buf *slot, int code, const char *dsn,
		   const char *fmt, ...)
{
	va_list ap;

	(void)c;
	if (buf_len(slot) == 0) {
		va_start(ap, fmt);
		format_reply(slot, code, dsn, fmt, ap);
		va_end(ap);
	}
	return CHECK_DUNNO;
}

/* check_tempfail - a DNS answer that may come later: per the *_tempfail_action
 * parameter, refuse now ("defer") or arm defer_if_permit (the default) */
int check_tempfail(struct check *c, const char *action, int code, const char *dsn,
		   const char *what, const char *text)
{
	const char *class = check_class(c);

	if (strcmp(action, "defer") == 0)
		return check_refuse(c, code, dsn, "<%s>: %s rejected: %s", what, class, text);
	return check_defer_if(c, c->dip, code, dsn, "<%s>: %s rejected: %s", what, class, text);
}

/* check_reply_plain - refuse with "CODE X.Y.Z <what>: text" */
int check_reply_plain(struct check *c, int code, const char *dsn, const char *what,
		      const char *text)
{
	return check_refuse(c, code, dsn, "<%s>: %s", what, text);
}

/* check_reply - refuse with "CODE X.Y.Z <what>: Class rejected: text" */
int check_reply(struct check *c, int code, const char *dsn, const char *what, const char *text)
{
	return check_refuse(c, code, dsn, "<%s>: %s rejected: %s", what, check_class(c), text);
}

/* check_temp - a table failure: defer, never permit */
int check_temp(struct check *c, const char *what, const char *why)
{
	log_warn("%s: %s", what, why);
	return check_refuse(c, 451, "4.3.0", "<%s>: Temporary lookup failure", what);
}

/* check_what - the <...> of a reply for this stage */
const char *check_what(struct check *c)
{
	switch (c->stage) {
	case STAGE_CLIENT:
		buf_reset(c->what);
		buf_printf(c->what, "%s[%s]", c->st->name, c->st->addr);
		return buf_str(c->what);
	case STAGE_HELO:
		return c->st->helo ? c->st->helo : "";
	case STAGE_SENDER:
		return c->st->sender ? c->st->sender : "";
	case STAGE_DATA:
		return "DATA";
	default:
		return c->rcpt ? c->rcpt : "";
	}
}

/* split_dsn - an enhanced status at the start of text ("4.7.9 busy")
 * into dsn, *rest after it; else def and text itself (Postfix's dsn_split) */
static void split_dsn(const char *text, const char *def, char dsn[16], const char **rest)
{
	size_t n = 0, d1, d2;

	if ((text[0] == '2' || text[0] == '4' || text[0] == '5') && text[1] == '.') {
		d1 = strspn(text + 2, "0123456789");
		if (d1 >= 1 && d1 <= 3 && text[2 + d1] == '.') {
			d2 = strspn(text + 3 + d1, "0123456789");
			if (d2 >= 1 && d2 <= 3 && (text[3 + d1 + d2] == ' ' || !text[3 + d1 + d2]))
				n = 3 + d1 + d2;
		}
	}
	snprintf(dsn, 16, "%.*s", n ? (int)n : 15, n ? text : def);
	for (text += n; n && *text == ' '; text++)
		;
	*rest = text;
}

/* access_refuse - an access map's REJECT/DEFER/code answer, its enhanced
 * status fitted to what is refused (Postfix's smtpd_dsn_fix) */
static int access_refuse(struct check *c, int code, const char *def_dsn, const char *what,
			 const char *text, const char *def_text, bool defer_if_permit)
{
	static const char *const sender[] = { "1.0", "1.0", "1.8", "1.7", "1.0", "1.0", "1.0", "1.7", "1.8" };
	static const char *const rcpt[] = { "1.0", "1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.3", "1.2" };
	char dsn[16];
	const char *rest, *class = check_class(c);
	int micro;

	split_dsn(text, def_dsn, dsn, &rest);
	if (strncmp(dsn + 1, ".1.", 3) == 0) {
		micro = dsn[4] >= '1' && dsn[4] <= '8' && !dsn[5] ? dsn[4] - '0' : 0;
		snprintf(dsn + 2, sizeof(dsn) - 2, "%s", c->stage == STAGE_SENDER ? sender[micro] :
			 c->stage == STAGE_RELAY || c->stage == STAGE_RECIPIENT ? rcpt[micro] : "0.0");
	}
	if (!*rest)
		rest = def_text;
	if (defer_if_permit)
		return check_defer_if(c, c->dip, code, dsn, "<%s>: %s rejected: %s", what, class, rest);
	return check_refuse(c, code, dsn, "<%s>: %s rejected: %s", what, class, rest);
}

/* pass_on - HOLD, DISCARD, PREPEND and the like: cleanup acts on them */
static int pass_on(struct check *c, const struct access_action *a)
{
	static const char *const names[] = {
		[ACCESS_HOLD] = "hold", [ACCESS_DISCARD] = "discard", [ACCESS_PREPEND] = "prepend",
		[ACCESS_REDIRECT] = "redirect", [ACCESS_FILTER] = "filter", [ACCESS_BCC] = "bcc",
	};
	struct buf *text = buf_new(64);

	buf_printf(text, "%s=%s", names[a->kind], a->text);
	strv_add(c->st->cleanup_attrs, buf_str(text));
	buf_free(&text);
	return a->kind == ACCESS_DISCARD ? CHECK_PERMIT : CHECK_DUNNO;
}

/* access_result - act on what an access table said */
int check_access_result(struct check *c, const char *value, const char *what)
{
	struct access_action a;
	const struct params *cf = c->st->g->cf;
	char def_dsn[16] = "5.7.1";
	int rc;

	access_parse_action(value, &a);
	switch (a.kind) {
	case ACCESS_OK:
		return CHECK_PERMIT;
	case ACCESS_DUNNO:
		return CHECK_DUNNO;
	case ACCESS_REJECT:
		return access_refuse(c, (int)cf->access_map_reject_code, "5.7.1", what, a.text,
				     "Access denied", false);
	case ACCESS_DEFER:
		return access_refuse(c, (int)cf->access_map_defer_code, "4.7.1", what, a.text,
				     "Access denied", false);
	case ACCESS_DEFER_IF_PERMIT:
		return access_refuse(c, 450, "4.7.1", what, a.text, "Service unavailable", true);
	case ACCESS_DEFER_IF_REJECT:
		split_dsn(a.text, "4.7.1", def_dsn, &value);
		return check_defer_if(c, c->dir, 450, def_dsn, "<%s>: %s rejected: %s", what,
				      check_class(c), *value ? value : "Service unavailable");
	case ACCESS_CODE:
		def_dsn[0] = a.code >= 500 ? '5' : '4';
		return access_refuse(c, a.code, def_dsn, what, a.text, "Access denied", false);
	case ACCESS_HOLD: case ACCESS_DISCARD: case ACCESS_PREPEND: case ACCESS_REDIRECT:
	case ACCESS_FILTER: case ACCESS_BCC:
		return pass_on(c, &a);
	case ACCESS_WARN: case ACCESS_INFO:
		log_info("%s: %s: %s rejected from %s[%s]: %s", c->st->queue_id ? c->st->queue_id : "NOQUEUE",
			 a.kind == ACCESS_WARN ? "warn" : "info", check_class(c), c->st->name,
			 c->st->addr, a.text);
		return CHECK_DUNNO;
	case ACCESS_RESTRICTIONS: {
		struct strv *list = strv_split(value, ", \t\r\n");

		rc = check_list(c, list);
		strv_free(&list);
		return rc;
	}
	default:
		return CHECK_DUNNO;
	}
}

/* check_list - evaluate one restriction list */
int check_list(struct check *c, const struct strv *list)
{
	int rc = CHECK_DUNNO;
	bool warn_next = false;

	if (++c->depth > MAX_CLASS_DEPTH) {
		c->depth--;
		log_warn("restriction classes nested more than %d deep", MAX_CLASS_DEPTH);
		return check_refuse(c, 451, "4.3.5", "Server configuration error");
	}
	for (size_t i = 0; i < list->len && rc == CHECK_DUNNO; i++) {
		if (strcasecmp(list->items[i], "warn_if_reject") == 0) {
			warn_next = true;
			continue;
		}
		c->warn_only = warn_next;
		rc = check_one(c, list, &i);
		if (c->warn_only && (rc == CHECK_REJECT || rc == CHECK_DEFER)) {
			smtpd_log_whatsup(c->st, "reject_warning", c->st->last ? c->st->last : "CONNECT",
					  buf_str(c->reply), c->rcpt);
			rc = CHECK_DUNNO;
		}
		c->warn_only = warn_next = false;
		if (buf_len(c->dip) && buf_len(c->dir))
			break;		/* nothing later can change the answer */
	}
	c->depth--;
	return rc;
}

/* run_stage - one stage's list; NULL when it did not refuse */
static const char *run_stage(struct check *c, enum smtpd_stage stage)
{
	int rc;

	c->stage = stage;
	buf_reset(c->dir);		/* defer_if_reject holds within one list */
	rc = check_list(c, c->st->g->restrictions[stage]);
	return rc == CHECK_REJECT || rc == CHECK_DEFER ? buf_str(c->reply) : NULL;
}

/* check_new - a context for one command */
static void check_new(struct check *c, struct smtpd *st, const char *rcpt)
{
	static struct buf *reply, *what, *dip, *dir;

	if (reply == NULL) {
		reply = buf_new(256);
		what = buf_new(256);
		dip = buf_new(256);
		dir = buf_new(256);
	}
	buf_reset(dip);
	buf_reset(dir);
	*c = (struct check){ .st = st, .rcpt = rcpt, .reply = reply, .what = what, .dip = dip,
			     .dir = dir };
}

/* sender_stage - the sender list, then the implicit unlisted-sender check */
static const char *sender_stage(struct check *c)
{
	const char *r = run_stage(c, STAGE_SENDER);
	const char *sender = c->st->sender;

	if (r == NULL && c->st->g->cf->smtpd_reject_unlisted_sender && sender && *sender
	    && check_unlisted(c, sender) != CHECK_DUNNO)
		r = buf_str(c->reply);
	return r;
}

/* stage_alone - one stage when smtpd_delay_reject = no: it starts from
 * the defer_if_permit the stages before it armed and keeps its own for the
 * next (Postfix's defer_if_permit_client/helo/sender) */
static const char *stage_alone(struct smtpd *st, enum smtpd_stage stage)
{
	char (*dip)[sizeof(st->defer_if_permit[0])] = st->defer_if_permit;
	struct check c;
	const char *r;

	check_new(&c, st, NULL);
	if (stage == STAGE_HELO)
		buf_set(c.dip, dip[STAGE_CLIENT]);
	else if (stage == STAGE_SENDER)
		buf_set(c.dip, dip[STAGE_HELO][0] ? dip[STAGE_HELO] : dip[STAGE_CLIENT]);
	r = stage == STAGE_SENDER ? sender_stage(&c) : run_stage(&c, stage);
	snprintf(dip[stage], sizeof(dip[stage]), "%s", buf_str(c.dip));
	if (r && stage == STAGE_HELO)
		smtpd_log_reject(st, "HELO", r, NULL);	/* MAIL and RCPT log their own */
	return r;
}

/* smtpd_check_connect - the client stage at connect (smtpd_delay_reject =
 * no): a refusal replaces the greeting and every later command but QUIT
 * gets 503 (st->access_denied) */
const char *smtpd_check_connect(struct smtpd *st)
{
	const char *r;

	if (st->g->cf->smtpd_delay_reject || (r = stage_alone(st, STAGE_CLIENT)) == NULL)
		return NULL;
	snprintf(st->access_denied, sizeof(st->access_denied), "%s", r);
	smtpd_log_reject(st, "CONNECT", r, NULL);
	return st->access_denied;
}

/* smtpd_check_helo - the HELO stage (smtpd_delay_reject = no) */
const char *smtpd_check_helo(struct smtpd *st)
{
	return stage_alone(st, STAGE_HELO);
}

/* smtpd_check_sender - the sender stage (smtpd_delay_reject = no); a
 * defer_if_permit armed so far waits for RCPT, as in Postfix */
const char *smtpd_check_sender(struct smtpd *st)
{
	return stage_alone(st, STAGE_SENDER);
}

/* smtpd_check_rcpt - every stage up to the recipient, the defer_if_permit
 * they armed, then "unlisted" */
const char *smtpd_check_rcpt(struct smtpd *st, const char *rcpt)
{
	struct check c;
	const char *r = NULL;

	if (strcasecmp(rcpt, "postmaster") == 0)
		return NULL;		/* RFC 5321 4.5.1: always accepted */
	check_new(&c, st, rcpt);
	if (st->g->cf->smtpd_delay_reject) {
		if ((r = run_stage(&c, STAGE_CLIENT)) == NULL && (r = run_stage(&c, STAGE_HELO)) == NULL)
			r = sender_stage(&c);
	} else {
		buf_set(c.dip, st->defer_if_permit[STAGE_SENDER]);
	}
	if (r == NULL && (r = run_stage(&c, STAGE_RELAY)) == NULL)
		r = run_stage(&c, STAGE_RECIPIENT);
	if (r == NULL && buf_len(c.dip))
		r = buf_str(c.dip);
	if (r == NULL && st->g->cf->smtpd_reject_unlisted_recipient) {
		c.stage = STAGE_RECIPIENT;
		if (check_unlisted(&c, rcpt) != CHECK_DUNNO)
			r = buf_str(c.reply);
	}
	return r;
}

/* smtpd_check_data - smtpd_data_restrictions at DATA */
const char *smtpd_check_data(struct smtpd *st)
{
	struct check c;
	const char *r;

	check_new(&c, st, NULL);
	r = run_stage(&c, STAGE_DATA);
	return r == NULL && buf_len(c.dip) ? buf_str(c.dip) : r;
}

/* split_param - a restriction list parameter as tokens */
static struct strv *split_param(struct config *cfg, const char *name)
{
	const char *v = config_get(cfg, name);

	return strv_split(v ? v : "", ", \t\r\n");
}

/* open_tables - every "type:name" of a list (after check_*_access or
 * alone), opened now: after chroot its path may be out of reach */
static void open_tables(const struct strv *list)
{
	for (size_t i = 0; i < list->len; i++)
		if (strchr(list->items[i], ':'))
			check_table(list->items[i]);
}

/* smtpd_check_init - parse the lists and open the tables (before chroot) */
void smtpd_check_init(struct smtpd_global *g)
{
	static const char *const lists[] = {
		"smtpd_client_restrictions", "smtpd_helo_restrictions", "smtpd_sender_restrictions",
		"smtpd_relay_restrictions", "smtpd_recipient_restrictions", "smtpd_data_restrictions",
	};
	struct buf *why = buf_new(0);

	tables = htable_new(16);
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		g->restrictions[i] = split_param(g->config, lists[i]);
	g->classes = strv_split(g->cf->smtpd_restriction_classes, ", \t\r\n");
	g->mynetworks = netmatch_new("mynetworks", g->cf->mynetworks, why);
	if (g->mynetworks == NULL)
		log_fatal("%s", buf_str(why));
	check_resolve_init(g);
	check_login_init(g);
	restriction_warn(g->config, NULL);
	for (size_t s = 0; s < sizeof(lists) / sizeof(lists[0]); s++)
		open_tables(g->restrictions[s]);
	for (size_t i = 0; i < g->classes->len; i++) {
		struct strv *cl = split_param(g->config, g->classes->items[i]);

		open_tables(cl);
		strv_free(&cl);
	}
	g->banner = xstrdup(config_get(g->config, "smtpd_banner"));
	buf_free(&why);
}
