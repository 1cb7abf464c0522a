/* daemon_names - which master.cf commands a missing binary may be skipped for.
 *
 * A Postfix master.cf copied verbatim names programs hato does not provide
 * (tlsmgr, trivial-rewrite, anvil, ...) or has not built yet: those
 * services are skipped with one warning each.  Any other command whose
 * program is missing from daemon_directory is an error (a typo, or a
 * custom program that is not installed).
 */
#ifndef HATO_DAEMON_NAMES_H
#define HATO_DAEMON_NAMES_H

#include <stdbool.h>

#include "buf.h"
#include "master_cf.h"

/* daemon_is_skippable - a known Postfix or hato program name */
bool daemon_is_skippable(const char *command);
/* daemon_is_unavailable - master.cf entry e is one hato skips: a type it
 * has no server for (pass, unix-dgram), or a known program that is not in
 * daemon_dir.  master logs those in one line; hato status lists them. */
bool daemon_is_unavailable(const struct master_cf_entry *e, const char *daemon_dir);
/* daemon_unavailable_names - the names of mcf's unavailable services,
 * space-separated, into names; their number */
size_t daemon_unavailable_names(const struct master_cf *mcf, const char *daemon_dir,
				struct buf *names);

#endif
