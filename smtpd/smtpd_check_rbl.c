/* smtpd_check_rbl - DNS block lists: reject_rbl_client (the client
 * address, reversed) and reject_rhsbl_{client,reverse_client,helo,sender,
 * recipient} (a domain name), each "LIST[=127.0.0.N]".
 *
 * The reply is Postfix's default_rbl_reply: "554 5.7.1 Service
 * unavailable; CLASS [WHAT] blocked using LIST; TXT".  A list that cannot
 * be asked counts as "not listed" (smtpd_dns.c warns): mail flows when a
 * list is down, as in Postfix.  Names Postfix does not ask about are
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

/* listed - ask the list about query; refuse when listed */
static int listed(struct check *c, const char *query, const char *list, const char *filter,
		  const char *class, const char *what)
{
	struct buf *txt = buf_new(64);
	long code = c->st->g->cf->maps_rbl_reject_code;
	int rc = CHECK_DUNNO;

	if (smtpd_dns_rbl(c->st, query, filter, txt) == 1)
		rc = check_refuse(c, (int)code, "4.7.1", "Service unavailable; %s [%s] blocked using %s%s%s",
				  class, what, list, buf_len(txt) ? "; " : "", buf_str(txt));
	buf_free(&txt);
	return rc;
}

/* split_list - "zen.example=127.0.0.2" into the list and its filter */
static char *split_list(const char *arg, const char **filter)
{
	char *list = xstrdup(arg), *eq = strchr(list, '=');

	if (eq)
		*eq++ = '\0';
	*filter = eq;
	return list;
}

/* check_rbl_client - reject_rbl_client LIST[=ADDR] */
int check_rbl_client(struct check *c, const char *arg)
{
	const char *filter;
	char *list = split_list(arg, &filter);
	struct buf *query = buf_new(128);
	int rc = CHECK_DUNNO;

	if (dns_rbl_name(c->st->addr, list, query) == DNS_OK)
		rc = listed(c, buf_str(query), list, filter, "Client host", c->st->addr);
	buf_free(&query);
	free(list);
	return rc;
}

/* rhsbl - reject_rhsbl_*: the domain of what (after its '@', if any) */
static int rhsbl(struct check *c, const char *arg, const char *what, const char *class)
{
	const char *filter, *at = strrchr(what, '@'), *domain = at ? at + 1 : what;
	const char *last = strrchr(domain, '.');
	char *list;
	struct buf *query;
	int rc = CHECK_DUNNO;

	last = last ? last + 1 : domain;
	if (*domain == '\0' || *domain == '[' || strspn(last, "0123456789") == strlen(last)
	    || !dns_name_valid(domain))
		return CHECK_DUNNO;
	list = split_list(arg, &filter);
	query = buf_new(128);
	buf_printf(query, "%s.%s", domain, list);
	if (dns_name_valid(buf_str(query)))
		rc = listed(c, buf_str(query), list, filter, class, what);
	buf_free(&query);
	free(list);
	return rc;
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
