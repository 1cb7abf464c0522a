/* imapmail_login - from imapd's handoff to an IMAP session running as
 * the user: global/mail_login.c does the handoff, the token and the
 * switch; here are IMAP's words for a refusal, the answer to the login
 * command (its tag came in the handoff), the Maildir and its index, and
 * the SPECIAL-USE folders a first login makes. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imapmail.h"
#include "imapmail_render.h"
#include "log.h"
#include "mail_index_cache.h"
#include "mail_login.h"
#include "maildir.h"
#include "maildir_folder.h"
#include "server.h"
#include "stream_deflate.h"

static const struct params *cf;

/* imapmail_login_init - as root, before any client */
void imapmail_login_init(const struct server_info *si)
{
	cf = si->cf;
	mail_login_init(si, "imap");
}

/* refuse - Dovecot's words for a login the mail process cannot take */
static void refuse(const struct login_handoff *h, enum mail_login_refusal why, long limit)
{
	struct buf *text = buf_new(64);

	if (why == MAIL_LOGIN_LIMIT)
		buf_printf(text, "%s NO [LIMIT] Maximum number of connections from user+IP exceeded "
			   "(mail_max_userip_connections=%ld)", h->tag, limit);
	else
		buf_printf(text, "%s NO [UNAVAILABLE] Internal login failure. "
			   "Refer to server log for more information.", h->tag);
	mail_login_say(h->client_fd, buf_str(text));
	buf_free(&text);
}

/* open_root - the Maildir, made (with new/, cur/, tmp/) when missing */
static int open_root(const char *path, struct buf *why)
{
	struct maildir *md;
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	if ((md = maildir_open(AT_FDCWD, path, MAILDIR_CREATE, why)) == NULL)
		return -1;
	maildir_close(&md);
	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		buf_printf(why, "open %s: %m", path);
	return fd;
}

/* special_use - the imap_special_use folders, made when missing (as
 * Dovecot's "auto = create") */
static void special_use(struct imapmail *m)
{
	struct strv *names = imapmail_folder_special(m->cf);
	struct buf *why = buf_new(0);

	for (size_t i = 0; i + 1 < names->len; i += 2)
		if (maildir_folder_create(m->root_fd, names->items[i], why) < 0)
			log_warn("user %s: folder %s: %s", m->user, names->items[i], buf_str(why));
	strv_free(&names);
	buf_free(&why);
}

/* session - as the user: the Maildir, the index, the answer, the commands */
static void session(const struct login_handoff *h, const struct auth_user *u, const char *path)
{
	const char *user = u->name;
	struct imapmail m = { .cf = cf, .user = user, .root_fd = -1, .quota_rules = u->quota_rules };
	struct buf *why = buf_new(0), *caps = buf_new(256);

	m.s = stream_new(h->client_fd, (int)cf->imapd_timeout * 1000);
	if (h->input && buf_len(h->input))
		stream_preload(m.s, buf_str(h->input), buf_len(h->input));
	if ((m.root_fd = open_root(path, why)) < 0 ||
	    mail_index_open(m.root_fd, path, &m.idx, why) < 0) {
		log_warn("user %s: %s", user, buf_str(why));
		stream_printf(m.s, "* BYE [UNAVAILABLE] Internal error occurred. "
			      "Refer to server log for more information.\r\n");
		goto out;
	}
	special_use(&m);
	mail_index_cache_derive(IMAPMAIL_ENVELOPE_FIELD, imapmail_envelope_render);
	imapmail_capabilities(cf, caps);
	log_info("user %s: logged in from %s%s", user, h->rip, h->secured ? " (TLS)" : "");
	stream_printf(m.s, "%s OK [CAPABILITY %s] Logged in\r\n", h->tag, buf_str(caps));
	imapmail_serve(&m);
	log_info("user %s: disconnected: fetch=%lu, store=%lu, expunge=%lu, append=%lu", user,
		 m.n_fetch, m.n_store, m.n_expunge, m.n_append);
	imapmail_box_close(&m);
out:
	stream_flush(m.s);
	stream_free(&m.s);
	stream_deflate_free(&m.deflate);
	mail_index_close(&m.idx);
	free(m.quota);
	if (m.root_fd >= 0)
		close(m.root_fd);
	buf_free(&caps);
	buf_free(&why);
}

/* imapmail_login - one handoff, from the login process's connection fd */
void imapmail_login(int fd)
{
	struct mail_login ml;

	if (mail_login_accept(fd, refuse, &ml) == 0)
		session(&ml.h, &ml.u, buf_str(ml.maildir));
	mail_login_done(&ml);
}
