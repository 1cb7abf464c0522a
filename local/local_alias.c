/* local_alias - alias_maps for a local part, and the rights its items get.
 *
 * Keys are the local part with its extension ("joe+list"), then without
 * ("joe"), each through every table of alias_maps in order, as Postfix
 * does.  A table that fails (-1) defers the recipient; it never counts as
 * "no alias".  Files and commands of an alias run with the rights of the
 * table file's owner, or default_privs when root owns it (or the owner
 * cannot be told).  Also here: the process-wide settings read once as root
 * (allow_mail_to_commands/files, default_privs, mailbox_delivery_lock).
 */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "local.h"
#include "log.h"
#include "mem.h"
#include "mbox.h"

/* class_bits - "alias, forward, include" into enum local_class bits */
static int class_bits(const char *name, const char *list)
{
	struct strv *v = strv_split(list, ", \t\n");
	int bits = 0;

	for (size_t i = 0; i < v->len; i++) {
		if (strcasecmp(v->items[i], "alias") == 0)
			bits |= LOCAL_CLASS_ALIAS;
		else if (strcasecmp(v->items[i], "forward") == 0)
			bits |= LOCAL_CLASS_FORWARD;
		else if (strcasecmp(v->items[i], "include") == 0)
			bits |= LOCAL_CLASS_INCLUDE;
		else
			log_warn("%s: unknown class \"%s\" ignored", name, v->items[i]);
	}
	strv_free(&v);
	return bits;
}

/* local_alias_init - tables and settings, once, as root */
void local_alias_init(struct local_global *g)
{
	const struct params *cf = g->cf;
	struct passwd *pw;

	if (*cf->alias_maps)
		g->alias_maps = maps_open("alias_maps", cf->alias_maps, DICT_FLAG_FOLD_KEY);
	g->allow_commands = class_bits("allow_mail_to_commands", cf->allow_mail_to_commands);
	g->allow_files = class_bits("allow_mail_to_files", cf->allow_mail_to_files);
	if ((g->mbox_locks = mbox_lock_flags(cf->mailbox_delivery_lock)) < 0) {
		log_warn("mailbox_delivery_lock: unknown lock type in \"%s\"; using fcntl, dotlock",
			 cf->mailbox_delivery_lock);
		g->mbox_locks = MBOX_LOCK_FCNTL | MBOX_LOCK_DOTLOCK;
	}
	if ((pw = getpwnam(cf->default_privs)) == NULL || pw->pw_uid == 0) {
		log_warn("default_privs: \"%s\" is %s: deliveries to files and commands of aliases "
			 "will be deferred", cf->default_privs, pw ? "root" : "not a user");
		return;
	}
	g->have_default_privs = true;
	deliver_agent_privs(&g->default_privs, pw->pw_uid, pw->pw_gid, pw->pw_name);
}

/* table_owner - uid and gid of the file behind a table; false if unknown */
static bool table_owner(const struct dict *d, uid_t *uid_r, gid_t *gid_r)
{
	struct buf *path = buf_new(64);
	struct stat st;
	bool ok;

	buf_printf(path, "%s.lmdb", d->name);
	ok = d->name[0] == '/' && (stat(buf_str(path), &st) == 0 || stat(d->name, &st) == 0);
	buf_free(&path);
	if (ok) {
		*uid_r = st.st_uid;
		*gid_r = st.st_gid;
	}
	return ok;
}

/* lookup - key through every table: 1 found (value and table), 0, -1 */
static int lookup(struct maps *m, const char *key, char **value_r, struct dict **dict_r)
{
	for (size_t i = 0; i < m->len; i++) {
		const char *v;
		int rc = dict_lookup(m->dicts[i], key, &v);

		if (rc == 0)
			continue;
		if (rc > 0)
			*value_r = xstrdup(v);
		*dict_r = m->dicts[i];
		return rc;
	}
	return 0;
}

/* local_alias - expand local (or base) through alias_maps */
int local_alias(struct local_rcpt *r, const char *local, const char *base)
{
	const char *keys[2] = { local, strcmp(local, base) ? base : NULL };
	char *value = NULL, *to;
	struct dict *d = NULL;
	int rc = 0;
	size_t k;

	if (r->g->alias_maps == NULL)
		return 0;
	for (k = 0; k < 2 && keys[k] && rc == 0; k++)
		rc = lookup(r->g->alias_maps, keys[k], &value, &d);
	if (rc == 0)
		return 0;
	to = local_recipient_to(r, local);
	if (rc < 0) {
		local_recipient_status(r, to, "4.3.0", "alias_maps lookup of \"%s\" failed: %s", local,
				       dict_error(d));
	} else {
		struct strv *items = strv_new();
		struct local_source src = { .cls = LOCAL_CLASS_ALIAS, .name = keys[k - 1], .to = to };
		uid_t uid = 0;
		gid_t gid = 0;

		if (!table_owner(d, &uid, &gid))
			uid = 0;
		local_item_privs(r->g, &src, uid, gid, "alias table owner");
		local_item_split(value, strlen(value), items);
		local_item_list(r, items, &src);
		strv_free(&items);
	}
	free(value);
	free(to);
	return 1;
}
