/* cleanup - the skeleton call only (see cleanup.h). */
#include "cleanup.h"
#include "server.h"

static struct cleanup_global global;

/* cleanup_init - tables, once per process, before the privilege drop */
static void cleanup_init(const struct server_info *si)
{
	global.cf = si->cf;
	global.config = si->config;
	cleanup_envelope_init(&global);
}

/* cleanup_service - one client: one message */
static void cleanup_service(const struct server_info *si, int fd)
{
	(void)si;
	cleanup_session(&global, fd);
}

int main(int argc, char **argv)
{
	return server_main(argc, argv, &(struct server_opts){
		.kind = SERVER_SINGLE, .pre_init = cleanup_init, .service = cleanup_service });
}
