/* hato_init - "hato init [--dev] [DIR]": a new configuration and queue.
 *
 * Writes a commented main.cf and master.cf (refusing to overwrite either),
 * creates the queue tree with its owners and modes, a self-signed
 * certificate and an empty `users` passwd-file (0640, root and the group
 * of default_internal_user, the user authd runs as: no other daemon can
 * read the password hashes).  As root it also creates the mail_owner,
 * default_login_user and default_internal_user users and the setgid_group
 * group when missing.
 * master.cf gets only the services whose program this build has (the
 * others are written commented out); every alias_database table whose
 * source exists gets its .lmdb if it has none (newaliases).
 * --dev makes a self-contained instance that runs as the invoking user on
 * loopback, with SMTP on 2525, submission 2587, submissions 2465, IMAP
 * 2143, IMAPS 2993, POP3 2110 and POP3S 2995.
 * For a package (debian/): --destdir D writes only DIR's main.cf and
 * master.cf, below D and naming the installed paths (the package's
 * conffiles, made at build time, no root needed); --keep-existing, as its
 * postinst runs it, keeps what DIR already has and makes the rest.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "fsutil.h"
#include "hato.h"
#include "dict.h"
#include "log.h"
#include "mapfile.h"
#include "mem.h"
#include "queue_dirs.h"
#include "strv.h"

/* the services of a new master.cf: name, dev port, the rest of the line */
static const struct service_line {
	const char *name, *dev_name, *rest, *options;
} services[] = {
	{ "smtp", "2525", "inet  n       -       n       -       -       smtpd", NULL },
	{ "submission", "2587", "inet  n       -       n       -       -       smtpd",
	  "  -o smtpd_tls_security_level=encrypt\n  -o smtpd_sasl_auth_enable=yes\n"
	  "  -o smtpd_client_restrictions=permit_sasl_authenticated,reject\n" },
	{ "smtps", "2465", "inet  n       -       n       -       -       smtpd",
	  "  -o smtpd_tls_wrappermode=yes\n  -o smtpd_sasl_auth_enable=yes\n"
	  "  -o smtpd_client_restrictions=permit_sasl_authenticated,reject\n" },
	{ "pickup", NULL, "fifo  n       -       n       60      1       pickup", NULL },
	{ "cleanup", NULL, "unix  n       -       n       -       0       cleanup", NULL },
	{ "qmgr", NULL, "fifo  n       -       n       300     1       qmgr", NULL },
	{ "smtp", NULL, "unix  -       -       n       -       -       smtp", NULL },
	{ "relay", NULL, "unix  -       -       n       -       -       smtp", NULL },
	{ "local", NULL, "unix  -       n       n       -       -       local", NULL },
	{ "virtual", NULL, "unix  -       n       n       -       -       virtual", NULL },
	{ "showq", NULL, "unix  n       -       n       -       -       showq", NULL },
	{ "imap", "2143", "inet  n       -       n       -       -       imapd", NULL },
	{ "imaps", "2993", "inet  n       -       n       -       -       imapd", "  -o imapd_tls_wrappermode=yes\n" },
	{ "pop3", "2110", "inet  n       -       n       -       -       pop3d", NULL },
	{ "pop3s", "2995", "inet  n       -       n       -       -       pop3d", "  -o pop3d_tls_wrappermode=yes\n" },
	{ "auth", NULL, "unix  -       n       n       -       1       authd", NULL },
	/* what the POP3 and IMAP login processes connect to, in login/ */
	{ "login/auth", NULL, "unix  -       n       n       -       1       authd", NULL },
	{ "login/pop3", NULL, "unix  -       n       n       -       -       pop3mail", NULL },
	{ "login/imap", NULL, "unix  -       n       n       -       -       imapmail", NULL },
};

/* hato_init_service - the rest of service name's master.cf line after its
 * name ("inet n - n - - imapd") and its "  -o" lines, or NULL (hato import
 * writes the same lines) */
const char *hato_init_service(const char *name, const char **options_r)
{
	for (size_t i = 0; i < sizeof(services) / sizeof(services[0]); i++)
		if (strcmp(services[i].name, name) == 0 && strncmp(services[i].rest, "inet", 4) == 0) {
			*options_r = services[i].options;
			return services[i].rest;
		}
	for (size_t i = 0; i < sizeof(services) / sizeof(services[0]); i++)
		if (strcmp(services[i].name, name) == 0) {
			*options_r = services[i].options;
			return services[i].rest;
		}
	return NULL;
}

/* libexec_dir - where the daemons are, next to this hato binary; where
 * they will be installed when staging for a package */
static void libexec_dir(const struct hato_ctx *ctx, struct buf *out)
{
	struct buf *top = buf_new(64);	/* the directory above this hato's */
	const char *slash;
	struct stat st;

	if (ctx->destdir != NULL || fsutil_exe_dir(top) < 0) {
		buf_cat(out, HATO_PREFIX "/libexec/hato");
		buf_free(&top);
		return;
	}
	if ((slash = strrchr(buf_str(top), '/')) != NULL)
		buf_truncate(top, (size_t)(slash - buf_str(top)));
	buf_printf(out, "%s/libexec/hato", buf_str(top));
	if (stat(buf_str(out), &st) != 0 || !S_ISDIR(st.st_mode)) {
		buf_reset(out);
		buf_printf(out, "%s/libexec", buf_str(top));
	}
	buf_free(&top);
}

/* write_new_owned - create path with text, owned by root and group (-1:
 * as created), changed through the descriptor; refuses an existing file */
static int write_new_owned(const char *path, const char *text, mode_t mode, gid_t group)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	size_t len = strlen(text);

	if (fd < 0) {
		log_error("create %s: %m%s", path, errno == EEXIST ? " (hato init does not overwrite)" : "");
		return -1;
	}
	if (group != (gid_t)-1 && fchown(fd, 0, group) < 0) {
		log_error("chown %s: %m", path);
		close(fd);
		return -1;
	}
	if (write(fd, text, len) != (ssize_t)len || fsync(fd) < 0 || close(fd) < 0) {
		log_error("write %s: %m", path);
		return -1;
	}
	return 0;
}

/* is_kept - whether path exists and init --keep-existing keeps it */
static bool is_kept(const struct hato_ctx *ctx, const char *path)
{
	struct stat st;

	return ctx->keep_existing && lstat(path, &st) == 0;
}

/* write_new - create path with text; refuses an existing file */
static int write_new(const char *path, const char *text, mode_t mode)
{
	return write_new_owned(path, text, mode, (gid_t)-1);
}

/* main_cf_text - the commented main.cf of a new instance */
static void main_cf_text(const struct hato_ctx *ctx, const char *user, const char *group,
			 struct buf *out)
{
	struct buf *libexec = buf_new(64);

	libexec_dir(ctx, libexec);
	buf_printf(out,
		"# main.cf - hato's main configuration, in Postfix's syntax.\n"
		"# \"postconf -n\" shows what this file sets, \"postconf -d\" every default;\n"
		"# \"postconf -e name=value\" changes a value and keeps these comments.\n"
		"# Made by hato init%s.\n\n", ctx->dev ? " --dev" : "");
	if (ctx->dev)
		buf_printf(out,
			"# A private instance: everything below this directory; daemons run as %s.\n"
			"queue_directory = %s/queue\n"
			"data_directory = %s/data\n"
			"mail_owner = %s\n"
			"setgid_group = %s\n"
			"inet_interfaces = loopback-only\n"
			"inet_protocols = ipv4\n"
			"mynetworks = 127.0.0.0/8\n"
			"service_throttle_time = 2s\n"
			"maillog_file = %s/maillog\n"
			"alias_maps = hash:%s/aliases\n"
			"alias_database = hash:%s/aliases\n\n",
			user, ctx->dir, ctx->dir, user, group, ctx->dir, ctx->dir, ctx->dir);
	else
		buf_cat(out, "maillog_file = /var/log/hato.log\n\n");
	if (ctx->dev && geteuid() != 0)
		buf_printf(out, "# authd and the login processes too run as %s\ndefault_internal_user = %s\n"
			   "default_login_user = %s\n\n", user, user, user);
	if (strcmp(buf_str(libexec), HATO_PREFIX "/libexec/hato") != 0)
		buf_printf(out, "# where the daemon programs are\ndaemon_directory = %s\n\n", buf_str(libexec));
	buf_printf(out,
		"# Mail for these domains is delivered here.\n"
		"#myhostname = mail.example.com\n"
		"#mydomain = example.com\n"
		"mydestination = $myhostname, localhost.$mydomain, localhost\n"
		"home_mailbox = Maildir/\n\n"
		"# TLS (a self-signed certificate made by hato init: replace it)\n"
		"smtpd_tls_cert_file = %s/cert.pem\n"
		"smtpd_tls_key_file = %s/key.pem\n"
		"smtpd_tls_security_level = may\n\n"
		"# Logins for IMAP, POP3 and SMTP AUTH: system users, then the users file\n"
		"# (hato pw makes a password hash for it)\n"
		"passdb = system, passwd-file:%s/users\n"
		"userdb = system, passwd-file:%s/users\n"
		"mail_location = maildir:~/Maildir\n",
		ctx->dir, ctx->dir, ctx->dir, ctx->dir);
	buf_free(&libexec);
}

/* is_built - whether the program ending line rest is in this build's
 * libexec, below destdir when staging (a service whose program is not
 * there is written commented out: master would only skip it) */
static bool is_built(const struct hato_ctx *ctx, const char *rest)
{
	const char *prog = strrchr(rest, ' ') + 1;
	struct buf *path = buf_new(64);
	bool built;

	buf_cat(path, ctx->destdir ? ctx->destdir : "");
	libexec_dir(ctx, path);
	buf_printf(path, "/%s", prog);
	built = access(buf_str(path), X_OK) == 0;
	buf_free(&path);
	return built;
}

/* master_cf_text - the service table of a new instance */
static void master_cf_text(const struct hato_ctx *ctx, struct buf *out)
{
	buf_cat(out,
		"# master.cf - hato's service table, in Postfix's syntax.\n"
		"# ==========================================================================\n"
		"# service type  private unpriv  chroot  wakeup  maxproc command + args\n"
		"#               (yes)   (yes)   (no)    (never) (100)\n"
		"# ==========================================================================\n");
	for (size_t i = 0; i < sizeof(services) / sizeof(services[0]); i++) {
		const struct service_line *s = &services[i];
		const char *name = ctx->dev && s->dev_name ? s->dev_name : s->name;
		bool built = is_built(ctx, s->rest);

		if (!built)
			buf_printf(out, "# (%s is not part of this build of hato)\n", strrchr(s->rest, ' ') + 1);
		buf_printf(out, "%s%-10s%s%s\n", built ? "" : "#", name, strlen(name) < 10 ? "" : " ", s->rest);
		for (const char *o = s->options; o && *o; o = strchr(o, '\n') + 1)
			buf_printf(out, "%s%.*s\n", built ? "" : "#", (int)(strchr(o, '\n') - o), o);
	}
	buf_cat(out, "# the metrics endpoint (GET /metrics: OpenMetrics / Prometheus), loopback only\n"
		"#127.0.0.1:9154 inet n      -       y       -       2       metricsd\n");
}


/* ensure_user - as root: a system user with its own group, made if missing */
static int ensure_user(const char *user, const char *comment)
{
	/* its own group: made with it (-U), or the one left by an old account */
	bool have_group = getgrnam(user) != NULL;
	char *argv[] = { "useradd", "-r", have_group ? "-g" : "-U", have_group ? (char *)user : "-M",
			 "-M", "-d", "/nonexistent", "-s", "/usr/sbin/nologin",
			 "-c", (char *)comment, (char *)user, NULL };

	if (getpwnam(user) != NULL)
		return 0;
	log_info("creating user %s", user);
	if (hato_run(argv) < 0) {
		log_error("useradd %s failed", user);
		return -1;
	}
	return 0;
}

/* ensure_accounts - as root: mail_owner, default_internal_user and
 * setgid_group, made if missing */
static int ensure_accounts(struct config *c)
{
	const char *group = config_get(c, "setgid_group");

	if (getgrnam(group) == NULL) {
		char *argv[] = { "groupadd", "-r", (char *)group, NULL };

		log_info("creating group %s", group);
		if (hato_run(argv) < 0) {
			log_error("groupadd -r %s failed", group);
			return -1;
		}
	}
	if (ensure_user(config_get(c, "mail_owner"), "hato mail system") < 0 ||
	    ensure_user(config_get(c, "default_login_user"), "hato POP3 and IMAP logins") < 0)
		return -1;
	return ensure_user(config_get(c, "default_internal_user"), "hato authentication");
}

/* alias_entry - mapfile callback: one alias into the new table */
static void alias_entry(void *ctx, const char *key, const char *value, int lineno)
{
	(void)lineno;
	dict_update(ctx, key, value);
}

/* build_alias_table - NAME.lmdb from the aliases(5) file NAME */
static int build_alias_table(const char *name, struct buf *why)
{
	struct buf *spec = buf_new(64);
	struct dict *d;
	int rc = -1;

	buf_printf(spec, "lmdb:%s", name);
	if ((d = dict_open(buf_str(spec), DICT_FLAG_CREATE | DICT_FLAG_FOLD_KEY, why)) == NULL)
		goto out;
	if (mapfile_parse(d, d->name, MAPFILE_ALIASES, alias_entry, d, why) == 0 && dict_commit(d) == 0)
		rc = 0;
	else if (buf_len(why) == 0)
		buf_cat(why, dict_error(d));
	dict_close(&d);
out:
	buf_free(&spec);
	return rc;
}

/* make_alias_tables - newaliases for each indexed table of alias_database
 * whose source exists and whose NAME.lmdb does not (a fresh Debian machine
 * has /etc/aliases but no /etc/aliases.lmdb: every local delivery would
 * defer until someone ran newaliases); say: name each one built */
static int make_alias_tables(struct config *c, bool say, struct buf *why)
{
	struct strv *v = strv_split(config_get(c, "alias_database"), ", \t\r\n");
	struct buf *lmdb = buf_new(64);
	int rc = 0;

	for (size_t i = 0; i < v->len && rc == 0; i++) {
		char *name = strchr(v->items[i], ':');

		if (name == NULL || name[1] != '/')
			continue;
		*name++ = '\0';
		buf_reset(lmdb);
		buf_printf(lmdb, "%s.lmdb", name);
		if (!dict_type_is_indexed(v->items[i]) || access(name, F_OK) < 0 ||
		    access(buf_str(lmdb), F_OK) == 0)
			continue;
		if (say)
			log_info("building %s from %s (newaliases)", buf_str(lmdb), name);
		rc = build_alias_table(name, why);
	}
	strv_free(&v);
	buf_free(&lmdb);
	return rc;
}

/* make_aliases - a --dev instance's own aliases file (make_alias_tables
 * indexes it), unless kept */
static int make_aliases(const struct hato_ctx *ctx)
{
	struct buf *path = buf_new(64);
	int rc = 0;

	buf_printf(path, "%s/aliases", ctx->dir);
	if (!is_kept(ctx, buf_str(path)))
		rc = write_new(buf_str(path), "# aliases - aliases(5); rebuild with: newaliases -c DIR\n"
			       "postmaster: root\nabuse: root\nmailer-daemon: postmaster\n", 0644);
	buf_free(&path);
	return rc;
}

/* users_group - as root, the group of the user authd runs as (it reads
 * the users file through it, no other daemon does); else -1 (as created) */
static int users_group(const char *user, gid_t *gid_r, struct buf *why)
{
	struct passwd *pw;

	*gid_r = (gid_t)-1;
	if (geteuid() != 0)
		return 0;
	if ((pw = getpwnam(user)) == NULL) {
		buf_printf(why, "default_internal_user %s: no such user", user);
		return -1;
	}
	*gid_r = pw->pw_gid;
	return 0;
}

/* chown_dir - a directory's owner, changed through a descriptor that did
 * not follow a symlink */
static int chown_dir(const char *path, uid_t uid, gid_t gid, struct buf *why)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0 || fchown(fd, uid, gid) < 0) {
		buf_printf(why, "chown %s: %m", path);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* make_tree - queue tree, data directory, certificate, users file */
static int make_tree(struct hato_ctx *ctx, struct config *c)
{
	struct buf *why = buf_new(0), *a = buf_new(64), *b = buf_new(64);
	struct params *p = config_params(c, why);
	struct queue_owners o;
	gid_t users_gid;
	int rc = -1;

	if (p == NULL || queue_dirs_owners(p->mail_owner, p->setgid_group, &o, why) < 0 ||
	    queue_dirs_create(p->queue_directory, &o, why) < 0)
		goto out;
	if (mkdir(p->data_directory, 0700) < 0 && errno != EEXIST) {
		buf_printf(why, "mkdir %s: %m", p->data_directory);
		goto out;
	}
	if (chown_dir(p->data_directory, o.owner_uid, o.owner_gid, why) < 0)
		goto out;
	buf_printf(a, "%s/cert.pem", ctx->dir);
	buf_printf(b, "%s/key.pem", ctx->dir);
	if (!is_kept(ctx, buf_str(a)) && !is_kept(ctx, buf_str(b)) &&
	    hato_cert_create(buf_str(a), buf_str(b), p->myhostname, why) < 0)
		goto out;
	buf_reset(a);
	buf_printf(a, "%s/users", ctx->dir);
	if (!is_kept(ctx, buf_str(a)) &&
	    (users_group(p->default_internal_user, &users_gid, why) < 0 ||
	     write_new_owned(buf_str(a), "# users - virtual mail users, Dovecot's passwd-file format:\n"
			     "#   name:{SCHEME}hash:uid:gid::home::\n"
			     "# Make a hash with: hato pw -s SHA512-CRYPT\n", 0640, users_gid) < 0))
		goto out;
	if ((ctx->dev && make_aliases(ctx) < 0) || make_alias_tables(c, !ctx->dev, why) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0 && buf_len(why))
		log_error("%s", buf_str(why));
	params_free(&p);
	buf_free(&why);
	buf_free(&a);
	buf_free(&b);
	return rc;
}

/* write_config - main.cf and master.cf into the directory at (ctx->dir,
 * or its staged copy below --destdir), each unless kept */
static int write_config(const struct hato_ctx *ctx, const char *at)
{
	struct passwd *pw = getpwuid(geteuid());
	struct group *gr = getgrgid(getegid());
	struct buf *text = buf_new(4096), *path = buf_new(64);
	int rc = -1;

	/* a --dev instance made by root still separates privileges: the
	 * daemons run as the usual mail_owner, made by ensure_accounts */
	if (!ctx->dev || geteuid() == 0)
		main_cf_text(ctx, "hato", "hatodrop", text);
	else
		main_cf_text(ctx, pw ? pw->pw_name : "nobody", gr ? gr->gr_name : "nogroup", text);
	buf_printf(path, "%s/main.cf", at);
	if (!is_kept(ctx, buf_str(path)) && write_new(buf_str(path), buf_str(text), 0644) < 0)
		goto out;
	buf_reset(text);
	master_cf_text(ctx, text);
	buf_reset(path);
	buf_printf(path, "%s/master.cf", at);
	if (!is_kept(ctx, buf_str(path)) && write_new(buf_str(path), buf_str(text), 0644) < 0)
		goto out;
	rc = 0;
out:
	buf_free(&text);
	buf_free(&path);
	return rc;
}

/* stage_config - init --destdir: DESTDIR/DIR/main.cf and master.cf naming
 * DIR and the installed daemons, for a package to ship as conffiles */
static int stage_config(const struct hato_ctx *ctx)
{
	struct buf *at = buf_new(64);
	int rc = 1;

	if (ctx->dir[0] != '/') {
		log_error("hato init --destdir: %s: the configuration directory must be absolute", ctx->dir);
		goto out;
	}
	buf_printf(at, "%s%s", ctx->destdir, ctx->dir);
	if (mkdir(buf_str(at), 0755) < 0 && errno != EEXIST)
		log_error("mkdir %s: %m", buf_str(at));
	else if (write_config(ctx, buf_str(at)) == 0)
		rc = 0;
out:
	buf_free(&at);
	return rc;
}

/* hato_init_options - --dev, --keep-existing, --destdir D from ctx->args */
int hato_init_options(struct hato_ctx *ctx)
{
	for (; ctx->args[0] && ctx->args[0][0] == '-'; ctx->args++) {
		if (strcmp(ctx->args[0], "--dev") == 0)
			ctx->dev = true;
		else if (strcmp(ctx->args[0], "--keep-existing") == 0)
			ctx->keep_existing = true;
		else if (strcmp(ctx->args[0], "--destdir") == 0 && ctx->args[1] && ctx->args[1][0] == '/')
			ctx->destdir = *++ctx->args;
		else
			return -1;
	}
	/* a staged configuration is a system's, not one user's instance */
	return ctx->dev && ctx->destdir ? -1 : 0;
}

/* hato_init - create the configuration directory and the instance */
int hato_init(struct hato_ctx *ctx)
{
	struct passwd *pw = getpwuid(geteuid());
	struct buf *why = buf_new(0);
	char real[PATH_MAX];
	struct config *c = NULL;
	int rc = 1;

	if (ctx->destdir != NULL) {
		buf_free(&why);
		return stage_config(ctx);
	}
	if (!ctx->dev && geteuid() != 0) {
		log_error("hato init needs root (or --dev for a private instance run as %s)",
			  pw ? pw->pw_name : "you");
		goto out;
	}
	if (mkdir(ctx->dir, 0755) < 0 && errno != EEXIST) {
		log_error("mkdir %s: %m", ctx->dir);
		goto out;
	}
	if (realpath(ctx->dir, real) == NULL) {
		log_error("%s: %m", ctx->dir);
		goto out;
	}
	ctx->dir = real;
	if (write_config(ctx, ctx->dir) < 0)
		goto out;
	if ((c = config_read(ctx->dir, CONFIG_STRICT, why)) == NULL) {
		log_error("%s", buf_str(why));
		goto out;
	}
	if (geteuid() == 0 && ensure_accounts(c) < 0)
		goto out;
	if (make_tree(ctx, c) < 0)
		goto out;
	printf("hato: %s %s (main.cf, master.cf, cert.pem, key.pem, users) and the queue in %s\n",
	       ctx->keep_existing ? "completed" : "created", ctx->dir, config_get(c, "queue_directory"));
	rc = 0;
out:
	config_free(&c);
	buf_free(&why);
	return rc;
}
