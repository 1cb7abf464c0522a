/* smtpd_dns - the DNS questions smtpd asks: the client's verified name
 * (forward-confirmed reverse DNS) and its PTR name, DNSBL listings, and
 * whether a HELO name or a mail domain exists (a null MX is reported).
 * Every lookup is bounded by smtpd_rbl_timeout (two tries).  A DNSBL that
 * fails is reported as such, with a warning (a block list then counts as
 * "not listed", an allow list as a possible defer_if_reject); the other
 * questions report a temporary failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "log.h"
#include "mem.h"
#include "smtpd.h"

/* opts - time limits from main.cf */
static struct dns_opts opts(struct smtpd *st)
{
	long t = st->g->cf->smtpd_rbl_timeout;

	return (struct dns_opts){ .timeout_ms = (int)(t > 0 ? t : 5) * 1000 / 2, .retries = 1 };
}

/* smtpd_peer_name - the verified client name, or "unknown": /etc/hosts
 * first (as the system resolver would), then forward-confirmed DNS; also
 * st->reverse_name, the PTR name whether it resolves back or not */
char *smtpd_peer_name(struct smtpd *st)
{
	struct buf *name = buf_new(64), *why = buf_new(0);
	struct dns_opts o = opts(st);
	enum dns_status rc = DNS_INVALID;
	char *r;

	if (!dns_addr_is_ip(st->addr)) {
		r = xstrdup("unknown");
	} else if ((r = dns_hosts_name(st->addr)) != NULL) {
		/* found */
	} else if ((rc = dns_fcrdns(st->addr, &o, name, why)) == DNS_OK) {
		r = xstrdup(buf_str(name));
	} else {
		st->name_temp_fail = rc == DNS_TEMPFAIL;
		r = xstrdup("unknown");
	}
	st->reverse_temp_fail = rc == DNS_TEMPFAIL && buf_len(name) == 0;
	snprintf(st->reverse_name, sizeof(st->reverse_name), "%s", buf_len(name) ? buf_str(name) : r);
	buf_free(&name);
	buf_free(&why);
	return r;
}

/* filter_ok - a listing answer matches "domain=127.0.0.2" style filters */
static bool filter_ok(const struct strv *addrs, const char *filter)
{
	if (filter == NULL)
		return true;
	for (size_t i = 0; i < addrs->len; i++)
		if (strcmp(addrs->items[i], filter) == 0)
			return true;
	return false;
}

static int rbl_lookup(struct smtpd *st, const char *query, const char *filter,
		      struct buf *txt);

/* rbl_cached - a lookup made earlier in this session (the client
 * restrictions run again at every RCPT): true with *listed_r set */
static bool rbl_cached(struct smtpd *st, const char *key, int *listed_r, struct buf *txt)
{
	size_t n = strlen(key);

	for (size_t i = 0; st->rbl_cache && i < st->rbl_cache->len; i++) {
		const char *e = st->rbl_cache->items[i];

		if (strncmp(e, key, n) == 0 && e[n] == ' ') {
			*listed_r = atoi(e + n + 1);
			buf_set(txt, strchr(e + n + 1, ' ') + 1);
			return true;
		}
	}
	return false;
}

/* rbl_remember - note a lookup result for the rest of the session */
static void rbl_remember(struct smtpd *st, const char *key, int listed, const struct buf *txt)
{
	struct buf *e = buf_new(64);

	if (st->rbl_cache == NULL)
		st->rbl_cache = strv_new();
	buf_printf(e, "%s %d %s", key, listed, buf_str(txt));
	strv_take(st->rbl_cache, buf_steal(&e));
}

/* smtpd_dns_rbl - 1 when query (a DNSBL name: reversed address or domain,
 * then the list) has an A record that matches filter (txt: the reason);
 * -1 when the list could not be asked (a warning is logged) */
int smtpd_dns_rbl(struct smtpd *st, const char *query, const char *filter, struct buf *txt)
{
	struct buf *key = buf_new(64);
	int listed;

	buf_printf(key, "%s=%s", query, filter ? filter : "");
	if (!rbl_cached(st, buf_str(key), &listed, txt)) {
		listed = rbl_lookup(st, query, filter, txt);
		rbl_remember(st, buf_str(key), listed, txt);
	}
	buf_free(&key);
	return listed;
}

/* rbl_lookup - ask the DNSBL */
static int rbl_lookup(struct smtpd *st, const char *query, const char *filter, struct buf *txt)
{
	struct buf *why = buf_new(0);
	struct strv *addrs = strv_new(), *texts = strv_new();
	struct dns_opts o = opts(st);
	enum dns_status rc = dns_lookup_a(query, &o, addrs, why);
	int listed = 0;

	if (rc == DNS_TEMPFAIL) {
		log_warn("%s: RBL lookup error: %s", query, buf_str(why));
		listed = -1;
	}
	if (rc == DNS_OK && filter_ok(addrs, filter)) {
		listed = 1;
		if (dns_lookup_txt(query, &o, texts, why) == DNS_OK && texts->len)
			buf_set(txt, texts->items[0]);
	}
	strv_free(&addrs);
	strv_free(&texts);
	buf_free(&why);
	return listed;
}

/* lookup_addr - A, else AAAA; the DNS status */
static enum dns_status lookup_addr(const struct dns_opts *o, const char *name)
{
	struct strv *addrs = strv_new();
	struct buf *why = buf_new(0);
	enum dns_status rc = dns_lookup_a(name, o, addrs, why);

	if (rc == DNS_NOTFOUND)
		rc = dns_lookup_aaaa(name, o, addrs, why);
	strv_free(&addrs);
	buf_free(&why);
	return rc;
}

/* known - 1 found, -1 temporary failure, 0 not found */
static int known(enum dns_status rc)
{
	return rc == DNS_OK ? 1 : rc == DNS_TEMPFAIL ? -1 : 0;
}

/* smtpd_dns_host_known - the name has an A, AAAA or MX record */
int smtpd_dns_host_known(struct smtpd *st, const char *name)
{
	struct buf *why = buf_new(0);
	struct dns_opts o = opts(st);
	struct dns_mx *mx = NULL;
	size_t n = 0;
	enum dns_status rc = lookup_addr(&o, name);

	if (rc == DNS_NOTFOUND)
		rc = dns_lookup_mx(name, &o, &mx, &n, why);
	dns_mx_free(&mx, n);
	buf_free(&why);
	return known(rc);
}

/* smtpd_dns_domain_known - a mail domain: MX, else A/AAAA (the MX is
 * asked once); 2 for a null MX (RFC 7505: the domain takes no mail) */
int smtpd_dns_domain_known(struct smtpd *st, const char *domain)
{
	struct buf *why = buf_new(0);
	struct dns_opts o = opts(st);
	struct dns_mx *mx = NULL;
	size_t n = 0;
	enum dns_status rc = dns_lookup_mx(domain, &o, &mx, &n, why);
	int found = known(rc);

	if (rc == DNS_OK && n == 1 && strcmp(mx[0].host, ".") == 0)
		found = 2;
	dns_mx_free(&mx, n);
	buf_free(&why);
	return rc == DNS_NOTFOUND ? known(lookup_addr(&o, domain)) : found;
}
