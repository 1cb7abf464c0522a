/* smtpd - the SMTP server: the skeleton call only (see smtpd.h). */
#include "server.h"
#include "smtpd.h"
#include "smtpd_conn.h"

static struct smtpd_global global;

/* smtpd_init - tables and restriction lists, once per process */
static void smtpd_init(const struct server_info *si)
{
	global.cf = si->cf;
	global.config = si->config;
	smtpd_check_init(&global);
	smtpd_conn_init(&global, si);
	smtpd_tls_init(&global);
	smtpd_sasl_init(&global);
}

/* smtpd_service - one client */
static void smtpd_service(const struct server_info *si, int fd)
{
	(void)si;
	smtpd_session(&global, fd);
}

int main(int argc, char **argv)
{
	return server_main(argc, argv, &(struct server_opts){
		.kind = SERVER_SINGLE, .pre_init = smtpd_init, .service = smtpd_service,
		.stress = true });
}
