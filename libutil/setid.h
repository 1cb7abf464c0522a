/* setid - a clean start for a set-ID program (postdrop, postqueue): the
 * caller chose its fds, umask, environment and signal dispositions, and
 * none of them may steer the program.
 *
 *   char *config_dir = setid_sanitize(077, "HATO_CONFIG");   // or NULL
 *
 * Afterwards fds 0, 1 and 2 are open (on /dev/null where the caller
 * closed one, so that no file opened later becomes stdout), every other
 * fd is closed, the umask is mask, the environment holds only
 * PATH=/usr/bin:/bin, and SIGPIPE is ignored (a reader that went away is
 * an error to report, not a silent death).  The value of the variable
 * keep is handed back first (malloc'ed; NULL when unset or empty): the
 * caller decides whether to trust it.  When fd 0-2 cannot be opened the
 * process exits with EX_OSERR: it cannot even report that.
 */
#ifndef HATO_SETID_H
#define HATO_SETID_H

#include <sys/types.h>

char *setid_sanitize(mode_t mask, const char *keep);

#endif
