/* cleanup_envelope - envelope address rewriting: unqualified addresses get
 * @$myorigin, canonical_maps (and the sender_/recipient_ ones) rewrite
 * addresses, virtual_alias_maps expand recipients (recursively, bounded by
 * virtual_alias_recursion_limit and virtual_alias_expansion_limit, an
 * address that maps to itself is kept).  Lookup keys, as in Postfix:
 * "user@domain", then "user" when the domain is in mydestination, then
 * "@domain" (whose result may be "@otherdomain": the user part is kept).
 * A table failure is a temporary error: the client is told to retry.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cleanup.h"
#include "log.h"
#include "mem.h"

/* qualify - append @$myorigin to an address without a domain */
static void qualify(struct cleanup_global *g, const char *in, struct buf *out)
{
	buf_set(out, in);
	if (*in && strchr(in, '@') == NULL)
		buf_printf(out, "@%s", g->cf->myorigin);
}

/* is_local_domain - domain in mydestination (names only) */
static bool is_local_domain(struct cleanup_global *g, const char *domain)
{
	for (size_t i = 0; i < g->mydestination->len; i++)
		if (strcasecmp(g->mydestination->items[i], domain) == 0)
			return true;
	return false;
}

/* map_address - one table lookup in Postfix's key order; 1 rewritten into
 * out, 0 no entry, -1 table failure */
static int map_address(struct cleanup_global *g, struct maps *m, const char *addr,
		       struct buf *out, struct buf *why)
{
	const char *at = strrchr(addr, '@'), *v;
	char *user = at ? xstrndup(addr, (size_t)(at - addr)) : xstrdup(addr);
	int rc = maps_find(m, addr, &v);

	if (rc == 0 && at && is_local_domain(g, at + 1))
		rc = maps_find(m, user, &v);
	if (rc == 0 && at)
		rc = maps_find(m, at, &v);
	if (rc > 0) {
		buf_reset(out);
		if (v[0] == '@')
			buf_printf(out, "%s%s", user, v);
		else
			buf_set(out, v);
	} else if (rc < 0) {
		buf_printf(why, "%s: %s", m->title, maps_error(m));
	}
	free(user);
	return rc;
}

/* canonical - sender_/recipient_canonical_maps, then canonical_maps */
static int canonical(struct cleanup_global *g, struct maps *specific, struct buf *addr,
		     struct buf *why)
{
	struct buf *tmp = buf_new(64);
	int rc = 0;

	if (specific && (rc = map_address(g, specific, buf_str(addr), tmp, why)) > 0)
		buf_set(addr, buf_str(tmp));
	if (rc >= 0 && g->canonical && (rc = map_address(g, g->canonical, buf_str(addr), tmp, why)) > 0)
		buf_set(addr, buf_str(tmp));
	buf_free(&tmp);
	return rc < 0 ? -1 : 0;
}

/* cleanup_rewrite_sender - the envelope sender as it will be queued */
int cleanup_rewrite_sender(struct cleanup_global *g, const char *in, struct buf *out,
			   struct buf *why)
{
	qualify(g, in, out);
	return *in ? canonical(g, g->sender_canonical, out, why) : 0;
}

/* add_unique - append addr unless it is there already */
static void add_unique(struct strv *out, const char *addr)
{
	for (size_t i = 0; i < out->len; i++)
		if (strcasecmp(out->items[i], addr) == 0)
			return;
	strv_add(out, addr);
}

/* expand - virtual alias expansion of addr at the given depth */
static int expand(struct cleanup_global *g, const char *addr, int depth, struct strv *out,
		  struct buf *why)
{
	struct buf *v = buf_new(64);
	struct strv *targets;
	int rc;

	if (g->virtual_alias == NULL || depth > g->cf->virtual_alias_recursion_limit
	    || (rc = map_address(g, g->virtual_alias, addr, v, why)) == 0) {
		if (depth > g->cf->virtual_alias_recursion_limit)
			log_warn("virtual alias recursion limit exceeded for %s", addr);
		add_unique(out, addr);
		buf_free(&v);
		return 0;
	}
	if (rc < 0) {
		buf_free(&v);
		return -1;
	}
	targets = strv_split(buf_str(v), ", \t\r\n");
	for (size_t i = 0; i < targets->len && rc >= 0; i++) {
		struct buf *q = buf_new(64);

		qualify(g, targets->items[i], q);
		if (strcasecmp(buf_str(q), addr) == 0)
			add_unique(out, addr);	/* maps to itself: deliver here too */
		else if ((long)out->len >= g->cf->virtual_alias_expansion_limit)
			log_warn("virtual alias expansion limit exceeded for %s", addr);
		else
			rc = expand(g, buf_str(q), depth + 1, out, why);
		buf_free(&q);
	}
	strv_free(&targets);
	buf_free(&v);
	return rc < 0 ? -1 : 0;
}

/* cleanup_expand_rcpt - one envelope recipient becomes the final list */
int cleanup_expand_rcpt(struct cleanup_global *g, const char *rcpt, struct strv *out,
			struct buf *why)
{
	struct buf *a = buf_new(64);
	int rc;

	qualify(g, rcpt, a);
	rc = canonical(g, g->recipient_canonical, a, why);
	if (rc == 0)
		rc = expand(g, buf_str(a), 0, out, why);
	buf_free(&a);
	return rc;
}

/* open_maps - a table list parameter, NULL when empty */
static struct maps *open_maps(struct cleanup_global *g, const char *name)
{
	const char *v = config_get(g->config, name);

	return v && *v ? maps_open(name, v, DICT_FLAG_FOLD_KEY) : NULL;
}

/* open_checks - header/body checks: patterns, keys are not folded */
static struct maps *open_checks(struct cleanup_global *g, const char *name)
{
	const char *v = config_get(g->config, name);

	return v && *v ? maps_open(name, v, 0) : NULL;
}

/* cleanup_envelope_init - every table, before the privilege drop */
void cleanup_envelope_init(struct cleanup_global *g)
{
	g->header_checks = open_checks(g, "header_checks");
	g->mime_header_checks = open_checks(g, "mime_header_checks");
	g->nested_header_checks = open_checks(g, "nested_header_checks");
	g->body_checks = open_checks(g, "body_checks");
	g->canonical = open_maps(g, "canonical_maps");
	g->sender_canonical = open_maps(g, "sender_canonical_maps");
	g->recipient_canonical = open_maps(g, "recipient_canonical_maps");
	g->virtual_alias = open_maps(g, "virtual_alias_maps");
	g->mydestination = strv_split(g->cf->mydestination, ", \t\r\n");
}
