/* config_trust - which configuration directory a set-group-ID command
 * (postdrop, postqueue) may read, as Postfix decides it.
 *
 *   if (config_trust_is_setid() && config_trust_check(dir, &real, why) < 0)
 *       fatal("configuration directory %s is not trusted: %s", dir, why);
 *
 * Trusted: a directory listed in the default main.cf's
 * alternate_config_directories, or one that only root can change (the
 * directory, every parent - sticky ones allowed - and its main.cf).  The
 * caller's -c or HATO_CONFIG is otherwise a way to feed the command a
 * main.cf of the caller's choosing.
 */
#ifndef HATO_CONFIG_TRUST_H
#define HATO_CONFIG_TRUST_H

#include <stdbool.h>

#include "buf.h"

bool config_trust_is_setid(void);
/* config_trust_check - 0 and the resolved directory in *real_r (free it),
 * or -1 with why */
int config_trust_check(const char *dir, char **real_r, struct buf *why);

#endif
