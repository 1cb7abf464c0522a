/* postmap, postalias, newaliases - build and query lookup tables.
 *
 *   postmap [-fiopsrw] [-c dir] [-q key|-d key] [type:]file ...
 *   postalias [same options] [type:]file ...
 *   newaliases                    postalias for each of $alias_database
 * Building FILE writes FILE.lmdb atomically (readers see the old table or
 * the new one); a source with a bad line is refused and names file and
 * line.  "postmap passwd-file:FILE" builds FILE.lmdb from a Dovecot
 * passwd-file for authd's lmdb:FILE passdb (key: the user, value: the
 * rest of the line).  -N, -n and -v are accepted for Postfix compatibility.
 * Exit: 0 done/found, 1 not found or refused, 2 a table could not be read.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "postmap.h"
#include "strv.h"

/* usage - the synopsis, exit 1 */
static void usage(const char *prog)
{
	fprintf(stderr, "usage: %s [-fioprsw] [-c config_dir] [-q key | -d key] [type:]file ...\n",
		prog);
	exit(1);
}

/* load_config - main.cf; without -c a missing main.cf means defaults */
static struct config *load_config(const char *opt_c)
{
	const char *dir = config_dir(opt_c);
	struct buf *why = buf_new(0), *path = buf_new(0);
	struct config *c;

	buf_printf(path, "%s/main.cf", dir);
	if (opt_c == NULL && access(buf_str(path), F_OK) != 0 && errno == ENOENT)
		c = config_read_text(buf_str(path), "", 0, CONFIG_QUIET, why);
	else
		c = config_read(dir, CONFIG_QUIET, why);
	if (c == NULL)
		log_fatal("%s", buf_str(why));
	buf_free(&why);
	buf_free(&path);
	return c;
}

/* newaliases - postalias for every table in alias_database */
static int newaliases(const struct postmap_opts *o, struct config *c)
{
	struct strv *tables = strv_split(config_get(c, "alias_database"), ", \t\r\n");
	int rc = 0;

	for (size_t i = 0; i < tables->len; i++)
		rc |= postmap_build(o, tables->items[i]);
	strv_free(&tables);
	return rc;
}

int main(int argc, char **argv)
{
	char *prog = basename(argv[0]);
	struct postmap_opts o = { .fold = true, .inherit_mode = true, .inherit_owner = true };
	const char *opt_c = NULL, *query = NULL, *del = NULL;
	bool incremental = false, show = false;
	struct config *c;
	int ch, rc = 0;

	log_init(prog);
	o.syntax = strcmp(prog, "postmap") == 0 ? MAPFILE_MAP : MAPFILE_ALIASES;
	while ((ch = getopt(argc, argv, "c:d:fiNnopq:rsvw")) != -1) {
		switch (ch) {
		case 'c': opt_c = optarg; break;
		case 'd': del = optarg; break;
		case 'f': o.fold = false; break;
		case 'i': incremental = true; break;
		case 'o': o.inherit_owner = false; break;
		case 'p': o.inherit_mode = false; break;
		case 'q': query = optarg; break;
		case 'r': o.dups = DUPS_REPLACE; break;
		case 's': show = true; break;
		case 'w': o.dups = DUPS_QUIET; break;
		case 'N': case 'n': case 'v': break;
		default: usage(prog);
		}
	}
	if ((query != NULL) + (del != NULL) + show + incremental > 1)
		usage(prog);
	c = load_config(opt_c);
	o.default_type = config_get(c, "default_database_type");
	if (strcmp(prog, "newaliases") == 0)
		rc = optind == argc ? newaliases(&o, c) : (usage(prog), 1);
	else if (optind == argc)
		usage(prog);
	else if (query)
		rc = postmap_query(&o, query, argv + optind, argc - optind);
	else if (del)
		rc = postmap_delete(&o, del, argv + optind, argc - optind);
	else if (show)
		for (int i = optind; i < argc; i++)
			rc |= postmap_show(&o, argv[i]);
	else if (incremental)
		rc = optind + 1 == argc ? postmap_incremental(&o, argv[optind]) : (usage(prog), 1);
	else
		for (int i = optind; i < argc; i++)
			rc |= postmap_build(&o, argv[i]);
	config_free(&c);
	return rc;
}
