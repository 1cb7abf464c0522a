/* config - main.cf: reading, $name expansion, and the typed parameters.
 *
 *   struct config *c = config_read(config_dir(opt_c), CONFIG_STRICT, why);
 *   config_override(c, "smtpd_timeout=10s", why);     // master.cf -o
 *   struct params *p = config_params(c, why);          // typed, expanded
 *
 * main.cf syntax is Postfix's: "name = value"; a line starting with white
 * space continues the previous one; lines whose first non-blank is '#' are
 * comments; "$name", "${name}", "$(name)", "${name?value}", "${name:value}",
 * "${name?{a}:{b}}" and "$$" expand; an undefined name expands to nothing.
 * Errors name the file and line: "/etc/hato/main.cf, line 7: ...".
 * CONFIG_STRICT also expands every value once (an unterminated "${" or a
 * loop such as "a = $a" is an error) and checks numbers, booleans and times.
 * An unknown parameter that no other value refers to is a warning.
 */
#ifndef HATO_CONFIG_H
#define HATO_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "params.h"

enum config_flags {
	CONFIG_STRICT = 1 << 0,	/* validate expansion and types while reading */
	CONFIG_QUIET = 1 << 1,	/* no warnings for unknown parameters */
	CONFIG_LENIENT = 1 << 2, /* skip lines that do not parse (why gets the
				  * first error, the read still succeeds):
				  * hato status/stop find a master whose
				  * main.cf has since been broken */
};

enum config_origin { CONFIG_DEFAULT, CONFIG_FILE, CONFIG_OVERRIDE };

struct config;

/* config_dir - the config directory: -c DIR, else $HATO_CONFIG, else /etc/hato */
const char *config_dir(const char *opt_c);
struct config *config_read(const char *dir, int flags, struct buf *why);
struct config *config_read_text(const char *path, const char *text, size_t len,
				int flags, struct buf *why);
void config_free(struct config **cp);
int config_validate(struct config *c, struct buf *why);
int config_override(struct config *c, const char *name_eq_value, struct buf *why);

const char *config_path(const struct config *c);
/* config_raw - the value as written (file or -o), else the default text */
const char *config_raw(struct config *c, const char *name);
enum config_origin config_origin(const struct config *c, const char *name);
int config_line(const struct config *c, const char *name);
/* config_set_names - names set in main.cf, in file order (postconf -n) */
struct strv *config_set_names(const struct config *c);
/* config_expand_text - expand $names in text; -1 and why on error */
int config_expand_text(struct config *c, const char *text, struct buf *out, struct buf *why);
/* config_get - the expanded value of name; the pointer stays valid until
 * config_override() or config_free() */
const char *config_get(struct config *c, const char *name);
struct params *config_params(struct config *c, struct buf *why);

#endif
