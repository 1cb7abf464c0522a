/* postmap - private interface of postmap, postalias and newaliases.
 *
 * One program, three names: postmap works on "key whitespace value"
 * files, postalias and newaliases on aliases(5) files.  A table argument
 * is "type:file" or just "file" (default_database_type).  Building reads
 * FILE and writes FILE.lmdb atomically; a source with bad lines is
 * refused and the old table stays.
 */
#ifndef HATO_POSTMAP_H
#define HATO_POSTMAP_H

#include <stdbool.h>

#include "mapfile.h"
#include "strv.h"

enum postmap_dups { DUPS_WARN, DUPS_QUIET, DUPS_REPLACE };

struct postmap_opts {
	enum mapfile_syntax syntax;	/* MAPFILE_MAP or MAPFILE_ALIASES */
	const char *default_type;	/* default_database_type */
	bool fold;			/* fold keys to lower case (not -f) */
	bool inherit_mode;		/* new table gets the source's mode (not -p) */
	bool inherit_owner;		/* as root: and its owner (not -o) */
	enum postmap_dups dups;		/* -w quiet, -r replace */
};

/* postmap_spec - "type:file" for arg, with the default type filled in */
char *postmap_spec(const struct postmap_opts *o, const char *arg);
/* postmap_syntax - MAPFILE_PASSWD for "passwd-file:FILE" (authd's lmdb
 * passdb: key user, value the rest of the line), else o->syntax */
enum mapfile_syntax postmap_syntax(const struct postmap_opts *o, const char *arg);
int postmap_build(const struct postmap_opts *o, const char *arg);
int postmap_incremental(const struct postmap_opts *o, const char *arg);
int postmap_query(const struct postmap_opts *o, const char *key, char **args, int n);
int postmap_delete(const struct postmap_opts *o, const char *key, char **args, int n);
int postmap_show(const struct postmap_opts *o, const char *arg);
int postmap_read_stdin(struct buf *text);

#endif
