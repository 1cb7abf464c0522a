/* qmgr_resolve - which transport and next hop a recipient goes to.
 *
 * In order: transport_maps (the full address, then the domain and its
 * parents as ".parent"), a domain in mydestination (local_transport), in
 * virtual_mailbox_domains (virtual_transport), in relay_domains
 * (relay_transport), anything else default_transport with relayhost as the
 * next hop when it is set.  A transport_maps value is "transport:nexthop"
 * where either part may be empty (empty keeps the default).  Domain lists
 * hold names and type:table entries, as in smtpd.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "mem.h"
#include "qmgr.h"

/* table - a domain table, opened once */
static struct maps *table(const char *spec)
{
	static struct htable *open_tables;
	struct maps *m;

	if (open_tables == NULL)
		open_tables = htable_new(8);
	if ((m = htable_get(open_tables, spec)) == NULL) {
		m = maps_open("domains", spec, DICT_FLAG_FOLD_KEY);
		htable_put(open_tables, spec, m);
	}
	return m;
}

/* in_list - 1 domain is listed, 0 not, -1 a table failed */
static int in_list(const struct strv *list, const char *domain)
{
	for (size_t i = 0; i < list->len; i++) {
		const char *item = list->items[i], *v;

		if (strchr(item, ':') && item[0] != '[') {
			int rc = maps_find(table(item), domain, &v);

			if (rc != 0)
				return rc;
		} else if (strcasecmp(item, domain) == 0) {
			return 1;
		}
	}
	return 0;
}

/* split_transport - "transport:nexthop" into the two (defaults kept when empty) */
static void split_transport(const char *value, struct buf *transport, struct buf *nexthop)
{
	const char *colon = strchr(value, ':');

	if (colon == NULL) {
		if (*value)
			buf_set(transport, value);
		return;
	}
	if (colon > value) {
		buf_reset(transport);
		buf_add(transport, value, (size_t)(colon - value));
	}
	if (colon[1])
		buf_set(nexthop, colon + 1);
}

/* transport_lookup - transport_maps for addr, its domain and parents */
static int transport_lookup(struct qmgr_global *g, const char *addr, const char *domain,
			    const char **value_r)
{
	int rc;

	if (g->transport_maps == NULL)
		return 0;
	if ((rc = maps_find(g->transport_maps, addr, value_r)) != 0 || domain == NULL)
		return rc;
	if ((rc = maps_find(g->transport_maps, domain, value_r)) != 0)
		return rc;
	for (const char *d = strchr(domain, '.'); d; d = strchr(d + 1, '.'))
		if ((rc = maps_find(g->transport_maps, d, value_r)) != 0)
			return rc;
	return 0;
}

/* qmgr_resolve - transport and next hop for rcpt */
int qmgr_resolve(struct qmgr_global *g, const char *rcpt, struct buf *transport,
		 struct buf *nexthop, struct buf *why)
{
	const struct params *cf = g->cf;
	const char *at = strrchr(rcpt, '@'), *value;
	char *domain = at ? xstrdup(at + 1) : xstrdup(cf->myhostname);
	int rc;

	for (char *p = domain; *p; p++)
		*p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
	if (rc = in_list(g->mydestination, domain), rc == 1) {
		split_transport(cf->local_transport, transport, nexthop);
	} else if (rc == 0 && (rc = in_list(g->virtual_mailbox_domains, domain)) == 1) {
		buf_set(transport, cf->virtual_transport);
		buf_set(nexthop, domain);
	} else if (rc == 0 && (rc = in_list(g->relay_domains, domain)) == 1) {
		buf_set(transport, cf->relay_transport);
		buf_set(nexthop, *cf->relayhost ? cf->relayhost : domain);
	} else if (rc == 0) {
		buf_set(transport, cf->default_transport);
		buf_set(nexthop, *cf->relayhost ? cf->relayhost : domain);
	}
	if (rc >= 0 && strchr(buf_str(transport), ':')) {
		char *t = xstrdup(buf_str(transport));

		buf_reset(transport);
		split_transport(t, transport, nexthop);
		free(t);
	}
	if (rc >= 0 && (rc = transport_lookup(g, rcpt, domain, &value)) == 1)
		split_transport(value, transport, nexthop);
	if (buf_len(nexthop) == 0)
		buf_set(nexthop, domain);
	if (rc < 0)
		buf_printf(why, "transport or domain table lookup failed for %s", rcpt);
	free(domain);
	return rc < 0 ? -1 : 0;
}

/* qmgr_resolve_init - the domain lists and transport_maps */
void qmgr_resolve_init(struct qmgr_global *g)
{
	const char *sep = ", \t\r\n", *tm = config_get(g->config, "transport_maps");

	g->mydestination = strv_split(g->cf->mydestination, sep);
	g->virtual_mailbox_domains = strv_split(g->cf->virtual_mailbox_domains, sep);
	g->relay_domains = strv_split(g->cf->relay_domains, sep);
	g->transport_maps = tm && *tm ? maps_open("transport_maps", tm, DICT_FLAG_FOLD_KEY) : NULL;
	g->dests = htable_new(64);
}
