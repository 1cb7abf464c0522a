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

/* find_uid - the place of uid in f (UID order), or f->len */
static size_t find_uid(const struct mail_index_folder *f, uint32_t uid)
{
	size_t lo = 0, hi = f->len;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (f->msgs[mid].uid < uid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < f->len && f->msgs[lo].uid == uid ? lo : f->len;
}

/* named - the record has this name, in this directory */
static bool named(const struct mail_index_msg *m, const char *name, bool in_new)
{
	return m->in_new == in_new && strcmp(m->name, name) == 0;
}

/* place_changes - per record, the change to apply to it (NULL: none);
 * how many changes found a third name */
static size_t place_changes(const struct mail_index_folder *old, const struct mail_index_own *own,
			    size_t n, const struct mail_index_own **at)
{
	size_t missed = 0;

	for (size_t k = 0; k < n; k++) {
		const struct mail_index_own *c = &own[k];
		size_t i;

		if (c->kind == MAIL_INDEX_OWN_NEW || (i = find_uid(old, c->uid)) == old->len)
			continue;
		if (named(&old->msgs[i], c->old_name, c->old_in_new))
			at[i] = c;
		else if (c->kind != MAIL_INDEX_OWN_RENAMED || !named(&old->msgs[i], c->name, c->in_new))
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
	const struct mail_index_own **at = xcalloc(old->len + 1, sizeof(*at));

	*missed_r = place_changes(old, own, n, at);
	for (size_t i = 0; i < old->len; i++) {
		const struct mail_index_msg *m = &old->msgs[i];

		if (at[i] == NULL)
			maildir_scan_put(scan, m->name, m->in_new, m->size, m->date);
		else if (at[i]->kind == MAIL_INDEX_OWN_RENAMED)
			maildir_scan_put(scan, at[i]->name, at[i]->in_new, m->size, m->date);
	}
	for (size_t k = 0; k < n; k++)
		if (own[k].kind == MAIL_INDEX_OWN_NEW)
			maildir_scan_put(scan, own[k].name, own[k].in_new, own[k].size, own[k].mtime);
	free(at);
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
