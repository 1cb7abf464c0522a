/* postdrop_env - a clean start for a set-group-ID program, and the rule for
 * which configuration a caller may choose.
 *
 * postdrop_sanitize: setid_sanitize (fds 0-2 open, every other fd
 * closed, the environment emptied, HATO_CONFIG's value handed back) with
 * umask 077; signals that end the process remove the unfinished maildrop
 * file.
 * postdrop_config: the default configuration directory is always usable.
 * With set-ID rights a caller may name another one (-c DIR or HATO_CONFIG)
 * only if root controls it: DIR is listed in alternate_config_directories
 * of the default main.cf (Postfix's rule), or DIR, every directory above
 * it and DIR/main.cf are owned by root and writable by nobody else (a
 * sticky directory such as /tmp may be on the way).  A main.cf written by
 * the caller could otherwise point postdrop anywhere.  Without set-ID
 * rights (a --dev instance) any directory is fine: postdrop then acts with
 * the caller's own rights only.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "config_trust.h"
#include "log.h"
#include "postdrop.h"
#include "setid.h"
#include "strv.h"

/* the unfinished file, for the signal handler and fatal errors */
static volatile int tmp_dirfd = -1;
static char tmp_name[64];

/* remove_tmp - unlink the unfinished file (async-signal-safe) */
static void remove_tmp(void)
{
	if (tmp_dirfd >= 0 && tmp_name[0])
		unlinkat(tmp_dirfd, tmp_name, 0);
}

/* postdrop_set_tmp - remember the unfinished file; name NULL forgets it */
void postdrop_set_tmp(int dirfd, const char *name)
{
	tmp_dirfd = -1;
	snprintf(tmp_name, sizeof(tmp_name), "%s", name ? name : "");
	tmp_dirfd = name ? dirfd : -1;
}

/* on_signal - interrupted: leave nothing behind */
static void on_signal(int sig)
{
	(void)sig;
	remove_tmp();
	_exit(EX_TEMPFAIL);
}

/* on_fatal - log_fatal: the environment failed, the caller may retry */
static void on_fatal(void)
{
	remove_tmp();
	_exit(EX_TEMPFAIL);
}

/* postdrop_die - a fatal message with a chosen exit status */
void postdrop_die(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_LEVEL_FATAL, fmt, ap);
	va_end(ap);
	remove_tmp();
	_exit(status);
}

/* postdrop_sanitize - a clean process; *config_env_r gets $HATO_CONFIG */
void postdrop_sanitize(char **config_env_r)
{
	struct sigaction sa = { .sa_handler = on_signal };
	static const int fatal_signals[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM };

	/* SIGPIPE ignored there: the wakeup FIFO may lose its reader */
	*config_env_r = setid_sanitize(077, "HATO_CONFIG");
	signal(SIGXFSZ, SIG_IGN);	/* a small RLIMIT_FSIZE becomes EFBIG */
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++)
		sigaction(fatal_signals[i], &sa, NULL);
	log_set_fatal_hook(on_fatal);
}

/* postdrop_is_setid - running with rights the caller does not have */
bool postdrop_is_setid(void)
{
	return config_trust_is_setid();
}

/* postdrop_config - read and check the configuration of dir (NULL: the
 * default); a directory the caller may not use is fatal */
struct config *postdrop_config(const char *dir)
{
	struct buf *why = buf_new(0);
	bool untrusted;
	struct config *c = config_trust_read(dir, "postdrop", NULL, &untrusted, why);

	if (c == NULL)
		log_fatal("%s", buf_str(why));
	buf_free(&why);
	return c;
}
