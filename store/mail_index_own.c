/* mail_index_own - the folder as a scan would find it, made from the
 * index's records and the changes the caller made itself
 * (mail_index_sync_own): every record as it is, but a renamed file
 * under its new name, an unlinked one left out, a new one added.  A
 * change whose record has a third name (another process renamed the
 * file and synced first) is not applied and counted: the caller then
 * reads the folder.  A record already as the change leaves it (another
 * process synced it first), or gone, is fine as it is.
 */
#include <stdlib.h>
#include <string.h>

#include "mail_index_int.h"
#include "mem.h"

/* state - a record as the changes so far leave it */
struct state {
	const char *name;		/* NULL: unlinked */
	bool in_new;
};

/* same - the state is this name, in this directory */
static bool same(const struct state *st, const char *name, bool in_new)
{
	return st->name && st->in_new == in_new && strcmp(st->name, name) == 0;
}

/* play - the changes in the order they were made, each on the state
 * its record has by then (a STORE, then an EXPUNGE of the renamed
 * file); how many changes found a third name */
static size_t play(const struct mail_index_folder *old, const struct mail_index_own *own,
		   size_t n, struct state *st)
{
	size_t missed = 0;

	for (size_t i = 0; i < old->len; i++)
		st[i] = (struct state){ old->msgs[i].name, old->msgs[i].in_new };
	for (size_t k = 0; k < n; k++) {
		const struct mail_index_own *c = &own[k];
		size_t i;

		if (c->kind == MAIL_INDEX_OWN_NEW || (i = mail_index_folder_find(old, c->uid)) == old->len)
			continue;
		if (same(&st[i], c->old_name, c->old_in_new))
			st[i] = (struct state){ c->kind == MAIL_INDEX_OWN_RENAMED ? c->name : NULL,
						c->in_new };
		else if (c->kind != MAIL_INDEX_OWN_RENAMED || !same(&st[i], c->name, c->in_new))
			missed++;
	}
	return missed;
}

/* mail_index_own_scan - see mail_index_int.h */
struct maildir_scan *mail_index_own_scan(const struct mail_index_folder *old,
					 const struct mail_index_own *own, size_t n,
					 size_t *missed_r)
{
	struct maildir_scan *scan = xcalloc(1, sizeof(*scan));
	struct state *st = xcalloc(old->len + 1, sizeof(*st));

	*missed_r = play(old, own, n, st);
	for (size_t i = 0; i < old->len; i++)
		if (st[i].name)
			maildir_scan_put(scan, st[i].name, st[i].in_new, old->msgs[i].size,
					 old->msgs[i].date);
	for (size_t k = 0; k < n; k++)
		if (own[k].kind == MAIL_INDEX_OWN_NEW)
			maildir_scan_put(scan, own[k].name, own[k].in_new, own[k].size, own[k].mtime);
	free(st);
	return scan;
}

/* mail_index_own_free - the names of own[0..n) */
void mail_index_own_free(struct mail_index_own *own, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		free(own[k].old_name);
		free(own[k].name);
		own[k].old_name = own[k].name = NULL;
	}
}
