/* daemon_names - which master.cf commands a missing binary may be skipped for.
 *
 * A Postfix master.cf copied verbatim names programs hato does not provide
 * (tlsmgr, trivial-rewrite, anvil, ...) or has not built yet: those
 * services are skipped (master names them in one line).  Any other command whose
 * program is missing from daemon_directory is an error (a typo, or a
 * custom program that is not installed).
 */
#ifndef HATO_DAEMON_NAMES_H
#define HATO_DAEMON_NAMES_H

#include <stdbool.h>

/* daemon_is_skippable - a known Postfix or hato program name */
bool daemon_is_skippable(const char *command);
/* daemon_is_hato - one of hato's own programs (not built when missing) */
bool daemon_is_hato(const char *command);

#endif
