/* postdrop - the set-group-ID gate into maildrop/: arguments, the clean
 * start, authorized_submit_users, then one copy (see postdrop.h).
 *   postdrop [-c config_dir] [-v] < record-stream
 * Normally run by sendmail, not by hand. */
#include <stdlib.h>
#include <sysexits.h>
#include <unistd.h>

#include "log.h"
#include "postdrop.h"
#include "mail_acl.h"

int main(int argc, char **argv)
{
	char *env_dir = NULL;
	const char *opt_c = NULL;
	struct config *c;
	struct params *cf;
	struct buf *why = buf_new(0);
	int ch, rc;

	log_init("postdrop");		/* never argv[0]: the caller chose it */
	postdrop_sanitize(&env_dir);
	while ((ch = getopt(argc, argv, "c:rv")) != -1) {
		switch (ch) {
		case 'c': opt_c = optarg; break;
		case 'r': break;	/* Postfix's "raw records" flag: always so here */
		case 'v': log_set_verbose(log_verbose_level() + 1); break;
		default: postdrop_die(EX_USAGE, "usage: postdrop [-c config_dir] [-v]");
		}
	}
	if (optind != argc)
		postdrop_die(EX_USAGE, "usage: postdrop [-c config_dir] [-v]");
	c = postdrop_config(opt_c ? opt_c : env_dir);
	if ((cf = config_params(c, why)) == NULL)
		log_fatal("%s", buf_str(why));
	if ((rc = mail_acl_check("authorized_submit_users", cf->authorized_submit_users,
				 "submit mail", getuid(), NULL, why)) != 0)
		postdrop_die(rc, "%s", buf_str(why));
	postdrop_copy(cf);
	params_free(&cf);
	config_free(&c);
	buf_free(&why);
	free(env_dir);
	return 0;
}
