/* metricsd - the metrics endpoint: the skeleton call (see metricsd.h). */
#include "metricsd.h"
#include "server.h"

/* metricsd_service - one HTTP client */
static void metricsd_service(const struct server_info *si, int fd)
{
	(void)si;
	metricsd_session(fd);
}

int main(int argc, char **argv)
{
	return server_main(argc, argv, &(struct server_opts){
		.kind = SERVER_SINGLE, .service = metricsd_service });
}
