/* smtpd_sasl - the AUTH command (RFC 4954), the EHLO AUTH keyword and the
 * choice of back end (smtpd_sasl_type).
 *
 * AUTH is offered when smtpd_sasl_auth_enable is set, the client is not in
 * smtpd_sasl_exceptions_networks, and TLS is active or not required by
 * smtpd_tls_auth_only.  The exchange is relayed in base64 to the back end;
 * smtpd never decodes a password.  A failure is logged with the client and
 * the mechanism, never with what the client sent.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "log.h"
#include "mem.h"
#include "smtpd_sasl.h"
#include "sock_addr.h"

enum { AUTH_LINE_LIMIT = 12288 };	/* RFC 4954 section 4 */

/* smtpd_sasl_init - pick and start the back end, before the privilege drop */
void smtpd_sasl_init(struct smtpd_global *g)
{
	const struct params *cf = g->cf;
	struct buf *why = buf_new(0);

	if (!cf->smtpd_sasl_auth_enable)
		goto out;
	if (strcasecmp(cf->smtpd_sasl_type, "authd") == 0 || strcasecmp(cf->smtpd_sasl_type, "dovecot") == 0)
		g->sasl = &smtpd_sasl_authd;
	else if (strcasecmp(cf->smtpd_sasl_type, "cyrus") == 0)
		g->sasl = &smtpd_sasl_cyrus;
	else
		log_warn("unknown smtpd_sasl_type \"%s\": AUTH is not offered", cf->smtpd_sasl_type);
	if (g->sasl && !g->sasl->init(g))
		g->sasl = NULL;
	if (*cf->smtpd_sasl_exceptions_networks
	    && (g->sasl_exceptions = netmatch_new("smtpd_sasl_exceptions_networks",
						  cf->smtpd_sasl_exceptions_networks, why)) == NULL)
		log_warn("%s", buf_str(why));
out:
	buf_free(&why);
}

/* offered - whether this session may see and use AUTH */
static bool offered(struct smtpd *st)
{
	if (st->g->sasl == NULL)
		return false;
	if (st->g->cf->smtpd_tls_auth_only && st->tls == NULL)
		return false;
	return st->g->sasl_exceptions == NULL
	       || netmatch_match(st->g->sasl_exceptions, st->addr, st->name) != 1;
}

/* smtpd_sasl_ehlo - the AUTH keyword(s) for EHLO, or nothing */
void smtpd_sasl_ehlo(struct smtpd *st, struct strv *lines)
{
	char *mechs;
	struct buf *b;

	if (!offered(st) || (mechs = st->g->sasl->mechs(st)) == NULL)
		return;
	if (*mechs) {
		b = buf_new(64);
		buf_printf(b, "AUTH %s", mechs);
		strv_add(lines, buf_str(b));
		if (st->g->cf->broken_sasl_auth_clients) {
			buf_reset(b);
			buf_printf(b, "AUTH=%s", mechs);
			strv_add(lines, buf_str(b));
		}
		buf_free(&b);
	}
	free(mechs);
}

/* smtpd_sasl_local_address - the server side of the connection, as text */
void smtpd_sasl_local_address(struct smtpd *st, char *out, size_t size)
{
	unsigned port;

	if (sock_addr_local(st->s->fd, out, size, &port) < 0)
		snprintf(out, size, "127.0.0.1");
}

/* refused - the preconditions of AUTH; true after a reply */
static bool refused(struct smtpd *st, const char *args)
{
	if (!offered(st))
		smtpd_reply(st, "503 5.5.1 Error: authentication not enabled");
	else if (st->helo == NULL || !st->esmtp)
		smtpd_reply(st, "503 5.5.1 Error: send EHLO first");
	else if (st->sasl_username)
		smtpd_reply(st, "503 5.5.1 Error: already authenticated");
	else if (st->sender)
		smtpd_reply(st, "503 5.5.1 Error: MAIL transaction in progress");
	else if (*args == '\0')
		smtpd_reply(st, "501 5.5.4 Syntax: AUTH mechanism");
	else
		return false;
	return true;
}

/* mech_offered - mech (upper case) is in the back end's list */
static bool mech_offered(struct smtpd *st, const char *mech)
{
	char *mechs = st->g->sasl->mechs(st);
	struct strv *v = strv_split(mechs ? mechs : "", " ");
	bool found = false;

	for (size_t i = 0; i < v->len && !found; i++)
		found = strcasecmp(v->items[i], mech) == 0;
	strv_free(&v);
	free(mechs);
	return found;
}

/* read_response - the client's answer to a 334; NULL when the session
 * ended; "*" is returned as is */
static const char *read_response(struct smtpd *st)
{
	int rc;

	if (stream_flush(st->s) < 0)
		return NULL;
	rc = stream_getline(st->s, st->line, AUTH_LINE_LIMIT);
	if (rc <= 0 || stream_line_is_long(st->s)) {
		log_info("lost connection after AUTH from %s[%s]", st->name, st->addr);
		st->quit = true;
		return NULL;
	}
	while (buf_len(st->line) && strchr("\r\n", buf_str(st->line)[buf_len(st->line) - 1]))
		buf_truncate(st->line, buf_len(st->line) - 1);
	return buf_str(st->line);
}

/* finish - the back end's verdict as the reply */
static void finish(struct smtpd *st, const char *mech, enum auth_status rc, struct buf *out)
{
	switch (rc) {
	case AUTH_OK:
		st->sasl_username = xstrdup(buf_str(out));
		st->sasl_method = xstrdup(mech);
		st->protocol = st->tls ? "ESMTPSA" : "ESMTPA";
		smtpd_reply(st, "235 2.7.0 Authentication successful");
		break;
	case AUTH_FAIL:
		log_warn("%s[%s]: SASL %s authentication failed: %s", st->name, st->addr, mech,
			 buf_str(out));
		smtpd_reply(st, "535 5.7.8 Error: authentication failed: %s", buf_str(out));
		break;
	default:
		log_warn("%s[%s]: SASL %s authentication aborted: %s", st->name, st->addr, mech,
			 buf_str(out));
		smtpd_reply(st, "454 4.7.0 Temporary authentication failure: %s", buf_str(out));
		break;
	}
}

/* smtpd_cmd_auth - AUTH mechanism [initial-response] */
void smtpd_cmd_auth(struct smtpd *st, char *args)
{
	struct buf *out = buf_new(64);
	char *mech = args, *initial = NULL, *sp;
	const char *resp;
	enum auth_status rc;

	if (refused(st, args))
		goto done;
	if ((sp = strpbrk(args, " \t")) != NULL) {
		*sp = '\0';
		initial = sp + 1 + strspn(sp + 1, " \t");
		if (strcmp(initial, "=") == 0)
			initial = "";
	}
	for (char *p = mech; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	if (!mech_offered(st, mech)) {
		smtpd_reply(st, "504 5.5.4 Unsupported authentication mechanism");
		goto done;
	}
	mech = xstrdup(mech);
	rc = st->g->sasl->start(st, mech, initial, out);
	while (rc == AUTH_CONTINUE) {
		stream_printf(st->s, "334 %s\r\n", buf_str(out));
		smtpd_count_reply("334");
		if ((resp = read_response(st)) == NULL) {
			st->g->sasl->cancel(st);
			break;
		}
		if (strcmp(resp, "*") == 0) {
			st->g->sasl->cancel(st);
			smtpd_reply(st, "501 5.7.0 Authentication aborted");
			break;
		}
		rc = st->g->sasl->step(st, resp, out);
	}
	if (rc != AUTH_CONTINUE)
		finish(st, mech, rc, out);
	free(mech);
done:
	buf_free(&out);
}

/* smtpd_sasl_end - the session is over: forget the login */
void smtpd_sasl_end(struct smtpd *st)
{
	if (st->g->sasl)
		st->g->sasl->end(st);
	XFREE(st->sasl_username);
	XFREE(st->sasl_method);
}
