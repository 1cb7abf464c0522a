/* config - hato's main.cf: the cfgfile reader (cfgfile.h) with the
 * parameter table (params.def) as its schema, and the typed parameters.
 *
 *   struct config *c = config_read(config_dir(opt_c), CONFIG_STRICT, why);
 *   config_override(c, "smtpd_timeout=10s", why);     // master.cf -o
 *   struct params *p = config_params(c, why);          // typed, expanded
 *
 * Defaults are Postfix's (and Dovecot's for the mail-access names); a few
 * are computed: myhostname, mydomain, mynetworks, config_directory
 * (config_params.c).
 */
#ifndef HATO_CONFIG_H
#define HATO_CONFIG_H

#include "cfgfile.h"
#include "params.h"

/* config_dir - the config directory: -c DIR, else $HATO_CONFIG, else /etc/hato */
const char *config_dir(const char *opt_c);
struct config *config_read(const char *dir, int flags, struct buf *why);
struct config *config_read_text(const char *path, const char *text, size_t len,
				int flags, struct buf *why);
struct params *config_params(struct config *c, struct buf *why);
/* config_params.c: the computed default of name ("" when none) */
const char *config_default_computed(struct config *c, const char *name);

#endif
