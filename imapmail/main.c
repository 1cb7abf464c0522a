/* imapmail - the IMAP mail process: the skeleton call (see imapmail.h).
 * One session per process: it becomes the user, so it cannot serve
 * another (.once closes the listening socket first). */
#include "imapmail.h"
#include "server.h"

/* imapmail_service - one handoff from imapd */
static void imapmail_service(const struct server_info *si, int fd)
{
	(void)si;
	imapmail_login(fd);
}

int main(int argc, char **argv)
{
	return server_main(argc, argv, &(struct server_opts){
		.kind = SERVER_SINGLE, .pre_init = imapmail_login_init,
		.service = imapmail_service, .once = true });
}
