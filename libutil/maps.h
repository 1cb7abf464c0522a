/* maps - a list of lookup tables searched in order ("hash:/a, regexp:/b").
 *
 * This is how main.cf names tables (alias_maps, virtual_alias_maps,
 * header_checks...).  maps_find() returns the first table's answer:
 * 1 found, 0 in none, -1 temporary error in a table searched before any
 * hit (the caller defers; it never treats that as "not found").  A table
 * that will not open becomes a surrogate (see dict.h): lookups fail with
 * the reason, the program keeps running, and uses the table once it opens.
 */
#ifndef HATO_MAPS_H
#define HATO_MAPS_H

#include "buf.h"
#include "dict.h"

struct maps {
	char *title;		/* parameter name, for messages */
	struct dict **dicts;
	size_t len;
	struct buf *error;
};

struct maps *maps_open(const char *title, const char *list, int dict_flags);
void maps_free(struct maps **mp);
int maps_find(struct maps *m, const char *key, const char **value_r);
const char *maps_error(const struct maps *m);

#endif
