/* htable - chained hash table with insertion order; see htable.h.
 * The hash is FNV-1a taken eight bytes at a time, then mixed: keys may
 * come from outside (table files, a Maildir's file names), but not from
 * a network peer.  Each entry keeps its hash (growing does not hash
 * again, a lookup compares it before the key) and its key in the same
 * allocation; the slot count is a power of two. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "htable.h"
#include "mem.h"

/* hash - FNV-1a over the key's 8-byte words (the tail zero-padded),
 * then a final mix so that the low bits (the slot) depend on them all */
static size_t hash(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ULL ^ len, w;

	for (; len >= 8; s += 8, len -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 1099511628211ULL;
	}
	w = 0;
	memcpy(&w, s, len);
	h = (h ^ w) * 1099511628211ULL;
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 32;
	return (size_t)h;
}

/* find - key's entry (its hash h, its length len), or NULL */
static struct htable_entry *find(const struct htable *t, const char *key, size_t len, size_t h)
{
	for (struct htable_entry *e = t->slots[h & (t->nslots - 1)]; e; e = e->next)
		if (e->hash == h && memcmp(e->key, key, len + 1) == 0)
			return e;
	return NULL;
}

/* htable_new - an empty table */
struct htable *htable_new(size_t hint)
{
	struct htable *t = xmalloc(sizeof(*t));

	t->nslots = 16;
	while (t->nslots < hint && t->nslots <= SIZE_MAX / 4)
		t->nslots *= 2;
	t->slots = xcalloc(t->nslots, sizeof(*t->slots));
	return t;
}

/* htable_free - release the table, calling free_value on each value */
void htable_free(struct htable **tp, htable_free_fn *free_value)
{
	struct htable *t = *tp;
	struct htable_entry *e, *next;

	if (t == NULL)
		return;
	for (e = t->first; e; e = next) {
		next = e->order;
		if (free_value)
			free_value(e->value);
		free(e);
	}
	free(t->slots);
	free(t);
	*tp = NULL;
}

/* htable_find - the entry for key, or NULL */
struct htable_entry *htable_find(const struct htable *t, const char *key)
{
	size_t len = strlen(key);

	return find(t, key, len, hash(key, len));
}

/* htable_get - the value for key, or NULL */
void *htable_get(const struct htable *t, const char *key)
{
	struct htable_entry *e = htable_find(t, key);

	return e ? e->value : NULL;
}

/* grow - double the slot count when the table gets dense */
static void grow(struct htable *t)
{
	size_t n = mem_mul_size(t->nslots, 2);
	struct htable_entry **slots = xcalloc(n, sizeof(*slots));

	for (struct htable_entry *e = t->first; e; e = e->order) {
		size_t i = e->hash & (n - 1);

		e->next = slots[i];
		slots[i] = e;
	}
	free(t->slots);
	t->slots = slots;
	t->nslots = n;
}

/* htable_put - insert or replace */
void *htable_put(struct htable *t, const char *key, void *value)
{
	size_t len = strlen(key), h = hash(key, len), i;
	struct htable_entry *e = find(t, key, len, h);

	if (e) {
		void *old = e->value;

		e->value = value;
		return old;
	}
	if (t->len >= t->nslots)
		grow(t);
	i = h & (t->nslots - 1);
	e = xmalloc_raw(sizeof(*e) + len + 1);	/* the key after the entry */
	e->key = memcpy((char *)(e + 1), key, len + 1);
	e->hash = h;
	e->order = NULL;
	e->value = value;
	e->next = t->slots[i];
	t->slots[i] = e;
	if (t->last)
		t->last->order = e;
	else
		t->first = e;
	t->last = e;
	t->len++;
	return NULL;
}

/* htable_remove - unlink key; returns its value or NULL */
void *htable_remove(struct htable *t, const char *key)
{
	size_t len = strlen(key), h = hash(key, len);
	struct htable_entry **pp, *e, *prev = NULL;
	void *value;

	for (pp = &t->slots[h & (t->nslots - 1)]; (e = *pp) != NULL; pp = &e->next)
		if (e->hash == h && memcmp(e->key, key, len + 1) == 0)
			break;
	if (e == NULL)
		return NULL;
	*pp = e->next;
	for (struct htable_entry *o = t->first; o && o != e; o = o->order)
		prev = o;
	if (prev)
		prev->order = e->order;
	else
		t->first = e->order;
	if (t->last == e)
		t->last = prev;
	value = e->value;
	free(e);
	t->len--;
	return value;
}
