/* postqueue_env - a clean start for a set-group-ID command, and which
 * configuration directory a caller may choose (the rule postdrop uses).
 *
 * postqueue_sanitize: fds 0-2 open (on /dev/null when the caller closed
 * them), every other fd closed, umask 022, the environment emptied after
 * keeping $HATO_CONFIG, SIGPIPE ignored (a vanished showq or reader is an
 * error we report, not a silent death).
 * postqueue_config: the default directory is always fine.  With set-ID
 * rights another one (-c DIR or HATO_CONFIG) is accepted only when the
 * default main.cf lists it in alternate_config_directories (Postfix's
 * rule) or when DIR, every directory above it and DIR/main.cf are owned
 * by root and writable by nobody else (a sticky directory such as /tmp
 * may be on the way): a main.cf written by the caller could otherwise
 * name any socket or FIFO as queue_directory/public/...  Without set-ID
 * rights any directory will do; postqueue then has the caller's rights.
 * XXX the same rule as postdrop/postdrop_env.c: a shared libutil module
 * would keep the two from drifting apart.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "config_trust.h"
#include "log.h"
#include "mem.h"
#include "postqueue.h"
#include "strv.h"

/* postqueue_die - a fatal message with a chosen exit status */
void postqueue_die(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_LEVEL_FATAL, fmt, ap);
	va_end(ap);
	exit(status);
}

/* postqueue_sanitize - a clean process; *config_env_r gets $HATO_CONFIG */
void postqueue_sanitize(char **config_env_r)
{
	const char *env = getenv("HATO_CONFIG");

	for (int fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) != fd)
			_exit(EX_OSERR);
	close_range(3, ~0U, 0);
	umask(022);
	*config_env_r = env && *env ? xstrdup(env) : NULL;
	clearenv();
	setenv("PATH", "/usr/bin:/bin", 1);
	signal(SIGPIPE, SIG_IGN);
}

/* postqueue_config - read the configuration of dir (NULL: the default);
 * *dir_r gets the directory used.  A directory the caller may not use,
 * or a broken main.cf, is fatal. */
struct config *postqueue_config(const char *dir, char **dir_r)
{
	struct buf *why = buf_new(0);
	bool untrusted;
	struct config *c = config_trust_read(dir, "postqueue", dir_r, &untrusted, why);

	if (c == NULL)
		postqueue_die(untrusted ? EX_USAGE : EX_CONFIG, "%s", buf_str(why));
	buf_free(&why);
	return c;
}
