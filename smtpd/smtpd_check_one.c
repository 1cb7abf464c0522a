/* smtpd_check_one - each restriction by name, from a table (old Postfix
 * names included).  A restriction that needs a recipient or a HELO name
 * that the command does not have is skipped (DUNNO), as in Postfix. */
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
	return check_reply(c, (int)c->st->g->cf->defer_code, "4.7.1", check_what(c),
			   "Access denied");
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
	return c->rcpt ? check_unlisted(c, c->rcpt) : CHECK_DUNNO;
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
	{ "permit", r_permit, false }, { "reject", r_reject, false }, { "defer", r_defer, false },
	{ "dunno", r_noop, false },
	{ "permit_mynetworks", r_mynetworks, false },
	{ "permit_sasl_authenticated", r_sasl, false },
	{ "permit_auth_destination", r_auth_destination, false },
	{ "reject_unauth_destination", r_reject_unauth, false },
	{ "defer_unauth_destination", r_defer_unauth, false },
	{ "check_client_access", r_client_access, true },
	{ "check_helo_access", r_helo_access, true },
	{ "check_sender_access", r_sender_access, true },
	{ "check_recipient_access", r_recipient_access, true },
	{ "reject_unlisted_recipient", r_unlisted_recipient, false },
	{ "reject_unknown_recipient", r_unlisted_recipient, false },
	{ "reject_unlisted_sender", r_noop, false },
	{ "reject_unauth_pipelining", r_noop, false },
	{ "reject_non_fqdn_sender", check_non_fqdn_sender, false },
	{ "reject_non_fqdn_recipient", check_non_fqdn_recipient, false },
	{ "reject_non_fqdn_helo_hostname", check_non_fqdn_helo, false },
	{ "reject_non_fqdn_hostname", check_non_fqdn_helo, false },
	{ "reject_invalid_helo_hostname", check_invalid_helo, false },
	{ "reject_invalid_hostname", check_invalid_helo, false },
	{ "reject_unknown_helo_hostname", check_unknown_helo, false },
	{ "reject_unknown_hostname", check_unknown_helo, false },
	{ "reject_unknown_client_hostname", check_unknown_client, false },
	{ "reject_unknown_client", check_unknown_client, false },
	{ "reject_unknown_reverse_client_hostname", check_unknown_client, false },
	{ "reject_unknown_sender_domain", check_unknown_sender_domain, false },
	{ "reject_unknown_recipient_domain", check_unknown_recipient_domain, false },
	{ "reject_rbl_client", check_rbl_client, true },
	{ "reject_sender_login_mismatch", check_sender_login_mismatch, false },
	{ "reject_authenticated_sender_login_mismatch", check_authenticated_sender_login_mismatch, false },
	{ "reject_unauthenticated_sender_login_mismatch", check_unauthenticated_sender_login_mismatch, false },
	{ "reject_known_sender_login_mismatch", check_known_sender_login_mismatch, false },
};

/* is_class - whether name is one of smtpd_restriction_classes */
static bool is_class(struct smtpd_global *g, const char *name)
{
	for (size_t i = 0; i < g->classes->len; i++)
		if (strcmp(g->classes->items[i], name) == 0)
			return true;
	return false;
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
			buf_set(c->reply, "451 4.3.5 Server configuration error");
			return CHECK_DEFER;
		}
		return restrictions[k].fn(c, list->items[++*i]);
	}
	if (is_class(c->st->g, name)) {
		struct strv *cl = strv_split(config_get(c->st->g->config, name), ", \t\r\n");
		int rc = check_list(c, cl);

		strv_free(&cl);
		return rc;
	}
	log_warn("unknown smtpd restriction: \"%s\"", name);
	buf_set(c->reply, "451 4.3.5 Server configuration error");
	return CHECK_DEFER;
}
