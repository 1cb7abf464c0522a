/* params - the parameter table and type conversion; see params.h.
 * Values come from administrator files, but are still checked: a number
 * out of range or a word that is not a boolean is refused with the reason. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "params.h"

static const struct param_info table[] = {
#define PSTR(n, d, doc) { #n, PARAM_STR, d, 0, 0, doc, offsetof(struct params, n) },
#define PRAW(n, d, doc) { #n, PARAM_RAW, d, 0, 0, doc, offsetof(struct params, n) },
#define PINT(n, d, lo, hi, doc) { #n, PARAM_INT, #d, lo, hi, doc, offsetof(struct params, n) },
#define PBOOL(n, d, doc) { #n, PARAM_BOOL, d, 0, 0, doc, offsetof(struct params, n) },
#define PTIME(n, d, lo, hi, doc) { #n, PARAM_TIME, d, lo, hi, doc, offsetof(struct params, n) },
#include "params.def"
#undef PSTR
#undef PRAW
#undef PINT
#undef PBOOL
#undef PTIME
};

enum { NPARAMS = sizeof(table) / sizeof(table[0]) };

/* param_table - all parameters, in params.def order */
const struct param_info *param_table(size_t *count_r)
{
	*count_r = NPARAMS;
	return table;
}

/* by_name - qsort/bsearch order of table entries */
static int by_name(const void *a, const void *b)
{
	return strcmp((*(const struct param_info *const *)a)->name,
		      (*(const struct param_info *const *)b)->name);
}

/* param_find - the description of name, or NULL (a binary search: every
 * expansion of every parameter at each daemon's start asks) */
const struct param_info *param_find(const char *name)
{
	static const struct param_info *sorted[NPARAMS];
	static bool ready;
	struct param_info key = { .name = name };
	const struct param_info *kp = &key, *const *hit;

	if (!ready) {
		for (size_t i = 0; i < NPARAMS; i++)
			sorted[i] = &table[i];
		qsort(sorted, NPARAMS, sizeof(sorted[0]), by_name);
		ready = true;
	}
	hit = bsearch(&kp, sorted, NPARAMS, sizeof(sorted[0]), by_name);
	return hit ? *hit : NULL;
}

/* parse_long - a whole decimal number, -1 if not */
static int parse_long(const char *text, long *value_r)
{
	char *end;

	errno = 0;
	*value_r = strtol(text, &end, 10);
	if (end == text || *end != '\0' || errno == ERANGE || isspace((unsigned char)*text))
		return -1;
	return 0;
}

/* param_parse_time - "300", "300s", "5m", "2h", "5d", "1w" to seconds */
int param_parse_time(const char *text, char default_unit, long *secs_r)
{
	size_t len = strlen(text);
	char unit = default_unit;
	char num[32];
	long n, mult;

	if (len == 0 || len >= sizeof(num))
		return -1;
	memcpy(num, text, len + 1);
	if (isalpha((unsigned char)num[len - 1])) {
		unit = (char)tolower((unsigned char)num[len - 1]);
		num[len - 1] = '\0';
	}
	if (parse_long(num, &n) < 0 || n < 0)
		return -1;
	switch (unit) {
	case 's': mult = 1; break;
	case 'm': mult = 60; break;
	case 'h': mult = 3600; break;
	case 'd': mult = 86400; break;
	case 'w': mult = 604800; break;
	default: return -1;
	}
	if (__builtin_mul_overflow(n, mult, secs_r))
		return -1;
	return 0;
}

/* param_parse_bool - yes/no (also true/false), any case */
int param_parse_bool(const char *text, bool *value_r)
{
	if (strcasecmp(text, "yes") == 0 || strcasecmp(text, "true") == 0) {
		*value_r = true;
		return 0;
	}
	if (strcasecmp(text, "no") == 0 || strcasecmp(text, "false") == 0) {
		*value_r = false;
		return 0;
	}
	return -1;
}

/* default_unit - the unit a bare number means: the default's last letter */
static char default_unit(const struct param_info *p)
{
	size_t len = p->def ? strlen(p->def) : 0;

	return len && isalpha((unsigned char)p->def[len - 1]) ? p->def[len - 1] : 's';
}

/* param_convert - check and store one value */
int param_convert(const struct param_info *p, const char *text,
		  struct params *params, struct buf *why)
{
	char *field = (char *)params + p->offset;
	long n = 0;
	bool b;

	switch (p->type) {
	case PARAM_STR:
	case PARAM_RAW:
		*(const char **)field = text;
		return 0;
	case PARAM_BOOL:
		if (param_parse_bool(text, &b) < 0) {
			buf_printf(why, "bad boolean value for %s: \"%s\" (use yes or no)", p->name, text);
			return -1;
		}
		*(bool *)field = b;
		return 0;
	case PARAM_INT:
		if (parse_long(text, &n) < 0) {
			buf_printf(why, "bad numerical value for %s: \"%s\"", p->name, text);
			return -1;
		}
		break;
	case PARAM_TIME:
		if (param_parse_time(text, default_unit(p), &n) < 0) {
			buf_printf(why, "bad time value for %s: \"%s\" (a number with unit s, m, h, d or w)",
				   p->name, text);
			return -1;
		}
		break;
	}
	if (n < p->min || n > p->max) {
		buf_printf(why, "value of %s out of range: %s (allowed %ld..%ld%s)", p->name, text,
			   p->min, p->max, p->type == PARAM_TIME ? " seconds" : "");
		return -1;
	}
	*(long *)field = n;
	return 0;
}

/* params_free - release a filled struct params */
void params_free(struct params **pp)
{
	if (*pp == NULL)
		return;
	free((*pp)->strings_);
	free(*pp);
	*pp = NULL;
}
