/* proxymap_lookup - what proxymap may open, the tables it has open, and
 * one request into one reply (protocol: libutil/dict_proxy.h).
 *
 * Only "TYPE:NAME" listed as proxy:TYPE:NAME in proxy_read_maps (or
 * proxy_write_maps for the proxywrite service) is served, as in Postfix:
 * anything else is "deny" and one warning.  A request is checked before
 * any table is touched: request name, attributes present, flags within
 * DICT_FLAG_FOLD_KEY, table and key lengths; a bad one is "bad".  Tables
 * open on first use and stay open (one per table and flags, at most
 * PROXYMAP_MAX_TABLES); a table that will not open answers "retry" with
 * the reason, as every lookup that fails temporarily does.
 */
#include <stdlib.h>
#include <string.h>

#include "dict.h"
#include "dict_proxy.h"
#include "htable.h"
#include "log.h"
#include "mem.h"
#include "proxymap.h"
#include "strv.h"

static struct htable *allowed;		/* "TYPE:NAME" -> the marker below */
static struct htable *tables;		/* "FLAGS TYPE:NAME" -> struct dict */
static char *allowed_param;		/* proxy_read_maps or proxy_write_maps */
static char marker;

/* proxymap_lookup_init - collect the proxy:X entries of the list */
void proxymap_lookup_init(const char *param, const char *allowed_list)
{
	struct strv *v = strv_split(allowed_list, ", \t\r\n");

	proxymap_lookup_free();
	allowed = htable_new(v->len + 1);
	tables = htable_new(16);
	allowed_param = xstrdup(param);
	for (size_t i = 0; i < v->len; i++) {
		const char *t = v->items[i];

		if (strncmp(t, "proxy:", 6) != 0)
			continue;	/* a table the client opens itself */
		while (strncmp(t, "proxy:", 6) == 0)
			t += 6;
		if (strchr(t, ':') != NULL)
			htable_put(allowed, t, &marker);
	}
	strv_free(&v);
}

/* close_table - htable destructor for an open table */
static void close_table(void *value)
{
	struct dict *d = value;

	dict_close(&d);
}

/* proxymap_lookup_free - close every table, forget the allowed list */
void proxymap_lookup_free(void)
{
	htable_free(&allowed, NULL);
	htable_free(&tables, close_table);
	free(allowed_param);
	allowed_param = NULL;
}

/* put_status - the reply: status, value (may be NULL), reason (may be NULL) */
static void put_status(struct attr_out *o, const char *status, const char *value, const char *reason)
{
	attr_put_str(o, "status", status);
	if (value)
		attr_put_str(o, "value", value);
	if (reason)
		attr_put_str(o, "reason", reason);
	attr_end(o);
}

/* printable - s is short printable ASCII, fit for a log line */
static bool printable(const char *s)
{
	for (size_t i = 0; s[i]; i++)
		if (i >= 200 || s[i] < 0x20 || s[i] > 0x7e)
			return false;
	return true;
}

/* table_for - the open table for this name and flags, or NULL when too
 * many are open */
static struct dict *table_for(const char *table, int flags)
{
	struct buf *k = buf_new(64);
	struct dict *d;

	buf_printf(k, "%d %s", flags, table);
	if ((d = htable_get(tables, buf_str(k))) == NULL && tables->len < PROXYMAP_MAX_TABLES) {
		d = dict_open_surrogate(table, flags);
		htable_put(tables, buf_str(k), d);
	}
	buf_free(&k);
	return d;
}

/* lookup - the answer of an allowed table */
static void lookup(const char *table, int flags, const char *key, struct attr_out *o)
{
	struct dict *d = table_for(table, flags);
	const char *value;
	int rc = d ? dict_lookup(d, key, &value) : -1;

	if (rc == 1 && strlen(value) <= DICT_PROXY_MAX_VALUE)
		put_status(o, "ok", value, NULL);
	else if (rc == 1)
		put_status(o, "retry", NULL, "value too long");
	else if (rc == 0)
		put_status(o, "notfound", NULL, NULL);
	else
		put_status(o, "retry", NULL, d ? dict_error(d) : "too many open tables");
}

/* proxymap_lookup_reply - check the request, then look the key up */
void proxymap_lookup_reply(const struct attr_in *req, struct attr_out *o)
{
	const char *request = attr_get(req, "request"), *table = attr_get(req, "table");
	const char *key = attr_get(req, "key");
	struct buf *why = buf_new(0);
	long long flags = 0;

	if (allowed == NULL)
		log_panic("proxymap_lookup_reply before proxymap_lookup_init");
	if (request == NULL || strcmp(request, "lookup") != 0)
		put_status(o, "bad", NULL, "unknown request (this proxymap serves lookup)");
	else if (table == NULL || key == NULL ||
		 attr_get_int(req, "flags", 0, DICT_FLAG_FOLD_KEY, &flags, why) < 0)
		put_status(o, "bad", NULL, "lookup needs table, flags (0 or 1) and key");
	else if (strlen(table) > DICT_PROXY_MAX_TABLE || strlen(key) > DICT_PROXY_MAX_KEY)
		put_status(o, "bad", NULL, "table name or key too long");
	else if (htable_get(allowed, table) == NULL) {
		buf_printf(why, "table %s is not listed in %s", printable(table) ? table : "(unprintable)",
			   allowed_param);
		log_warn("request denied: %s", buf_str(why));
		put_status(o, "deny", NULL, buf_str(why));
	} else
		lookup(table, (int)flags, key, o);
	buf_free(&why);
}
