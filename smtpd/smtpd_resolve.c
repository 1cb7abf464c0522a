/* smtpd_resolve - which domains are ours, and whether a recipient exists.
 *
 * A recipient is an "authorized destination" (permit_auth_destination,
 * reject_unauth_destination) when its domain is in mydestination,
 * virtual_alias_domains, virtual_mailbox_domains or relay_domains, and
 * its local part has no sender-specified routing ('@', '%', '!'): that is
 * what stops user%other@ourdomain, "user@other"@ourdomain and
 * other!user@ourdomain.  A trailing dot is dropped from the domain; an
 * address literal ([1.2.3.4]) is never ours.  Domain lists hold names
 * and type:table entries (the domain is looked up).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "log.h"
#include "mem.h"
#include "smtpd_check.h"

/* split_domain - lower-cased domain of addr without a trailing dot, or NULL */
static char *split_domain(const char *addr, char **local_r)
{
	const char *at = strrchr(addr, '@');
	char *d;
	size_t len;

	if (local_r)
		*local_r = at ? xstrndup(addr, (size_t)(at - addr)) : xstrdup(addr);
	if (at == NULL)
		return NULL;
	d = xstrdup(at + 1);
	len = strlen(d);
	if (len > 0 && d[len - 1] == '.')
		d[--len] = '\0';
	for (char *p = d; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return d;
}

/* in_list - 1 when domain (or, with subdomains, a parent) is listed */
static int in_list(const struct strv *list, const char *domain, bool subdomains)
{
	for (size_t i = 0; i < list->len; i++) {
		const char *item = list->items[i];
		size_t il = strlen(item), dl = strlen(domain);

		if (strchr(item, ':') && item[0] != '[') {
			const char *v;
			int rc = dict_lookup(check_table(item), domain, &v);

			if (rc != 0)
				return rc;
			continue;
		}
		if (strcasecmp(item, domain) == 0)
			return 1;
		if (subdomains && dl > il && domain[dl - il - 1] == '.'
		    && strcasecmp(domain + dl - il, item[0] == '.' ? item + 1 : item) == 0)
			return 1;
	}
	return 0;
}

/* smtpd_domain_class - local, virtual alias, virtual mailbox, relay or remote */
enum smtpd_domain smtpd_domain_class(struct smtpd_global *g, const char *domain)
{
	bool relay_sub = strstr(g->cf->parent_domain_matches_subdomains, "relay_domains") != NULL;

	if (domain[0] == '[')
		return DOM_REMOTE;
	if (in_list(g->mydestination, domain, false) == 1)
		return DOM_LOCAL;
	if (in_list(g->virtual_alias_domains, domain, false) == 1)
		return DOM_VIRTUAL_ALIAS;
	if (in_list(g->virtual_mailbox_domains, domain, false) == 1)
		return DOM_VIRTUAL_MAILBOX;
	if (in_list(g->relay_domains, domain, relay_sub) == 1)
		return DOM_RELAY;
	return DOM_REMOTE;
}

/* smtpd_is_auth_destination - we accept mail for addr from anyone */
bool smtpd_is_auth_destination(struct smtpd_global *g, const char *addr)
{
	char *local, *domain = split_domain(addr, &local);
	bool ours;

	if (domain == NULL)		/* unqualified: $myorigin, ours */
		ours = !addr_local_has_routing(local);
	else
		ours = !addr_local_has_routing(local) && *domain && smtpd_domain_class(g, domain) != DOM_REMOTE;
	free(local);
	free(domain);
	return ours;
}

/* find - maps lookup of key, then of unextended and of fallback (each may
 * be NULL) */
static int find(struct maps *m, const char *key, const char *unextended, const char *fallback)
{
	const char *v;
	int rc;

	if (m == NULL)
		return 1;
	rc = maps_find(m, key, &v);
	if (rc == 0 && unextended)
		rc = maps_find(m, unextended, &v);
	if (rc == 0 && fallback)
		rc = maps_find(m, fallback, &v);
	return rc;
}

/* base_of - local part without its recipient_delimiter extension */
static char *base_of(struct smtpd_global *g, const char *local)
{
	const char *delims = g->cf->recipient_delimiter;
	size_t n = delims && *delims ? strcspn(local, delims) : strlen(local);

	return xstrndup(local, n > 0 ? n : strlen(local));
}

/* unknown - the reply for a recipient no table knows */
static int unknown(struct check *c, int code, const char *rcpt, const char *table)
{
	struct buf *t = buf_new(64);
	int rc;

	buf_printf(t, "User unknown in %s", table);
	rc = check_reply(c, code, c->stage == STAGE_SENDER ? "5.1.0" : "5.1.1", rcpt, buf_str(t));
	buf_free(&t);
	return rc;
}

/* check_unlisted - reject_unlisted_recipient (and _sender, at STAGE_SENDER) */
int check_unlisted(struct check *c, const char *rcpt)
{
	struct smtpd_global *g = c->st->g;
	char *local, *domain = split_domain(rcpt, &local), *base = base_of(g, local);
	char *at_domain = xmalloc(strlen(domain ? domain : "") + 2);
	enum smtpd_domain dc = domain ? smtpd_domain_class(g, domain) : DOM_LOCAL;
	int rc = CHECK_DUNNO, found;
	struct maps *m = NULL, *asked;
	const char *table = NULL, *key = local;
	char *unext = NULL;		/* the address without its extension */
	long code = 550;

	strcpy(at_domain, "@");
	strcat(at_domain, domain ? domain : "");
	if (addr_local_has_routing(local) || dc == DOM_REMOTE)
		goto out;
	if (domain && strcmp(base, local) != 0) {	/* user+ext@domain: user@domain too, as Postfix */
		unext = xmalloc(strlen(base) + strlen(domain) + 2);
		sprintf(unext, "%s@%s", base, domain);
	}
	found = g->virtual_aliases ? find(g->virtual_aliases, rcpt, unext, at_domain) : 0;
	asked = g->virtual_aliases;
	if (found == 0 && dc == DOM_LOCAL) {
		m = g->local_recipients, table = "local recipient table", key = base;
		code = g->cf->unknown_local_recipient_reject_code;
	} else if (found == 0 && dc == DOM_VIRTUAL_MAILBOX) {
		m = g->virtual_mailboxes, table = "virtual mailbox table", key = rcpt;
		code = g->cf->unknown_virtual_mailbox_reject_code;
	} else if (found == 0 && dc == DOM_VIRTUAL_ALIAS) {
		table = "virtual alias table", code = g->cf->unknown_virtual_alias_reject_code;
	} else if (found == 0 && dc == DOM_RELAY && g->relay_recipients) {
		m = g->relay_recipients, table = "relay recipient table", key = rcpt;
		code = g->cf->unknown_relay_recipient_reject_code;
	}
	if (found == 0 && table && dc == DOM_LOCAL && m == NULL)
		found = 1;		/* local_recipient_maps is empty: anyone */
	else if (found == 0 && table && m)
		found = find(asked = m, key, dc == DOM_LOCAL ? NULL : unext, dc == DOM_LOCAL ? NULL : at_domain);
	if (found < 0)		/* the log says which table and why */
		rc = check_temp(c, rcpt, maps_error(asked));
	else if (found == 0 && table)
		rc = unknown(c, (int)code, rcpt, table);
out:
	free(local);
	free(domain);
	free(base);
	free(unext);
	free(at_domain);
	return rc;
}

/* open_maps - a table list parameter, or NULL when it is empty */
static struct maps *open_maps(struct smtpd_global *g, const char *name)
{
	const char *v = config_get(g->config, name);

	return v && *v ? maps_open(name, v, DICT_FLAG_FOLD_KEY) : NULL;
}

/* check_resolve_init - domain lists and recipient tables */
void check_resolve_init(struct smtpd_global *g)
{
	const char *sep = ", \t\r\n";

	g->mydestination = strv_split(g->cf->mydestination, sep);
	g->relay_domains = strv_split(g->cf->relay_domains, sep);
	g->virtual_alias_domains = strv_split(g->cf->virtual_alias_domains, sep);
	g->virtual_mailbox_domains = strv_split(g->cf->virtual_mailbox_domains, sep);
	g->local_recipients = open_maps(g, "local_recipient_maps");
	g->virtual_mailboxes = open_maps(g, "virtual_mailbox_maps");
	g->virtual_aliases = open_maps(g, "virtual_alias_maps");
	g->relay_recipients = open_maps(g, "relay_recipient_maps");
}
