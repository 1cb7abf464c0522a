/* pop3d - the POP3 login process: the skeleton call (see pop3d.h) */
#include <stdlib.h>

#include "log.h"
#include "pop3d.h"
#include "server.h"

static struct pop3d_global global;

/* pop3d_init - as root: the certificate and key, read before the chroot */
static void pop3d_init(const struct server_info *si)
{
	const struct params *cf = si->cf;
	struct buf *why = buf_new(0), *protocols = buf_new(16);

	global.cf = cf;
	buf_printf(protocols, ">=%s", cf->ssl_min_protocol);
	if (*cf->ssl_cert == '\0')
		log_info("ssl_cert is not set: no TLS");
	else if ((global.tls = tls_server_new(cf->ssl_cert, cf->ssl_key, buf_str(protocols), why)) == NULL)
		log_warn("cannot read the TLS certificate or key: %s: no TLS", buf_str(why));
	buf_free(&protocols);
	buf_free(&why);
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
