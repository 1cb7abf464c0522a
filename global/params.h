/* params - the typed view of every parameter (expanded from params.def).
 *
 * param_find(name) describes one parameter: type, static default, range,
 * doc.  struct params has one field per parameter; config_params() (in
 * config.c) fills it from main.cf, defaults and -o overrides, checks types
 * and ranges, and daemons then read it through a const pointer only.
 * Strings in a struct params are owned by it (params_free).
 */
#ifndef HATO_PARAMS_H
#define HATO_PARAMS_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

enum param_type { PARAM_STR, PARAM_RAW, PARAM_INT, PARAM_BOOL, PARAM_TIME };

struct param_info {
	const char *name;
	enum param_type type;
	const char *def;	/* NULL: computed at run time */
	long min, max;		/* INT and TIME only */
	const char *doc;
	size_t offset;		/* of the field in struct params */
};

struct params {
#define PSTR(n, d, doc) const char *n;
#define PRAW(n, d, doc) const char *n;
#define PINT(n, d, lo, hi, doc) long n;
#define PBOOL(n, d, doc) bool n;
#define PTIME(n, d, lo, hi, doc) long n;
#include "params.def"
#undef PSTR
#undef PRAW
#undef PINT
#undef PBOOL
#undef PTIME
	char *strings_;		/* private: owned copies of the string fields */
};

const struct param_info *param_find(const char *name);
const struct param_info *param_table(size_t *count_r);
/* param_convert - check text against the type and range of p and store the
 * converted value into *params; -1 with why filled if it does not fit */
int param_convert(const struct param_info *p, const char *text,
		  struct params *params, struct buf *why);
int param_parse_time(const char *text, char default_unit, long *secs_r);
int param_parse_bool(const char *text, bool *value_r);
void params_free(struct params **pp);

#endif
