/* authd - the authentication daemon: the skeleton call, its parameters
 * and its privileges.  master.cf: "auth unix - n n - 1 authd" (started as
 * root, no chroot, one process that stays).  After master opened its
 * socket, authd becomes default_internal_user (hatoauth; Dovecot's auth
 * process is not its login processes' user either) with its own group,
 * which owns the users file, and the single supplementary group "shadow"
 * (to read /etc/shadow and nothing else of root's).  So no other daemon
 * (mail_owner) can read the password hashes or signal authd.  It makes
 * itself non-dumpable and sets no_new_privs; privdrop proves setuid(0)
 * fails.  See authd.h. */
#include <grp.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>

#include "duration.h"
#include "authd.h"
#include "log.h"
#include "privdrop.h"
#include "server.h"
#include "strv.h"

/* drop - default_internal_user + group shadow, not dumpable, no new privileges */
static void drop(const struct params *cf)
{
	struct buf *why = buf_new(0);
	struct privdrop pd;
	struct group *gr;

	if (geteuid() == 0) {
		if (privdrop_resolve(&pd, cf->default_internal_user, "", why) < 0)
			log_fatal("default_internal_user: %s", buf_str(why));
		if ((gr = getgrnam("shadow")) != NULL) {
			pd.groups[0] = gr->gr_gid;	/* the one supplementary group */
			pd.ngroups = 1;
		} else {
			log_warn("no group \"shadow\": the system passdb cannot read /etc/shadow");
			pd.ngroups = 0;
		}
		if (privdrop_apply(&pd, why) < 0)
			log_fatal("%s", buf_str(why));
	}
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		log_fatal("prctl: %m");
	buf_free(&why);
}

/* mechanisms - auth_mechanisms as a bit set; unknown names are warned */
static unsigned mechanisms(const char *list)
{
	struct strv *v = strv_split(list, ", \t\r\n");
	unsigned bits = 0;

	for (size_t i = 0; i < v->len; i++) {
		const struct mech *m = authd_mech_find(v->items[i]);

		if (m)
			bits |= m->bit;
		else
			log_warn("auth_mechanisms: authd does not support \"%s\"", v->items[i]);
	}
	strv_free(&v);
	return bits;
}

/* authd_post_init - privileges, then parameters and databases */
static void authd_post_init(const struct server_info *si)
{
	const struct params *cf = si->cf;
	struct buf *why = buf_new(0);

	drop(cf);
	authd.cf = cf;
	if (!duration_ms(cf->auth_failure_delay, 60000, &authd.failure_delay_ms))
		log_fatal("bad auth_failure_delay \"%s\": 0..60s, e.g. 2s or 300ms", cf->auth_failure_delay);
	authd.client_failure_limit = cf->auth_client_failure_limit;
	authd.client_failure_window = cf->auth_client_failure_window;
	authd.mechs = mechanisms(cf->auth_mechanisms);
	if (!authd_format_ok(cf->auth_username_format, "und"))
		log_fatal("bad auth_username_format \"%s\" (%%u, %%n, %%d, %%Lu ...)", cf->auth_username_format);
	if (!authd_format_ok(cf->mail_location, "undh"))
		log_fatal("bad mail_location \"%s\" (%%u, %%n, %%d, %%h, ~/)", cf->mail_location);
	if ((authd.passdbs = authd_db_list(cf->passdb, why)) == NULL && buf_len(why))
		log_fatal("passdb: %s", buf_str(why));
	if ((authd.userdbs = authd_db_list(cf->userdb, why)) == NULL && buf_len(why))
		log_fatal("userdb: %s", buf_str(why));
	buf_free(&why);
}

/* authd_service - a new client connection (smtpd, imapd, pop3d); the
 * first starts the password workers (the event loop exists by then) */
static void authd_service(const struct server_info *si, int fd)
{
	(void)si;
	if (authd_worker_threads() == 0)
		authd_worker_start(server_ev(), 0);
	authd_conn_new(fd);
}

int main(int argc, char **argv)
{
	return server_main(argc, argv, &(struct server_opts){
		.kind = SERVER_MULTI, .unlimited = true,
		.service = authd_service, .post_init = authd_post_init });
}
