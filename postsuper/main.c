/* postsuper - arguments, checks, the privilege drop, then the operations
 * in Postfix's order and their summaries (see postsuper.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "mem.h"
#include "postsuper.h"
#include "privdrop.h"
#include "queue_id.h"

#define USAGE "usage: postsuper [-c config_dir] [-d queue_id (delete)] [-h queue_id (hold)] " \
	"[-H queue_id (un-hold)] [-r queue_id (requeue)] [-s (structure fix)] [-v] [queue...]"

enum { STDIN_LINE_MAX = 256 };

static const char *const op_summary[OP_COUNT] = {
	[OP_DELETE] = "Deleted", [OP_REQUEUE] = "Requeued",
	[OP_HOLD] = "Placed on hold", [OP_RELEASE] = "Released from hold",
};
static const enum postsuper_op summary_order[] = { OP_REQUEUE, OP_DELETE, OP_HOLD, OP_RELEASE };
static const char op_letter[OP_COUNT] = { [OP_DELETE] = 'd', [OP_REQUEUE] = 'r',
					  [OP_HOLD] = 'h', [OP_RELEASE] = 'H' };

struct args {
	const char *config_dir;
	bool fix;
	struct strv *ids[OP_COUNT];	/* as given: IDs, "ALL", "-" */
	bool all[OP_COUNT];
	struct strv *from_stdin;	/* the IDs read for "-" */
	const char *const *queues;	/* named on the command line, or NULL */
};

/* op_of - the operation of an option letter, OP_COUNT for none */
static enum postsuper_op op_of(int ch)
{
	int op = 0;

	while (op < OP_COUNT && op_letter[op] != ch)
		op++;
	return (enum postsuper_op)op;
}

/* parse - options and queue names; usage errors are fatal */
static void parse(int argc, char **argv, struct args *a)
{
	int ch;

	for (int op = 0; op < OP_COUNT; op++)
		a->ids[op] = strv_new();
	while ((ch = getopt(argc, argv, "c:d:h:H:pr:sv")) != -1) {
		enum postsuper_op op = op_of(ch);

		if (op < OP_COUNT) {
			strv_add(a->ids[op], optarg);
			continue;
		}
		switch (ch) {
		case 'c': a->config_dir = optarg; break;
		case 'p': case 's': a->fix = true; break;
		case 'v': log_set_verbose(log_verbose_level() + 1); break;
		default: log_fatal(USAGE);
		}
	}
	for (int i = optind; i < argc; i++)
		if (!postsuper_queue_known(argv[i]))
			log_fatal("invalid queue name \"%s\": the queues are incoming, active, deferred, "
				  "hold, corrupt and maildrop", argv[i]);
	a->queues = optind < argc ? (const char *const *)argv + optind : NULL;
}

/* read_stdin - the IDs for "-", one a line; blank lines are skipped */
static struct strv *read_stdin(void)
{
	struct strv *ids = strv_new();
	char line[STDIN_LINE_MAX + 2];
	int n = 0;

	while (fgets(line, sizeof(line), stdin) != NULL) {
		size_t len = strlen(line);

		n++;
		if (len > STDIN_LINE_MAX && line[len - 1] != '\n')
			log_fatal("standard input, line %d: line too long", n);
		line[strcspn(line, "\r\n")] = '\0';
		if (strspn(line, " \t") == strlen(line))
			continue;
		if (!queue_id_valid(line))
			log_fatal("standard input, line %d: invalid queue ID \"%.40s\"", n, line);
		strv_add(ids, line);
	}
	return ids;
}

/* check_ids - every ID valid before anything is done; "-" reads stdin
 * once, "ALL" makes the other IDs of that operation moot (as in Postfix) */
static void check_ids(struct args *a)
{
	for (int op = 0; op < OP_COUNT; op++) {
		for (size_t i = 0; i < a->ids[op]->len; i++) {
			const char *id = a->ids[op]->items[i];

			if (strcmp(id, "ALL") == 0)
				a->all[op] = true;
			else if (strcmp(id, "-") == 0 && a->from_stdin == NULL)
				a->from_stdin = read_stdin();
			else if (strcmp(id, "-") != 0 && !queue_id_valid(id))
				log_fatal("invalid queue ID \"%.40s\"", id);
		}
		if (a->all[op] && a->ids[op]->len > 1)
			log_warn("option \"-%c ALL\" will ignore other command line queue IDs", op_letter[op]);
	}
}

/* become_owner - read main.cf, open the log, chdir, then run as mail_owner */
static struct params *become_owner(const char *config_dir)
{
	struct buf *why = buf_new(0);
	struct config *c = config_read(config_dir, CONFIG_QUIET, why);
	struct params *cf;
	struct privdrop pd;
	const char *err = NULL;

	if (c == NULL || config_validate(c, why) < 0 || (cf = config_params(c, why)) == NULL)
		log_fatal("%s", buf_str(why));
	if (privdrop_resolve(&pd, cf->mail_owner, "", why) < 0)
		log_fatal("%s", buf_str(why));
	if (getuid() != 0 && getuid() != pd.uid)
		log_fatal("use of this command is reserved for the superuser");
	if (log_open(LOG_DEST_STDERR | (*cf->maillog_file ? LOG_DEST_FILE : LOG_DEST_SYSLOG),
		     cf->maillog_file, strcmp(cf->maillog_format, "json") == 0 ? LOG_FORMAT_JSON
		     : LOG_FORMAT_TEXT, cf->syslog_name, &err) < 0)
		log_warn("open maillog_file %s: %s", cf->maillog_file, err);
	if (chdir(cf->queue_directory) < 0)
		log_fatal("chdir %s: %m", cf->queue_directory);
	if (privdrop_apply(&pd, why) < 0)
		log_fatal("%s", buf_str(why));
	config_free(&c);
	buf_free(&why);
	return cf;
}

/* run_op - one operation: ALL, or every ID it was given */
static void run_op(struct postsuper *ps, const struct args *a, enum postsuper_op op)
{
	const char *const *queues = a->queues ? a->queues : postsuper_default_queues(op);

	if (a->all[op]) {
		postsuper_all(ps, op, queues);
		return;
	}
	for (size_t i = 0; i < a->ids[op]->len; i++) {
		const char *id = a->ids[op]->items[i];

		if (strcmp(id, "-") != 0) {
			postsuper_by_id(ps, op, queues, id);
			continue;
		}
		for (size_t k = 0; a->from_stdin && k < a->from_stdin->len; k++)
			postsuper_by_id(ps, op, queues, a->from_stdin->items[k]);
	}
}

int main(int argc, char **argv)
{
	struct args a = { 0 };
	struct postsuper ps = { 0 };
	struct params *cf;
	bool any = false;

	log_init("postsuper");
	umask(077);
	parse(argc, argv, &a);
	for (int op = 0; op < OP_COUNT; op++)
		any |= a.ids[op]->len > 0;
	cf = become_owner(config_dir(a.config_dir));
	ps.cf = cf;
	check_ids(&a);
	if (a.fix || !any)
		postsuper_fix(&ps);
	for (int op = 0; op < OP_COUNT; op++)
		run_op(&ps, &a, op);
	for (size_t i = 0; i < sizeof(summary_order) / sizeof(summary_order[0]); i++) {
		enum postsuper_op op = summary_order[i];

		if (a.ids[op]->len)	/* Postfix 3.7 reports a requested operation even at 0 */
			log_info("%s: %zu message%s", op_summary[op], ps.done[op], ps.done[op] == 1 ? "" : "s");
	}
	for (int op = 0; op < OP_COUNT; op++)
		strv_free(&a.ids[op]);
	strv_free(&a.from_stdin);
	params_free(&cf);
	return ps.status;
}
