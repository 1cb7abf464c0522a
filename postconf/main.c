/* postconf - show or change hato's configuration, as Postfix's postconf(1).
 *
 *   postconf [-c dir] [-dhnx] [-o name=value] [name ...]
 *   postconf [-c dir] -e name=value ...    edit main.cf, keeping comments
 *   postconf [-c dir] -X name ...          remove parameters
 *   postconf [-c dir] -# name ...          comment parameters out
 *   postconf [-c dir] -M [service[/type] ...]   master.cf entries
 *   postconf -m                            supported table types
 * Exit 0 on success, 1 with a message naming file and line on bad input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "config.h"
#include "dict.h"
#include "log.h"
#include "postconf.h"
#include "strv.h"

/* usage - print the synopsis and exit 1 */
static void usage(void)
{
	fprintf(stderr, "usage: postconf [-c config_dir] [-dhnx] [-o name=value] [name ...]\n"
			"       postconf [-c config_dir] -e name=value ... | -X name ... | -# name ...\n"
			"       postconf [-c config_dir] -M [service[/type] ...]\n"
			"       postconf -m\n");
	exit(1);
}

/* print_type - one line of postconf -m */
static void print_type(const char *type, void *ctx)
{
	(void)ctx;
	printf("%s\n", type);
}

/* show_params - read main.cf strictly, apply -o overrides, print */
static int show_params(const char *dir, struct strv *overrides, int show, char **names)
{
	struct buf *why = buf_new(0);
	struct config *c = config_read(dir, 0, why);
	int rc = 1;

	for (size_t i = 0; c && i < overrides->len; i++)
		if (config_override(c, overrides->items[i], why) < 0) {
			buf_printf(why, " (in -o %s)", overrides->items[i]);
			config_free(&c);
		}
	if (c && config_validate(c, why) == 0)
		rc = postconf_print(c, show, names);
	else
		log_error("%s", buf_str(why));
	config_free(&c);
	buf_free(&why);
	return rc;
}

int main(int argc, char **argv)
{
	const char *opt_c = NULL;
	struct strv *overrides = strv_new();
	char mode = 0;
	int show = 0, ch, rc;

	log_init("postconf");
	while ((ch = getopt(argc, argv, "c:dehmnxMo:vX#")) != -1) {
		switch (ch) {
		case 'c': opt_c = optarg; break;
		case 'd': show |= SHOW_DEFAULTS; break;
		case 'n': show |= SHOW_NONDEFAULT; break;
		case 'h': show |= SHOW_VALUE_ONLY; break;
		case 'x': show |= SHOW_EXPANDED; break;
		case 'o': strv_add(overrides, optarg); break;
		case 'v': log_set_verbose(log_verbose_level() + 1); break;
		case 'e': case 'X': case '#': case 'm': case 'M':
			if (mode && mode != ch)
				usage();
			mode = (char)ch;
			break;
		default: usage();
		}
	}
	if ((show & SHOW_DEFAULTS) && (show & SHOW_NONDEFAULT)) {
		log_error("specify -d or -n, not both");
		return 1;
	}
	switch (mode) {
	case 'm':
		dict_list_types(print_type, NULL);
		rc = 0;
		break;
	case 'M':
		rc = postconf_master(config_dir(opt_c), argv + optind);
		break;
	case 'e': case 'X': case '#':
		if (optind >= argc)
			usage();
		rc = postconf_edit(config_dir(opt_c), argv + optind, mode);
		break;
	default:
		rc = show_params(config_dir(opt_c), overrides, show, argv + optind);
	}
	strv_free(&overrides);
	return rc;
}
