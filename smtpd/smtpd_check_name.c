/* smtpd_check_name - restrictions on the syntax and DNS existence of the
 * HELO name, the client name and the sender/recipient domains, with
 * Postfix's replies.
 *
 * Reply codes are Postfix's parameters (non_fqdn_reject_code,
 * invalid_hostname_reject_code, unknown_*_reject_code).  Name syntax is
 * Postfix's valid_hostname (letters, digits, '-' and '_', not all digits)
 * after one trailing dot is dropped; a bare address (HELO 1.2.3.5) is a
 * valid HELO name but not a fully-qualified one; a [literal] must hold a
 * valid address.  A DNS failure that may be temporary for a HELO name or
 * a domain arms defer_if_permit (*_tempfail_action): the 450 goes out
 * only if no later restriction refuses.  The client's name was looked up
 * once at connect (smtpd_dns.c); its temporary failure is a plain 450.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "log.h"
#include "mem.h"
#include "smtpd_check.h"

enum { MAX_HOSTNAME = 255, MAX_LABEL = 63 };

/* domain_of - the part after the last '@', or NULL */
static const char *domain_of(const char *addr)
{
	const char *at = addr ? strrchr(addr, '@') : NULL;

	return at ? at + 1 : NULL;
}

/* is_literal - [1.2.3.4] or [IPv6:...] */
static bool is_literal(const char *name)
{
	size_t n = strlen(name);

	return n > 2 && name[0] == '[' && name[n - 1] == ']';
}

/* hostname_ok - Postfix's host name syntax, one trailing dot allowed */
static bool hostname_ok(const char *name)
{
	size_t len = strlen(name), label = 0;
	bool non_numeric = false;

	if (len > 1 && name[len - 1] == '.' && name[len - 2] != '.')
		len--;
	if (len == 0 || len > MAX_HOSTNAME)
		return false;
	for (size_t i = 0; i < len; i++) {
		char ch = name[i];

		if (ch == '.') {
			if (label == 0 || i + 1 == len)
				return false;
			label = 0;
		} else if (ch == '-') {
			if (label == 0 || i + 1 == len || name[i + 1] == '.')
				return false;
			label++, non_numeric = true;
		} else if ((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')
			   || ch == '_') {
			non_numeric |= ch < '0' || ch > '9';
			if (++label > MAX_LABEL)
				return false;
		} else {
			return false;
		}
	}
	return non_numeric;
}

/* has_inner_dot - a dot that is not the trailing one */
static bool has_inner_dot(const char *name)
{
	const char *dot = strchr(name, '.');

	return dot && dot[1] != '\0';
}

/* non_fqdn_address - reject_non_fqdn_sender/recipient */
static int non_fqdn_address(struct check *c, const char *addr, enum smtpd_stage stage)
{
	const char *d = domain_of(addr);
	enum smtpd_stage saved = c->stage;
	int rc;

	if (addr == NULL || *addr == '\0' || (d && is_literal(d))
	    || (d && hostname_ok(d) && has_inner_dot(d)))
		return CHECK_DUNNO;
	c->stage = stage;
	rc = check_reply(c, (int)c->st->g->cf->non_fqdn_reject_code, "4.5.2", addr,
			 "need fully-qualified address");
	c->stage = saved;
	return rc;
}

int check_non_fqdn_sender(struct check *c, const char *arg)
{
	(void)arg;
	return non_fqdn_address(c, c->st->sender, STAGE_SENDER);
}

int check_non_fqdn_recipient(struct check *c, const char *arg)
{
	(void)arg;
	return non_fqdn_address(c, c->rcpt, STAGE_RECIPIENT);
}

/* helo_reply - a HELO-stage refusal wherever the restriction is listed */
static int helo_reply(struct check *c, long code, const char *dsn, const char *text)
{
	enum smtpd_stage saved = c->stage;
	int rc;

	c->stage = STAGE_HELO;
	rc = check_reply(c, (int)code, dsn, c->st->helo, text);
	c->stage = saved;
	return rc;
}

/* helo_literal - every HELO restriction on a [literal]: a valid address */
static int helo_literal(struct check *c)
{
	if (dns_addr_is_ip_literal(c->st->helo))
		return CHECK_DUNNO;
	return helo_reply(c, c->st->g->cf->invalid_hostname_reject_code, "5.5.2",
			  "invalid ip address");
}

/* check_non_fqdn_helo - reject_non_fqdn_helo_hostname (and old name) */
int check_non_fqdn_helo(struct check *c, const char *arg)
{
	const char *h = c->st->helo;

	(void)arg;
	if (h == NULL)
		return CHECK_DUNNO;
	if (h[0] == '[')
		return helo_literal(c);
	if (hostname_ok(h) && has_inner_dot(h))
		return CHECK_DUNNO;
	return helo_reply(c, c->st->g->cf->non_fqdn_reject_code, "5.5.2",
			  "need fully-qualified hostname");
}

/* check_invalid_helo - reject_invalid_helo_hostname (and old name) */
int check_invalid_helo(struct check *c, const char *arg)
{
	const char *h = c->st->helo;

	(void)arg;
	if (h == NULL)
		return CHECK_DUNNO;
	if (h[0] == '[')
		return helo_literal(c);
	if (hostname_ok(h) || dns_addr_is_ip(h))
		return CHECK_DUNNO;
	return helo_reply(c, c->st->g->cf->invalid_hostname_reject_code, "5.5.2", "Invalid name");
}

/* check_unknown_helo - reject_unknown_helo_hostname: no A, AAAA or MX */
int check_unknown_helo(struct check *c, const char *arg)
{
	const struct params *cf = c->st->g->cf;
	const char *h = c->st->helo;
	enum smtpd_stage saved = c->stage;
	int rc;

	(void)arg;
	if (h == NULL)
		return CHECK_DUNNO;
	if (h[0] == '[')
		return helo_literal(c);
	if ((rc = smtpd_dns_host_known(c->st, h)) == 1)
		return CHECK_DUNNO;
	if (rc == 0)
		return helo_reply(c, cf->unknown_hostname_reject_code, "4.7.1", "Host not found");
	c->stage = STAGE_HELO;
	rc = check_tempfail(c, cf->unknown_helo_hostname_tempfail_action, 450, "4.7.1", h,
			    "Host not found");
	c->stage = saved;
	return rc;
}

/* unknown_name - the client has no (kind) name: 450 when that may change */
static int unknown_name(struct check *c, const char *name, bool temp, const char *dsn,
			const char *kind)
{
	if (strcmp(name, "unknown") != 0)
		return CHECK_DUNNO;
	return check_refuse(c, temp ? 450 : (int)c->st->g->cf->unknown_client_reject_code, dsn,
			    "Client host rejected: cannot find your %shostname, [%s]", kind, c->st->addr);
}

/* check_unknown_client - reject_unknown_client_hostname (and old name):
 * no forward-confirmed name (RFC 7372 status 4.7.25) */
int check_unknown_client(struct check *c, const char *arg)
{
	(void)arg;
	return unknown_name(c, c->st->name, c->st->name_temp_fail, "4.7.25", "");
}

/* check_unknown_reverse_client - reject_unknown_reverse_client_hostname:
 * no PTR name at all */
int check_unknown_reverse_client(struct check *c, const char *arg)
{
	(void)arg;
	return unknown_name(c, c->st->reverse_name, c->st->reverse_temp_fail, "4.7.1", "reverse ");
}

/* unknown_domain - reject_unknown_sender/recipient_domain: a domain that
 * is not ours (relay domains included) without MX, A or AAAA */
static int unknown_domain(struct check *c, const char *addr, enum smtpd_stage stage)
{
	const struct params *cf = c->st->g->cf;
	const char *d = domain_of(addr), *dsn = stage == STAGE_SENDER ? "4.1.8" : "4.1.2";
	enum smtpd_domain dc = d && *d && !is_literal(d) ? smtpd_domain_class(c->st->g, d) : DOM_LOCAL;
	enum smtpd_stage saved = c->stage;
	int rc;

	if (dc != DOM_REMOTE && dc != DOM_RELAY)
		return CHECK_DUNNO;
	if ((rc = smtpd_dns_domain_known(c->st, d)) == 1)
		return CHECK_DUNNO;
	c->stage = stage;
	if (rc == 2 && stage == STAGE_SENDER)
		rc = check_refuse(c, 550, "4.7.27", "<%s>: %s rejected: Domain %s does not accept mail (nullMX)",
				  addr, check_class(c), d);
	else if (rc == 2)
		rc = check_refuse(c, 556, "4.1.10", "<%s>: %s rejected: Domain %s does not accept mail (nullMX)",
				  addr, check_class(c), d);
	else if (rc == 0)
		rc = check_reply(c, (int)cf->unknown_address_reject_code, dsn, addr, "Domain not found");
	else
		rc = check_tempfail(c, cf->unknown_address_tempfail_action, 450, dsn, addr,
				    "Domain not found");
	c->stage = saved;
	return rc;
}

int check_unknown_sender_domain(struct check *c, const char *arg)
{
	(void)arg;
	return c->st->sender && *c->st->sender ? unknown_domain(c, c->st->sender, STAGE_SENDER) : CHECK_DUNNO;
}

int check_unknown_recipient_domain(struct check *c, const char *arg)
{
	(void)arg;
	return unknown_domain(c, c->rcpt, STAGE_RECIPIENT);
}
