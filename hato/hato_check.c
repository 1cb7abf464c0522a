/* hato_check - "hato check": is this instance fit to start?
 *
 * main.cf is read strictly (file, line and problem on error; unknown
 * parameters are warnings); master.cf is checked by the master program
 * itself ("master -t": the same code that will run it, so the two can
 * never disagree); then mail_owner and setgid_group must exist and the
 * queue tree must have its owners and modes.  Exit 0 when all is well.
 * A passwd-file or lmdb passdb/userdb that authd (default_internal_user
 * plus the group shadow) could not read is a warning: checked by opening
 * it in a child process with authd's ids.  So is one that mail_owner (every
 * other daemon) or everybody could read.  So is a smtpd_tls_cert_file or
 * smtpd_tls_key_file that does not load (smtpd would find out only at
 * its first STARTTLS).  So is a daemon_directory, or a program in it,
 * that someone but root could change (master runs them as root).
 * mail_owner must be able to reach the queue (hato_reach.c); tables, SASL
 * paths, required TLS and logging are warnings (hato_check_tables.c,
 * hato_check_services.c); so are tables a chrooted smtpd cannot use
 * (hato_check_chroot.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "hato.h"
#include "idname.h"
#include "log.h"
#include "mail_quota.h"
#include "master_proto.h"
#include "mem.h"
#include "queue_dirs.h"
#include "restriction.h"
#include "strv.h"
#include "tls.h"

/* check_master_cf - run "master -t" on the instance */
static int check_master_cf(struct hato_ctx *ctx, struct config *c)
{
	struct buf *prog = buf_new(64);
	pid_t pid;
	int status = 1;

	buf_printf(prog, "%s/master", config_get(c, "daemon_directory"));
	if ((pid = fork()) == 0) {
		setenv(MASTER_ENV_CONFIG, ctx->dir, 1);
		execl(buf_str(prog), "master", "-t", (char *)NULL);
		log_error("execute %s: %m (is daemon_directory right?)", buf_str(prog));
		_exit(1);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		log_error("fork: %m");
	buf_free(&prog);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* log_lines - each line of report as an error or as information; empties it */
static void log_lines(struct buf *report, bool error)
{
	for (char *line = report->data, *nl; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		*nl = '\0';
		if (error)
			log_error("%s", line);
		else
			log_info("%s", line);
	}
	buf_reset(report);
}

/* check_queue - accounts exist, queue tree has its owners and modes; who
 * may create it (root, or the user of a --dev instance) first gets the
 * directories a newer hato added, as Postfix's check does */
static int check_queue(struct config *c)
{
	const char *queue_dir = config_get(c, "queue_directory");
	struct buf *why = buf_new(0), *report = buf_new(0);
	struct queue_owners o;
	int problems = 0;

	if (queue_dirs_owners(config_get(c, "mail_owner"), config_get(c, "setgid_group"), &o, why) < 0) {
		log_error("%s", buf_str(why));
		problems = 1;
	} else {
		if (geteuid() == 0 || geteuid() == o.root_uid)
			log_lines(report, queue_dirs_add_missing(queue_dir, &o, report) < 0);
		if ((problems = queue_dirs_check(queue_dir, &o, report)) > 0) {
			log_lines(report, true);
			log_error("hato set-permissions sets the owners and modes hato expects");
		}
	}
	buf_free(&why);
	buf_free(&report);
	return problems ? -1 : 0;
}

/* probe_open - open path for reading: 0 or errno */
static int probe_open(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	return fd < 0 ? errno : 0;
}

/* readable_as - can user (with the group shadow) open path?  errno or 0 */
static int readable_as(const struct passwd *pw, const char *path)
{
	struct group *shadow = getgrnam("shadow");

	return hato_as_user(pw->pw_name, shadow ? shadow->gr_gid : (gid_t)-1, probe_open, path);
}

/* check_auth_exposed - warn when others than authd can read a password database */
static void check_auth_exposed(const char *path, uid_t authd_uid, const char *authd_user,
			       struct config *c)
{
	struct passwd *owner = getpwnam(config_get(c, "mail_owner"));
	struct group *gr;
	struct stat st;
	char who[IDNAME_SIZE];

	if (stat(path, &st) < 0)
		return;		/* readable_as says why */
	gr = getgrgid(st.st_gid);
	if (st.st_mode & 0004)
		log_warn("%s: mode %03o: every local user can read the password hashes (chmod 0640 %s)",
			 path, (unsigned)(st.st_mode & 0777), path);
	else if (owner && owner->pw_uid != authd_uid &&
		 ((st.st_uid == owner->pw_uid && (st.st_mode & 0400)) ||
		  (st.st_gid == owner->pw_gid && (st.st_mode & 0040))))
		log_warn("%s: owner %s, group %s, mode %03o: every hato daemon (mail_owner %s) can "
			 "read the password hashes (chown root:%s %s; chmod 0640 %s)", path,
			 idname_user(st.st_uid, who), gr ? gr->gr_name : "?", (unsigned)(st.st_mode & 0777),
			 owner->pw_name, authd_user, path, path);
}

/* check_auth_files - warn about databases authd could not read, or others could */
static void check_auth_files(struct config *c)
{
	const char *owner = config_get(c, "default_internal_user");
	struct passwd *found = getpwnam(owner), pw;
	struct buf *list = buf_new(64), *path = buf_new(64);
	struct strv *v;
	int err;

	if (found == NULL) {
		log_warn("default_internal_user %s (the user authd runs as) does not exist "
			 "(useradd -r -U -M -d /nonexistent -s /usr/sbin/nologin %s)", owner, owner);
		buf_free(&list);
		buf_free(&path);
		return;
	}
	pw = *found;	/* its ids: check_auth_exposed calls getpwnam again */
	buf_printf(list, "%s,%s", config_get(c, "passdb"), config_get(c, "userdb"));
	v = strv_split(buf_str(list), ", \t\r\n");
	for (size_t i = 0; i < v->len; i++) {
		const char *s = v->items[i];
		bool seen = false;

		for (size_t j = 0; j < i; j++)
			seen |= strcmp(v->items[j], s) == 0;	/* passdb and userdb alike */
		buf_reset(path);
		if (strncmp(s, "passwd-file:", 12) == 0)
			buf_cat(path, s + 12);
		else if (strncmp(s, "lmdb:", 5) == 0)
			buf_printf(path, "%s.lmdb", s + 5);
		if (seen || buf_len(path) == 0)
			continue;
		if ((err = readable_as(&pw, buf_str(path))) != 0)
			log_warn("%s: authd (running as %s, group shadow) cannot read it: %s "
				 "(chgrp %s %s; chmod 0640 %s)", buf_str(path), owner, strerror(err),
				 owner, buf_str(path), buf_str(path));
		check_auth_exposed(buf_str(path), pw.pw_uid, owner, c);
	}
	strv_free(&v);
	buf_free(&list);
	buf_free(&path);
}

/* check_tls_files - warn when smtpd's certificate and key would not load
 * (smtpd itself only finds out at its first STARTTLS: tls.h) */
static void check_tls_files(struct config *c)
{
	const char *cert = config_get(c, "smtpd_tls_cert_file");
	const char *key = config_get(c, "smtpd_tls_key_file");
	struct buf *why = buf_new(0);
	struct tls_server *ts;

	if (*cert == '\0')
		goto out;
	if ((ts = tls_server_new(cert, key, ">=TLSv1.2", why)) == NULL
	    || tls_server_ready(ts, why) < 0)
		log_warn("smtpd_tls_cert_file or smtpd_tls_key_file: %s: smtpd will not offer TLS",
			 buf_str(why));
	tls_server_free(&ts);
out:
	buf_free(&why);
}

/* hato_unsafe_owner - why a file or directory could be changed by
 * someone other than root (or the user of a --dev instance), else NULL */
const char *hato_unsafe_owner(const struct stat *st)
{
	if (st->st_uid != 0 && st->st_uid != geteuid())
		return "not owned by root";
	return (st->st_mode & (S_IWGRP | S_IWOTH)) ? "writable by group or others" : NULL;
}

/* check_daemon_dir - warn, as postfix check does, when daemon_directory
 * or a program in it could be replaced by someone other than root: master
 * runs those programs as root */
static void check_daemon_dir(struct config *c)
{
	const char *dir = config_get(c, "daemon_directory"), *why;
	DIR *d = opendir(dir);
	struct dirent *e;
	struct stat st;

	if (d == NULL) {
		log_warn("daemon_directory %s: %m", dir);
		return;
	}
	if (fstat(dirfd(d), &st) == 0 && (why = hato_unsafe_owner(&st)) != NULL)
		log_warn("daemon_directory %s: %s", dir, why);
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.' && fstatat(dirfd(d), e->d_name, &st, 0) == 0 &&
		    (why = hato_unsafe_owner(&st)) != NULL)
			log_warn("%s/%s: %s", dir, e->d_name, why);
	closedir(d);
}

/* check_quota - quota_rule, quota_rule2 and quota_warning_percent parse
 * (a bad one defers every delivery to a Maildir): 0, or -1 logged */
static int check_quota(struct config *c)
{
	static const char *const rules[] = { "quota_rule", "quota_rule2" };
	struct buf *why = buf_new(0);
	struct quota_rule r;
	struct mail_quota_cfg q;
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < sizeof(rules) / sizeof(rules[0]); i++)
		rc = quota_rule_parse(config_get(c, rules[i]), rules[i], &r, why);
	if (rc == 0)
		rc = mail_quota_warn_parse(&q, config_get(c, "quota_warning_percent"),
					   "quota_warning_percent", why);
	if (rc < 0)
		log_error("%s", buf_str(why));
	buf_free(&why);
	return rc;
}

/* hato_check_quiet - every check (master.cf too unless skip_master_cf),
 * messages only for problems */
int hato_check_quiet(struct hato_ctx *ctx, bool skip_master_cf)
{
	struct buf *why = buf_new(0);
	struct config *c = config_read(ctx->dir, CONFIG_STRICT, why);
	int rc = 1;

	if (c == NULL)
		log_error("%s", buf_str(why));
	else if ((skip_master_cf || check_master_cf(ctx, c) == 0) && check_queue(c) == 0 &&
		 hato_check_reach(c) == 0)
		rc = 0;
	if (c && check_quota(c) < 0)
		rc = 1;
	if (c) {
		restriction_warn(c, NULL);
		check_auth_files(c);
		check_tls_files(c);
		hato_check_chroot(ctx, c);
		check_daemon_dir(c);
		hato_check_more(c, ctx->dir);
	}
	config_free(&c);
	buf_free(&why);
	return rc;
}

/* hato_check - hato_check_quiet, saying so when all is well */
int hato_check(struct hato_ctx *ctx)
{
	int rc = hato_check_quiet(ctx, false);

	if (rc == 0)
		log_info("%s: configuration and queue are in order", ctx->dir);
	return rc;
}
