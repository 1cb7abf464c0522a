/* mapfile - the source syntax of postmap and postalias files.
 *
 *   static void entry(void *ctx, const char *key, const char *value, int line);
 *   if (mapfile_parse(d, "/etc/hato/access", MAPFILE_MAP, entry, ctx, why) < 0)
 *       -> cannot read the file (why says so)
 *
 * MAPFILE_MAP lines are "key whitespace value"; MAPFILE_ALIASES lines are
 * "name: value" (aliases(5); the name may be "quoted"); MAPFILE_PASSWD lines
 * are Dovecot passwd-file lines "user:rest" (key user, value the rest of
 * the line after the first ':', for authd's lmdb passdb).  Both take
 * continuation lines, comments and blank lines as main.cf does.  A line
 * without a key or a value costs one warning "FILE, line N: problem" and
 * d->nerrors; the caller decides whether that is fatal (postmap refuses
 * to install a table with bad lines).  Nothing is folded here.
 */
#ifndef HATO_MAPFILE_H
#define HATO_MAPFILE_H

#include <stddef.h>

#include "buf.h"
#include "dict.h"

enum mapfile_syntax { MAPFILE_MAP, MAPFILE_ALIASES, MAPFILE_PASSWD };

typedef void mapfile_entry_fn(void *ctx, const char *key, const char *value, int lineno);

int mapfile_parse(struct dict *d, const char *path, enum mapfile_syntax syntax,
		  mapfile_entry_fn *fn, void *ctx, struct buf *why);
void mapfile_parse_text(struct dict *d, const char *path, const char *text, size_t len,
			enum mapfile_syntax syntax, mapfile_entry_fn *fn, void *ctx);

#endif
