/* postconf_print - print parameters as "name = value", Postfix's layout.
 *
 * Names are sorted; white space inside a value (continuation lines) is
 * shown as single spaces.  -d shows defaults, -n only what main.cf sets,
 * -h the value alone, -x the value with $names expanded.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "mem.h"
#include "params.h"
#include "postconf.h"

/* compact - value with white-space runs as single spaces, trimmed */
static void compact(const char *value, struct buf *out)
{
	bool space = false;

	buf_reset(out);
	for (const char *p = value; *p; p++) {
		if (isspace((unsigned char)*p)) {
			space = buf_len(out) > 0;
			continue;
		}
		if (space)
			buf_putc(out, ' ');
		space = false;
		buf_putc(out, *p);
	}
}

/* print_one - print one parameter; -1 if it is unknown */
static int print_one(struct config *c, const char *name, int show, struct buf *tmp)
{
	const struct param_info *p = param_find(name);
	const char *value;
	struct buf *why = buf_new(0);

	if (show & SHOW_DEFAULTS) {
		if (p == NULL) {
			buf_free(&why);
			return -1;
		}
		value = p->def ? p->def : NULL;
		if (value == NULL)	/* computed default: not affected by main.cf */
			value = config_raw(c, name);
	} else {
		value = config_raw(c, name);
	}
	if (value == NULL) {
		buf_free(&why);
		return -1;
	}
	if (show & SHOW_EXPANDED) {
		struct buf *out = buf_new(256);

		if (config_expand_text(c, value, out, why) < 0)
			log_warn("%s", buf_str(why));
		compact(buf_str(out), tmp);
		buf_free(&out);
	} else {
		compact(value, tmp);
	}
	if (show & SHOW_VALUE_ONLY)
		printf("%s\n", buf_str(tmp));
	else
		printf("%s =%s%s\n", name, buf_len(tmp) ? " " : "", buf_str(tmp));
	buf_free(&why);
	return 0;
}

/* cmp_names - qsort comparator for names */
static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* all_names - every name to show: known ones, plus what main.cf sets */
static struct strv *all_names(struct config *c, int show)
{
	struct strv *v = (show & SHOW_NONDEFAULT) ? config_set_names(c) : strv_new();
	size_t n;
	const struct param_info *t = param_table(&n);

	if (!(show & SHOW_NONDEFAULT)) {
		for (size_t i = 0; i < n; i++)
			strv_add(v, t[i].name);
		if (!(show & SHOW_DEFAULTS)) {
			struct strv *set = config_set_names(c);

			for (size_t i = 0; i < set->len; i++)
				if (param_find(set->items[i]) == NULL)
					strv_add(v, set->items[i]);
			strv_free(&set);
		}
	}
	qsort(v->items, v->len, sizeof(char *), cmp_names);
	return v;
}

/* postconf_print - print the named parameters, or all of them */
int postconf_print(struct config *c, int show, char **names)
{
	struct buf *tmp = buf_new(256);
	int rc = 0;

	if (names[0] == NULL) {
		struct strv *v = all_names(c, show);

		for (size_t i = 0; i < v->len; i++)
			print_one(c, v->items[i], show, tmp);
		strv_free(&v);
	} else {
		for (size_t i = 0; names[i]; i++) {
			if ((show & SHOW_NONDEFAULT) && config_origin(c, names[i]) == CONFIG_DEFAULT)
				continue;
			if (print_one(c, names[i], show, tmp) < 0) {
				log_warn("%s: unknown parameter", names[i]);
				rc = 1;
			}
		}
	}
	buf_free(&tmp);
	return rc;
}
