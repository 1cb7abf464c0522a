/* smtpd_check - the restriction lists, evaluated in Postfix's order.
 *
 * Stages: client, helo, sender, relay, recipient, data.  In a stage the
 * restrictions run in order until one permits (the stage ends, the next
 * stage runs), rejects or defers (the command is refused).  With
 * smtpd_delay_reject = yes every stage up to the recipient's runs at RCPT.
 * After the recipient stages, an unknown recipient in our domains is
 * refused (smtpd_reject_unlisted_recipient).  Access maps (access.h) may
 * answer OK, REJECT, DUNNO, a code, HOLD/DISCARD/PREPEND (passed on to
 * cleanup) or the name of a restriction class.  An unknown restriction
 * or a table that fails is "451 4.3.x", never a silent permit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "access.h"
#include "htable.h"
#include "log.h"
#include "mem.h"
#include "smtpd.h"
#include "smtpd_check.h"

enum { MAX_CLASS_DEPTH = 10 };

static struct htable *tables;		/* "type:name" -> struct dict * */
static const char *const stage_text[] = {
	"Client host rejected", "Helo command rejected", "Sender address rejected",
	"Recipient address rejected", "Recipient address rejected", "Data command rejected",
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

/* check_reply_plain - set the reply "CODE X.Y.Z <what>: text" */
int check_reply_plain(struct check *c, int code, const char *dsn, const char *what,
		      const char *text)
{
	buf_reset(c->reply);
	buf_printf(c->reply, "%d %c%s <%s>: %s", code, code >= 500 ? '5' : '4', dsn + 1, what, text);
	return code >= 500 ? CHECK_REJECT : CHECK_DEFER;
}

/* check_reply - set the reply "CODE X.Y.Z <what>: Stage rejected: text" */
int check_reply(struct check *c, int code, const char *dsn, const char *what, const char *text)
{
	struct buf *t = buf_new(128);
	int rc;

	buf_printf(t, "%s: %s", stage_text[c->stage], text);
	rc = check_reply_plain(c, code, dsn, what, buf_str(t));
	buf_free(&t);
	return rc;
}

/* check_temp - a table or DNS failure: defer, never permit */
int check_temp(struct check *c, const char *what, const char *why)
{
	log_warn("%s: %s", what, why);
	buf_reset(c->reply);
	buf_printf(c->reply, "451 4.3.0 <%s>: Temporary lookup failure", what);
	return CHECK_DEFER;
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
	default:
		return c->rcpt ? c->rcpt : "";
	}
}

/* access_result - act on what an access table said */
int check_access_result(struct check *c, const char *value, const char *what)
{
	struct access_action a;
	const struct params *cf = c->st->g->cf;
	struct buf *text;
	int rc;

	access_parse_action(value, &a);
	switch (a.kind) {
	case ACCESS_OK:
		return CHECK_PERMIT;
	case ACCESS_DUNNO:
		return CHECK_DUNNO;
	case ACCESS_REJECT:
		return check_reply(c, (int)cf->access_map_reject_code, "5.7.1", what,
				   *a.text ? a.text : "Access denied");
	case ACCESS_DEFER:
		return check_reply(c, (int)cf->access_map_defer_code, "4.7.1", what,
				   *a.text ? a.text : "Access denied");
	case ACCESS_CODE:
		return check_reply(c, a.code, a.code >= 500 ? "5.7.1" : "4.7.1", what,
				   *a.text ? a.text : "Access denied");
	case ACCESS_HOLD: case ACCESS_DISCARD: case ACCESS_PREPEND: case ACCESS_REDIRECT:
	case ACCESS_FILTER: case ACCESS_BCC:
		text = buf_new(64);
		buf_printf(text, "%s=%s", a.kind == ACCESS_HOLD ? "hold" : a.kind == ACCESS_DISCARD ?
			   "discard" : a.kind == ACCESS_PREPEND ? "prepend" : a.kind == ACCESS_REDIRECT ?
			   "redirect" : a.kind == ACCESS_FILTER ? "filter" : "bcc", a.text);
		strv_add(c->st->cleanup_attrs, buf_str(text));
		buf_free(&text);
		return a.kind == ACCESS_DISCARD ? CHECK_PERMIT : CHECK_DUNNO;
	case ACCESS_WARN: case ACCESS_INFO:
		log_info("%s: %s: %s from %s[%s]: %s", c->st->queue_id ? c->st->queue_id : "NOQUEUE",
			 a.kind == ACCESS_WARN ? "warn" : "info", stage_text[c->stage], c->st->name,
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
	bool warn_only = false;

	if (++c->depth > MAX_CLASS_DEPTH) {
		c->depth--;
		log_warn("restriction classes nested more than %d deep", MAX_CLASS_DEPTH);
		buf_set(c->reply, "451 4.3.5 Server configuration error");
		return CHECK_DEFER;
	}
	for (size_t i = 0; i < list->len && rc == CHECK_DUNNO; i++) {
		const char *name = list->items[i];

		if (strcasecmp(name, "warn_if_reject") == 0) {
			warn_only = true;
			continue;
		}
		rc = check_one(c, list, &i);
		if (warn_only && rc == CHECK_REJECT) {
			log_info("%s: reject_warning: %s from %s[%s]: %s",
				 c->st->queue_id ? c->st->queue_id : "NOQUEUE", "RCPT", c->st->name,
				 c->st->addr, buf_str(c->reply));
			rc = CHECK_DUNNO;
		}
		warn_only = false;
	}
	c->depth--;
	return rc;
}

/* run_stage - one stage's list; NULL when it did not refuse */
static const char *run_stage(struct check *c, enum smtpd_stage stage)
{
	int rc;

	c->stage = stage;
	rc = check_list(c, c->st->g->restrictions[stage]);
	return rc == CHECK_REJECT || rc == CHECK_DEFER ? buf_str(c->reply) : NULL;
}

/* check_new - a context for one command */
static void check_new(struct check *c, struct smtpd *st, const char *rcpt)
{
	static struct buf *reply, *what;

	if (reply == NULL) {
		reply = buf_new(256);
		what = buf_new(256);
	}
	*c = (struct check){ .st = st, .rcpt = rcpt, .reply = reply, .what = what };
}

/* smtpd_check_client - the client stage alone (smtpd_delay_reject = no) */
const char *smtpd_check_client(struct smtpd *st)
{
	struct check c;

	check_new(&c, st, NULL);
	return run_stage(&c, STAGE_CLIENT);
}

/* smtpd_check_helo - client and HELO stages */
const char *smtpd_check_helo(struct smtpd *st)
{
	struct check c;
	const char *r;

	check_new(&c, st, NULL);
	if ((r = run_stage(&c, STAGE_CLIENT)) == NULL)
		r = run_stage(&c, STAGE_HELO);
	return r;
}

/* smtpd_check_sender - client, HELO and sender stages */
const char *smtpd_check_sender(struct smtpd *st)
{
	struct check c;
	const char *r;

	check_new(&c, st, NULL);
	if ((r = run_stage(&c, STAGE_CLIENT)) == NULL && (r = run_stage(&c, STAGE_HELO)) == NULL)
		r = run_stage(&c, STAGE_SENDER);
	return r;
}

/* smtpd_check_rcpt - every stage up to the recipient, then "unlisted" */
const char *smtpd_check_rcpt(struct smtpd *st, const char *rcpt)
{
	struct check c;
	const char *r = NULL;

	check_new(&c, st, rcpt);
	if (st->g->cf->smtpd_delay_reject) {
		if ((r = run_stage(&c, STAGE_CLIENT)) == NULL && (r = run_stage(&c, STAGE_HELO)) == NULL)
			r = run_stage(&c, STAGE_SENDER);
	}
	if (r == NULL && (r = run_stage(&c, STAGE_RELAY)) == NULL)
		r = run_stage(&c, STAGE_RECIPIENT);
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

	check_new(&c, st, NULL);
	return run_stage(&c, STAGE_DATA);
}

/* split_param - a restriction list parameter as tokens */
static struct strv *split_param(struct config *cfg, const char *name)
{
	const char *v = config_get(cfg, name);

	return strv_split(v ? v : "", ", \t\r\n");
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
	for (size_t s = 0; s < sizeof(lists) / sizeof(lists[0]); s++)
		for (size_t i = 0; i + 1 < g->restrictions[s]->len; i++)
			if (strncasecmp(g->restrictions[s]->items[i], "check_", 6) == 0)
				check_table(g->restrictions[s]->items[i + 1]);
	g->banner = xstrdup(config_get(g->config, "smtpd_banner"));
	buf_free(&why);
}
