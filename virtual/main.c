/* virtual - the virtual delivery agent: the skeleton call only (see virtual.h). */
#include "server.h"
#include "virtual.h"

static struct virtual_global global;

/* virtual_pre_init - tables, as root, once per process */
static void virtual_pre_init(const struct server_info *si)
{
	global.cf = si->cf;
	global.config = si->config;
	virtual_init(&global);
}

/* virtual_service - one delivery request from qmgr */
static void virtual_service(const struct server_info *si, int fd)
{
	(void)si;
	deliver_agent_serve(fd, virtual_recipient, &global, "virtual");
}

int main(int argc, char **argv)
{
	return server_main(argc, argv, &(struct server_opts){
		.kind = SERVER_SINGLE, .pre_init = virtual_pre_init, .service = virtual_service });
}
