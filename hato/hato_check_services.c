/* hato_check_services - warnings about what smtpd will need at run time.
 *
 * Each smtpd service of master.cf is checked with its own -o overrides on
 * top of main.cf, as smtpd will see them:
 *  - SASL through authd: the socket smtpd connects to (smtpd_sasl_path,
 *    default private/auth, relative to queue_directory) must be where an
 *    authd service of master.cf listens ("auth unix n ..." puts it in
 *    public/, not private/);
 *  - SASL through Cyrus with "pwcheck_method: saslauthd": saslauthd's
 *    socket must be reachable by mail_owner (Debian's /run/saslauthd is
 *    0710 root:sasl), tried by connecting as mail_owner in a child;
 *  - smtpd_tls_wrappermode or smtpd_tls_security_level = encrypt needs a
 *    certificate that loads, or every session fails.
 * A pop3d service needs login/auth (authd) and login/pop3 (pop3mail); an
 * imapd service login/auth and login/imap (imapmail).
 * A metricsd service answers without authentication: it should listen on
 * loopback only (127.0.0.0/8 or ::1, or a bare port with inet_interfaces =
 * loopback-only).
 * Also: some log destination must work (maillog_file, or a syslog socket
 * at /dev/log).  Each problem is one warning saying what fixes it.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "hato.h"
#include "log.h"
#include "master_cf.h"
#include "pop3_uidl.h"
#include "strv.h"
#include "tls.h"
#include "unix_connect.h"

/* probe_connect - connect to the UNIX socket path: 0 or errno */
static int probe_connect(const char *path)
{
	return unix_connect(path, NULL) < 0 ? errno : 0;
}

/* connect_as - connect to the UNIX socket path as user; 0 or an errno */
static int connect_as(const char *user, const char *path)
{
	if (getpwnam(user) == NULL)
		return 0;	/* check_queue names a missing user */
	return hato_as_user(user, (gid_t)-1, probe_connect, path);
}

/* check_authd_path - smtpd's smtpd_sasl_path must be an authd socket */
static void check_authd_path(struct config *sc, const struct master_cf *mcf,
			     const struct master_cf_entry *smtpd)
{
	const char *p = config_get(sc, "smtpd_sasl_path");
	const struct master_cf_entry *authd = NULL;
	struct buf *want = buf_new(64), *have = buf_new(64);

	if (!strchr(p, '/'))
		p = "private/auth";	/* as smtpd_sasl_authd.c: a name is Cyrus's */
	if (p[0] != '/')
		buf_printf(want, "%s/", config_get(sc, "queue_directory"));
	buf_cat(want, p);
	for (size_t i = 0; i < mcf->len; i++) {
		const struct master_cf_entry *e = &mcf->entries[i];

		/* login/auth serves pop3d and imapd, out of smtpd's reach */
		if (strcmp(e->command, "authd") != 0 || strcmp(master_cf_socket_dir(e), "login") == 0)
			continue;
		authd = e;
		buf_reset(have);
		buf_printf(have, "%s/%s/%s", config_get(sc, "queue_directory"),
			   master_cf_socket_dir(e), master_cf_socket_name(e));
		if (strcmp(buf_str(have), buf_str(want)) == 0)
			goto out;
	}
	if (authd)
		log_warn("service %s (line %d): smtpd looks for the auth service at %s, but master.cf's "
			 "authd (line %d) listens on %s: set smtpd_sasl_path = %s/%s (or that service's "
			 "private column to -)", smtpd->service, smtpd->line, buf_str(want), authd->line,
			 buf_str(have), authd->private_ ? "private" : "public", authd->service);
	else if (p[0] != '/' || access(p, F_OK) < 0)
		log_warn("service %s (line %d): SMTP AUTH is on, but no authd service listens on %s: "
			 "add to master.cf: auth unix - n n - 1 authd", smtpd->service, smtpd->line,
			 buf_str(want));
out:
	buf_free(&want);
	buf_free(&have);
}

/* saslauthd_path - the saslauthd socket when smtpd.conf says
 * "pwcheck_method: saslauthd" (into out), else false */
static bool saslauthd_path(struct config *sc, struct buf *out)
{
	struct buf *dirs = buf_new(64), *conf = buf_new(64);
	struct strv *v;
	char line[1024];
	bool saslauthd = false;
	FILE *fp = NULL;

	buf_printf(dirs, "%s:/etc/sasl2:/usr/lib/sasl2:/usr/lib/x86_64-linux-gnu/sasl2",
		   config_get(sc, "cyrus_sasl_config_path"));
	v = strv_split(buf_str(dirs), ":");
	for (size_t i = 0; i < v->len && fp == NULL; i++) {
		buf_reset(conf);
		buf_printf(conf, "%s/%s.conf", v->items[i], config_get(sc, "smtpd_sasl_path"));
		fp = fopen(buf_str(conf), "re");
	}
	buf_set(out, "/var/run/saslauthd/mux");
	while (fp && fgets(line, sizeof(line), fp)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (strncmp(line, "pwcheck_method:", 15) == 0)
			saslauthd = strstr(line + 15, "saslauthd") != NULL;
		else if (strncmp(line, "saslauthd_path:", 15) == 0)
			buf_set(out, line + 15 + strspn(line + 15, " \t"));
	}
	if (fp)
		fclose(fp);
	strv_free(&v);
	buf_free(&dirs);
	buf_free(&conf);
	return saslauthd;
}

/* check_saslauthd - saslauthd's socket reachable by mail_owner */
static void check_saslauthd(struct config *sc, const struct master_cf_entry *smtpd)
{
	struct buf *sock = buf_new(64);
	const char *owner = config_get(sc, "mail_owner");
	int err;

	if (saslauthd_path(sc, sock) && (err = connect_as(owner, buf_str(sock))) != 0)
		log_warn("service %s (line %d): smtpd (as %s) cannot connect to saslauthd at %s: %s (%s)",
			 smtpd->service, smtpd->line, owner, buf_str(sock), strerror(err),
			 err == EACCES ? "add the user to saslauthd's group, e.g. adduser hato sasl" :
			 err == ENOENT || err == ECONNREFUSED ? "is saslauthd running?" : "check saslauthd_path");
	buf_free(&sock);
}

/* is_yes - whether boolean parameter name is on */
static bool is_yes(struct config *c, const char *name)
{
	return strcmp(config_get(c, name), "yes") == 0;
}

/* check_tls_required - wrapper mode or encrypt without a certificate that
 * loads (the same rule as smtpd_tls.c) */
static void check_tls_required(struct config *sc, const struct master_cf_entry *smtpd)
{
	const char *cert = config_get(sc, "smtpd_tls_cert_file");
	const char *level = config_get(sc, "smtpd_tls_security_level");
	bool wrapper = is_yes(sc, "smtpd_tls_wrappermode");
	struct buf *why = buf_new(0);
	struct tls_server *ts = NULL;

	if (!wrapper && strcmp(level, "encrypt") != 0 && !(*level == '\0' && is_yes(sc, "smtpd_enforce_tls")))
		goto out;
	if (*cert == '\0')
		buf_cat(why, "smtpd_tls_cert_file is empty");
	else if ((ts = tls_server_new(cert, config_get(sc, "smtpd_tls_key_file"), ">=TLSv1.2", why)) != NULL)
		tls_server_ready(ts, why);
	if (buf_len(why))
		log_warn("service %s (line %d): %s but no certificate loads (%s): every session will "
			 "fail", smtpd->service, smtpd->line, wrapper ? "smtpd_tls_wrappermode = yes" :
			 "smtpd_tls_security_level = encrypt", buf_str(why));
out:
	tls_server_free(&ts);
	buf_free(&why);
}

/* check_smtpd - the checks of one smtpd service under its overrides */
static void check_smtpd(const char *dir, const struct master_cf *mcf, const struct master_cf_entry *e)
{
	struct buf *why = buf_new(0);
	struct config *sc = config_read(dir, CONFIG_QUIET, why);

	for (size_t i = 0; sc && i < e->overrides->len; i++)
		if (config_override(sc, e->overrides->items[i], why) < 0)
			goto out;	/* master -t names it */
	if (sc == NULL)
		goto out;
	if (is_yes(sc, "smtpd_sasl_auth_enable")) {
		if (strcmp(config_get(sc, "smtpd_sasl_type"), "cyrus") == 0)
			check_saslauthd(sc, e);
		else
			check_authd_path(sc, mcf, e);
	}
	check_tls_required(sc, e);
out:
	config_free(&sc);
	buf_free(&why);
}

/* has_service - master.cf has name running command */
static bool has_service(const struct master_cf *mcf, const char *name, const char *command)
{
	for (size_t i = 0; i < mcf->len; i++)
		if (strcmp(mcf->entries[i].service, name) == 0 && strcmp(mcf->entries[i].command, command) == 0)
			return true;
	return false;
}

/* check_login - a login process (pop3d, imapd) needs login/auth and its mail
 * service in master.cf, or every login fails after the password */
static void check_login(const struct master_cf *mcf, const struct master_cf_entry *e,
			const char *mail_service, const char *mail_program)
{
	if (!has_service(mcf, "login/auth", "authd"))
		log_warn("service %s (line %d): %s logs users in through authd on login/auth, which "
			 "master.cf lacks: add login/auth unix - n n - 1 authd", e->service, e->line, e->command);
	if (!has_service(mcf, mail_service, mail_program))
		log_warn("service %s (line %d): %s hands logins to %s on %s, which master.cf lacks: "
			 "add %s unix - n n - - %s", e->service, e->line, e->command, mail_program,
			 mail_service, mail_service, mail_program);
}

/* is_loopback_host - host (of "host:port") is a loopback address */
static bool is_loopback_host(const char *host, size_t len)
{
	return (len > 4 && strncmp(host, "127.", 4) == 0) || (len == 9 && strncmp(host, "localhost", 9) == 0) ||
	       (len == 5 && strncmp(host, "[::1]", 5) == 0) || (len == 3 && strncmp(host, "::1", 3) == 0);
}

/* check_metricsd - the metrics endpoint has no authentication: loopback */
static void check_metricsd(struct config *c, const struct master_cf_entry *e)
{
	const char *colon = strrchr(e->service, ':'), *ifs = config_get(c, "inet_interfaces");
	bool loopback = colon ? is_loopback_host(e->service, (size_t)(colon - e->service))
			      : strcmp(ifs, "loopback-only") == 0 || is_loopback_host(ifs, strlen(ifs));

	if (!loopback)
		log_warn("service %s (line %d): metricsd answers anyone who can connect, without "
			 "authentication: listen on loopback only (127.0.0.1:9154)", e->service, e->line);
}

/* check_uidl_format - pop3_uidl_format must expand for every message */
static void check_uidl_format(struct config *c)
{
	struct buf *why = buf_new(0);

	if (pop3_uidl_check(config_get(c, "pop3_uidl_format"), why) < 0)
		log_warn("pop3_uidl_format = %s: %s: every UIDL command would fail",
			 config_get(c, "pop3_uidl_format"), buf_str(why));
	buf_free(&why);
}

/* check_log - some log destination must work */
static void check_log(struct config *c)
{
	struct stat st;

	if (*config_get(c, "maillog_file") == '\0' && (stat("/dev/log", &st) < 0 || !S_ISSOCK(st.st_mode)))
		log_warn("no log destination: maillog_file is empty and /dev/log is not a socket "
			 "(no syslog daemon runs): set maillog_file = /var/log/hato.log, or start rsyslog");
}

/* hato_check_more - the run-time checks above and hato_check_tables */
void hato_check_more(struct config *c, const char *dir)
{
	struct buf *path = buf_new(64), *why = buf_new(0);
	struct master_cf *mcf;
	bool logins = false;

	hato_check_tables(c, dir);
	check_log(c);
	buf_printf(path, "%s/master.cf", dir);
	mcf = master_cf_parse_file(buf_str(path), why);
	for (size_t i = 0; mcf && i < mcf->len; i++) {
		const struct master_cf_entry *e = &mcf->entries[i];

		if (e->type == MASTER_CF_INET && strcmp(e->command, "smtpd") == 0)
			check_smtpd(dir, mcf, e);
		if (e->type == MASTER_CF_INET && strcmp(e->command, "pop3d") == 0) {
			check_login(mcf, e, "login/pop3", "pop3mail");
			logins = true;
		}
		if (e->type == MASTER_CF_INET && strcmp(e->command, "metricsd") == 0)
			check_metricsd(c, e);
		if (e->type == MASTER_CF_INET && strcmp(e->command, "imapd") == 0) {
			check_login(mcf, e, "login/imap", "imapmail");
			logins = true;
		}
	}
	if (logins)
		check_uidl_format(c);
	if (logins && getpwnam(config_get(c, "default_login_user")) == NULL)
		log_warn("default_login_user %s (the user pop3d and imapd run as) does not exist "
			 "(useradd -r -U -M -d /nonexistent -s /usr/sbin/nologin %s)",
			 config_get(c, "default_login_user"), config_get(c, "default_login_user"));
	master_cf_free(&mcf);
	buf_free(&path);
	buf_free(&why);
}
