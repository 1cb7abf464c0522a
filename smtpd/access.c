/* access - access(5) lookup order and result parsing; see access.h.
 * Keys come from the network (host names, HELO, addresses): they are
 * bounded (a key over 1024 bytes is not looked up) and only compared. */
#include <ctype.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "access.h"
#include "inet_prefix.h"
#include "mem.h"

enum { MAX_KEY = 1024 };

/* try - look up one key; remember it in key_r when found */
static int try(struct dict *d, const char *key, const char **value_r, struct buf *key_r)
{
	int rc;

	if (strlen(key) > MAX_KEY)
		return 0;
	rc = dict_lookup(d, key, value_r);
	if (rc == 1 && key_r)
		buf_set(key_r, key);
	return rc;
}

/* try_domain - the domain, then its parents */
static int try_domain(struct dict *d, const struct access_opts *o, const char *domain,
		      const char **value_r, struct buf *key_r)
{
	struct buf *key = buf_new(64);
	int rc = 0;

	if (*domain == '\0') {
		buf_free(&key);
		return 0;
	}
	rc = try(d, domain, value_r, key_r);
	for (const char *p = strchr(domain, '.'); rc == 0 && p && p[1]; p = strchr(p + 1, '.')) {
		buf_reset(key);
		buf_cat(key, o->parent_matches_subdomains ? p + 1 : p);
		rc = try(d, buf_str(key), value_r, key_r);
	}
	buf_free(&key);
	return rc;
}

/* try_addr_prefixes - "1.2.3.4", "1.2.3", ... or IPv6 groups */
static int try_addr_prefixes(struct dict *d, const char *addr, const char **value_r,
			     struct buf *key_r)
{
	struct inet_addr a;
	struct buf *key = buf_new(64);
	int rc, n;

	if (inet_addr_parse(addr, &a) < 0) {
		buf_free(&key);
		return 0;
	}
	inet_addr_format(&a, key);
	rc = try(d, buf_str(key), value_r, key_r);
	n = a.family == AF_INET ? 3 : 7;
	for (; rc == 0 && n >= 1; n--) {
		buf_reset(key);
		for (int i = 0; i < n; i++) {
			if (a.family == AF_INET)
				buf_printf(key, i ? ".%u" : "%u", a.bytes[i]);
			else
				buf_printf(key, i ? ":%x" : "%x", (a.bytes[2 * i] << 8) | a.bytes[2 * i + 1]);
		}
		rc = try(d, buf_str(key), value_r, key_r);
	}
	buf_free(&key);
	return rc;
}

/* access_client - host name and parents, then address and prefixes; a
 * client without a name is looked up as "unknown", as Postfix does */
int access_client(struct dict *d, const struct access_opts *o, const char *hostname,
		  const char *addr, const char **value_r, struct buf *key_r)
{
	int rc = 0;

	if (hostname && *hostname)
		rc = try_domain(d, o, hostname, value_r, key_r);
	if (rc == 0 && addr && *addr)
		rc = try_addr_prefixes(d, addr, value_r, key_r);
	return rc;
}

/* access_helo - the HELO name and its parents */
int access_helo(struct dict *d, const struct access_opts *o, const char *helo,
		const char **value_r, struct buf *key_r)
{
	return try_domain(d, o, helo, value_r, key_r);
}

/* strip_extension - "user+ext" -> "user" into out; false if no extension */
static bool strip_extension(const struct access_opts *o, const char *local, size_t len,
			    struct buf *out)
{
	const char *delims = o->recipient_delimiter;

	buf_reset(out);
	if (delims == NULL || *delims == '\0')
		return false;
	for (size_t i = 0; i < len; i++)
		if (strchr(delims, local[i])) {
			if (i == 0)
				return false;
			buf_add(out, local, i);
			return true;
		}
	return false;
}

/* access_address - full address, domain and parents, then "user@" */
int access_address(struct dict *d, const struct access_opts *o, const char *address,
		   const char **value_r, struct buf *key_r)
{
	const char *at = strrchr(address, '@');
	size_t llen = at ? (size_t)(at - address) : strlen(address);
	const char *domain = at ? at + 1 : "";
	struct buf *key = buf_new(64), *base = buf_new(64);
	bool has_ext = strip_extension(o, address, llen, base);
	int rc = 0;

	if (*address == '\0') {
		rc = try(d, o->null_key ? o->null_key : "<>", value_r, key_r);
		goto out;
	}
	if (at && (rc = try(d, address, value_r, key_r)) != 0)
		goto out;
	if (at && has_ext) {
		buf_printf(key, "%s@%s", buf_str(base), domain);
		if ((rc = try(d, buf_str(key), value_r, key_r)) != 0)
			goto out;
	}
	if ((rc = try_domain(d, o, domain, value_r, key_r)) != 0)
		goto out;
	buf_reset(key);
	buf_add(key, address, llen);
	buf_putc(key, '@');
	if ((rc = try(d, buf_str(key), value_r, key_r)) != 0 || !has_ext)
		goto out;
	buf_printf(base, "@");
	rc = try(d, buf_str(base), value_r, key_r);
out:
	buf_free(&key);
	buf_free(&base);
	return rc;
}

static const struct { const char *word; enum access_kind kind; } words[] = {
	{ "OK", ACCESS_OK }, { "RELAY", ACCESS_OK }, { "REJECT", ACCESS_REJECT }, { "DEFER", ACCESS_DEFER },
	{ "DEFER_IF_REJECT", ACCESS_DEFER_IF_REJECT }, { "DEFER_IF_PERMIT", ACCESS_DEFER_IF_PERMIT },
	{ "DUNNO", ACCESS_DUNNO }, { "HOLD", ACCESS_HOLD }, { "DISCARD", ACCESS_DISCARD },
	{ "FILTER", ACCESS_FILTER }, { "REDIRECT", ACCESS_REDIRECT }, { "PREPEND", ACCESS_PREPEND },
	{ "WARN", ACCESS_WARN }, { "INFO", ACCESS_INFO }, { "BCC", ACCESS_BCC },
};

/* access_parse_action - classify a table result */
void access_parse_action(const char *value, struct access_action *a)
{
	size_t wlen = strcspn(value, " \t");
	const char *rest = value + wlen + strspn(value + wlen, " \t");

	a->code = 0;
	a->text = rest;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (wlen == strlen(words[i].word) && strncasecmp(value, words[i].word, wlen) == 0) {
			a->kind = words[i].kind;
			return;
		}
	if (*value && strspn(value, "0123456789") == strlen(value)) {
		a->kind = ACCESS_OK;	/* all digits: OK (a time stamp), as in Postfix */
		a->text = "";
		return;
	}
	if (wlen == 3 && (value[0] == '4' || value[0] == '5') && strspn(value, "0123456789") == 3
	    && *rest) {		/* a code needs its text, else it is a restriction name */
		a->kind = ACCESS_CODE;
		a->code = (value[0] - '0') * 100 + (value[1] - '0') * 10 + (value[2] - '0');
		return;
	}
	a->kind = ACCESS_RESTRICTIONS;
	a->text = value;
}
