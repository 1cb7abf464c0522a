/* dict - lookup tables behind one "type:name" interface.
 *
 *   struct buf *why = buf_new(0);
 *   struct dict *d = dict_open("hash:/etc/hato/access", DICT_FLAG_FOLD_KEY, why);
 *   const char *v;
 *   switch (dict_lookup(d, "1.2.3.4", &v)) {
 *   case 1:  found, v valid until the next call on d
 *   case 0:  not found
 *   case -1: temporary error, dict_error(d) says why: the caller defers
 *            (451 4.3.0) and never treats the key as not found
 *   }
 *   dict_close(&d);
 *
 * Types: lmdb (hash and btree are aliases; the file is NAME.lmdb),
 * texthash, regexp and pcre (PCRE2), cidr, inline:{k=v, ...}, static:v,
 * unix:passwd.byname / unix:group.byname, proxy:TYPE:NAME (through the
 * proxymap service: dict_proxy.h).  A table file's bad line gives one
 * warning "FILE, line N: problem", the line is skipped and d->nerrors counts
 * it (commands exit non-zero on that; daemons keep going).
 * dict_open_surrogate() returns a table that fails every lookup with the
 * reason: a daemon whose table will not open keeps running and defers, and
 * uses the table as soon as it opens (postmap creates it; no reload).
 * dict_update() replaces an existing entry; a caller that treats
 * duplicates otherwise (postmap) looks the key up first.
 * Iterate with dict_seq(d, DICT_SEQ_FIRST/NEXT, &k, &v) where supported.
 * Keys come from the network: backends bound their work per lookup.
 */
#ifndef HATO_DICT_H
#define HATO_DICT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "buf.h"

enum dict_flags {
	DICT_FLAG_FOLD_KEY = 1 << 0,	/* fold keys to lower case (indexed tables) */
	DICT_FLAG_WRITE = 1 << 1,	/* open for update (postmap -d/-i) */
	DICT_FLAG_CREATE = 1 << 2,	/* start empty (postmap build) */
};

enum dict_seq_op { DICT_SEQ_FIRST, DICT_SEQ_NEXT };

struct dict;

typedef int dict_lookup_fn(struct dict *d, const char *key, const char **value_r);
typedef int dict_update_fn(struct dict *d, const char *key, const char *value);
typedef int dict_delete_fn(struct dict *d, const char *key);
typedef int dict_seq_fn(struct dict *d, enum dict_seq_op op,
			const char **key_r, const char **value_r);
typedef int dict_commit_fn(struct dict *d);
typedef void dict_close_fn(struct dict *d);

struct dict {
	char *type;		/* as the user wrote it: "hash", "regexp", ... */
	char *name;		/* the part after the colon */
	int flags;		/* enum dict_flags */
	int nerrors;		/* bad lines skipped while loading */
	struct buf *error;	/* why the last call returned -1 */
	struct buf *key;	/* scratch: folded key */
	dict_lookup_fn *lookup;
	dict_update_fn *update;	/* NULL: read-only table */
	dict_delete_fn *delete;	/* NULL: read-only table */
	dict_seq_fn *seq;	/* NULL: cannot iterate */
	dict_commit_fn *commit;	/* NULL: nothing to commit */
	dict_close_fn *close;	/* frees backend state, not the struct */
	/* for a table being built: the file's mode and owner, applied before
	 * it is renamed into place (0 and -1: 0644 and the caller's ids) */
	mode_t create_mode;
	uid_t create_uid;
	gid_t create_gid;
};

typedef struct dict *dict_open_fn(const char *name, int flags, struct buf *why);

/* dict_open - open "type:name"; NULL and why filled on failure */
struct dict *dict_open(const char *spec, int flags, struct buf *why);
/* dict_open_surrogate - like dict_open, but a table that will not open
 * becomes one whose lookups fail (-1) with the reason (logged once) until
 * a lookup finds that it opens now (tried at most once a second) */
struct dict *dict_open_surrogate(const char *spec, int flags);
bool dict_type_known(const char *type);
bool dict_type_is_indexed(const char *type);
void dict_list_types(void (*fn)(const char *type, void *ctx), void *ctx);

int dict_lookup(struct dict *d, const char *key, const char **value_r);
int dict_update(struct dict *d, const char *key, const char *value);
int dict_delete(struct dict *d, const char *key);
int dict_seq(struct dict *d, enum dict_seq_op op, const char **key_r, const char **value_r);
int dict_commit(struct dict *d);
void dict_close(struct dict **dp);
const char *dict_error(const struct dict *d);

/* for backends */
struct dict *dict_alloc(const char *type, const char *name, int flags);
struct dict *dict_alloc_size(size_t size, const char *type, const char *name, int flags);
int dict_fail(struct dict *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void dict_line_error(struct dict *d, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* the backends (one file each) */
dict_open_fn dict_lmdb_open, dict_texthash_open, dict_regexp_open, dict_pcre_open,
	dict_cidr_open, dict_inline_open, dict_static_open, dict_unix_open, dict_proxy_open;

#endif
