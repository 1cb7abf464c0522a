/* hato - the control command: hato [-c DIR] COMMAND.
 *
 * Commands: init [--dev], start, start-fg, stop, abort, reload, status,
 * check, set-permissions, flush, import, pw, version.  The config directory is -c DIR, else
 * $HATO_CONFIG, else /etc/hato.  Exit 0 on success; 1 with a message that
 * names the file, line or service on failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "hato.h"
#include "log.h"

static const struct command {
	const char *name;
	int (*fn)(struct hato_ctx *ctx);
	const char *help;
} commands[];

static int cmd_start(struct hato_ctx *ctx) { return hato_start(ctx, false); }
static int cmd_start_fg(struct hato_ctx *ctx) { return hato_start(ctx, true); }
static int cmd_stop(struct hato_ctx *ctx) { return hato_stop(ctx, false); }
static int cmd_abort(struct hato_ctx *ctx) { return hato_stop(ctx, true); }

/* cmd_version - print the version */
static int cmd_version(struct hato_ctx *ctx)
{
	(void)ctx;
	printf("hato %s\n", HATO_VERSION);
	return 0;
}

static const struct command commands[] = {
	{ "init", hato_init, "create a configuration directory and queue (--dev: a private instance)" },
	{ "start", cmd_start, "start the mail system in the background" },
	{ "start-fg", cmd_start_fg, "start the mail system in the foreground" },
	{ "stop", cmd_stop, "stop the mail system, letting sessions end" },
	{ "abort", cmd_abort, "stop the mail system immediately" },
	{ "reload", hato_reload, "re-read main.cf and master.cf" },
	{ "status", hato_status, "exit 0 when the mail system runs" },
	{ "check", hato_check, "validate configuration, queue, owners and modes" },
	{ "set-permissions", hato_set_permissions, "set the owners and modes of the queue and of postdrop/postqueue" },
	{ "flush", hato_flush, "retry deferred mail now (postqueue -f)" },
	{ "log", hato_log, "one message's or session's lines in maillog_file: log ID [FILE...]" },
	{ "logrotate", hato_logrotate, "move maillog_file away, reopen it, compress the old one" },
	{ "import", hato_import, "merge /etc/postfix and /etc/dovecot: import [--postfix DIR] [--dovecot DIR] [--dry-run]" },
	{ "pw", hato_pw, "print a password hash: pw [-s SCHEME] (password on stdin)" },
	{ "version", cmd_version, "print the version" },
	{ NULL, NULL, NULL },
};

/* usage - the command list, exit 1 */
static void usage(void)
{
	fprintf(stderr, "usage: hato [-c config_dir] command\n");
	for (const struct command *c = commands; c->name; c++)
		fprintf(stderr, "  %-15s %s\n", c->name, c->help);
	exit(1);
}

int main(int argc, char **argv)
{
	struct hato_ctx ctx = { 0 };
	const char *opt_c = NULL;
	int ch;

	log_init("hato");
	while ((ch = getopt(argc, argv, "+c:v")) != -1) {
		switch (ch) {
		case 'c': opt_c = optarg; break;
		case 'v': log_set_verbose(log_verbose_level() + 1); break;
		default: usage();
		}
	}
	if (optind >= argc)
		usage();
	ctx.args = argv + optind + 1;
	/* "hato init --dev DIR" also takes the directory as an argument; an
	 * unknown option in its place ("hato init --help") is not a directory */
	if (strcmp(argv[optind], "init") == 0 && hato_init_options(&ctx) < 0)
		usage();
	if (strcmp(argv[optind], "init") == 0 && ctx.args[0] && opt_c == NULL)
		opt_c = ctx.args[0];
	ctx.dir = config_dir(opt_c);
	for (const struct command *c = commands; c->name; c++)
		if (strcmp(c->name, argv[optind]) == 0)
			return c->fn(&ctx);
	log_error("unknown command \"%s\"", argv[optind]);
	usage();
}
