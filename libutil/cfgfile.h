/* cfgfile - a configuration file in Postfix's main.cf syntax (struct
 * config): reading, overrides, "$name" expansion, validation.  What the
 * names mean (which exist, their defaults, their types, which are not
 * expanded) is the caller's schema; hato's is global/config.h.
 *
 *   struct config *c = config_read_with(dir, &schema, CONFIG_STRICT, why);  // DIR/main.cf
 *   config_override(c, "smtpd_timeout=10s", why);     // master.cf -o
 *   config_get(c, "myhostname")                       // expanded value
 *
 * Syntax: "name = value"; a line starting with white space continues the
 * previous one; lines whose first non-blank is '#' are comments; "$name",
 * "${name}", "$(name)", "${name?value}", "${name:value}",
 * "${name?{a}:{b}}" and "$$" expand; an undefined name expands to
 * nothing.  Errors name the file and line: "/etc/hato/main.cf, line 7:
 * ...".  CONFIG_STRICT also expands every value once (an unterminated "${"
 * or a loop such as "a = $a" is an error) and checks each value with the
 * schema.  A name the schema does not know that no other value refers to
 * is a warning.
 */
#ifndef HATO_CFGFILE_H
#define HATO_CFGFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

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
struct strv;

/* what the names mean, given by the caller */
struct config_schema {
	bool (*known)(const char *name);
	/* the default text of a known name; may be computed from other
	 * names through c (config_memo caches such a value) */
	const char *(*default_text)(struct config *c, const char *name);
	/* the expanded value suits the name's type: 0, or -1 with why */
	int (*check)(const char *name, const char *value, struct buf *why);
	/* the value is kept as written, "$" and all */
	bool (*raw)(const char *name);
};

struct config *config_read_with(const char *dir, const struct config_schema *schema, int flags,
				struct buf *why);
struct config *config_read_text_with(const char *path, const char *text, size_t len,
				     const struct config_schema *schema, int flags,
				     struct buf *why);
void config_free(struct config **cp);
int config_validate(struct config *c, struct buf *why);
int config_override(struct config *c, const char *name_eq_value, struct buf *why);
const char *config_path(const struct config *c);
/* config_directory - the directory the file was read from */
const char *config_directory(const struct config *c);
/* config_raw - the value as written (file or -o), else the default text */
const char *config_raw(struct config *c, const char *name);
enum config_origin config_origin(const struct config *c, const char *name);
int config_line(const struct config *c, const char *name);
/* config_set_names - names set in main.cf, in file order (postconf -n) */
struct strv *config_set_names(const struct config *c);
/* config_unknown_names - names set that the schema does not know and no
 * value refers to (those "unknown parameter" warns about), in file order */
struct strv *config_unknown_names(const struct config *c);
/* config_expand_text - expand $names in text; -1 and why on error */
int config_expand_text(struct config *c, const char *text, struct buf *out, struct buf *why);
/* config_expand_name - the expanded value of name, not cached; -1 and why */
int config_expand_name(struct config *c, const char *name, struct buf *out, struct buf *why);
/* config_get - the expanded value of name; the pointer stays valid until
 * config_override() or config_free() */
const char *config_get(struct config *c, const char *name);
/* config_memo - a computed default of name, made once by compute (which
 * returns it malloc'ed, or NULL for ""); while it is being computed name
 * reads as "", so defaults that refer to each other end */
const char *config_memo(struct config *c, const char *name,
			char *(*compute)(struct config *c, const char *name));

#endif
