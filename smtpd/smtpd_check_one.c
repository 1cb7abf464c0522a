/* smtpd_check_one - each restriction by name, from the table that
 * global/restriction.def defines (old Postfix names included; "hato
 * check" reads the same names).  A restriction that needs a recipient or
 * a HELO name that the command does not have is skipped (DUNNO), as in
 * Postfix.  A bare "type:table" item is the stage's check_*_access. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "access.h"
#include "log.h"
#include "mem.h"
#include "smtpd_check.h"

typedef int restriction_fn(struct check *c, const char *arg);

/* opts - access(5) lookup options from main.cf */
static struct access_opts opts(struct check *c)
{
	const struct params *cf = c->st->g->cf;

	return (struct access_opts){
		.parent_matches_subdomains = strstr(cf->parent_domain_matches_subdomains,
						    "smtpd_access_maps") != NULL,
		.recipient_delimiter = cf->recipient_delimiter,
		.null_key = cf->smtpd_null_access_lookup_key,
	};
}

/* lookup_result - common tail of the check_*_access restrictions */
static int lookup_result(struct check *c, struct dict *d, int rc, const char *value,
			 const char *what, enum smtpd_stage reply_stage)
{
	enum smtpd_stage saved = c->stage;

	if (rc == 0)
		return CHECK_DUNNO;
	c->stage = reply_stage;		/* "Sender address rejected" wherever it is listed */
	if (rc < 0) {		/* a missing or broken table: Postfix's answer */
		log_warn("%s: table %s:%s: %s", what, d->type, d->name, dict_error(d));
		rc = check_reply(c, 451, "4.3.5", what, "Server configuration error");
	} else {
		rc = check_access_result(c, value, what);
	}
	c->stage = saved;
	return rc;
}

/* r_client_access - check_client_access TABLE */
static int r_client_access(struct check *c, const char *arg)
{
	struct dict *d = check_table(arg);
	struct access_opts o = opts(c);
	struct buf *key = buf_new(64);
	const char *v;
	int rc = access_client(d, &o, c->st->name, c->st->addr, &v, key);
	enum smtpd_stage saved = c->stage;

	c->stage = STAGE_CLIENT;
	rc = lookup_result(c, d, rc, v, check_what(c), STAGE_CLIENT);
	c->stage = saved;
	buf_free(&key);
	return rc;
}

/* r_helo_access - check_helo_access TABLE */
static int r_helo_access(struct check *c, const char *arg)
{
	struct dict *d = check_table(arg);
	struct access_opts o = opts(c);
	struct buf *key = buf_new(64);
	const char *v;
	int rc;

	if (c->st->helo == NULL) {
		buf_free(&key);
		return CHECK_DUNNO;
	}
	rc = access_helo(d, &o, c->st->helo, &v, key);
	rc = lookup_result(c, d, rc, v, c->st->helo, STAGE_HELO);
	buf_free(&key);
	return rc;
}

/* address_access - check_sender_access / check_recipient_access */
static int address_access(struct check *c, const char *table, const char *address,
			  enum smtpd_stage reply_stage)
{
	struct dict *d = check_table(table);
	struct access_opts o = opts(c);
	struct buf *key = buf_new(64);
	const char *v;
	int rc;

	if (address == NULL) {
		buf_free(&key);
		return CHECK_DUNNO;
	}
	rc = access_address(d, &o, address, &v, key);
	rc = lookup_result(c, d, rc, v, address, reply_stage);
	buf_free(&key);
	return rc;
}

/* r_sender_access - check_sender_access TABLE */
static int r_sender_access(struct check *c, const char *arg)
{
	return address_access(c, arg, c->st->sender, STAGE_SENDER);
}

/* r_recipient_access - check_recipient_access TABLE */
static int r_recipient_access(struct check *c, const char *arg)
{
	return address_access(c, arg, c->rcpt, STAGE_RECIPIENT);
}

/* r_permit, r_reject, r_defer - the fixed answers */
static int r_permit(struct check *c, const char *arg)
{
	(void)c, (void)arg;
	return CHECK_PERMIT;
}

static int r_reject(struct check *c, const char *arg)
{
	(void)arg;
	return check_reply(c, (int)c->st->g->cf->reject_code, "5.7.1", check_what(c),
			   "Access denied");
}

static int r_defer(struct check *c, const char *arg)
{
	(void)arg;
	return check_reply(c, (int)c->st->g->cf->defer_code, "4.3.2", check_what(c),
			   "Try again later");
}

/* r_defer_if_permit, r_defer_if_reject - arm the conditional deferrals */
static int r_defer_if_permit(struct check *c, const char *arg)
{
	(void)arg;
	return check_defer_if(c, c->dip, 450, "4.7.0", "<%s>: %s rejected: defer_if_permit requested",
			      check_what(c), check_class(c));
}

static int r_defer_if_reject(struct check *c, const char *arg)
{
	(void)arg;
	return check_defer_if(c, c->dir, 450, "4.7.0", "<%s>: %s rejected: defer_if_reject requested",
			      check_what(c), check_class(c));
}

/* r_plaintext - reject_plaintext_session */
static int r_plaintext(struct check *c, const char *arg)
{
	(void)arg;
	if (c->st->tls)
		return CHECK_DUNNO;
	return check_refuse(c, (int)c->st->g->cf->plaintext_reject_code, "4.7.1",
			    "Session encryption is required");
}

/* r_unauth_pipelining - reject_unauth_pipelining: nothing may follow DATA
 * before our reply, and a client that did not say EHLO never learnt that
 * it may pipeline at all (smtpd_mail.c notes that at MAIL and RCPT) */
static int r_unauth_pipelining(struct check *c, const char *arg)
{
	(void)arg;
	if (!c->st->ill_pipelining && (stream_pending(c->st->s) == 0
				       || (c->st->esmtp && c->stage != STAGE_DATA)))
		return CHECK_DUNNO;
	return check_reply(c, 503, "5.5.0", check_what(c), "Improper use of SMTP command pipelining");
}

/* r_multi_recipient_bounce - reject_multi_recipient_bounce */
static int r_multi_recipient_bounce(struct check *c, const char *arg)
{
	const char *sender = c->st->sender;

	(void)arg;
	if (sender == NULL || *sender || c->st->nrcpt < (c->stage == STAGE_DATA ? 2u : 1u))
		return CHECK_DUNNO;
	return check_reply(c, (int)c->st->g->cf->multi_recipient_bounce_reject_code, "5.5.3",
			   check_what(c), "Multi-recipient bounce");
}

/* r_mynetworks - permit_mynetworks */
static int r_mynetworks(struct check *c, const char *arg)
{
	int rc = netmatch_match(c->st->g->mynetworks, c->st->addr, c->st->name);

	(void)arg;
	if (rc < 0)
		return check_temp(c, check_what(c), netmatch_error(c->st->g->mynetworks));
	return rc == 1 ? CHECK_PERMIT : CHECK_DUNNO;
}

/* r_sasl - permit_sasl_authenticated */
static int r_sasl(struct check *c, const char *arg)
{
	(void)arg;
	return c->st->sasl_username ? CHECK_PERMIT : CHECK_DUNNO;
}

/* r_auth_destination - permit_auth_destination */
static int r_auth_destination(struct check *c, const char *arg)
{
	(void)arg;
	if (c->rcpt == NULL)
		return CHECK_DUNNO;
	return smtpd_is_auth_destination(c->st->g, c->rcpt) ? CHECK_PERMIT : CHECK_DUNNO;
}

/* unauth_destination - reject_/defer_unauth_destination */
static int unauth_destination(struct check *c, int code, const char *dsn)
{
	if (c->rcpt == NULL || smtpd_is_auth_destination(c->st->g, c->rcpt))
		return CHECK_DUNNO;
	return check_reply_plain(c, code, dsn, c->rcpt, "Relay access denied");
}

static int r_reject_unauth(struct check *c, const char *arg)
{
	(void)arg;
	return unauth_destination(c, (int)c->st->g->cf->relay_domains_reject_code, "5.7.1");
}

static int r_defer_unauth(struct check *c, const char *arg)
{
	(void)arg;
	return unauth_destination(c, 454, "4.7.1");
}

/* r_unlisted_recipient, r_unlisted_sender */
static int r_unlisted_recipient(struct check *c, const char *arg)
{
	(void)arg;
	return c->rcpt && *c->rcpt ? check_unlisted(c, c->rcpt) : CHECK_DUNNO;
}

static int r_unlisted_sender(struct check *c, const char *arg)
{
	enum smtpd_stage saved = c->stage;
	int rc;

	(void)arg;
	if (c->st->sender == NULL || !*c->st->sender)
		return CHECK_DUNNO;
	c->stage = STAGE_SENDER;
	rc = check_unlisted(c, c->st->sender);
	c->stage = saved;
	return rc;
}

static int r_noop(struct check *c, const char *arg)
{
	(void)c, (void)arg;
	return CHECK_DUNNO;
}

static const struct restriction {
	const char *name;
	restriction_fn *fn;
	bool takes_arg;
} restrictions[] = {
#define R(name, fn, arg) { name, fn, arg },
#include "restriction.def"
#undef R
};

/* is_class - whether name is one of smtpd_restriction_classes */
static bool is_class(struct smtpd_global *g, const char *name)
{
	for (size_t i = 0; i < g->classes->len; i++)
		if (strcmp(g->classes->items[i], name) == 0)
			return true;
	return false;
}

/* implicit - a bare "type:table" item: the stage's check_*_access */
static int implicit(struct check *c, const char *table)
{
	switch (c->stage) {
	case STAGE_CLIENT:
		return r_client_access(c, table);
	case STAGE_HELO:
		return r_helo_access(c, table);
	case STAGE_SENDER:
		return r_sender_access(c, table);
	case STAGE_RELAY: case STAGE_RECIPIENT:
		return r_recipient_access(c, table);
	default:
		log_warn("specify a check_*_access restriction before \"%s\"", table);
		return check_refuse(c, 451, "4.3.5", "Server configuration error");
	}
}

/* check_one - the restriction at list->items[*i]; *i moves past its argument */
int check_one(struct check *c, const struct strv *list, size_t *i)
{
	const char *name = list->items[*i];

	for (size_t k = 0; k < sizeof(restrictions) / sizeof(restrictions[0]); k++) {
		if (strcasecmp(restrictions[k].name, name) != 0)
			continue;
		if (!restrictions[k].takes_arg)
			return restrictions[k].fn(c, NULL);
		if (*i + 1 >= list->len) {
			log_warn("restriction %s needs an argument", name);
			return check_refuse(c, 451, "4.3.5", "Server configuration error");
		}
		return restrictions[k].fn(c, list->items[++*i]);
	}
	if (strchr(name, ':'))
		return implicit(c, name);
	if (is_class(c->st->g, name)) {
		struct strv *cl = strv_split(config_get(c->st->g->config, name), ", \t\r\n");
		int rc = check_list(c, cl);

		strv_free(&cl);
		return rc;
	}
	log_warn("unknown smtpd restriction: \"%s\"", name);
	return check_refuse(c, 451, "4.3.5", "Server configuration error");
}
