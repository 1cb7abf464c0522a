/* pop3mail - the POP3 mail process: the skeleton call (see pop3mail.h).
 * One session per process: it becomes the user, so it cannot serve
 * another (.once closes the listening socket first). */
#include "pop3mail.h"
#include "server.h"

/* pop3mail_service - one handoff from pop3d */
static void pop3mail_service(const struct server_info *si, int fd)
{
	(void)si;
	pop3mail_login(fd);
}

int main(int argc, char **argv)
{
	return server_main(argc, argv, &(struct server_opts){
		.kind = SERVER_SINGLE, .pre_init = pop3mail_login_init,
		.service = pop3mail_service, .once = true });
}
