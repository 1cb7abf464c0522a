/* postqueue - the arguments, then one action (see postqueue.h).
 * Called as "mailq" it lists the queue, as "postqueue -p" does. */
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "log.h"
#include "postqueue.h"
#include "setid.h"
#include "mail_acl.h"

#define USAGE "usage: postqueue [-v] [-c config_dir] -f | -i queue_id | -j | -p | -s site"

/* set_mode - exactly one action */
static void set_mode(enum postqueue_mode *mode, enum postqueue_mode want)
{
	if (*mode != PQ_NONE && *mode != want)
		postqueue_die(EX_USAGE, "specify only one of -f, -i, -j, -p or -s");
	*mode = want;
}

/* check_user - authorized_mailq_users or authorized_flush_users (root and
 * mail_owner always pass); a refusal is fatal with Postfix's message */
static void check_user(const struct params *cf, enum postqueue_mode mode, struct buf *why)
{
	bool list = mode == PQ_LIST_TEXT || mode == PQ_LIST_JSON;
	int rc = list ? mail_acl_check("authorized_mailq_users", cf->authorized_mailq_users,
				       "view the mail queue", getuid(), cf->mail_owner, why)
		      : mail_acl_check("authorized_flush_users", cf->authorized_flush_users,
				       "flush the mail queue", getuid(), cf->mail_owner, why);

	if (rc != 0)
		postqueue_die(rc, "%s", buf_str(why));
}

int main(int argc, char **argv)
{
	const char *slash = strrchr(argv[0], '/'), *opt_c = NULL, *arg = NULL;
	enum postqueue_mode mode = PQ_NONE;
	char *env_dir = NULL, *dir;
	struct config *c;
	struct params *cf;
	struct buf *why = buf_new(0);
	int ch;

	log_init("postqueue");		/* never argv[0]: the caller chose it */
	env_dir = setid_sanitize(022, "HATO_CONFIG");
	if (strcmp(slash ? slash + 1 : argv[0], "mailq") == 0)
		mode = PQ_LIST_TEXT;
	while ((ch = getopt(argc, argv, "c:fi:jps:v")) != -1) {
		switch (ch) {
		case 'c': opt_c = optarg; break;
		case 'f': set_mode(&mode, PQ_FLUSH); break;
		case 'i': set_mode(&mode, PQ_DELIVER_ID); arg = optarg; break;
		case 'j': set_mode(&mode, PQ_LIST_JSON); break;
		case 'p': set_mode(&mode, PQ_LIST_TEXT); break;
		case 's': set_mode(&mode, PQ_SITE); arg = optarg; break;
		case 'v': log_set_verbose(log_verbose_level() + 1); break;
		default: postqueue_die(EX_USAGE, USAGE);
		}
	}
	if (mode == PQ_NONE || optind != argc)
		postqueue_die(EX_USAGE, USAGE);
	c = postqueue_config(opt_c ? opt_c : env_dir, &dir);
	if ((cf = config_params(c, why)) == NULL)
		postqueue_die(EX_CONFIG, "%s", buf_str(why));
	check_user(cf, mode, why);
	if (mode == PQ_FLUSH)
		postqueue_flush(cf);
	else
		postqueue_showq(cf, dir, mode, arg);
	params_free(&cf);
	config_free(&c);
	buf_free(&why);
	free(env_dir);
	free(dir);
	return 0;
}
