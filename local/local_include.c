/* local_include - ":include:/file" items: a list file read in a child with
 * the rights of whoever named it (the alias table's owner, the .forward's
 * user), whose items then run with the rights of the file's owner
 * (default_privs when root owns it), as in Postfix.  A file that cannot
 * be read is a configuration error: the recipient bounces (5.3.0) and a
 * warning names the file.  Nesting is bounded by LOCAL_MAX_DEPTH.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "local.h"
#include "log.h"
#include "mem.h"

/* include_child - open, check and parse the file; "uid gid" in the text */
static void include_child(void *arg, struct agent_result *res)
{
	const char *path = arg;
	struct stat st;
	char *text;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0) {
		deliver_agent_result_set(res, "5.3.0", "cannot open include file %s: %s", path, strerror(errno));
		return;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > LOCAL_MAX_LIST_FILE) {
		deliver_agent_result_set(res, "5.3.0", "include file %s: not a regular file of at most %d bytes",
				       path, LOCAL_MAX_LIST_FILE);
	} else {
		text = xmalloc((size_t)st.st_size + 1);
		if ((n = read(fd, text, (size_t)st.st_size)) < 0) {
			deliver_agent_result_set(res, "4.3.0", "read include file %s: %s", path, strerror(errno));
		} else {
			local_item_split(text, (size_t)n, res->items);
			deliver_agent_result_set(res, "2.0.0", "%lu %lu", (unsigned long)st.st_uid,
					       (unsigned long)st.st_gid);
		}
		free(text);
	}
	close(fd);
}

/* local_include - deliver to the items of an :include: file */
void local_include(struct local_rcpt *r, const char *path, const struct local_source *src)
{
	struct agent_result res;
	unsigned long uid, gid;

	if (path[0] != '/') {
		local_recipient_status(r, src->to, "5.3.0", "include file name is not absolute: %s", path);
		return;
	}
	if (src->privs.uid == 0) {
		local_recipient_status(r, src->to, "4.3.5", "no rights to read %s: default_privs is unusable",
				       path);
		return;
	}
	if (r->depth >= LOCAL_MAX_DEPTH) {
		local_recipient_status(r, src->to, "5.4.6", "include files nested deeper than %d",
				       LOCAL_MAX_DEPTH);
		return;
	}
	deliver_agent_result_init(&res);
	deliver_agent_run(&src->privs, LOCAL_STEP_TIME, include_child, (void *)path, &res);
	if (deliver_agent_result_status(&res) != DELIVER_SENT
				      || sscanf(buf_str(res.text), "%lu %lu", &uid, &gid) != 2) {
		log_warn("%s: %s", r->m->rq->queue_id, buf_str(res.text));
		if (deliver_agent_result_status(&res) == DELIVER_SENT)
			deliver_agent_result_set(&res, "4.3.0", "include file %s: bad report", path);
		local_recipient_result(r, src->to, &res);
	} else {
		struct local_source inc = { .cls = LOCAL_CLASS_INCLUDE, .name = src->name,
					    .user = src->user, .to = src->to };

		local_item_privs(r->g, &inc, (uid_t)uid, (gid_t)gid, "include file owner");
		r->depth++;
		local_item_list(r, res.items, &inc);
		r->depth--;
	}
	deliver_agent_result_free(&res);
}
