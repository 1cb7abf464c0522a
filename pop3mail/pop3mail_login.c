/* pop3mail_login - from pop3d's handoff to a session running as the
 * user.  Still root here, so nothing from the client is read: the
 * handoff (bounded, from the login process, whose uid is checked), then
 * authd's answer for the token, then the switch; the client's first
 * bytes are read only after privdrop_login proved the switch. */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "auth_client.h"
#include "conn_count.h"
#include "log.h"
#include "login_handoff.h"
#include "pop3mail.h"
#include "privdrop.h"
#include "server.h"

enum { HANDOFF_MS = 10000, AUTH_MS = 30000 };

static struct {
	const struct params *cf;
	uid_t login_uid;		/* default_login_user's: the only sender */
	struct conn_count *cc;		/* mail_max_userip_connections */
} g;

/* pop3mail_login_init - as root, before any client */
void pop3mail_login_init(const struct server_info *si)
{
	struct passwd *pw = getpwnam(si->cf->default_login_user);
	struct buf *why = buf_new(0), *base = buf_new(64);

	g.cf = si->cf;
	g.login_uid = geteuid() != 0 ? geteuid() : pw ? pw->pw_uid : (uid_t)-2;
	if (geteuid() == 0 && pw == NULL)
		log_warn("default_login_user %s does not exist: no login can be handed over",
			 si->cf->default_login_user);
	buf_printf(base, "%s/pid", si->cf->queue_directory);
	if ((g.cc = conn_count_open(buf_str(base), "pop3", geteuid(), getegid(), why)) == NULL)
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
		log_warn("login/pop3: a connection from uid %ld, not default_login_user: refused",
			 len == sizeof(cr) ? (long)cr.uid : -1L);
		return false;
	}
	return true;
}

/* say - a line to the client (writing is harmless before the switch) */
static void say(int fd, const char *text)
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
		rc = auth_client_redeem(ac, h->token, "pop3", h->rip, u, why);
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
		  privdrop_ids(&pd, u->uid, u->gid, u->name, u->system_groups_user, why) == 0 &&
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

/* session - as the user: the mailbox, then the commands */
static void session(const struct login_handoff *h, const struct auth_user *u, const char *path)
{
	struct pop3mail m = { .cf = g.cf, .user = u->name };
	struct buf *why = buf_new(0);
	int rc, one = 1;

	/* answers are flushed whole: no Nagle wait for the client's delayed
	 * ACK after each (fails harmlessly on the TLS relay's socketpair) */
	(void)setsockopt(h->client_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	m.s = stream_new(h->client_fd, (int)g.cf->pop3d_timeout * 1000);
	if (h->input && buf_len(h->input))
		stream_preload(m.s, buf_str(h->input), buf_len(h->input));
	if ((rc = pop3_box_open(path, &m.box, why)) == POP3_BOX_IN_USE) {
		stream_puts(m.s, "-ERR [IN-USE] Mailbox is locked by another POP3 session.\r\n");
	} else if (rc < 0) {
		log_warn("user %s: %s", u->name, buf_str(why));
		stream_puts(m.s, "-ERR [SYS/TEMP] Couldn't open INBOX.\r\n");
	} else {
		log_info("user %s: logged in from %s%s", u->name, h->rip, h->secured ? " (TLS)" : "");
		stream_puts(m.s, "+OK Logged in.\r\n");
		pop3mail_serve(&m);
		log_info("user %s: disconnected: top=%lu, retr=%lu/%lld, del=%lu/%zu", u->name, m.top_n,
			 m.retr_n, (long long)m.retr_bytes, m.dele_n, m.box->len);
		pop3_box_close(&m.box);
	}
	stream_flush(m.s);
	stream_free(&m.s);
	buf_free(&why);
}

/* pop3mail_login - one handoff, from the login process's connection fd */
void pop3mail_login(int fd)
{
	struct login_handoff h;
	struct auth_user u = { 0 };
	struct conn_count_slot slot = { .fd = -1 };
	struct buf *why = buf_new(0), *path = buf_new(64), *key = buf_new(64);
	int rc;

	if (!from_login_process(fd) || login_handoff_recv(fd, &h, HANDOFF_MS, why) < 0) {
		if (buf_len(why))
			log_warn("login/pop3: %s", buf_str(why));
		goto out;
	}
	if (redeem(&h, &u) < 0 || !maildir_path(&u, path)) {
		say(h.client_fd, "-ERR [SYS/TEMP] Internal login failure. Refer to server log for more information.");
		goto out;
	}
	buf_printf(key, "%s/%s", u.name, h.rip);
	if (g.cc && (rc = conn_count_enter(g.cc, buf_str(key), (int)g.cf->mail_max_userip_connections,
					   &slot, why)) < 0) {
		log_warn("mail_max_userip_connections not checked: %s", buf_str(why));
	} else if (g.cc && rc == 0) {
		struct buf *text = buf_new(64);

		buf_printf(text, "-ERR [IN-USE] Maximum number of connections from user+IP exceeded "
			   "(mail_max_userip_connections=%ld)", (long)g.cf->mail_max_userip_connections);
		say(h.client_fd, buf_str(text));
		buf_free(&text);
		goto out;
	}
	if (!become_user(&u)) {
		say(h.client_fd, "-ERR [SYS/TEMP] Internal login failure. Refer to server log for more information.");
		goto out;
	}
	session(&h, &u, buf_str(path));
out:
	if (g.cc)
		conn_count_leave(g.cc, &slot);
	login_handoff_clear(&h);
	auth_client_user_clear(&u);
	buf_free(&key);
	buf_free(&path);
	buf_free(&why);
}
