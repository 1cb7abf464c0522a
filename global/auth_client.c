/* auth_client - the client side of the authd protocol.
 *
 * Replies are read as lines of at most AUTH_LINE_MAX bytes; anything that
 * is not a well-formed reply for the outstanding request (a long line, a
 * control character, an unknown reply, ERROR, a lost connection) ends the
 * request as AUTH_TEMPFAIL and the connection as unusable, so a broken
 * authd can delay a login but never grant one.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth_client.h"
#include "mem.h"
#include "session_id.h"
#include "stream.h"
#include "unix_connect.h"

enum { AUTH_LINE_MAX = 8192, AUTH_TOKEN_HEX = 64 };

struct auth_client {
	struct stream *s;
	struct buf *line;
	struct strv *mechs;
	unsigned long id;		/* of the outstanding request, 0: none */
	unsigned long next_id;
	bool broken;			/* a protocol or I/O error: no more requests */
	bool has_token;			/* the last OK carried token */
	char token[AUTH_TOKEN_HEX + 1];
};

/* split_tabs - fields separated by single TABs, empty ones kept */
static struct strv *split_tabs(const char *s)
{
	struct strv *f = strv_new();
	const char *tab;

	while ((tab = strchr(s, '\t')) != NULL) {
		strv_addn(f, s, (size_t)(tab - s));
		s = tab + 1;
	}
	strv_add(f, s);
	return f;
}

/* read_line - the next line without LF into ac->line split on TAB; NULL on
 * EOF, timeout, an overlong line or a control character */
static struct strv *read_line(struct auth_client *ac)
{
	size_t len;

	if (stream_getline(ac->s, ac->line, AUTH_LINE_MAX) <= 0 || stream_line_is_long(ac->s))
		return NULL;
	len = buf_len(ac->line);
	if (len == 0 || buf_str(ac->line)[len - 1] != '\n')
		return NULL;
	buf_truncate(ac->line, len - 1);
	for (const char *p = buf_str(ac->line); *p; p++)
		if ((unsigned char)*p < 0x20 && *p != '\t')
			return NULL;
	if (strlen(buf_str(ac->line)) != buf_len(ac->line))
		return NULL;		/* a NUL */
	return split_tabs(buf_str(ac->line));
}

/* handshake - VERSION both ways, then MECH lines until DONE */
static bool handshake(struct auth_client *ac, struct buf *why)
{
	struct strv *f;
	bool done = false, version = false;

	stream_puts(ac->s, "VERSION\t1\t0\n");
	if (stream_flush(ac->s) < 0) {
		buf_printf(why, "authd: %s", stream_error(ac->s));
		return false;
	}
	while (!done && (f = read_line(ac)) != NULL) {
		if (f->len == 3 && strcmp(f->items[0], "VERSION") == 0)
			version = strcmp(f->items[1], "1") == 0;
		else if (f->len >= 2 && strcmp(f->items[0], "MECH") == 0)
			strv_add(ac->mechs, f->items[1]);
		else if (f->len == 1 && strcmp(f->items[0], "DONE") == 0)
			done = true;
		strv_free(&f);
		if (!version)
			break;
	}
	if (!done || !version)
		buf_printf(why, "authd: %s", !version ? "unsupported protocol version or bad greeting"
			   : stream_error(ac->s));
	return done && version;
}

struct auth_client *auth_client_open(const char *path, int timeout_ms, struct buf *why)
{
	struct auth_client *ac;
	int fd = unix_connect(path, why);

	if (fd < 0)
		return NULL;
	ac = xcalloc(1, sizeof(*ac));
	ac->s = stream_new(fd, timeout_ms);
	ac->line = buf_new(256);
	ac->mechs = strv_new();
	ac->next_id = 1;
	if (!handshake(ac, why))
		auth_client_free(&ac);
	return ac;
}

void auth_client_free(struct auth_client **acp)
{
	struct auth_client *ac = *acp;

	if (ac == NULL)
		return;
	explicit_bzero(ac->token, sizeof(ac->token));
	explicit_bzero(ac->line->data, ac->line->cap);	/* it held tokens */
	close(ac->s->fd);
	stream_free(&ac->s);
	buf_free(&ac->line);
	strv_free(&ac->mechs);
	free(ac);
	*acp = NULL;
}

bool auth_client_usable(const struct auth_client *ac)
{
	return !ac->broken;
}

const struct strv *auth_client_mechs(const struct auth_client *ac)
{
	return ac->mechs;
}

/* field - the value of "name=" among f's fields from index 2, or NULL */
static const char *field(const struct strv *f, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 2; i < f->len; i++)
		if (strncmp(f->items[i], name, n) == 0 && f->items[i][n] == '=')
			return f->items[i] + n + 1;
	return NULL;
}

/* has_flag - a bare flag among f's fields from index 2 */
static bool has_flag(const struct strv *f, const char *name)
{
	for (size_t i = 2; i < f->len; i++)
		if (strcmp(f->items[i], name) == 0)
			return true;
	return false;
}

/* forget_token - wipe the token of an earlier OK */
static void forget_token(struct auth_client *ac)
{
	explicit_bzero(ac->token, sizeof(ac->token));
	ac->has_token = false;
}

/* keep_token - remember an OK's token= (none: fine); -1 if malformed */
static int keep_token(struct auth_client *ac, const struct strv *f)
{
	const char *v = field(f, "token");

	if (v == NULL)
		return 0;
	if (strlen(v) != AUTH_TOKEN_HEX || strspn(v, "0123456789abcdef") != AUTH_TOKEN_HEX)
		return -1;
	memcpy(ac->token, v, sizeof(ac->token));
	ac->has_token = true;
	return 0;
}

/* broken - give up on the connection; the request fails temporarily */
static enum auth_status broken(struct auth_client *ac, struct buf *out, const char *what)
{
	ac->broken = true;
	ac->id = 0;
	buf_set(out, what);
	return AUTH_TEMPFAIL;
}

/* next_reply - send the request and read the answer to it, split; NULL
 * (the connection broken, out saying why) for anything else */
static struct strv *next_reply(struct auth_client *ac, struct buf *out)
{
	char id[24];
	struct strv *f;

	if (stream_flush(ac->s) < 0) {
		broken(ac, out, "authentication server unavailable");
		return NULL;
	}
	snprintf(id, sizeof(id), "%lu", ac->id);
	if ((f = read_line(ac)) == NULL) {
		broken(ac, out, ac->s->state == STREAM_TIMEOUT
		       ? "authentication server timed out" : "authentication server unavailable");
		return NULL;
	}
	if (f->len < 2 || strcmp(f->items[1], id) != 0) {
		strv_free(&f);
		broken(ac, out, "authentication server protocol error");
		return NULL;
	}
	return f;
}

/* reply - wait for the answer to the outstanding AUTH or CONT */
static enum auth_status reply(struct auth_client *ac, struct buf *out)
{
	struct strv *f;
	enum auth_status rc;
	const char *v;

	if ((f = next_reply(ac, out)) == NULL)
		return AUTH_TEMPFAIL;
	buf_reset(out);
	if (strcmp(f->items[0], "CONT") == 0 && f->len == 3) {
		buf_set(out, f->items[2]);
		rc = AUTH_CONTINUE;
	} else if (strcmp(f->items[0], "OK") == 0 && (v = field(f, "user")) != NULL && *v &&
		   keep_token(ac, f) == 0) {
		buf_set(out, v);
		rc = AUTH_OK;
	} else if (strcmp(f->items[0], "FAIL") == 0) {
		buf_set(out, (v = field(f, "reason")) != NULL && *v ? v : "authentication failure");
		rc = has_flag(f, "temp") ? AUTH_TEMPFAIL : AUTH_FAIL;
	} else {
		strv_free(&f);
		return broken(ac, out, "authentication server protocol error");
	}
	if (rc != AUTH_CONTINUE)
		ac->id = 0;
	strv_free(&f);
	return rc;
}

/* clean - a value fit for one protocol field */
static bool clean(const char *s)
{
	return s != NULL && strpbrk(s, "\t\r\n") == NULL;
}

/* put_session - "\tsession=ID" when there is a well-formed one */
static void put_session(struct auth_client *ac, const char *session)
{
	if (session_id_valid(session))
		stream_printf(ac->s, "\tsession=%s", session);
}

enum auth_status auth_client_start(struct auth_client *ac, const char *mech,
				   const struct auth_request *req, const char *initial,
				   struct buf *out)
{
	if (ac->broken || ac->id != 0)
		return broken(ac, out, "authentication server connection unusable");
	if (!clean(mech) || !clean(req->service) || !clean(req->rip) || !clean(req->lip)
	    || (initial && !clean(initial))) {
		buf_set(out, "invalid request");
		return AUTH_FAIL;
	}
	forget_token(ac);
	ac->id = ac->next_id++;
	stream_printf(ac->s, "AUTH\t%lu\t%s\tservice=%s\trip=%s\tlip=%s%s%s", ac->id, mech,
		      req->service, req->rip, req->lip, req->secured ? "\tsecured" : "",
		      req->want_token ? "\ttoken" : "");
	put_session(ac, req->session);
	if (initial)
		stream_printf(ac->s, "\tresp=%s", initial);
	stream_puts(ac->s, "\n");
	return reply(ac, out);
}

enum auth_status auth_client_step(struct auth_client *ac, const char *response, struct buf *out)
{
	if (ac->broken || ac->id == 0)
		return broken(ac, out, "authentication server connection unusable");
	if (!clean(response)) {
		auth_client_cancel(ac);
		buf_set(out, "invalid response");
		return AUTH_FAIL;
	}
	stream_printf(ac->s, "CONT\t%lu\t%s\n", ac->id, response);
	return reply(ac, out);
}

void auth_client_cancel(struct auth_client *ac)
{
	if (ac->broken || ac->id == 0)
		return;
	stream_printf(ac->s, "CANCEL\t%lu\n", ac->id);
	if (stream_flush(ac->s) < 0)
		ac->broken = true;
	ac->id = 0;
}

/* parse_id - a decimal uid or gid below (uid_t)-1; -1 if it is not one */
static int parse_id(const char *s, unsigned long *id_r)
{
	char *end;

	if (*s < '0' || *s > '9' || strlen(s) > 10)
		return -1;
	errno = 0;
	*id_r = strtoul(s, &end, 10);
	return *end == '\0' && errno == 0 && *id_r < 0xffffffffUL ? 0 : -1;
}

/* is_quota_rule - quota_rule, quota_rule2, quota_rule3, ... */
static bool is_quota_rule(const char *name, size_t len)
{
	if (len < 10 || strncmp(name, "quota_rule", 10) != 0)
		return false;
	return strspn(name + 10, "0123456789") == len - 10;
}

/* set_once - *dst = a copy of v, -1 if it was set already */
static int set_once(char **dst, const char *v)
{
	if (*dst != NULL)
		return -1;
	*dst = xstrdup(v);
	return 0;
}

/* user_field - one field of a USER answer into u: 0, or -1 if malformed */
static int user_field(struct auth_user *u, const char *item)
{
	const char *eq = strchr(item, '='), *v;
	unsigned long id;
	size_t len;

	if (eq == NULL)
		return 0;		/* a flag: none known */
	len = (size_t)(eq - item);
	v = eq + 1;
	if (len == 3 && strncmp(item, "uid", 3) == 0) {
		if (u->has_uid || parse_id(v, &id) < 0)
			return -1;
		u->uid = (uid_t)id;
		u->has_uid = true;
	} else if (len == 3 && strncmp(item, "gid", 3) == 0) {
		if (u->has_gid || parse_id(v, &id) < 0)
			return -1;
		u->gid = (gid_t)id;
		u->has_gid = true;
	} else if (len == 4 && strncmp(item, "home", 4) == 0) {
		return *v != '/' ? -1 : set_once(&u->home, v);
	} else if (len == 4 && strncmp(item, "mail", 4) == 0) {
		return set_once(&u->mail, v);
	} else if (len == 18 && strncmp(item, "system_groups_user", 18) == 0) {
		return *v == '\0' ? -1 : set_once(&u->system_groups_user, v);
	} else if (is_quota_rule(item, len)) {
		strv_add(u->quota_rules, item);
	}
	return 0;
}

/* user_answer - the answer f to USER: found, not found or a failure */
static enum auth_status user_answer(struct auth_client *ac, const struct strv *f,
				    struct auth_user *u, struct buf *out)
{
	ac->id = 0;
	if (strcmp(f->items[0], "NOTFOUND") == 0) {
		buf_set(out, "unknown user");
		return AUTH_FAIL;
	}
	if (strcmp(f->items[0], "ERROR") == 0) {
		buf_set(out, f->len > 2 && *f->items[2] ? f->items[2] : "authentication server error");
		return AUTH_TEMPFAIL;
	}
	if (strcmp(f->items[0], "USER") != 0 || f->len < 3 || *f->items[2] == '\0')
		return broken(ac, out, "authentication server protocol error");
	u->name = xstrdup(f->items[2]);
	u->quota_rules = strv_new();
	for (size_t i = 3; i < f->len; i++)
		if (user_field(u, f->items[i]) < 0) {
			auth_client_user_clear(u);
			return broken(ac, out, "authentication server protocol error");
		}
	buf_set(out, u->name);
	return AUTH_OK;
}

/* user_ready - the connection can take a USER or TOKEN request whose
 * values are in v (NULL-terminated): AUTH_OK, else the failure */
static enum auth_status user_ready(struct auth_client *ac, const char *const *v, struct buf *out)
{
	if (ac->broken || ac->id != 0)
		return broken(ac, out, "authentication server connection unusable");
	for (; *v; v++)
		if (!clean(*v) || **v == '\0') {
			buf_set(out, "invalid request");
			return AUTH_FAIL;
		}
	ac->id = ac->next_id++;
	return AUTH_OK;
}

/* user_wait - send the USER or TOKEN request and read its answer into u */
static enum auth_status user_wait(struct auth_client *ac, struct auth_user *u, struct buf *out)
{
	struct strv *f;
	enum auth_status rc;

	if ((f = next_reply(ac, out)) == NULL)
		return AUTH_TEMPFAIL;
	rc = user_answer(ac, f, u, out);
	strv_free(&f);
	return rc;
}

/* auth_client_user - look name up in authd's userdb (USER) */
enum auth_status auth_client_user(struct auth_client *ac, const char *name, const char *service,
				  struct auth_user *u, struct buf *out)
{
	enum auth_status rc;

	*u = (struct auth_user){ 0 };
	if ((rc = user_ready(ac, (const char *[]){ name, service, NULL }, out)) != AUTH_OK)
		return rc;
	stream_printf(ac->s, "USER\t%lu\t%s\tservice=%s\n", ac->id, name, service);
	return user_wait(ac, u, out);
}

/* auth_client_login_token - see the header */
const char *auth_client_login_token(const struct auth_client *ac)
{
	return ac->has_token ? ac->token : NULL;
}

/* auth_client_redeem - the user a login token was issued for (TOKEN) */
enum auth_status auth_client_redeem(struct auth_client *ac, const char *token, const char *service,
				    const char *rip, const char *session, struct auth_user *u,
				    struct buf *out)
{
	enum auth_status rc;

	*u = (struct auth_user){ 0 };
	if ((rc = user_ready(ac, (const char *[]){ token, service, rip, NULL }, out)) != AUTH_OK)
		return rc;
	stream_printf(ac->s, "TOKEN\t%lu\t%s\tservice=%s\trip=%s", ac->id, token, service, rip);
	put_session(ac, session);
	stream_puts(ac->s, "\n");
	return user_wait(ac, u, out);
}

/* auth_client_user_clear - release what auth_client_user filled in */
void auth_client_user_clear(struct auth_user *u)
{
	free(u->name);
	free(u->home);
	free(u->mail);
	free(u->system_groups_user);
	strv_free(&u->quota_rules);
	*u = (struct auth_user){ 0 };
}
