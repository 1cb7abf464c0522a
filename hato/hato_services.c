/* hato_services - which master.cf services this hato does not provide.
 *
 * A Postfix master.cf copied verbatim names services hato has no program
 * for (tlsmgr, anvil, scache, ...); master skips them.  "hato status"
 * names them in one line, from the same rule master applies
 * (daemon_is_unavailable), so the two always agree.  Read-only.
 */
#include <stdlib.h>

#include "daemon_names.h"
#include "hato.h"
#include "log.h"
#include "master_cf.h"

/* hato_services_unavailable - one line naming the skipped services, if any */
void hato_services_unavailable(const char *dir)
{
	struct buf *why = buf_new(0), *path = buf_new(64), *names = buf_new(128);
	struct config *c = config_read(dir, CONFIG_QUIET | CONFIG_LENIENT, why);
	struct master_cf *mcf = NULL;
	size_t n = 0;

	buf_printf(path, "%s/master.cf", dir);
	if (c == NULL || (mcf = master_cf_parse_file(buf_str(path), why)) == NULL)
		goto out;
	n = daemon_unavailable_names(mcf, config_get(c, "daemon_directory"), names);
	if (n)
		log_info("%s: %zu service%s not available in this version of hato (skipped): %s",
			 buf_str(path), n, n == 1 ? "" : "s", buf_str(names));
out:
	master_cf_free(&mcf);
	config_free(&c);
	buf_free(&why);
	buf_free(&path);
	buf_free(&names);
}
