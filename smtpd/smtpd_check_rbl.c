/* smtpd_check_rbl - DNS block and allow lists: reject_rbl_client and
 * permit_dnswl_client (the client address, reversed), reject_rhsbl_{client,
 * reverse_client,helo,sender,recipient} and permit_rhswl_client (a domain
 * name), each "LIST[=127.0.0.N]".
 *
 * The reply is Postfix's default_rbl_reply: "554 5.7.1 Service
 * unavailable; CLASS [WHAT] blocked using LIST; TXT".  A block list that
 * cannot be asked counts as "not listed" (smtpd_dns.c warns): mail flows
 * when a list is down, as in Postfix; an allow list that cannot be asked
 * arms defer_if_reject.  At RCPT an allow list permits only mail for our
 * own domains.  Names Postfix does not ask about are
 * skipped: a domain ending in a numeric label, an invalid name, a
 * [literal], and a client without a name.  Query names come from the
 * client's address or from what the client sent, and go to the DNS only
 * after dns_rbl_name / the name check. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "mem.h"
#include "smtpd_check.h"

/* verdict - what a list's answer means: a block list refuses when listed;
 * an allow list permits when listed and, when it could not be asked,
 * arms defer_if_reject (a later reject becomes 450, as in Postfix) */
static int verdict(struct check *c, int listed, bool allow, const char *list, const char *class,
		   const char *what, const struct buf *txt)
{
	long code = c->st->g->cf->maps_rbl_reject_code;

	if (allow && listed < 0)
		return check_defer_if(c, c->dir, 450, "4.7.1", "<%s>: %s rejected: Service unavailable",
				      what, class);
	if (allow)
		return listed == 1 ? CHECK_PERMIT : CHECK_DUNNO;
	if (listed != 1)
		return CHECK_DUNNO;
	return check_refuse(c, (int)code, "4.7.1", "Service unavailable; %s [%s] blocked using %s%s%s",
			    class, what, list, buf_len(txt) ? "; " : "", buf_str(txt));
}

/* rhs_query - "DOMAIN.LIST" for the domain of what (after its '@'), or
 * false for a name Postfix does not ask about */
static bool rhs_query(const char *what, const char *list, struct buf *query)
{
	const char *at = strrchr(what, '@'), *domain = at ? at + 1 : what;
	const char *last = strrchr(domain, '.');

	last = last ? last + 1 : domain;
	if (*domain == '\0' || *domain == '[' || strspn(last, "0123456789") == strlen(last)
	    || !dns_name_valid(domain))
		return false;
	buf_printf(query, "%s.%s", domain, list);
	return dns_name_valid(buf_str(query));
}

/* dnsxl - one list restriction: arg "LIST[=ADDR]"; what is the client
 * address (by_address) or a name whose domain is looked up */
static int dnsxl(struct check *c, const char *arg, const char *what, const char *class,
		 bool by_address, bool allow)
{
	char *list = xstrdup(arg), *filter = strchr(list, '=');
	struct buf *query = buf_new(128), *txt = buf_new(64);
	int rc = CHECK_DUNNO;

	if (filter)
		*filter++ = '\0';
	if (allow && c->rcpt && !smtpd_is_auth_destination(c->st->g, c->rcpt))
		;	/* Postfix: an allow list never opens relaying */
	else if (by_address ? dns_rbl_name(what, list, query) == DNS_OK : rhs_query(what, list, query))
		rc = verdict(c, smtpd_dns_rbl(c->st, buf_str(query), filter, txt), allow, list, class,
			     what, txt);
	buf_free(&query);
	buf_free(&txt);
	free(list);
	return rc;
}

/* check_rbl_client - reject_rbl_client LIST[=ADDR] */
int check_rbl_client(struct check *c, const char *arg)
{
	return dnsxl(c, arg, c->st->addr, "Client host", true, false);
}

/* check_dnswl_client - permit_dnswl_client LIST[=ADDR] */
int check_dnswl_client(struct check *c, const char *arg)
{
	return dnsxl(c, arg, c->st->addr, "Client host", true, true);
}

/* check_rhswl_client - permit_rhswl_client LIST[=ADDR] */
int check_rhswl_client(struct check *c, const char *arg)
{
	const char *name = c->st->name;

	return strcmp(name, "unknown") == 0 ? CHECK_DUNNO : dnsxl(c, arg, name, "Client host", false, true);
}

/* rhsbl - reject_rhsbl_*: the domain of what */
static int rhsbl(struct check *c, const char *arg, const char *what, const char *class)
{
	return dnsxl(c, arg, what, class, false, false);
}

int check_rhsbl_client(struct check *c, const char *arg)
{
	const char *name = c->st->name;

	return strcmp(name, "unknown") == 0 ? CHECK_DUNNO : rhsbl(c, arg, name, "Client host");
}

int check_rhsbl_reverse_client(struct check *c, const char *arg)
{
	const char *name = c->st->reverse_name;

	return strcmp(name, "unknown") == 0 ? CHECK_DUNNO : rhsbl(c, arg, name, "Unverified Client host");
}

int check_rhsbl_helo(struct check *c, const char *arg)
{
	return c->st->helo ? rhsbl(c, arg, c->st->helo, "Helo command") : CHECK_DUNNO;
}

int check_rhsbl_sender(struct check *c, const char *arg)
{
	const char *s = c->st->sender;

	return s && *s ? rhsbl(c, arg, s, "Sender address") : CHECK_DUNNO;
}

int check_rhsbl_recipient(struct check *c, const char *arg)
{
	return c->rcpt ? rhsbl(c, arg, c->rcpt, "Recipient address") : CHECK_DUNNO;
}
