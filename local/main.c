/* local - the local delivery agent: the skeleton call only (see local.h). */
#include "local.h"
#include "server.h"

static struct local_global global;

/* local_init - tables and rights, as root, once per process */
static void local_init(const struct server_info *si)
{
	global.cf = si->cf;
	global.config = si->config;
	local_alias_init(&global);
	deliver_quota_init(si->cf);
}

/* local_service - one delivery request from qmgr */
static void local_service(const struct server_info *si, int fd)
{
	(void)si;
	deliver_agent_serve(fd, local_recipient, &global, "local");
}

int main(int argc, char **argv)
{
	return server_main(argc, argv, &(struct server_opts){
		.kind = SERVER_SINGLE, .pre_init = local_init, .service = local_service });
}
