/* htable - chained hash table with insertion order; see htable.h.
 * The hash is FNV-1a: keys may come from outside (table files), but the
 * tables are built from administrator files, not network input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "htable.h"
#include "mem.h"

/* hash - FNV-1a of a string */
static size_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s) {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ULL;
	}
	return (size_t)h;
}

/* htable_new - an empty table */
struct htable *htable_new(size_t hint)
{
	struct htable *t = xmalloc(sizeof(*t));

	t->nslots = hint < 16 ? 16 : hint;
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
		free(e->key);
		free(e);
	}
	free(t->slots);
	free(t);
	*tp = NULL;
}

/* htable_find - the entry for key, or NULL */
struct htable_entry *htable_find(const struct htable *t, const char *key)
{
	for (struct htable_entry *e = t->slots[hash(key) % t->nslots]; e; e = e->next)
		if (strcmp(e->key, key) == 0)
			return e;
	return NULL;
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
		size_t i = hash(e->key) % n;

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
	struct htable_entry *e = htable_find(t, key);
	size_t i;

	if (e) {
		void *old = e->value;

		e->value = value;
		return old;
	}
	if (t->len >= t->nslots)
		grow(t);
	i = hash(key) % t->nslots;
	e = xmalloc(sizeof(*e));
	e->key = xstrdup(key);
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
	size_t i = hash(key) % t->nslots;
	struct htable_entry **pp, *e, *prev = NULL;
	void *value;

	for (pp = &t->slots[i]; (e = *pp) != NULL; pp = &e->next)
		if (strcmp(e->key, key) == 0)
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
	free(e->key);
	free(e);
	t->len--;
	return value;
}
