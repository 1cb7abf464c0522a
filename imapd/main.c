/* imapd - the IMAP login process: the skeleton call (see imapd.h) */
#include "imapd.h"
#include "server.h"

static struct imapd_global global;

/* imapd_init - as root: the certificate and key, read before the chroot */
static void imapd_init(const struct server_info *si)
{
	global.cf = si->cf;
	global.tls = login_session_tls_init(si->cf);
}

/* imapd_service - one client */
static void imapd_service(const struct server_info *si, int fd)
{
	(void)si;
	imapd_session(&global, fd);
}

int main(int argc, char **argv)
{
	return server_main(argc, argv, &(struct server_opts){
		.kind = SERVER_SINGLE, .pre_init = imapd_init, .service = imapd_service,
		.login = true });
}
