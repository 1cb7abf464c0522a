/* sendmail_modes - the modes that are another program's job, as Postfix
 * does them: -bi (and -I) runs newaliases, -bp runs postqueue -p, -q runs
 * postqueue -f, else "hato flush".  The program is looked for next to
 * sendmail, then in command_directory; -C is passed on as -c.  -bs is
 * sendmail_smtp.c's.  The daemon and test modes (-bd, -bv, ...) are
 * refused with a message saying so.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "log.h"
#include "sendmail.h"

/* fail - "sendmail: fatal: ..." and the exit status to return */
static int fail(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_LEVEL_FATAL, fmt, ap);
	va_end(ap);
	return status;
}

/* run - exec NAME [-c DIR] ARGS...; returns only when there is no NAME */
static int run(const struct sendmail_opts *o, const struct params *cf, const char *name,
	       const char *arg1, const char *arg2)
{
	struct buf *path = buf_new(64);
	const char *argv[6];
	int n = 0;

	sendmail_find_program(cf, name, path);
	if (access(buf_str(path), X_OK) < 0) {
		buf_free(&path);
		return -1;
	}
	argv[n++] = name;
	if (o->config_dir) {
		argv[n++] = "-c";
		argv[n++] = o->config_dir;
	}
	if (arg1)
		argv[n++] = arg1;
	if (arg2)
		argv[n++] = arg2;
	argv[n] = NULL;
	log_debug("running %s", buf_str(path));
	execv(buf_str(path), (char **)argv);
	log_fatal("execute %s: %m", buf_str(path));
}

/* sendmail_run_mode - every mode but sending; the exit status */
int sendmail_run_mode(const struct sendmail_opts *o, const struct params *cf)
{
	switch (o->mode) {
	case SENDMAIL_NEWALIASES:
		run(o, cf, "newaliases", NULL, NULL);
		return fail(EX_UNAVAILABLE, "-bi: newaliases is not installed in %s",
			    cf->command_directory);
	case SENDMAIL_MAILQ:
		run(o, cf, "postqueue", "-p", NULL);
		return fail(EX_UNAVAILABLE, "-bp: postqueue is not part of this hato build yet; "
			    "look at the queue with: ls %s/{incoming,active,deferred}",
			    cf->queue_directory);
	case SENDMAIL_FLUSH:
		run(o, cf, "postqueue", "-f", NULL);
		run(o, cf, "hato", "flush", NULL);
		return fail(EX_UNAVAILABLE, "-q: neither postqueue nor hato is installed in %s",
			    cf->command_directory);
	case SENDMAIL_SMTP:
		return sendmail_smtp(o, cf);
	case SENDMAIL_UNSUPPORTED:
		return fail(EX_USAGE, "-b%s is not supported by hato's sendmail "
			    "(supported: -bm, -bi, -bp, -bs)", o->mode_name);
	case SENDMAIL_SEND:
		break;
	}
	return sendmail_submit(o, cf);
}
