/* authd_request - the requests of one connection: AUTH, CONT, CANCEL,
 * USER (docs/auth-protocol.md), their replies and log lines.
 *
 * Every FAIL that is not temporary is logged at once and sent after
 * auth_failure_delay by an event-loop timer, so other requests go on
 * meanwhile; the request's ID stays taken until then.  Log lines carry
 * user, rip, mechanism, service and the reason, never a password.
 * Decoded responses are wiped before their memory is freed.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "authd.h"
#include "base64.h"
#include "ev.h"
#include "log.h"
#include "mem.h"
#include "server.h"

struct authd_cfg authd;	/* filled by main.c at start */

struct authd_req {
	struct authd_conn *conn;
	uint32_t id;
	const struct mech *mech;
	char service[32];
	char rip[64];
	bool secured;
	bool waiting;		/* a CONT may come */
	char *state;		/* LOGIN user name, CRAM-MD5 challenge */
	char *user;		/* for log lines and FAIL (printable) */
	int timer;		/* a delayed FAIL is pending */
	struct buf *reply;
	struct authd_req *next;
};

/* authd_req_free - forget a request (its timer too) */
void authd_req_free(struct authd_req *r)
{
	if (r->timer)
		ev_cancel(server_ev(), r->timer);
	free(r->state);
	free(r->user);
	buf_free(&r->reply);
	free(r);
}

/* authd_req_state - what the mechanism remembered (NULL: nothing yet) */
char *authd_req_state(struct authd_req *r)
{
	return r->state;
}

/* authd_req_pending - a delayed FAIL waits for its timer */
bool authd_req_pending(const struct authd_req *r)
{
	return r->timer != 0;
}

/* authd_req_set_state - what the mechanism must remember between steps */
void authd_req_set_state(struct authd_req *r, const char *s)
{
	free(r->state);
	r->state = xstrdup(s);
}

/* printable - a login name as it may appear in logs and replies */
static char *printable(const char *s)
{
	struct buf *b = buf_new(64);

	for (size_t i = 0; s[i] && i < 64; i++)
		buf_putc(b, authd_name_ok(s + i, 1) ? s[i] : '?');
	return buf_steal(&b);
}

/* finish - the request is answered: drop it */
static void finish(struct authd_req *r)
{
	struct authd_conn *c = r->conn;

	authd_conn_remove(c, r);
	authd_req_free(r);
}

/* send_delayed - the failure delay is over */
static void send_delayed(struct ev *ev, void *ctx)
{
	struct authd_req *r = ctx;
	struct authd_conn *c = r->conn;

	(void)ev;
	r->timer = 0;
	authd_conn_send(c, "%s", buf_str(r->reply));
	finish(r);
	authd_conn_settle(c);
}

/* log_result - one line per finished login */
static void log_result(struct authd_req *r, const char *what, const char *reason)
{
	log_warn("%s: user=<%s>, rip=%s, mech=%s, service=%s, %s",
		what, r->user ? r->user : "", r->rip, r->mech ? r->mech->name : "-",
		r->service, reason);
}

/* authd_req_fail - a non-temporary FAIL, sent after the delay */
void authd_req_fail(struct authd_req *r, const char *reason, const char *logwhy, bool count)
{
	struct buf *why = buf_new(64);

	buf_printf(why, "reason=%s", logwhy);
	log_result(r, "auth failed", buf_str(why));
	if (count)
		authd_abuse_failed(r->rip);
	r->waiting = false;
	r->reply = buf_new(64);
	buf_printf(r->reply, "FAIL\t%u", r->id);
	if (r->user)
		buf_printf(r->reply, "\tuser=%s", r->user);
	buf_printf(r->reply, "\treason=%s\n", reason);
	r->timer = ev_timer(server_ev(), authd.failure_delay_ms, send_delayed, r);
	buf_free(&why);
}

/* temp_fail - authd could not decide: at once, not counted */
static void temp_fail(struct authd_req *r, const char *logwhy)
{
	log_result(r, "auth temporary failure", logwhy);
	authd_conn_send(r->conn, "FAIL\t%u%s%s\treason=Temporary authentication failure\ttemp\n",
			r->id, r->user ? "\tuser=" : "", r->user ? r->user : "");
	finish(r);
}

/* authd_req_challenge - CONT with data in base64 */
void authd_req_challenge(struct authd_req *r, const void *data, size_t len)
{
	struct buf *b = buf_new(64);

	base64_encode(data, len, b);
	r->waiting = true;
	authd_conn_send(r->conn, "CONT\t%u\t%s\n", r->id, buf_str(b));
	buf_free(&b);
}

/* conclude - OK, FAIL or temporary FAIL after a passdb answered */
static void conclude(struct authd_req *r, enum authd_result res, struct buf *user, struct buf *why)
{
	struct buf *line = buf_new(64);

	if (res == AUTHD_OK && (buf_len(user) > AUTHD_MAX_NAME || strchr(buf_str(user), '\t') ||
				!authd_line_ok(buf_str(user), buf_len(user)))) {
		buf_set(why, "the passdb gave a user name that cannot be sent");
		res = AUTHD_TEMP;
	}
	if (res == AUTHD_OK) {
		buf_printf(line, "passdb=%s", buf_str(why));
		free(r->user);
		r->user = xstrdup(buf_str(user));	/* exact: the client uses it */
		log_info("auth ok: user=<%s>, rip=%s, mech=%s, service=%s, %s", r->user, r->rip,
			 r->mech->name, r->service, buf_str(line));
		authd_conn_send(r->conn, "OK\t%u\tuser=%s\n", r->id, r->user);
		finish(r);
	} else if (res == AUTHD_TEMP) {
		buf_printf(line, "reason=%s", buf_str(why));
		temp_fail(r, buf_str(line));
	} else {
		authd_req_fail(r, "Authentication failed", buf_str(why), true);
	}
	buf_free(&line);
}

/* prepare - name checks common to passwords and CRAM-MD5; false: failed */
static bool prepare(struct authd_req *r, const char *login, struct authd_name *n)
{
	free(r->user);
	r->user = printable(login);
	r->waiting = false;
	if (authd_abuse_blocked(r->rip)) {
		authd_req_fail(r, "Too many authentication failures",
			       "too many failures from this client: password not checked", false);
		return false;
	}
	if (authd_name_normalize(login, authd.cf->auth_username_format,
				 authd.cf->auth_default_realm, n) < 0) {
		authd_req_fail(r, "Authentication failed", "invalid user name", true);
		return false;
	}
	return true;
}

/* authd_req_password - check login/password against the passdbs */
void authd_req_password(struct authd_req *r, const char *login, const char *password)
{
	struct buf *user = buf_new(64), *why = buf_new(64);
	struct authd_name n;

	authd_name_init(&n);
	if (prepare(r, login, &n))
		conclude(r, authd_passdb_verify(&n, password, user, why), user, why);
	authd_name_free(&n);
	buf_free(&user);
	buf_free(&why);
}

/* authd_req_cram - check a CRAM-MD5 digest against the passdbs */
void authd_req_cram(struct authd_req *r, const char *login, const unsigned char digest[16])
{
	struct buf *user = buf_new(64), *why = buf_new(64);
	struct authd_name n;

	authd_name_init(&n);
	if (prepare(r, login, &n))
		conclude(r, authd_passdb_cram(&n, r->state, digest, user, why), user, why);
	authd_name_free(&n);
	buf_free(&user);
	buf_free(&why);
}

/* token_ok - a short field value of letters, digits, '.', ':', '-' */
static bool token_ok(const char *s, size_t max)
{
	size_t len = strlen(s);

	if (len == 0 || len >= max)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr(".:-_", s[i]))
			return false;
	return true;
}

/* is_loopback - 127.0.0.0/8 and ::1 count as secured */
static bool is_loopback(const char *rip)
{
	return strncmp(rip, "127.", 4) == 0 || strcmp(rip, "::1") == 0 ||
	       strncmp(rip, "::ffff:127.", 11) == 0;
}

/* new_request - check ID and service=, then register; NULL after ERROR */
static struct authd_req *new_request(struct authd_conn *c, char **f, int n, int from)
{
	const char *service = authd_field(f, n, from, "service"), *rip = authd_field(f, n, from, "rip");
	struct authd_req *r;
	uint32_t id;

	if (n < 2 || !authd_parse_id(f[1], &id)) {
		authd_conn_error(c, "-", "bad or missing ID", false);
		return NULL;
	}
	if (authd_conn_find(c, id)) {
		authd_conn_error(c, f[1], "duplicate ID", false);
		return NULL;
	}
	if (authd_conn_full(c)) {
		authd_conn_error(c, f[1], "too many outstanding requests", false);
		return NULL;
	}
	if (n <= from || service == NULL || !token_ok(service, 32)) {
		authd_conn_error(c, f[1], "missing or bad service=", false);
		return NULL;
	}
	if (rip && !token_ok(rip, 64)) {
		authd_conn_error(c, f[1], "bad rip=", false);
		return NULL;
	}
	r = xcalloc(1, sizeof(*r));
	r->conn = c;
	r->id = id;
	strcpy(r->service, service);
	strcpy(r->rip, rip ? rip : "unknown");
	authd_conn_add(c, r, id);
	return r;
}

/* decode - base64 field into out; false (and FAIL) when it is not base64 */
static bool decode(struct authd_req *r, const char *b64, struct buf *out)
{
	if (base64_decode(b64, strlen(b64), out, 0) == 0)
		return true;
	authd_req_fail(r, "Invalid base64 data", "invalid base64 data", false);
	return false;
}

/* wipe_free - a buffer that held a response */
static void wipe_free(struct buf **bp)
{
	explicit_bzero((*bp)->data, (*bp)->cap);
	buf_free(bp);
}

/* authd_cmd_auth - AUTH id MECH service= rip= lip= [secured] [resp=] */
void authd_cmd_auth(struct authd_conn *c, char **f, int n)
{
	struct authd_req *r;
	const char *resp;
	struct buf *data;

	if (n < 3 || (r = new_request(c, f, n, 3)) == NULL) {
		if (n < 3)
			authd_conn_error(c, n > 1 ? f[1] : "-", "AUTH needs an ID, a mechanism and service=", false);
		return;
	}
	r->secured = authd_flag(f, n, 3, "secured") || is_loopback(r->rip);
	r->mech = authd_mech_find(f[2]);
	if (r->mech == NULL || !(authd.mechs & r->mech->bit)) {
		r->mech = NULL;
		authd_req_fail(r, "Unsupported authentication mechanism", "unsupported mechanism", false);
		return;
	}
	if (r->mech->plaintext && !r->secured && authd.cf->disable_plaintext_auth) {
		authd_req_fail(r, "Plaintext authentication disallowed on non-secure (SSL/TLS) connections.",
			       "plaintext mechanism on an insecure connection", false);
		return;
	}
	resp = authd_field(f, n, 3, "resp");
	data = buf_new(64);
	if (resp == NULL)
		r->mech->start(r, NULL);
	else if (decode(r, resp, data))
		r->mech->start(r, data);
	wipe_free(&data);
}

/* waiting_request - the request a CONT or CANCEL names; NULL after ERROR */
static struct authd_req *waiting_request(struct authd_conn *c, char **f, int n, int want)
{
	struct authd_req *r;
	uint32_t id;

	if (n != want || !authd_parse_id(f[1], &id)) {
		authd_conn_error(c, n > 1 ? f[1] : "-", "bad arguments", false);
		return NULL;
	}
	if ((r = authd_conn_find(c, id)) == NULL || (!r->waiting && want == 3)) {
		authd_conn_error(c, f[1], "no outstanding request with this ID", false);
		return NULL;
	}
	return r;
}

/* authd_cmd_cont - CONT id base64 */
void authd_cmd_cont(struct authd_conn *c, char **f, int n)
{
	struct authd_req *r = waiting_request(c, f, n, 3);
	struct buf *data;

	if (r == NULL)
		return;
	r->waiting = false;
	data = buf_new(64);
	if (decode(r, f[2], data))
		r->mech->cont(r, data);
	wipe_free(&data);
}

/* authd_cmd_cancel - CANCEL id: forget the request, no reply */
void authd_cmd_cancel(struct authd_conn *c, char **f, int n)
{
	struct authd_req *r = waiting_request(c, f, n, 2);

	if (r == NULL)
		return;
	if (r->mech)
		log_info("auth cancelled: user=<%s>, rip=%s, mech=%s, service=%s",
			 r->user ? r->user : "", r->rip, r->mech->name, r->service);
	finish(r);
}

/* user_extra - the entry's quota_rule fields expanded onto line, and its
 * own mail_location (userdb_mail) or NULL; checked when the entry was read */
static const char *user_extra(const struct pwentry *e, const char *home, struct strv *fields,
			      struct buf *line)
{
	const char *mail = NULL, *why;

	if (e->extra)
		(void)authd_userdb_fields(e->extra, fields, &why);
	for (size_t i = 0; i < fields->len; i++) {
		char *eq = strchr(fields->items[i], '=');

		*eq++ = '\0';
		if (strcmp(fields->items[i], "mail") == 0) {
			mail = eq;
			continue;
		}
		buf_printf(line, "\t%s=", fields->items[i]);
		(void)authd_expand(eq, e->user, home, line);
	}
	return mail;
}

/* user_reply - USER id name uid= gid= home= mail= [quota_rule=...]
 * [system_groups_user=] */
static void user_reply(struct authd_conn *c, const char *id, const struct pwentry *e)
{
	struct buf *line = buf_new(128), *mail = buf_new(64), *extra = buf_new(0);
	struct strv *fields = strv_new();
	const char *home = e->home ? e->home : "", *loc;

	loc = user_extra(e, home, fields, extra);
	authd_mail_location(loc ? loc : authd.cf->mail_location, e->user, home, mail);
	buf_printf(line, "USER\t%s\t%s", id, e->user);
	if (e->uid && *e->uid)
		buf_printf(line, "\tuid=%s", e->uid);
	if (e->gid && *e->gid)
		buf_printf(line, "\tgid=%s", e->gid);
	if (*home)
		buf_printf(line, "\thome=%s", home);
	buf_printf(line, "\tmail=%s%s", buf_str(mail), buf_str(extra));
	if (e->groups_user)
		buf_printf(line, "\tsystem_groups_user=%s", e->groups_user);
	if (!authd_line_ok(buf_str(line), buf_len(line))) {
		log_warn("user %s: userdb entry has control characters", e->user);
		authd_conn_error(c, id, "temporary failure: bad userdb entry", false);
	} else {
		authd_conn_send(c, "%s\n", buf_str(line));
	}
	buf_free(&line);
	buf_free(&mail);
	buf_free(&extra);
	strv_free(&fields);
}

/* authd_cmd_user - USER id name service=...: a userdb lookup */
void authd_cmd_user(struct authd_conn *c, char **f, int n)
{
	struct authd_req *r;
	struct authd_name nm;
	struct pwentry e = { 0 };
	struct buf *why = buf_new(0);
	int rc = 0;

	if (n < 4 || (r = new_request(c, f, n, 3)) == NULL) {
		if (n < 4)
			authd_conn_error(c, n > 1 ? f[1] : "-", "USER needs an ID, a name and service=", false);
		buf_free(&why);
		return;
	}
	authd_name_init(&nm);
	if (authd_name_normalize(f[2], authd.cf->auth_username_format,
				 authd.cf->auth_default_realm, &nm) == 0)
		rc = authd_userdb_lookup(&nm, &e, why);
	if (rc > 0)
		user_reply(c, f[1], &e);
	else if (rc == 0)
		authd_conn_send(c, "NOTFOUND\t%s\n", f[1]);
	else {
		log_warn("userdb lookup of %s: %s", buf_str(nm.full), buf_str(why));
		authd_conn_error(c, f[1], "temporary failure: userdb unavailable", false);
	}
	finish(r);
	pwentry_clear(&e);
	authd_name_free(&nm);
	buf_free(&why);
}
