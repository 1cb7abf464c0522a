/* smtpd_check_name - restrictions on the syntax and DNS existence of the
 * HELO name, the client name and the sender/recipient domains.
 *
 * Reply codes are Postfix's parameters (non_fqdn_reject_code,
 * invalid_hostname_reject_code, unknown_*_reject_code).  A DNS failure
 * that may be temporary is always a 4xx reply, never a 5xx.  A DNSBL that
 * cannot be reached counts as "not listed" (with a warning): the mail
 * flows when the list is down.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "log.h"
#include "mem.h"
#include "smtpd_check.h"

/* domain_of - the part after the last '@', or NULL */
static const char *domain_of(const char *addr)
{
	const char *at = addr ? strrchr(addr, '@') : NULL;

	return at ? at + 1 : NULL;
}

/* is_fqdn - a name with a dot that is not only a trailing one */
static bool is_fqdn(const char *name)
{
	const char *dot = name ? strchr(name, '.') : NULL;

	return dot && dot != name && dot[1] != '\0';
}

/* is_literal - [1.2.3.4] or [IPv6:...] */
static bool is_literal(const char *name)
{
	size_t n = strlen(name);

	return n > 2 && name[0] == '[' && name[n - 1] == ']';
}

/* non_fqdn_address - reject_non_fqdn_sender/recipient */
static int non_fqdn_address(struct check *c, const char *addr, enum smtpd_stage stage)
{
	const char *d = domain_of(addr);
	enum smtpd_stage saved = c->stage;
	int rc;

	if (addr == NULL || *addr == '\0' || (d && (is_fqdn(d) || is_literal(d))))
		return CHECK_DUNNO;
	c->stage = stage;
	rc = check_reply(c, (int)c->st->g->cf->non_fqdn_reject_code, "5.5.2", addr,
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

/* helo_reply - a HELO-stage reply wherever the restriction is listed */
static int helo_reply(struct check *c, long code, const char *dsn, const char *text)
{
	enum smtpd_stage saved = c->stage;
	int rc;

	c->stage = STAGE_HELO;
	rc = check_reply(c, (int)code, dsn, c->st->helo, text);
	c->stage = saved;
	return rc;
}

/* check_non_fqdn_helo - reject_non_fqdn_helo_hostname (and old name) */
int check_non_fqdn_helo(struct check *c, const char *arg)
{
	(void)arg;
	if (c->st->helo == NULL || is_literal(c->st->helo) || is_fqdn(c->st->helo))
		return CHECK_DUNNO;
	return helo_reply(c, c->st->g->cf->non_fqdn_reject_code, "5.5.2",
			  "need fully-qualified hostname");
}

/* helo_name_valid - DNS syntax, but with '_' allowed as Postfix allows
 * it (many Windows hosts send such names) */
static bool helo_name_valid(const char *h)
{
	char *copy = xstrdup(h);
	bool ok;

	for (char *p = copy; *p; p++)
		if (*p == '_')
			*p = 'x';
	ok = dns_name_valid(copy);
	free(copy);
	return ok;
}

/* check_invalid_helo - reject_invalid_helo_hostname (and old name) */
int check_invalid_helo(struct check *c, const char *arg)
{
	const char *h = c->st->helo;

	(void)arg;
	if (h == NULL || (is_literal(h) ? dns_addr_is_ip_literal(h) : helo_name_valid(h)))
		return CHECK_DUNNO;
	return helo_reply(c, c->st->g->cf->invalid_hostname_reject_code, "5.5.2", "Invalid name");
}

/* check_unknown_helo - reject_unknown_helo_hostname: no A, AAAA or MX */
int check_unknown_helo(struct check *c, const char *arg)
{
	const char *h = c->st->helo;
	int rc;

	(void)arg;
	if (h == NULL || is_literal(h))
		return CHECK_DUNNO;
	rc = smtpd_dns_host_known(c->st, h);
	if (rc == 1)
		return CHECK_DUNNO;
	return helo_reply(c, rc < 0 ? 450 : c->st->g->cf->unknown_hostname_reject_code, "4.7.1",
			  "Host not found");
}

/* check_unknown_client - reject_unknown_client_hostname (and old names) */
int check_unknown_client(struct check *c, const char *arg)
{
	enum smtpd_stage saved = c->stage;
	struct buf *t;
	int rc;

	(void)arg;
	if (strcmp(c->st->name, "unknown") != 0)
		return CHECK_DUNNO;
	c->stage = STAGE_CLIENT;
	t = buf_new(64);
	buf_printf(t, "cannot find your hostname, [%s]", c->st->addr);
	rc = check_reply(c, c->st->name_temp_fail ? 450 : (int)c->st->g->cf->unknown_client_reject_code,
			 "4.7.1", check_what(c), buf_str(t));
	buf_free(&t);
	c->stage = saved;
	return rc;
}

/* unknown_domain - reject_unknown_sender/recipient_domain */
static int unknown_domain(struct check *c, const char *addr, enum smtpd_stage stage)
{
	const char *d = domain_of(addr);
	enum smtpd_stage saved = c->stage;
	int rc;

	if (d == NULL || *d == '\0' || is_literal(d)
	    || smtpd_domain_class(c->st->g, d) != DOM_REMOTE)
		return CHECK_DUNNO;
	if ((rc = smtpd_dns_domain_known(c->st, d)) == 1)
		return CHECK_DUNNO;
	c->stage = stage;
	rc = check_reply(c, rc < 0 ? 450 : (int)c->st->g->cf->unknown_address_reject_code,
			 "4.1.8", addr, rc < 0 ? "Domain not found (temporary failure)" :
			 "Domain not found");
	c->stage = saved;
	return rc;
}

int check_unknown_sender_domain(struct check *c, const char *arg)
{
	(void)arg;
	return unknown_domain(c, c->st->sender, STAGE_SENDER);
}

int check_unknown_recipient_domain(struct check *c, const char *arg)
{
	(void)arg;
	return unknown_domain(c, c->rcpt, STAGE_RECIPIENT);
}

/* check_rbl_client - reject_rbl_client domain[=d.d.d.d] */
int check_rbl_client(struct check *c, const char *arg)
{
	char *domain = xstrdup(arg), *filter = strchr(domain, '=');
	struct buf *txt = buf_new(64), *text = buf_new(128);
	int rc;

	if (filter)
		*filter++ = '\0';
	rc = smtpd_dns_rbl(c->st, domain, filter, txt);
	if (rc == 1) {
		buf_printf(text, "Service unavailable; Client host [%s] blocked using %s%s%s",
			   c->st->addr, domain, buf_len(txt) ? "; " : "", buf_str(txt));
		long code = c->st->g->cf->maps_rbl_reject_code;

		buf_reset(c->reply);
		buf_printf(c->reply, "%ld %c.7.1 %s", code, code >= 500 ? '5' : '4', buf_str(text));
		rc = code >= 500 ? CHECK_REJECT : CHECK_DEFER;
	} else {
		rc = CHECK_DUNNO;
	}
	buf_free(&txt);
	buf_free(&text);
	free(domain);
	return rc;
}
