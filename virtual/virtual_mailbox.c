/* virtual_mailbox - deliver to a virtual mailbox, in a child running with
 * the mailbox's uid and gid.
 *
 * virtual_mailbox_base is the administrator's and is opened as given; the
 * path from virtual_mailbox_maps below it is walked without following
 * symbolic links and without "..".  A Maildir's missing directories are
 * created (0700, owned by the mailbox uid); an mbox file's directories
 * must exist.  virtual_mailbox_limit bounds a Maildir file or the whole
 * mbox file (5.2.2), as does a Maildir's quota (main.cf quota_rule, or the
 * recipient's userdb rules (deliver_quota.h), over its maildirsize; 4.2.2
 * with quota_full_tempfail);
 * the same Maildir writer and mbox code as local's:
 * a Maildir file is written once per recipient, an attempt repeated after
 * a crash finds the first one's (maildir.h); an mbox append is not.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "virtual.h"

struct mailbox_arg {
	struct virtual_global *g;
	struct agent_msg *m;
	const struct virtual_dest *d;
	const char *delivered_to, *original_to;
	bool maildir;
	struct maildir_key key;		/* the Maildir file is written once */
};

/* mailbox_child - with the mailbox's rights */
static void mailbox_child(void *arg, struct agent_result *res)
{
	const struct mailbox_arg *a = arg;
	const struct params *cf = a->g->cf;
	const char *base = *cf->virtual_mailbox_base ? cf->virtual_mailbox_base : "/", *path = a->d->path;
	struct buf *label = buf_new(128);
	struct local_mbox_opts o = { .owner = a->d->uid, .gid = a->d->gid, .locks = a->g->locks,
				     .limit = cf->virtual_mailbox_limit };
	struct mbox_copy c;
	int base_fd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	while (*path == '/')
		path++;
	deliver_agent_limit(cf->virtual_mailbox_limit);
	deliver_agent_copy(&c, a->m, a->maildir ? 0 : MBOX_COPY_MBOX, a->delivered_to, a->original_to);
	buf_printf(label, "mailbox %s/%s", base, path);
	o.label = buf_str(label);
	if (base_fd < 0)
		deliver_agent_result_set(res, "4.3.0", "cannot access virtual_mailbox_base %s: %s", base,
				       strerror(errno));
	else if (a->maildir)
		deliver_agent_mailbox(base_fd, path, &c, &a->key, res);
	else
		deliver_agent_mbox(base_fd, path, &c, a->m->content_size, &o, res);
	if (base_fd >= 0)
		close(base_fd);
	buf_free(&label);
}

/* virtual_mailbox - deliver recipient i of m to d */
void virtual_mailbox(struct virtual_global *g, struct agent_msg *m, size_t i,
		     const struct virtual_dest *d, struct agent_result *res)
{
	const char *orig = deliver_agent_orig_to(m, i);
	size_t len = strlen(d->path);
	struct mailbox_arg a = { .g = g, .m = m, .d = d, .delivered_to = m->rq->rcpt[i].address,
				 .original_to = orig ? orig : m->rq->rcpt[i].address,
				 .maildir = len > 0 && d->path[len - 1] == '/' };
	struct agent_privs privs;
	struct mbox_copy c;
	long size;
	char name[32];

	deliver_agent_copy(&c, m, a.maildir ? 0 : MBOX_COPY_MBOX, a.delivered_to, a.original_to);
	size = m->content_size + (long)mbox_header_size(&c);
	if (len == 0 || strcmp(d->path, "/") == 0) {
		deliver_agent_result_set(res, "4.3.5", "mail system configuration error: empty mailbox path");
		return;
	}
	if (g->cf->virtual_mailbox_limit > 0 && size > g->cf->virtual_mailbox_limit) {
		deliver_agent_result_set(res, "5.2.2", "message too large for the mailbox: %ld bytes, "
				       "virtual_mailbox_limit is %ld", size, g->cf->virtual_mailbox_limit);
		return;
	}
	if (a.maildir && deliver_quota_lookup(d->user, res) < 0)
		return;
	deliver_agent_key(&a.key, m, i, a.delivered_to);
	snprintf(name, sizeof(name), "uid %lu", (unsigned long)d->uid);
	deliver_agent_privs(&privs, d->uid, d->gid, name);
	deliver_agent_run(&privs, VIRTUAL_STEP_TIME, mailbox_child, &a, res);
}
