/* pop3mail_login - from pop3d's handoff to a POP3 session running as the
 * user: global/mail_login.c does the handoff, the token and the switch;
 * here are POP3's words for a refusal, the mailbox and the session. */
#include "log.h"
#include "mail_login.h"
#include "pop3mail.h"
#include "server.h"

static const struct params *cf;

/* pop3mail_login_init - as root, before any client */
void pop3mail_login_init(const struct server_info *si)
{
	cf = si->cf;
	mail_login_init(si, "pop3");
}

/* refuse - Dovecot's words for a login the mail process cannot take */
static void refuse(const struct login_handoff *h, enum mail_login_refusal why, long limit)
{
	struct buf *text = buf_new(64);

	if (why == MAIL_LOGIN_LIMIT)
		buf_printf(text, "-ERR [IN-USE] Maximum number of connections from user+IP exceeded "
			   "(mail_max_userip_connections=%ld)", limit);
	else
		buf_cat(text, "-ERR [SYS/TEMP] Internal login failure. Refer to server log for more information.");
	mail_login_say(h->client_fd, buf_str(text));
	buf_free(&text);
}

/* session - as the user: the mailbox, then the commands */
static void session(const struct login_handoff *h, const struct auth_user *u, const char *path)
{
	struct pop3mail m = { .cf = cf, .user = u->name };
	struct buf *why = buf_new(0);
	int rc;

	m.s = stream_new(h->client_fd, (int)cf->pop3d_timeout * 1000);
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
	struct mail_login ml;

	if (mail_login_accept(fd, refuse, &ml) == 0)
		session(&ml.h, &ml.u, buf_str(ml.maildir));
	mail_login_done(&ml);
}
