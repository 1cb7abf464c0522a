/* config - hato's main.cf on the cfgfile reader: which directory, and the
 * parameter table (params.def) as the schema: the names hato knows, their
 * defaults (a few computed: config_params.c), their types, and which are
 * kept as written. */
#include <stdlib.h>

#include "config.h"

/* known - a name of the parameter table */
static bool known(const char *name)
{
	return param_find(name) != NULL;
}

/* default_text - the table's default, or the computed one */
static const char *default_text(struct config *c, const char *name)
{
	const struct param_info *p = param_find(name);

	if (p == NULL)
		return NULL;
	return p->def ? p->def : config_default_computed(c, name);
}

/* check - the expanded value converts to the name's type */
static int check(const char *name, const char *value, struct buf *why)
{
	const struct param_info *p = param_find(name);
	struct params scratch;

	if (p == NULL || p->type == PARAM_STR || p->type == PARAM_RAW)
		return 0;
	return param_convert(p, value, &scratch, why);
}

/* raw - a name whose value is never expanded */
static bool raw(const char *name)
{
	const struct param_info *p = param_find(name);

	return p && p->type == PARAM_RAW;
}

static const struct config_schema schema = { known, default_text, check, raw };

/* config_dir - -c DIR, else $HATO_CONFIG, else /etc/hato */
const char *config_dir(const char *opt_c)
{
	const char *env = getenv("HATO_CONFIG");

	if (opt_c && *opt_c)
		return opt_c;
	if (env && *env)
		return env;
	return "/etc/hato";
}

/* config_read - DIR/main.cf with hato's parameters */
struct config *config_read(const char *dir, int flags, struct buf *why)
{
	return config_read_with(dir, &schema, flags, why);
}

/* config_read_text - main.cf text with hato's parameters; path names it */
struct config *config_read_text(const char *path, const char *text, size_t len,
				int flags, struct buf *why)
{
	return config_read_text_with(path, text, len, &schema, flags, why);
}
