/* mail_login - from a login process's handoff to a session running as
 * the user (see the header).  Shared by pop3mail and imapmail; the
 * protocol is only a name here (the socket, authd's service, the
 * connection counter) and the words the client hears. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "log.h"
#include "mail_login.h"
#include "mail_login_nss.h"
#include "privdrop.h"

enum { HANDOFF_MS = 10000, AUTH_MS = 30000 };

static struct {
	const struct params *cf;
	char protocol[8];
	uid_t login_uid;		/* default_login_user's: the only sender */
	struct conn_count *cc;		/* mail_max_userip_connections */
} g;

/* mail_login_init - as root, before any client */
void mail_login_init(const struct server_info *si, const char *protocol)
{
	struct buf *why = buf_new(0), *base = buf_new(64);
	uid_t uid = (uid_t)-2;
	bool found = geteuid() != 0 || mail_login_nss_uid(si->cf->default_login_user, &uid) == 0;

	g.cf = si->cf;
	snprintf(g.protocol, sizeof(g.protocol), "%s", protocol);
	g.login_uid = geteuid() != 0 ? geteuid() : found ? uid : (uid_t)-2;
	if (!found)
		log_warn("default_login_user %s does not exist: no login can be handed over",
			 si->cf->default_login_user);
	buf_printf(base, "%s/pid", si->cf->queue_directory);
	if ((g.cc = conn_count_open(buf_str(base), protocol, geteuid(), getegid(), why)) == NULL)
		log_warn("mail_max_userip_connections is not enforced: %s", buf_str(why));
	buf_free(&base);
	buf_free(&why);
}

/* from_login_process - the connection comes from default_login_user */
static bool from_login_process(int fd)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0 || cr.uid != g.login_uid) {
		log_warn("login/%s: a connection from uid %ld, not default_login_user %s: refused",
			 g.protocol, len == sizeof(cr) ? (long)cr.uid : -1L, g.cf->default_login_user);
		return false;
	}
	return true;
}

/* mail_login_say - writing is harmless before the switch */
void mail_login_say(int fd, const char *text)
{
	struct buf *b = buf_new(64);

	buf_printf(b, "%s\r\n", text);
	if (send(fd, buf_str(b), buf_len(b), MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		log_info("client gone: %m");
	buf_free(&b);
}

/* redeem - authd's record of the user the token was issued for */
static int redeem(const struct login_handoff *h, struct auth_user *u)
{
	struct buf *why = buf_new(0);
	struct auth_client *ac = auth_client_open("login/auth", AUTH_MS, why);
	enum auth_status rc = AUTH_TEMPFAIL;

	if (ac)
		rc = auth_client_redeem(ac, h->token, g.protocol, h->rip, h->session, u, why);
	if (rc != AUTH_OK)
		log_warn("login from %s: the login token was not accepted: %s", h->rip,
			 buf_len(why) ? buf_str(why) : "unknown or expired");
	auth_client_free(&ac);
	buf_free(&why);
	return rc == AUTH_OK ? 0 : -1;
}

/* maildir_path - the INBOX's directory: mail=maildir:PATH[:...] from
 * userdb, else ~/Maildir; false (logged) for another format */
static bool maildir_path(const struct auth_user *u, struct buf *out)
{
	const char *loc = u->mail;

	buf_reset(out);
	if (loc && *loc && strncmp(loc, "maildir:", 8) == 0) {
		buf_add(out, loc + 8, strcspn(loc + 8, ":"));
		return buf_len(out) > 0 && buf_str(out)[0] == '/';
	}
	if (loc && *loc) {
		log_warn("user %s: mail location %s: only maildir: is served", u->name, loc);
		return false;
	}
	if (u->home == NULL)
		return false;
	buf_printf(out, "%s/Maildir", u->home);
	return true;
}

/* become_user - exactly the user's uid, gid and groups */
static bool become_user(const struct auth_user *u)
{
	struct privdrop pd;
	struct buf *why = buf_new(0);
	bool ok = u->has_uid && u->has_gid &&
		  mail_login_nss_ids(&pd, u->uid, u->gid, u->name, u->system_groups_user, why) == 0 &&
		  privdrop_login(&pd, g.cf->first_valid_uid, why) == 0;

	if (!ok)
		log_warn("user %s: cannot switch to the user: %s", u->name,
			 buf_len(why) ? buf_str(why) : "userdb gave no uid or gid");
	/* privdrop kept the parent-death signal; a master that died during
	 * the switch is not noticed by it */
	if (ok && getppid() == 1)
		ok = false;
	buf_free(&why);
	return ok;
}

/* count - the session against mail_max_userip_connections: 1 in, 0 over */
static int count(struct mail_login *ml)
{
	struct buf *key = buf_new(64), *why = buf_new(0);
	int rc = 1;

	buf_printf(key, "%s/%s", ml->u.name, ml->h.rip);
	if (g.cc && (rc = conn_count_enter(g.cc, buf_str(key), (int)g.cf->mail_max_userip_connections,
					   &ml->slot, why)) < 0) {
		log_warn("mail_max_userip_connections not checked: %s", buf_str(why));
		rc = 1;
	}
	buf_free(&key);
	buf_free(&why);
	return rc;
}

/* mail_login_accept - one handoff, from the login process's connection */
int mail_login_accept(int fd, mail_login_refuse_fn *refuse, struct mail_login *ml)
{
	struct buf *why = buf_new(0);
	int one = 1;

	*ml = (struct mail_login){ .h = { .client_fd = -1 }, .slot = { .fd = -1 },
				   .maildir = buf_new(64) };
	if (!from_login_process(fd) || login_handoff_recv(fd, &ml->h, HANDOFF_MS, why) < 0) {
		if (buf_len(why))
			log_warn("login/%s: %s", g.protocol, buf_str(why));
		buf_free(&why);
		return -1;
	}
	buf_free(&why);
	log_set_session(ml->h.session, true);	/* the login process's, for every line */
	if (redeem(&ml->h, &ml->u) < 0 || !maildir_path(&ml->u, ml->maildir)) {
		refuse(&ml->h, MAIL_LOGIN_INTERNAL, 0);
		return -1;
	}
	if (count(ml) == 0) {
		refuse(&ml->h, MAIL_LOGIN_LIMIT, (long)g.cf->mail_max_userip_connections);
		return -1;
	}
	if (!become_user(&ml->u)) {
		refuse(&ml->h, MAIL_LOGIN_INTERNAL, 0);
		return -1;
	}
	/* answers are flushed whole: no Nagle wait for the client's delayed
	 * ACK after each (fails harmlessly on the TLS relay's socketpair) */
	(void)setsockopt(ml->h.client_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return 0;
}

/* mail_login_done - the counter left, everything freed */
void mail_login_done(struct mail_login *ml)
{
	if (g.cc)
		conn_count_leave(g.cc, &ml->slot);
	login_handoff_clear(&ml->h);
	auth_client_user_clear(&ml->u);
	buf_free(&ml->maildir);
	log_set_session(NULL, false);
}
