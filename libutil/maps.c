/* maps - ordered table lists; see maps.h. */
#include <stdlib.h>

#include "maps.h"
#include "mem.h"
#include "strv.h"

/* maps_open - open every "type:name" in list (commas and/or spaces) */
struct maps *maps_open(const char *title, const char *list, int dict_flags)
{
	struct maps *m = xmalloc(sizeof(*m));
	struct strv *specs = strv_split(list, ", \t\r\n");

	m->title = xstrdup(title);
	m->error = buf_new(0);
	m->dicts = xcalloc(specs->len + 1, sizeof(*m->dicts));
	for (size_t i = 0; i < specs->len; i++)
		m->dicts[m->len++] = dict_open_surrogate(specs->items[i], dict_flags);
	strv_free(&specs);
	return m;
}

/* maps_free - close every table */
void maps_free(struct maps **mp)
{
	struct maps *m = *mp;

	if (m == NULL)
		return;
	for (size_t i = 0; i < m->len; i++)
		dict_close(&m->dicts[i]);
	free(m->dicts);
	free(m->title);
	buf_free(&m->error);
	free(m);
	*mp = NULL;
}

/* maps_find - the first table that has key */
int maps_find(struct maps *m, const char *key, const char **value_r)
{
	*value_r = NULL;
	for (size_t i = 0; i < m->len; i++) {
		int rc = dict_lookup(m->dicts[i], key, value_r);

		if (rc == 1)
			return 1;
		if (rc < 0) {
			buf_reset(m->error);
			buf_printf(m->error, "%s: table %s:%s: %s", m->title, m->dicts[i]->type,
				   m->dicts[i]->name, dict_error(m->dicts[i]));
			return -1;
		}
	}
	return 0;
}

/* maps_error - why the last maps_find returned -1 */
const char *maps_error(const struct maps *m)
{
	return buf_str(m->error);
}
