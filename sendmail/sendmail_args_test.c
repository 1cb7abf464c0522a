/* sendmail_args_test - sendmail_args_parse called more than once (found
 * by fuzz_sendmail): a parse that stopped inside "-t...tZVenv" must not
 * leave getopt pointing into that (freed) argv for the next parse, which
 * would then see "-V env" from it (a heap use after free under ASan; the
 * cluster is long so that ASan's allocator metadata does not hide it). */
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "sendmail.h"
#include "test.h"

/* parse_copy - parse a heap copy of args, then free the copy */
static int parse_copy(const char *const *args, int argc, struct sendmail_opts *o, char **rcpt_r,
		      bool *envid_set_r)
{
	char *argv[8];
	struct buf *why = buf_new(0);
	int rc;

	for (int i = 0; i < argc; i++)
		argv[i] = xstrdup(args[i]);
	argv[argc] = NULL;
	rc = sendmail_args_parse(argc, argv, o, why);
	*envid_set_r = o->envid != NULL;
	*rcpt_r = rc == 0 && o->rcpts->len ? xstrdup(o->rcpts->items[0]) : NULL;
	sendmail_args_free(o);
	for (int i = 0; i < argc; i++)
		free(argv[i]);
	buf_free(&why);
	return rc;
}

/* test_sendmail_args - a failed parse mid-cluster, then a good one */
void test_sendmail_args(void)
{
	static const char *const bad[] = { "sendmail", "-tttttttttttttttttttttttZVenv" };
	static const char *const good[] = { "sendmail", "-i", "bob" };
	struct sendmail_opts o;
	char *rcpt;
	bool envid;

	test_begin("sendmail_args: a second parse after one that failed inside \"-ttt...tZVenv\"");
	test_assert(parse_copy(bad, 2, &o, &rcpt, &envid) < 0 && rcpt == NULL);
	test_assert(parse_copy(good, 3, &o, &rcpt, &envid) == 0);
	test_assert(!envid);	/* not "-V env" from the first argv */
	test_assert(rcpt && strcmp(rcpt, "bob") == 0);
	free(rcpt);
	test_end();
}
