/* proxymap - private interface of the table lookup service.
 *
 * Chrooted daemons cannot read /etc/passwd or tables outside the queue
 * directory; proxymap runs outside the chroot (Debian's stock master.cf:
 * "proxymap unix - - n - - proxymap") and answers "proxy:TYPE:NAME"
 * lookups over private/proxymap (protocol: libutil/dict_proxy.h).
 * It serves only the tables listed as proxy:TYPE:NAME in proxy_read_maps
 * (service "proxywrite": proxy_write_maps, still lookups only), so a
 * compromised chrooted smtpd cannot use it to read arbitrary files.
 * main.c: the skeleton call.  proxymap_conn.c: client connections (event
 * loop, idle close after ipc_idle).  proxymap_lookup.c: the allowed list,
 * the open tables, one request to one reply (fuzzed: fuzz_proxymap.c).
 * Trust: requests come from hato daemons that face the network; every
 * request is bounded (dict_proxy.h limits) and checked before use.
 */
#ifndef HATO_PROXYMAP_H
#define HATO_PROXYMAP_H

#include "attr.h"

enum {
	PROXYMAP_MAX_TABLES = 256,	/* open tables (table x flags) at once */
	PROXYMAP_IO_TIMEOUT_MS = 5000,	/* the rest of a request, a reply */
};

/* proxymap_lookup_init - the tables proxymap may open: every proxy:X in
 * the list (commas and/or whitespace) allows X; param names it in replies */
void proxymap_lookup_init(const char *param, const char *allowed_list);
/* proxymap_lookup_reply - answer one request message into reply (ended) */
void proxymap_lookup_reply(const struct attr_in *req, struct attr_out *reply);
void proxymap_lookup_free(void);

/* proxymap_conn_new - a client connection (send hello, serve requests) */
void proxymap_conn_new(int fd, long idle_ms);

#endif
