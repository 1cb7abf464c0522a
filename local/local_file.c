/* local_file - "/file/name" items: append in mbox format (a name ending in
 * "/" is a Maildir), in a child with the item's rights (never root).
 *
 * The directory part of the name is the writer's business and may hold
 * symbolic links; the last component is never followed, must be a
 * regular file with one link (created 0600 when missing), and is locked
 * with mailbox_delivery_lock (a dotlock only where the directory allows).
 * /dev/null takes anything.  mailbox_size_limit bounds the file (EFBIG:
 * 5.2.2, as Postfix).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "local.h"
#include "mem.h"

struct file_arg {
	struct agent_msg *m;
	const char *path;
	gid_t gid;
	int locks;
	long limit;
	const char *delivered_to, *original_to;
	struct maildir_key key;		/* for a Maildir: written once */
};

/* file_child - with the item's rights */
static void file_child(void *arg, struct agent_result *res)
{
	const struct file_arg *a = arg;
	size_t len = strlen(a->path);
	bool is_maildir = a->path[len - 1] == '/';
	char *dir = xstrndup(a->path, is_maildir ? len - 1 : len), *slash = strrchr(dir, '/');
	const char *name = slash + 1;
	struct buf *label = buf_new(64);
	struct local_mbox_opts o = { .owner = (uid_t)-1, .gid = a->gid,
				     .locks = a->locks | MBOX_LOCK_DOTLOCK_OPTIONAL };
	struct mbox_copy c;
	int dir_fd;

	deliver_agent_limit(a->limit);
	deliver_agent_copy(&c, a->m, is_maildir ? 0 : MBOX_COPY_MBOX, a->delivered_to, a->original_to);
	buf_printf(label, "file %s", a->path);
	o.label = buf_str(label);
	*slash = '\0';
	dir_fd = open(*dir ? dir : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir_fd < 0)
		deliver_agent_result_set(res, deliver_agent_errno_dsn(errno),
				       "cannot append message to file %s: directory: %s", a->path,
				       strerror(errno));
	else if (*name == '\0')
		deliver_agent_result_set(res, "5.3.0", "bad file name %s", a->path);
	else if (is_maildir)
		deliver_agent_maildir(dir_fd, name, &c, &a->key, res);
	else
		deliver_agent_mbox(dir_fd, name, &c, a->m->content_size, &o, res);
	if (res->dsn[0] == '2')
		deliver_agent_result_set(res, "2.0.0", "delivered to %s: %s", is_maildir ? "maildir" : "file",
				       a->path);
	if (dir_fd >= 0)
		close(dir_fd);
	free(dir);
	buf_free(&label);
}

/* local_file - deliver to a file item */
void local_file(struct local_rcpt *r, const char *path, const struct local_source *src)
{
	const char *orig = deliver_agent_orig_to(r->m, r->index);
	struct file_arg a = { .m = r->m, .path = path, .gid = src->privs.gid,
			      .locks = r->g->mbox_locks, .limit = r->g->cf->mailbox_size_limit,
			      .delivered_to = src->to, .original_to = orig ? orig : r->address };
	struct agent_result res;

	if (strcmp(path, "/dev/null") == 0) {
		local_recipient_status(r, src->to, "2.0.0", "delivered to file: /dev/null");
		return;
	}
	if (src->privs.uid == 0) {
		local_recipient_status(r, src->to, "4.3.5", "no rights to write %s: default_privs is unusable",
				       path);
		return;
	}
	deliver_agent_key(&a.key, r->m, r->index, path);
	deliver_agent_result_init(&res);
	deliver_agent_run(&src->privs, LOCAL_STEP_TIME, file_child, &a, &res);
	local_recipient_result(r, src->to, &res);
	deliver_agent_result_free(&res);
}
