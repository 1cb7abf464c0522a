/* virtual_recipient - one recipient: its mailbox path, uid and gid.
 *
 * Keys, first hit wins, each table list searched on its own as Postfix
 * does: "user+ext@domain", "user@domain" (recipient_delimiter), then
 * "@domain".  Not in virtual_mailbox_maps: bounced 5.1.1.  A table that
 * fails defers (4.3.0); a missing or bad uid/gid, or a uid below
 * virtual_minimum_uid, is a configuration error: deferred 4.3.5 with a
 * warning, as Postfix does.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "log.h"
#include "mbox.h"
#include "mem.h"
#include "virtual.h"

/* virtual_init - the tables, once, as root */
void virtual_init(struct virtual_global *g)
{
	const struct params *cf = g->cf;

	g->mailbox_maps = maps_open("virtual_mailbox_maps", cf->virtual_mailbox_maps, DICT_FLAG_FOLD_KEY);
	g->uid_maps = maps_open("virtual_uid_maps", cf->virtual_uid_maps, DICT_FLAG_FOLD_KEY);
	g->gid_maps = maps_open("virtual_gid_maps", cf->virtual_gid_maps, DICT_FLAG_FOLD_KEY);
	deliver_quota_init(cf);
	if ((g->locks = mbox_lock_flags(cf->virtual_mailbox_lock)) < 0) {
		log_warn("virtual_mailbox_lock: unknown lock type in \"%s\"; using fcntl, dotlock",
			 cf->virtual_mailbox_lock);
		g->locks = MBOX_LOCK_FCNTL | MBOX_LOCK_DOTLOCK;
	}
}

/* keys - the lookup keys of an address, in order */
static struct strv *keys(const struct virtual_global *g, const char *address)
{
	struct strv *v = strv_new();
	const char *at = strrchr(address, '@');
	char *local, *base = NULL, *ext = NULL;
	struct buf *k = buf_new(64);

	strv_add(v, address);
	if (at == NULL) {
		buf_free(&k);
		return v;
	}
	local = xstrndup(address, (size_t)(at - address));
	if (addr_split_ext(local, g->cf->recipient_delimiter, &base, &ext)) {
		buf_printf(k, "%s%s", base, at);
		strv_add(v, buf_str(k));
	}
	strv_add(v, at);
	free(local);
	free(base);
	free(ext);
	buf_free(&k);
	return v;
}

/* find - the first key maps knows: 1 with a copy of the value, 0, -1 */
static int find(struct maps *m, const struct strv *k, char **value_r)
{
	const char *v;
	int rc = 0;

	for (size_t i = 0; i < k->len && rc == 0; i++)
		if ((rc = maps_find(m, k->items[i], &v)) > 0)
			*value_r = xstrdup(v);
	return rc;
}

/* id_of - a uid or gid from a table value; -1 if not a number */
static long id_of(const char *value)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(value, &end, 10);
	while (isspace((unsigned char)*end))
		end++;
	return errno || end == value || *end || n < 0 ? -1 : n;
}

/* rights - uid and gid of the mailbox into d; 0, or -1 with res set */
static int rights(struct virtual_global *g, const char *id, const struct strv *k,
		  struct virtual_dest *d, struct agent_result *res)
{
	char *uid = NULL, *gid = NULL;
	int urc = find(g->uid_maps, k, &uid), grc = urc < 0 ? 0 : find(g->gid_maps, k, &gid);
	long u = uid ? id_of(uid) : -1, gr = gid ? id_of(gid) : -1;
	int rc = -1;

	if (urc < 0) {
		deliver_agent_result_set(res, "4.3.0", "virtual_uid_maps lookup failed: %s",
				       maps_error(g->uid_maps));
	} else if (grc < 0) {
		deliver_agent_result_set(res, "4.3.0", "virtual_gid_maps lookup failed: %s",
				       maps_error(g->gid_maps));
	} else if (u < 0 || gr < 0) {
		log_warn("%s: virtual_uid_maps/virtual_gid_maps: no valid uid or gid for %s "
			 "(uid \"%s\", gid \"%s\")", id, k->items[0], uid ? uid : "", gid ? gid : "");
		deliver_agent_result_set(res, "4.3.5", "mail system configuration error");
	} else if (u < g->cf->virtual_minimum_uid) {
		log_warn("%s: virtual_uid_maps: uid %ld for %s is below virtual_minimum_uid %ld",
			 id, u, k->items[0], g->cf->virtual_minimum_uid);
		deliver_agent_result_set(res, "4.3.5", "mail system configuration error");
	} else {
		d->uid = (uid_t)u;
		d->gid = (gid_t)gr;
		rc = 0;
	}
	free(uid);
	free(gid);
	return rc;
}

/* lookup - d for address; 0, or -1 with res set */
static int lookup(struct virtual_global *g, const char *id, const char *address,
		  struct virtual_dest *d, struct agent_result *res)
{
	struct strv *k = keys(g, address);
	int rc = find(g->mailbox_maps, k, &d->path);

	if (rc < 0)
		deliver_agent_result_set(res, "4.3.0", "virtual_mailbox_maps lookup failed: %s",
				       maps_error(g->mailbox_maps));
	else if (rc == 0)
		deliver_agent_result_set(res, "5.1.1", "User unknown: no virtual mailbox for \"%s\"", address);
	rc = rc > 0 ? rights(g, id, k, d, res) : -1;
	d->user = xstrdup(k->items[k->len == 3 ? 1 : 0]);	/* keys: address[, base@domain], @domain */
	strv_free(&k);
	return rc;
}

/* lower - a lower-case copy */
static char *lower(const char *s)
{
	char *c = xstrdup(s);

	for (char *p = c; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return c;
}

/* virtual_recipient - deliver request recipient i (deliver_agent_serve calls it) */
void virtual_recipient(void *ctx, struct agent_msg *m, size_t i)
{
	struct virtual_global *g = ctx;
	const char *rcpt = m->rq->rcpt[i].address;
	char *address = lower(rcpt);
	struct virtual_dest d = { .path = NULL };
	struct agent_result res;

	deliver_agent_result_init(&res);
	if (lookup(g, m->rq->queue_id, address, &d, &res) == 0)
		virtual_mailbox(g, m, i, &d, &res);
	deliver_agent_log(m, rcpt, deliver_agent_orig_to(m, i), "virtual", res.dsn, buf_str(res.text));
	deliver_status(m->rq, i, deliver_agent_result_status(&res), res.dsn, "virtual", "%s", buf_str(res.text));
	deliver_agent_result_free(&res);
	free(d.path);
	free(d.user);
	free(address);
}
