/* local_mailbox - the user's own mailbox: Maildir when home_mailbox (or
 * mail_spool_directory) ends in "/", else an mbox file with locking; or,
 * with mailbox_command set, that command (procmail, dovecot-lda, ...) as
 * Postfix runs it: as the user (root's mail with default_privs), whatever
 * allow_mail_to_commands says, not expanded by hato ($RECIPIENT and the
 * rest of local_command.c's environment are the shell's), its exit status
 * deciding as for any "|command".
 *
 * The child runs as the user for the home directory (a Maildir there is
 * written by a helper kept for the next message to the same user,
 * deliver_helper.h); for mail_spool_directory with Postfix's rule: a
 * world-writable spool as the user, a group-writable one as the user with
 * the spool's group, else as root, creating the file owned by the user.
 * A Maildir is always written as the user: in a spool only root may
 * write, root makes the user's directory and hands it over first.
 * Every path below the home or spool directory is opened without
 * following symbolic links.
 * A Maildir file is written once per recipient (deliver_agent_key): an
 * attempt repeated after a crash finds the first one's file.  An mbox
 * append is not made idempotent (that would take a marker per message in
 * the mailbox): a crash between the append and qmgr's record repeats it.
 * Results: "delivered to maildir" / "delivered to mailbox" (2.0.0); a
 * message over mailbox_size_limit (a Maildir file, or what the mbox file
 * would grow to) bounces 5.2.2, as Postfix's file size limit does; a home
 * directory that cannot be reached defers 4.2.0 with a warning; a full
 * quota (EDQUOT, or main.cf quota_rule or the user's userdb rules over
 * the Maildir's maildirsize: deliver_quota.h) bounces 5.2.2, or defers 4.2.2 with
 * quota_full_tempfail; other errors (ENOSPC, EIO, a symlink
 * planted in the Maildir) defer, never lose the message.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "deliver_helper.h"
#include "local.h"
#include "log.h"
#include "mem.h"

struct mailbox_arg {
	struct agent_msg *m;
	const struct local_user *u;
	const char *dir;		/* home or spool directory */
	const char *name;		/* below dir: "Maildir/", "Mailbox", "joe" */
	bool home, maildir;
	int locks;
	long limit;			/* mailbox_size_limit, 0: none */
	const char *delivered_to, *original_to;
	struct maildir_key key;		/* for a Maildir: written once */
};

/* mailbox_child - as the user (or the spool's owner) */
static void mailbox_child(void *arg, struct agent_result *res)
{
	const struct mailbox_arg *a = arg;
	int dir_fd = open(a->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct buf *label = buf_new(128);
	struct local_mbox_opts o = { .owner = a->u->uid, .gid = a->u->gid, .locks = a->locks,
				     .limit = a->limit };
	struct mbox_copy c;

	deliver_agent_limit(a->limit);
	deliver_agent_copy(&c, a->m, a->maildir ? 0 : MBOX_COPY_MBOX, a->delivered_to, a->original_to);
	buf_printf(label, "mailbox %s/%s for user %s", a->dir, a->name, a->u->name);
	o.label = buf_str(label);
	if (dir_fd < 0)
		deliver_agent_result_set(res, "4.2.0", "cannot access %s %s: %s",
				       a->home ? "home directory" : "mail spool directory", a->dir, strerror(errno));
	else if (a->maildir)
		deliver_agent_mailbox(dir_fd, a->name, &c, &a->key, res);
	else
		deliver_agent_mbox(dir_fd, a->name, &c, a->m->content_size, &o, res);
	if (dir_fd >= 0)
		close(dir_fd);
	buf_free(&label);
}

/* spool_privs - Postfix's rights for mail_spool_directory */
static void spool_privs(const char *spool, const struct local_user *u, struct agent_privs *p)
{
	struct stat st;

	deliver_agent_privs(p, u->uid, u->gid, u->name);
	if (stat(spool, &st) < 0 || (st.st_mode & S_IWOTH))
		return;
	if (st.st_mode & S_IWGRP)
		p->gid = st.st_gid;
	else
		deliver_agent_privs(p, 0, 0, "root");
}

/* spool_maildir - a Maildir in a spool that only root may write: root
 * makes NAME/ there and gives it to the user, who then delivers into it
 * with their own rights, as Postfix delivers to every Maildir; one that
 * exists must be the user's own directory (not a link).  -1 with res set */
static int spool_maildir(const char *spool, const char *name, const struct local_user *u,
			 struct agent_result *res)
{
	char *base = xstrndup(name, strlen(name) - 1);
	int dfd = open(spool, O_RDONLY | O_DIRECTORY | O_CLOEXEC), fd = -1, rc = -1;
	bool made = dfd >= 0 && mkdirat(dfd, base, 0700) == 0;
	struct stat st;

	if (dfd >= 0 && (made || errno == EEXIST))
		fd = openat(dfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0)
		deliver_agent_result_set(res, "4.2.0", "cannot access mailbox %s%s: %s", spool, base,
				       strerror(errno));
	else if (made ? st.st_uid != geteuid() || fchown(fd, u->uid, u->gid) < 0 : st.st_uid != u->uid)
		deliver_agent_result_set(res, "4.2.0", "mailbox %s%s does not belong to %s", spool, base,
				       u->name);
	else
		rc = 0;
	if (fd >= 0)
		close(fd);
	if (dfd >= 0)
		close(dfd);
	free(base);
	return rc;
}

/* local_mailbox - deliver to u's mailbox */
void local_mailbox(struct local_rcpt *r, const struct local_user *u, const char *to)
{
	const struct params *cf = r->g->cf;
	const char *orig = deliver_agent_orig_to(r->m, r->index);
	struct mailbox_arg a = { .m = r->m, .u = u, .locks = r->g->mbox_locks, .limit = cf->mailbox_size_limit,
				 .delivered_to = to, .original_to = orig ? orig : r->address };
	struct buf *name = buf_new(64);
	struct agent_privs privs, user_privs;
	struct agent_result res;
	struct mbox_copy c;
	long size;

	deliver_agent_privs(&user_privs, u->uid, u->gid, u->name);
	if (*cf->home_mailbox) {
		a.home = true;
		a.dir = u->home;
		buf_set(name, cf->home_mailbox);
		privs = user_privs;
	} else {
		a.dir = cf->mail_spool_directory;
		buf_set(name, u->name);
		if (*a.dir && a.dir[strlen(a.dir) - 1] == '/')
			buf_putc(name, '/');	/* mail_spool_directory = /var/mail/: Maildirs */
		spool_privs(a.dir, u, &privs);
	}
	a.name = buf_str(name);
	a.maildir = buf_str(name)[buf_len(name) - 1] == '/';
	deliver_agent_key(&a.key, r->m, r->index, to);
	deliver_agent_result_init(&res);
	deliver_agent_copy(&c, r->m, a.maildir ? 0 : MBOX_COPY_MBOX, to, a.original_to);
	size = r->m->content_size + (long)mbox_header_size(&c);
	if (a.limit > 0 && size > a.limit)
		deliver_agent_result_set(&res, "5.2.2", "message too large for the mailbox: %ld bytes, "
				       "mailbox_size_limit is %ld", size, a.limit);
	else if (a.maildir && deliver_quota_lookup(u->name, &res) < 0)
		;	/* res says why */
	else if (a.home && a.maildir && privs.uid != 0)	/* the common case: no fork per message */
		deliver_helper_maildir(&privs, LOCAL_STEP_TIME, a.limit, a.dir, a.name, r->m, to,
				       a.original_to, &a.key, &res);
	else if (a.maildir && privs.uid == 0 && u->uid != 0 && spool_maildir(a.dir, a.name, u, &res) < 0)
		;	/* res says why */
	else if (a.maildir && privs.uid == 0 && u->uid != 0)	/* a Maildir is never written as root */
		deliver_agent_run(&user_privs, LOCAL_STEP_TIME, mailbox_child, &a, &res);
	else
		deliver_agent_run(&privs, LOCAL_STEP_TIME, mailbox_child, &a, &res);
	if (res.dsn[0] == '4' && strstr(buf_str(res.text), "cannot access home directory"))
		log_warn("%s: %s: %s", r->m->rq->queue_id, u->name, buf_str(res.text));
	local_recipient_result(r, to, &res);
	deliver_agent_result_free(&res);
	buf_free(&name);
}

/* local_mailbox_command - mailbox_command for user u (see the top) */
void local_mailbox_command(struct local_rcpt *r, const struct local_user *u, const char *to)
{
	struct local_source src = { .cls = 0, .name = u->name, .to = to, .user = u };

	local_item_privs(r->g, &src, u->uid, u->gid, u->name);
	local_command(r, r->g->cf->mailbox_command, &src);
}
