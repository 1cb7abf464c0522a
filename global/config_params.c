/* config_params - computed defaults and the typed struct params.
 *
 * Computed defaults: myhostname (gethostname, no DNS: a lookup here could
 * hang every program), mydomain (myhostname minus its first label, else
 * "localdomain"), mynetworks (from mynetworks_style and the interfaces),
 * config_directory (the directory actually read).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "mem.h"
#include "mynetworks.h"

/* expanded_copy - the expanded value of name, malloc'ed (computing a default
 * must not populate the config_get cache while it is being expanded) */
static char *expanded_copy(struct config *c, const char *name)
{
	struct buf *out = buf_new(64), *why = buf_new(0);

	if (config_expand_name(c, name, out, why) < 0)
		log_warn("%s: %s", config_path(c), buf_str(why));
	buf_free(&why);
	return buf_steal(&out);
}

/* compute_default - the run-time default of name, malloc'ed, or NULL */
static char *compute_default(struct config *c, const char *name)
{
	char host[256];

	if (strcmp(name, "myhostname") == 0) {
		if (gethostname(host, sizeof(host) - 1) < 0)
			snprintf(host, sizeof(host), "localhost");
		host[sizeof(host) - 1] = '\0';
		return xstrdup(host);
	}
	if (strcmp(name, "mydomain") == 0) {
		char *h = expanded_copy(c, "myhostname");
		const char *dot = strchr(h, '.');
		char *d = xstrdup(dot && dot[1] ? dot + 1 : "localdomain");

		free(h);
		return d;
	}
	if (strcmp(name, "mynetworks") == 0) {
		struct buf *out = buf_new(128);
		char *style = expanded_copy(c, "mynetworks_style");
		char *protocols = expanded_copy(c, "inet_protocols");

		if (mynetworks_compute(style, protocols, out) < 0)
			log_warn("%s: unknown mynetworks_style \"%s\": using host", config_path(c), style);
		free(style);
		free(protocols);
		return buf_steal(&out);
	}
	if (strcmp(name, "config_directory") == 0)
		return xstrdup(config_directory(c));
	return NULL;
}

/* config_default_computed - name's computed default, once per config */
const char *config_default_computed(struct config *c, const char *name)
{
	return config_memo(c, name, compute_default);
}

/* config_params - every parameter expanded, converted and range-checked */
struct params *config_params(struct config *c, struct buf *why)
{
	size_t n, *offsets;
	const struct param_info *table = param_table(&n);
	struct params *p = xmalloc(sizeof(*p));
	struct buf *strings = buf_new(8192), *value = buf_new(256), *err = buf_new(64);
	int rc = 0;

	offsets = xcalloc(n, sizeof(*offsets));
	for (size_t i = 0; i < n && rc == 0; i++) {
		const struct param_info *pi = &table[i];

		if (pi->type == PARAM_RAW) {
			buf_set(value, config_raw(c, pi->name));
			rc = 0;
		} else {
			rc = config_expand_name(c, pi->name, value, err);
		}
		if (rc == 0 && pi->type != PARAM_STR && pi->type != PARAM_RAW)
			rc = param_convert(pi, buf_str(value), p, err);
		if (rc < 0) {
			int line = config_line(c, pi->name);

			if (line)
				buf_printf(why, "%s, line %d: %s", config_path(c), line, buf_str(err));
			else
				buf_printf(why, "%s: %s", config_path(c), buf_str(err));
			break;
		}
		offsets[i] = buf_len(strings);
		buf_add(strings, buf_str(value), buf_len(value) + 1);
	}
	if (rc == 0) {
		p->strings_ = buf_steal(&strings);
		for (size_t i = 0; i < n; i++)
			if (table[i].type == PARAM_STR || table[i].type == PARAM_RAW)
				*(const char **)((char *)p + table[i].offset) = p->strings_ + offsets[i];
	} else {
		buf_free(&strings);
		params_free(&p);
	}
	free(offsets);
	buf_free(&value);
	buf_free(&err);
	return p;
}
