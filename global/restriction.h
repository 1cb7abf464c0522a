/* restriction - the names of the smtpd restrictions (restriction.def), and
 * the check of every restriction list in a configuration, so that a typo
 * such as "reject_unknwon_sender_domain" is reported by "hato check",
 * "hato start" and smtpd's start, with the file, line and parameter,
 * instead of first reaching a client as "451 4.3.5".
 *   restriction_known(name, &takes_arg)  true for a name smtpd implements
 *   restriction_check(c, overrides, report)  one line per problem appended
 *         to report ("FILE, line N: PARAM: ..."); the number of problems.
 *         With overrides ("master.cf, line N: service S"), only the
 *         parameters that master.cf -o sets ("...: -o PARAM: ...")
 *   restriction_warn(c, overrides)  the same problems as log warnings
 * Names in smtpd_restriction_classes and "type:table" items (an implicit
 * check_*_access) are valid list items. */
#ifndef HATO_RESTRICTION_H
#define HATO_RESTRICTION_H

#include <stdbool.h>

#include "buf.h"
#include "config.h"

bool restriction_known(const char *name, bool *takes_arg);
int restriction_check(struct config *c, const char *overrides, struct buf *report);
int restriction_warn(struct config *c, const char *overrides);

#endif
