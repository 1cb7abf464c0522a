/* env_import - rebuild the environment from import_environment; see
 * env_import.h. */
#include <stdlib.h>
#include <string.h>

#include "env_import.h"
#include "log.h"
#include "mem.h"
#include "strv.h"

/* valid_name - a shell-style variable name */
static int valid_name(const char *s, size_t len)
{
	if (len == 0 || (s[0] >= '0' && s[0] <= '9'))
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!(s[i] == '_' || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z')
		      || (s[i] >= '0' && s[i] <= '9')))
			return 0;
	return 1;
}

/* collect - the NAME=VALUE strings the new environment will hold */
static struct strv *collect(const char *list)
{
	struct strv *items = strv_split(list, ", \t\r\n");
	struct strv *keep = strv_new();

	for (size_t i = 0; i < items->len; i++) {
		const char *item = items->items[i], *eq = strchr(item, '=');
		size_t len = eq ? (size_t)(eq - item) : strlen(item);
		char *name = xstrndup(item, len);
		const char *value = eq ? eq + 1 : getenv(name);

		if (!valid_name(item, len))
			log_warn("import_environment: ignoring \"%s\": not a variable name", item);
		else if (value != NULL) {
			char *kv = xmalloc_raw(len + strlen(value) + 2);

			memcpy(kv, item, len);
			kv[len] = '=';
			strcpy(kv + len + 1, value);
			strv_take(keep, kv);
		}
		free(name);
	}
	strv_free(&items);
	return keep;
}

void env_import(const char *list)
{
	struct strv *keep = collect(list ? list : "");

	clearenv();
	for (size_t i = 0; i < keep->len; i++) {
		char *eq = strchr(keep->items[i], '=');

		*eq = '\0';
		if (setenv(keep->items[i], eq + 1, 1) < 0)
			log_fatal("setenv %s: %m", keep->items[i]);
	}
	strv_free(&keep);
}
