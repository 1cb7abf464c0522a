/* smtp_addr - from the request's next hop to the addresses to try.
 *
 *   smtp_nexthop_parse("[mx.example.org]:587", &nh, why)   // syntax only
 *   smtp_addr_resolve(cf, &nh, &list, &why)  // 0 with addresses, or -1
 *
 * "[host]" and "[host]:port" name one host: no MX lookup.  "domain" and
 * "domain:port" get an MX lookup; the MX hosts are tried in preference
 * order (equal preferences shuffled, as Postfix does), with the domain's
 * own A/AAAA records when it has no MX.  smtp_host_lookup says how host
 * names become addresses (dns, native = getaddrinfo, or both);
 * inet_protocols which families; smtp_mx_address_limit how many
 * addresses at most (0: no limit).  smtp_fallback_relay hosts go last.
 * Failures are classified as Postfix does: a null MX bounces 5.1.10, a
 * name that does not exist bounces 5.4.4, a DNS temporary failure defers
 * 4.4.3.  DNS data is untrusted: names are checked by dns.c, addresses
 * are parsed back with inet_pton before use.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "dns.h"
#include "log.h"
#include "mem.h"
#include "smtp.h"
#include "strv.h"

/* how names are looked up */
struct lookup {
	const struct params *cf;
	bool v4, v6;
	bool mx;			/* MX lookups (not disable_dns_lookups) */
	bool dns, native;		/* how host names become addresses */
	size_t limit;			/* addresses at most, 0: none */
};

/* parse_port - "25", "smtp", "submission"; 0 when bad */
static unsigned parse_port(const char *text)
{
	char *end;
	long v;
	struct servent *se;

	if (*text == '\0')
		return 0;
	if (isdigit((unsigned char)*text)) {
		v = strtol(text, &end, 10);
		return *end == '\0' && v > 0 && v < 65536 ? (unsigned)v : 0;
	}
	se = getservbyname(text, "tcp");
	return se ? ntohs((unsigned short)se->s_port) : 0;
}

/* copy_host - host into nh->host without one trailing dot; false if too long */
static bool copy_host(struct smtp_nexthop *nh, const char *p, size_t len)
{
	if (len > 1 && p[len - 1] == '.')
		len--;
	if (len == 0 || len >= sizeof(nh->host))
		return false;
	memcpy(nh->host, p, len);
	nh->host[len] = '\0';
	return true;
}

/* smtp_nexthop_parse - "[host]:port", "[host]", "host:port", "host";
 * 0, or -1 with why */
int smtp_nexthop_parse(const char *nexthop, struct smtp_nexthop *nh, struct buf *why)
{
	const char *p = nexthop, *end, *colon;

	*nh = (struct smtp_nexthop){ .port = SMTP_PORT };
	if (*p == '[') {
		if ((end = strchr(p, ']')) == NULL)
			goto bad;
		p++;
		if (strncasecmp(p, "ipv6:", 5) == 0)
			p += 5;
		if (!copy_host(nh, p, (size_t)(end - p)))
			goto bad;
		nh->literal = true;
		colon = end[1] == ':' ? end + 1 : NULL;
		if (end[1] != '\0' && colon == NULL)
			goto bad;
		if (!dns_addr_is_ip(nh->host) && !dns_name_valid(nh->host))
			goto bad;
	} else {
		colon = strchr(p, ':');
		if (colon && strchr(colon + 1, ':'))
			goto bad;		/* an IPv6 address needs brackets */
		if (!copy_host(nh, p, colon ? (size_t)(colon - p) : strlen(p)))
			goto bad;
		/* a bare address is taken as written: there is no MX for it */
		nh->literal = dns_addr_is_ip(nh->host);
		if (!nh->literal && !dns_name_valid(nh->host))
			goto bad;
	}
	if (colon && (nh->port = parse_port(colon + 1)) == 0)
		goto bad;
	return 0;
bad:
	buf_printf(why, "bad next-hop destination \"%s\"", nexthop);
	return -1;
}

/* add_addr - one address to the list, unless known already or over the limit */
static void add_addr(struct smtp_addr_list *list, const struct lookup *lk, const char *host,
		     int family, const char *text, unsigned port)
{
	struct smtp_addr *a;

	if (lk->limit && list->n >= lk->limit)
		return;
	for (size_t i = 0; i < list->n; i++)
		if (strcmp(list->v[i].addr, text) == 0 && list->v[i].port == port)
			return;
	list->v = xrealloc(list->v, (list->n + 1) * sizeof(*list->v));
	a = &list->v[list->n++];
	*a = (struct smtp_addr){ .family = family, .port = port };
	snprintf(a->host, sizeof(a->host), "%s", host);
	snprintf(a->addr, sizeof(a->addr), "%s", text);
}

/* merge - the combined status of two lookups of one name */
static enum dns_status merge(enum dns_status a, enum dns_status b)
{
	if (a == DNS_OK || b == DNS_OK)
		return DNS_OK;
	if (a == DNS_TEMPFAIL || b == DNS_TEMPFAIL)
		return DNS_TEMPFAIL;
	return a == DNS_INVALID || b == DNS_INVALID ? DNS_INVALID : DNS_NOTFOUND;
}

/* dns_host - A and/or AAAA records of host through DNS */
static enum dns_status dns_host(const struct lookup *lk, const char *host, unsigned port,
				struct smtp_addr_list *list)
{
	enum dns_status st = DNS_NOTFOUND;
	struct strv *v = strv_new();
	unsigned char bin[16];

	if (lk->v4)
		st = merge(st, dns_lookup_a(host, NULL, v, NULL));
	for (size_t i = 0; i < v->len; i++)
		if (inet_pton(AF_INET, v->items[i], bin) == 1)
			add_addr(list, lk, host, AF_INET, v->items[i], port);
	strv_clear(v);
	if (lk->v6) {
		enum dns_status st6 = dns_lookup_aaaa(host, NULL, v, NULL);

		st = lk->v4 ? merge(st, st6) : st6;
	}
	for (size_t i = 0; i < v->len; i++)
		if (inet_pton(AF_INET6, v->items[i], bin) == 1)
			add_addr(list, lk, host, AF_INET6, v->items[i], port);
	strv_free(&v);
	return st;
}

/* native_host - getaddrinfo(3): /etc/hosts, nsswitch.conf */
static enum dns_status native_host(const struct lookup *lk, const char *host, unsigned port,
				   struct smtp_addr_list *list)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_family = lk->v4 && lk->v6 ? AF_UNSPEC : lk->v4 ? AF_INET : AF_INET6 };
	struct addrinfo *res, *ai;
	char text[SMTP_ADDR_TEXT];
	int rc = getaddrinfo(host, NULL, &hints, &res);

	if (rc == EAI_NONAME || rc == EAI_NODATA || rc == EAI_ADDRFAMILY)
		return DNS_NOTFOUND;
	if (rc != 0)
		return DNS_TEMPFAIL;
	for (ai = res; ai; ai = ai->ai_next) {
		const void *bin = ai->ai_family == AF_INET
			? (const void *)&((struct sockaddr_in *)ai->ai_addr)->sin_addr
			: (const void *)&((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr;

		if ((ai->ai_family == AF_INET || ai->ai_family == AF_INET6)
		    && inet_ntop(ai->ai_family, bin, text, sizeof(text)))
			add_addr(list, lk, host, ai->ai_family, text, port);
	}
	freeaddrinfo(res);
	return DNS_OK;
}

/* host_addrs - the addresses of one host name or address text */
static enum dns_status host_addrs(const struct lookup *lk, const char *host, unsigned port,
				  struct smtp_addr_list *list)
{
	unsigned char bin[16];
	enum dns_status st = DNS_NOTFOUND;

	if (inet_pton(AF_INET, host, bin) == 1 || inet_pton(AF_INET6, host, bin) == 1) {
		int family = strchr(host, ':') ? AF_INET6 : AF_INET;

		if ((family == AF_INET && !lk->v4) || (family == AF_INET6 && !lk->v6))
			return DNS_NOTFOUND;
		add_addr(list, lk, host, family, host, port);
		return DNS_OK;
	}
	if (lk->dns)
		st = dns_host(lk, host, port, list);
	if (st != DNS_OK && lk->native)
		st = native_host(lk, host, port, list);
	return st;
}

/* not_found - Postfix's wording for a name that did not resolve */
static int not_found(struct smtp_why *why, enum dns_status st, const char *name, const char *type)
{
	if (st == DNS_TEMPFAIL)
		smtp_why_set(why, DELIVER_DEFERRED, "4.4.3", "none", "Host or domain name not found. "
			     "Name service error for name=%s type=%s: Host not found, try again",
			     name, type);
	else
		smtp_why_set(why, DELIVER_BOUNCED, "5.4.4", "none", "Host or domain name not found. "
			     "Name service error for name=%s type=%s: Host not found", name, type);
	return -1;
}

/* shuffle_ties - equal MX preferences in random order (load spreading) */
static void shuffle_ties(struct dns_mx *mx, size_t n)
{
	for (size_t lo = 0, hi; lo < n; lo = hi) {
		for (hi = lo + 1; hi < n && mx[hi].pref == mx[lo].pref; hi++)
			;
		for (size_t i = hi - 1; i > lo; i--) {
			size_t j = lo + (size_t)random() % (i - lo + 1);
			struct dns_mx t = mx[i];

			mx[i] = mx[j];
			mx[j] = t;
		}
	}
}

/* mx_addrs - the addresses of the domain's MX hosts (or of the domain) */
static int mx_addrs(const struct lookup *lk, const struct smtp_nexthop *nh,
		    struct smtp_addr_list *list, struct smtp_why *why)
{
	struct dns_mx *mx = NULL;
	size_t n = 0;
	enum dns_status st = dns_lookup_mx(nh->host, NULL, &mx, &n, NULL), hst = DNS_NOTFOUND;
	char last[SMTP_HOST_MAX];

	if (st == DNS_NOTFOUND) {		/* no MX: the domain itself (RFC 5321 5.1) */
		st = host_addrs(lk, nh->host, nh->port, list);
		return st == DNS_OK ? 0 : not_found(why, st, nh->host, "A");
	}
	if (st != DNS_OK)
		return not_found(why, st == DNS_INVALID ? DNS_NOTFOUND : st, nh->host, "MX");
	if (n == 1 && strcmp(mx[0].host, ".") == 0) {
		dns_mx_free(&mx, n);
		smtp_why_set(why, DELIVER_BOUNCED, "5.1.10", "none",
			     "Domain %s does not accept mail (nullMX)", nh->host);
		return -1;
	}
	snprintf(last, sizeof(last), "%s", nh->host);
	shuffle_ties(mx, n);
	for (size_t i = 0; i < n && (lk->limit == 0 || list->n < lk->limit); i++) {
		if (strcmp(mx[i].host, ".") == 0)
			continue;
		hst = merge(hst, host_addrs(lk, mx[i].host, nh->port, list));
		snprintf(last, sizeof(last), "%s", mx[i].host);
	}
	dns_mx_free(&mx, n);
	if (list->n > 0)
		return 0;
	return not_found(why, hst, last, "A");
}

/* lookup_init - the lookup settings from the parameters */
static void lookup_init(struct lookup *lk, const struct params *cf)
{
	const char *p = cf->inet_protocols, *how = cf->smtp_host_lookup;

	lk->cf = cf;
	lk->v4 = strstr(p, "ipv4") || strstr(p, "all");
	lk->v6 = strstr(p, "ipv6") || strstr(p, "all");
	if (!lk->v4 && !lk->v6)
		lk->v4 = true;
	lk->mx = !cf->disable_dns_lookups;
	lk->dns = strstr(how, "dns") != NULL && lk->mx;
	lk->native = strstr(how, "native") != NULL || !lk->dns;
	lk->limit = (size_t)cf->smtp_mx_address_limit;
}

/* resolve_one - the addresses of one parsed next hop */
static int resolve_one(const struct lookup *lk, const struct smtp_nexthop *nh,
		       struct smtp_addr_list *list, struct smtp_why *why)
{
	enum dns_status st;

	if (nh->literal || !lk->mx) {
		st = host_addrs(lk, nh->host, nh->port, list);
		return st == DNS_OK ? 0 : not_found(why, st, nh->host, "A");
	}
	return mx_addrs(lk, nh, list, why);
}

/* add_fallback - smtp_fallback_relay hosts after the others */
static void add_fallback(const struct lookup *lk, const struct smtp_nexthop *primary,
			 struct smtp_addr_list *list)
{
	struct strv *v = strv_split(lk->cf->smtp_fallback_relay, ", \t\r\n");
	struct lookup flk = *lk;
	struct buf *err = buf_new(0);
	struct smtp_why ignored = { .text = buf_new(0) };
	struct smtp_nexthop nh;

	flk.limit = 0;
	for (size_t i = 0; i < v->len; i++) {
		buf_reset(err);
		if (smtp_nexthop_parse(v->items[i], &nh, err) < 0) {
			log_warn("smtp_fallback_relay: %s", buf_str(err));
			continue;
		}
		if (strcasecmp(nh.host, primary->host) != 0 || nh.port != primary->port)
			(void)resolve_one(&flk, &nh, list, &ignored);
	}
	buf_free(&ignored.text);
	buf_free(&err);
	strv_free(&v);
}

/* smtp_addr_resolve - every address to try for nh, in order; 0, or -1
 * with why (a bounce or a deferral for every recipient) */
int smtp_addr_resolve(const struct params *cf, const struct smtp_nexthop *nh,
		      struct smtp_addr_list *list, struct smtp_why *why)
{
	struct lookup lk;
	int rc;

	lookup_init(&lk, cf);
	rc = resolve_one(&lk, nh, list, why);
	/* an unreachable destination may go to a fallback relay; one that
	 * does not exist (or refuses mail) bounces */
	if (rc == 0 || why->status == DELIVER_DEFERRED)
		add_fallback(&lk, nh, list);
	return list->n > 0 ? 0 : -1;
}

/* smtp_addr_list_free - release the list */
void smtp_addr_list_free(struct smtp_addr_list *list)
{
	free(list->v);
	list->v = NULL;
	list->n = 0;
}
