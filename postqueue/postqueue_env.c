/* postqueue_env - which configuration directory a caller of this
 * set-group-ID command may choose (the rule postdrop uses), and exits.
 *
 * main() starts with setid_sanitize(022, "HATO_CONFIG") (libutil/setid.h):
 * fds 0-2 open, every other fd closed, the environment emptied after
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
 * postdrop starts the same way and applies the same rule: both are
 * shared (setid.c, config_trust.c).
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "config_trust.h"
#include "log.h"
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
