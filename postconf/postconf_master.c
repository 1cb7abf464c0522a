/* postconf_master - "postconf -M [service[/type]...]": master.cf entries
 * in Postfix's layout, each on one line with its -o overrides. */
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "master_cf.h"
#include "postconf.h"

/* selected - whether entry e matches one of the filters (none: all) */
static bool selected(const struct master_cf_entry *e, char **filters)
{
	if (filters[0] == NULL)
		return true;
	for (size_t i = 0; filters[i]; i++) {
		const char *slash = strchr(filters[i], '/');
		size_t n = slash ? (size_t)(slash - filters[i]) : strlen(filters[i]);

		if (strlen(e->service) == n && strncmp(e->service, filters[i], n) == 0 &&
		    (slash == NULL || strcmp(slash + 1, master_cf_type_name(e->type)) == 0))
			return true;
	}
	return false;
}

/* postconf_master - print the selected entries */
int postconf_master(const char *dir, char **filters)
{
	struct buf *path = buf_new(64), *why = buf_new(0), *line = buf_new(256);
	struct master_cf *m;

	buf_printf(path, "%s/master.cf", dir);
	m = master_cf_parse_file(buf_str(path), why);
	if (m == NULL)
		log_error("%s", buf_str(why));
	for (size_t i = 0; m && i < m->len; i++) {
		if (!selected(&m->entries[i], filters))
			continue;
		buf_reset(line);
		master_cf_format(&m->entries[i], line);
		printf("%s\n", buf_str(line));
	}
	buf_free(&path);
	buf_free(&why);
	buf_free(&line);
	if (m == NULL)
		return 1;
	master_cf_free(&m);
	return 0;
}
