/* pop3d - the POP3 login process: the skeleton call (see pop3d.h) */
#include <stdlib.h>

#include "log.h"
#include "pop3d.h"
#include "server.h"

static struct pop3d_global global;

/* pop3d_init - as root: the certificate and key, read before the chroot */
static void pop3d_init(const struct server_info *si)
{
	global.cf = si->cf;
	global.tls = login_session_tls_init(si->cf);
}

/* pop3d_service - one client */
static void pop3d_service(const struct server_info *si, int fd)
{
	(void)si;
	pop3d_session(&global, fd);
}

int main(int argc, char **argv)
{
	return server_main(argc, argv, &(struct server_opts){
		.kind = SERVER_SINGLE, .pre_init = pop3d_init, .service = pop3d_service,
		.login = true });
}
