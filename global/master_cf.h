/* master_cf - the master.cf service table (Postfix master(5) syntax).
 *
 *   struct master_cf *m = master_cf_parse_file("/etc/hato/master.cf", why);
 *   for (size_t i = 0; i < m->len; i++) use(&m->entries[i]);
 *   master_cf_free(&m);
 *
 * A logical line starts with non-blank text; lines starting with white
 * space continue it; lines whose first non-blank is '#' are comments, also
 * between an entry and its continuation lines.  Fields: service type
 * private unpriv chroot wakeup maxproc command [args]; "-o name=value" and
 * "-o { name = value }" arguments are collected as overrides, "{ text }"
 * groups an argument with spaces.  Every bad line is logged as
 * "FILE, line N: problem" and the parse fails with the first one in why.
 * Generic: knows nothing of main.cf.
 */
#ifndef HATO_MASTER_CF_H
#define HATO_MASTER_CF_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "strv.h"

enum master_cf_type { MASTER_CF_INET, MASTER_CF_UNIX, MASTER_CF_UNIX_DGRAM,
		      MASTER_CF_FIFO, MASTER_CF_PASS };

struct master_cf_entry {
	char *service;
	enum master_cf_type type;
	bool private_, unpriv, chroot;	/* resolved: '-' is y, y, n */
	int wakeup;			/* seconds, 0 = never */
	bool wakeup_if_used;		/* "60?" */
	int maxproc;			/* -1 = '-' (default_process_limit) */
	char *command;
	struct strv *args;		/* arguments other than -o */
	struct strv *overrides;		/* "name=value" from -o */
	struct strv *fields;		/* the 7 columns as written */
	int line;
};

struct master_cf {
	struct master_cf_entry *entries;
	size_t len;
};

struct master_cf *master_cf_parse_file(const char *path, struct buf *why);
struct master_cf *master_cf_parse_text(const char *path, const char *text, size_t len,
				       struct buf *why);
void master_cf_free(struct master_cf **mp);
/* master_cf_format - one entry as "postconf -M" prints it */
void master_cf_format(const struct master_cf_entry *e, struct buf *out);
const char *master_cf_type_name(enum master_cf_type type);
const char *master_cf_socket_dir(const struct master_cf_entry *e);
const char *master_cf_socket_name(const struct master_cf_entry *e);

#endif
