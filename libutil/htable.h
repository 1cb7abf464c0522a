/* htable - the one hash table: string keys to opaque values.
 *
 * Keys are copied; values belong to the caller (htable_free takes a
 * destructor for them).  Iteration is in insertion order, which is what
 * postconf and texthash tables need to print things back predictably.
 */
#ifndef HATO_HTABLE_H
#define HATO_HTABLE_H

#include <stdbool.h>
#include <stddef.h>

struct htable_entry {
	char *key;			/* in the entry's allocation */
	void *value;
	size_t hash;
	struct htable_entry *next;	/* hash chain */
	struct htable_entry *order;	/* insertion order */
};

struct htable {
	struct htable_entry **slots;
	size_t nslots;
	size_t len;
	struct htable_entry *first, *last;
};

typedef void htable_free_fn(void *value);

struct htable *htable_new(size_t hint);
void htable_free(struct htable **tp, htable_free_fn *free_value);
void *htable_get(const struct htable *t, const char *key);
struct htable_entry *htable_find(const struct htable *t, const char *key);
/* htable_put - insert or replace; returns the old value or NULL */
void *htable_put(struct htable *t, const char *key, void *value);
void *htable_remove(struct htable *t, const char *key);

#define HTABLE_FOREACH(t, e) for (struct htable_entry *e = (t)->first; e; e = e->order)

#endif
