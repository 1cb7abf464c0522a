/* sendmail - the Sendmail-compatible submission command: arguments, the
 * configuration, then the mode (see sendmail.h).  Runs with the caller's
 * rights; postdrop (set-group-ID) does the privileged part. */
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sysexits.h>

#include "config.h"
#include "log.h"
#include "sendmail.h"

/* say - log at the fatal level without exiting */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_LEVEL_FATAL, fmt, ap);
	va_end(ap);
}

/* fail - "sendmail: fatal: WHY" and the exit status */
static int fail(int status, struct buf *why)
{
	say("%s", buf_str(why));
	return status;
}

int main(int argc, char **argv)
{
	struct sendmail_opts o;
	struct buf *why = buf_new(0);
	struct config *c;
	struct params *cf;
	int rc;

	log_init("sendmail");
	/* a caller that ignores SIGCHLD (swaks --pipe, some daemons) would
	 * have postdrop reaped unseen: its exit status decides ours */
	signal(SIGCHLD, SIG_DFL);
	if (sendmail_args_parse(argc, argv, &o, why) < 0)
		return fail(EX_USAGE, why);
	c = config_read(config_dir(o.config_dir), CONFIG_QUIET, why);
	if (c == NULL || config_validate(c, why) < 0 || (cf = config_params(c, why)) == NULL)
		return fail(EX_TEMPFAIL, why);
	rc = sendmail_run_mode(&o, cf);
	params_free(&cf);
	config_free(&c);
	sendmail_args_free(&o);
	buf_free(&why);
	return rc;
}
