/* showq - the queue listing service: the skeleton call, and "showq -S
 * [-c config_dir]", one request on stdin/stdout for postqueue when the
 * mail system is down (see showq.h). */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "server.h"
#include "showq.h"

/* showq_pre_init - the time zone, before a chroot hides /etc/localtime */
static void showq_pre_init(const struct server_info *si)
{
	(void)si;
	tzset();
}

/* showq_service - one client on the public/showq socket */
static void showq_service(const struct server_info *si, int fd)
{
	(void)si;
	showq_session(fd, fd);
}

/* standalone - "showq -S [-c dir]": run by postqueue with the caller's
 * own rights, which must be enough to read the queue */
static int standalone(int argc, char **argv)
{
	const char *opt_c = NULL;
	struct buf *why = buf_new(0);
	struct config *c;
	int ch;

	log_init("showq");
	signal(SIGPIPE, SIG_IGN);
	optind = 2;
	while ((ch = getopt(argc, argv, "c:")) != -1) {
		if (ch != 'c')
			log_fatal("usage: showq -S [-c config_dir]");
		opt_c = optarg;
	}
	if ((c = config_read(config_dir(opt_c), CONFIG_QUIET, why)) == NULL)
		log_fatal("%s", buf_str(why));
	if (chdir(config_get(c, "queue_directory")) < 0)
		log_fatal("chdir %s: %m", config_get(c, "queue_directory"));
	showq_session(STDIN_FILENO, STDOUT_FILENO);
	config_free(&c);
	buf_free(&why);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "-S") == 0)
		return standalone(argc, argv);
	return server_main(argc, argv, &(struct server_opts){
		.kind = SERVER_SINGLE, .pre_init = showq_pre_init, .service = showq_service });
}
