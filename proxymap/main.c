/* proxymap - the table lookup service: the skeleton call only (see
 * proxymap.h).  One process serves every client (SERVER_MULTI, as
 * Postfix's proxymap); it runs as mail_owner outside the chroot. */
#include <string.h>

#include "proxymap.h"
#include "server.h"

static long idle_ms;

/* proxymap_init - the tables this service may open, per its name */
static void proxymap_init(const struct server_info *si)
{
	bool writer = strcmp(si->service, "proxywrite") == 0;

	proxymap_lookup_init(writer ? "proxy_write_maps" : "proxy_read_maps",
			     writer ? si->cf->proxy_write_maps : si->cf->proxy_read_maps);
	idle_ms = si->cf->ipc_idle * 1000;
}

/* proxymap_service - a new client */
static void proxymap_service(const struct server_info *si, int fd)
{
	(void)si;
	proxymap_conn_new(fd, idle_ms);
}

int main(int argc, char **argv)
{
	return server_main(argc, argv, &(struct server_opts){
		.kind = SERVER_MULTI, .unlimited = true,
		.post_init = proxymap_init, .service = proxymap_service });
}
