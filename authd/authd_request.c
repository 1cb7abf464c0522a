/* authd_request - the requests of one connection: AUTH, CONT, CANCEL,
 * USER, TOKEN (docs/auth-protocol.md), their replies and log lines.
 *
 * Every FAIL that is not temporary is logged at once and sent after
 * auth_failure_delay by an event-loop timer, so other requests go on
 * meanwhile; the request's ID stays taken until then.  Log lines carry
 * user, rip, mechanism, service and the reason, never a password, and
 * the client's session id (session=) when the request named one.
 * Decoded responses are wiped before their memory is freed.  An AUTH
 * with the flag "token" gets a login token with its OK (authd_token.c);
 * TOKEN redeems one for a USER answer, only for root or authd's own uid.
 * A password is checked on a worker thread (authd_worker.c): meanwhile
 * the request stays outstanding; a CANCEL or a closed connection forgets
 * the check, whose result is then dropped.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "authd.h"
#include "base64.h"
#include "ev.h"
#include "idname.h"
#include "log.h"
#include "mem.h"
#include "metrics.h"
#include "server.h"
#include "session_id.h"

struct authd_cfg authd;	/* filled by main.c at start */

struct authd_req {
	struct authd_conn *conn;
	uint32_t id;
	const struct mech *mech;
	char service[32];
	char rip[64];
	char session[SESSION_ID_SIZE];	/* the client's session id, or "" */
	bool secured;
	bool waiting;		/* a CONT may come */
	bool want_token;	/* AUTH ... token: a login token with the OK */
	char *state;		/* LOGIN user name, CRAM-MD5 challenge */
	char *user;		/* for log lines and FAIL (printable) */
	int timer;		/* a delayed FAIL is pending */
	struct authd_job *job;	/* a password check is pending */
	struct buf *reply;
	struct authd_req *next;
};

/* authd_req_free - forget a request (its timer and its check too) */
void authd_req_free(struct authd_req *r)
{
	if (r->timer)
		ev_cancel(server_ev(), r->timer);
	if (r->job)
		authd_worker_forget(r->job);
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

/* authd_req_pending - a delayed FAIL waits for its timer, or a password
 * check for a worker: either is answered before the connection closes */
bool authd_req_pending(const struct authd_req *r)
{
	return r->timer != 0 || r->job != NULL;
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

/* session_on, session_off - r's session id on the log lines between them
 * (authd serves many clients in one process: set per line, not per
 * process) */
static void session_on(const struct authd_req *r)
{
	log_set_session(r->session, true);
}

static void session_off(void)
{
	log_set_session(NULL, false);
}

/* log_result - one line per finished login */
static void log_result(struct authd_req *r, const char *what, const char *reason)
{
	session_on(r);
	log_warn("%s: user=<%s>, rip=%s, mech=%s, service=%s, %s",
		what, r->user ? r->user : "", r->rip, r->mech ? r->mech->name : "-",
		r->service, reason);
	session_off();
}

/* protocol_of - the request's service as a metrics label: smtp, imap,
 * pop3, or other (the field is the client's: no label of its choosing) */
static const char *protocol_of(const struct authd_req *r)
{
	static const char *const known[] = { "smtp", "imap", "pop3" };

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(r->service, known[i]) == 0)
			return known[i];
	return "other";
}

/* authd_req_fail - a non-temporary FAIL, sent after the delay */
void authd_req_fail(struct authd_req *r, const char *reason, const char *logwhy, bool count)
{
	struct buf *why = buf_new(64);

	buf_printf(why, "reason=%s", logwhy);
	log_result(r, "auth failed", buf_str(why));
	metrics_add(METRIC_LOGIN_FAILURES, 1, "protocol", protocol_of(r), NULL);
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

/* succeed - OK, with a login token when the request asked for one */
static void succeed(struct authd_req *r, const char *logwhy)
{
	char token[AUTHD_TOKEN_HEX + 1];

	if (r->want_token && authd_token_issue(r->user, r->service, r->rip, token) < 0) {
		temp_fail(r, "reason=no login token: no random bytes");
		return;
	}
	session_on(r);
	log_info("auth ok: user=<%s>, rip=%s, mech=%s, service=%s, %s%s", r->user, r->rip,
		 r->mech->name, r->service, logwhy, r->want_token ? ", token issued" : "");
	session_off();
	metrics_add(METRIC_LOGINS, 1, "protocol", protocol_of(r), NULL);
	if (r->want_token)
		authd_conn_send(r->conn, "OK\t%u\tuser=%s\ttoken=%s\n", r->id, r->user, token);
	else
		authd_conn_send(r->conn, "OK\t%u\tuser=%s\n", r->id, r->user);
	explicit_bzero(token, sizeof(token));
	finish(r);
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
		free(r->user);
		r->user = xstrdup(buf_str(user));	/* exact: the client uses it */
		buf_printf(line, "passdb=%s", buf_str(why));
		succeed(r, buf_str(line));
	} else if (res == AUTHD_TEMP) {
		buf_printf(line, "reason=%s", buf_str(why));
		temp_fail(r, buf_str(line));
	} else {
		authd_req_fail(r, "Authentication failed", buf_str(why), true);
	}
	buf_free(&line);
}

/* refuse_blocked - the client address has too many failures.  A password
 * check that ends after the checks before it reached the limit is refused
 * the same way (its result unused), as when each was checked in turn. */
static void refuse_blocked(struct authd_req *r)
{
	authd_req_fail(r, "Too many authentication failures",
		       "too many failures from this client: password not checked", false);
}

/* prepare - name checks common to passwords and CRAM-MD5; false: failed */
static bool prepare(struct authd_req *r, const char *login, struct authd_name *n)
{
	free(r->user);
	r->user = printable(login);
	r->waiting = false;
	if (authd_abuse_blocked(r->rip)) {
		refuse_blocked(r);
		return false;
	}
	if (authd_name_normalize(login, authd.cf->auth_username_format,
				 authd.cf->auth_default_realm, n) < 0) {
		authd_req_fail(r, "Authentication failed", "invalid user name", true);
		return false;
	}
	return true;
}

/* checked - a worker checked the password: the verdict, then the reply
 * (async: from the event loop, which then expects us to settle) */
static void checked(struct authd_check *chk, void *ctx, bool async)
{
	struct authd_req *r = ctx;
	struct authd_conn *c = r->conn;
	struct buf *user = buf_new(64), *why = buf_new(64);

	r->job = NULL;
	if (authd_abuse_blocked(r->rip))	/* by the failures of the checks before */
		refuse_blocked(r);
	else
		conclude(r, authd_passdb_verdict(chk, user, why), user, why);
	buf_free(&user);
	buf_free(&why);
	if (async)
		authd_conn_settle(c);
}

/* authd_req_password - check login/password against the passdbs: the
 * lookups now, the hashes on a worker thread; the ID stays taken */
void authd_req_password(struct authd_req *r, const char *login, const char *password)
{
	struct authd_name n;

	authd_name_init(&n);
	if (prepare(r, login, &n)) {
		r->job = authd_worker_job(authd_passdb_lookup(&n, password), checked, r);
		authd_worker_submit(r->job);	/* r may be gone when it returns */
	}
	authd_name_free(&n);
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
	const char *session = authd_field(f, n, from, "session");
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
	if (session && !session_id_valid(session)) {
		authd_conn_error(c, f[1], "bad session=", false);
		return NULL;
	}
	r = xcalloc(1, sizeof(*r));
	r->conn = c;
	r->id = id;
	strcpy(r->service, service);
	strcpy(r->rip, rip ? rip : "unknown");
	strcpy(r->session, session ? session : "");
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
	r->want_token = authd_flag(f, n, 3, "token");
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
	session_on(r);
	if (r->mech)
		log_info("auth cancelled: user=<%s>, rip=%s, mech=%s, service=%s",
			 r->user ? r->user : "", r->rip, r->mech->name, r->service);
	session_off();
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

/* user_lookup - answer request id with the userdb entry of login: USER,
 * NOTFOUND or a temporary ERROR */
static void user_lookup(struct authd_conn *c, const char *id, const char *login)
{
	struct authd_name nm;
	struct pwentry e = { 0 };
	struct buf *why = buf_new(0);
	int rc = 0;

	authd_name_init(&nm);
	if (authd_name_normalize(login, authd.cf->auth_username_format,
				 authd.cf->auth_default_realm, &nm) == 0)
		rc = authd_userdb_lookup(&nm, &e, why);
	if (rc > 0)
		user_reply(c, id, &e);
	else if (rc == 0)
		authd_conn_send(c, "NOTFOUND\t%s\n", id);
	else {
		log_warn("userdb lookup of %s: %s", buf_str(nm.full), buf_str(why));
		authd_conn_error(c, id, "temporary failure: userdb unavailable", false);
	}
	pwentry_clear(&e);
	authd_name_free(&nm);
	buf_free(&why);
}

/* authd_cmd_user - USER id name service=...: a userdb lookup */
void authd_cmd_user(struct authd_conn *c, char **f, int n)
{
	struct authd_req *r;

	if (n < 4 || (r = new_request(c, f, n, 3)) == NULL) {
		if (n < 4)
			authd_conn_error(c, n > 1 ? f[1] : "-", "USER needs an ID, a name and service=", false);
		return;
	}
	user_lookup(c, f[1], f[2]);
	finish(r);
}

/* redeem - the USER answer for request r's token, or NOTFOUND */
static void redeem(struct authd_conn *c, struct authd_req *r, const char *id, const char *token)
{
	struct buf *user = buf_new(64);
	enum authd_token_result res = authd_token_redeem(token, r->service, r->rip, user);

	session_on(r);
	if (res == AUTHD_TOKEN_OK) {
		log_info("login token redeemed: user=<%s>, service=%s, rip=%s", buf_str(user),
			 r->service, r->rip);
		user_lookup(c, id, buf_str(user));
	} else {
		log_warn("login token refused: service=%s, rip=%s, %s", r->service, r->rip,
			 authd_token_result_str(res));
		authd_conn_send(c, "NOTFOUND\t%s\n", id);
	}
	session_off();
	buf_free(&user);
}

/* authd_cmd_token - TOKEN id token service= rip=: the USER answer for the
 * user a login token was issued for, once; NOTFOUND for a token that is
 * unknown, expired or issued for another service or client address.
 * Only root (the mail process) or authd's own uid may ask. */
void authd_cmd_token(struct authd_conn *c, char **f, int n)
{
	uid_t peer = authd_conn_peer_uid(c);
	struct authd_req *r;

	if (n < 4 || (r = new_request(c, f, n, 3)) == NULL) {
		if (n < 4)
			authd_conn_error(c, n > 1 ? f[1] : "-", "TOKEN needs an ID, a token and service=", false);
		return;
	}
	if (authd_token_peer_ok(peer, getuid())) {
		redeem(c, r, f[1], f[2]);
	} else {
		char who[IDNAME_SIZE];

		log_warn("TOKEN refused: client %s is neither root nor authd's user, service=%s, rip=%s",
			 peer == (uid_t)-1 ? "unknown" : idname_user(peer, who), r->service, r->rip);
		authd_conn_error(c, f[1], "TOKEN not allowed for this client", false);
	}
	explicit_bzero(f[2], strlen(f[2]));
	finish(r);
}
