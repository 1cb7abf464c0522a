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

struct config;
/* config_trust_read - the configuration of dir (NULL: the default) read
 * and validated as set-group-ID prog may: NULL with why (and *untrusted_r
 * true when the directory itself was refused); *dir_r, when not NULL,
 * gets the directory used (free it) */
struct config *config_trust_read(const char *dir, const char *prog, char **dir_r,
				 bool *untrusted_r, struct buf *why);

#endif
