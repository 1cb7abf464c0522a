/* authd - private interface of the authentication daemon.
 *
 * main.c: parameters, the skeleton call, the privilege drop (mail_owner
 * plus the one supplementary group "shadow").  authd_conn.c: one client
 * connection (lines, limits, output, the command table).  authd_request.c:
 * AUTH/CONT/CANCEL/USER/TOKEN, replies, the failure delay and log lines.
 * authd_parse.c: pure parsers (fields, IDs, SASL responses; fuzzed).
 * authd_mech.c: PLAIN, LOGIN, CRAM-MD5.  authd_passdb.c: the passdb and
 * userdb lists, system accounts.  authd_pwfile.c: passwd-file and lmdb
 * tables.  authd_user.c: auth_username_format, auth_default_realm,
 * mail_location.  authd_abuse.c: the per-client-IP failure counter.
 * authd_token.c: one-time login tokens (AUTH ... token, TOKEN).
 * authd_worker.c: the threads that check password hashes.
 *
 * authd is one process with one event loop thread, which does everything
 * but the password hash checks: a hash costs milliseconds of CPU, so on
 * the loop thread every login of the machine would wait for one core.  The
 * loop looks the user up in the passdbs, hands the entries and a copy of
 * the password to a pool of worker threads (as many as CPUs, at most
 * AUTHD_WORKER_MAX), and gets the result back through an eventfd; then it
 * logs, counts a failure, delays a FAIL and issues a token as before.  The
 * tokens, the failure counter, the passwd-file cache and the log stay with
 * the loop thread; workers only run pwhash_verify and never log.  Checks
 * end in the order they were submitted, and one that ends after earlier
 * ones reached auth_client_failure_limit is refused unchecked, so the
 * counter and the log see what checking one by one gave.
 * The protocol is docs/auth-protocol.md.  Trust: requests come from
 * smtpd/imapd/pop3d (mail_owner, same uid) and carry what the network
 * sent; passwords and tokens are never logged and every copy of one is
 * wiped.  Only root (or authd's own uid) may redeem a token.
 */
#ifndef HATO_AUTHD_H
#define HATO_AUTHD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"
#include "params.h"
#include "strv.h"

enum {
	AUTHD_MAX_LINE = 8192,		/* bytes per line including the LF */
	AUTHD_MAX_FIELDS = 32,
	AUTHD_MAX_REQUESTS = 64,	/* outstanding per connection */
	AUTHD_MAX_NAME = 255,		/* login names */
	AUTHD_MAX_OUTPUT = 1 << 20,	/* unread replies before we give up */
};

enum authd_mech_bit { MECH_PLAIN = 1, MECH_LOGIN = 2, MECH_CRAM_MD5 = 4 };

enum authd_result { AUTHD_OK, AUTHD_FAIL, AUTHD_TEMP };

/* --- configuration (main.c fills it once) --- */
struct authd_db;
struct authd_cfg {
	const struct params *cf;
	long failure_delay_ms;
	long client_failure_limit;	/* 0: no limit */
	long client_failure_window;	/* seconds */
	unsigned mechs;			/* enum authd_mech_bit */
	struct authd_db *passdbs, *userdbs;
};
extern struct authd_cfg authd;

/* --- authd_parse.c --- */
int authd_split(char *line, char **fields, int max);
bool authd_parse_id(const char *s, uint32_t *id_r);
const char *authd_field(char **fields, int n, int from, const char *name);
bool authd_flag(char **fields, int n, int from, const char *name);
bool authd_line_ok(const char *line, size_t len);
/* SASL responses (decoded bytes) */
struct sasl_plain { const char *authzid, *authcid, *passwd; };
int sasl_plain_parse(const char *data, size_t len, struct sasl_plain *p);
int sasl_cram_parse(const char *data, size_t len, struct buf *user, unsigned char digest[16]);
bool authd_name_ok(const char *name, size_t len);

/* --- authd_user.c --- */
struct authd_name {
	struct buf *sys;	/* for passdbs without domains (system) */
	struct buf *full;	/* with auth_default_realm, for the others */
};
void authd_name_init(struct authd_name *n);
void authd_name_free(struct authd_name *n);
int authd_name_normalize(const char *login, const char *format, const char *realm,
			 struct authd_name *n);
int authd_expand(const char *fmt, const char *user, const char *home, struct buf *out);
bool authd_format_ok(const char *fmt, const char *vars);
int authd_mail_location(const char *loc, const char *user, const char *home, struct buf *out);
int authd_userdb_fields(const char *extra, struct strv *out, const char **why_r);

/* --- authd_passdb.c / authd_pwfile.c --- */
struct pwentry {
	char *user, *hash, *uid, *gid, *home;
	char *extra;		/* passwd-file extra fields ("userdb_quota_rule=..."), or NULL */
	char *groups_user;	/* system users: whose /etc/group groups apply, or NULL */
	const char *refused;	/* locked or expired: why (static) */
};
void pwentry_clear(struct pwentry *e);
int pwentry_parse(const char *user, const char *rest, struct pwentry *e, const char **why_r);
struct authd_db *authd_db_list(const char *spec, struct buf *why);
void authd_db_list_free(struct authd_db **list);
/* authd_db_paths - the file of every passwd-file and lmdb db, for hato check */
void authd_db_files(const struct authd_db *list, void (*fn)(const char *path, void *ctx), void *ctx);
/* a password login in three steps (authd_passdb.c, authd_worker.c) */
struct authd_check;
struct authd_check *authd_passdb_lookup(const struct authd_name *n, const char *password);
void authd_passdb_check(struct authd_check *chk);	/* thread-safe, no logging */
enum authd_result authd_passdb_verdict(const struct authd_check *chk, struct buf *user_r,
				       struct buf *why);
void authd_passdb_check_free(struct authd_check **chkp);
enum authd_result authd_passdb_verify(const struct authd_name *n, const char *password,
				      struct buf *user_r, struct buf *why);
enum authd_result authd_passdb_cram(const struct authd_name *n, const char *challenge,
				    const unsigned char digest[16], struct buf *user_r,
				    struct buf *why);
/* authd_userdb_lookup - 1 found (e filled), 0 not found, -1 temporary */
int authd_userdb_lookup(const struct authd_name *n, struct pwentry *e, struct buf *why);
struct pwfile;
struct pwfile *pwfile_open(const char *path);
void pwfile_free(struct pwfile **pfp);
int pwfile_lookup(struct pwfile *pf, const char *user, struct pwentry *e, struct buf *why);

/* --- authd_abuse.c --- */
bool authd_abuse_blocked(const char *rip);
void authd_abuse_failed(const char *rip);
void authd_abuse_reset(void);

/* --- authd_token.c --- */
enum {
	AUTHD_TOKEN_BYTES = 32,		/* from getrandom() */
	AUTHD_TOKEN_HEX = 64,		/* as sent: lowercase hex */
	AUTHD_TOKEN_MAX = 4096,		/* outstanding in the process */
	AUTHD_TOKEN_TTL_MS = 60000,	/* a token lives this long */
};
enum authd_token_result {
	AUTHD_TOKEN_OK, AUTHD_TOKEN_UNKNOWN, AUTHD_TOKEN_EXPIRED, AUTHD_TOKEN_MISMATCH
};
typedef long long authd_clock_fn(void);
void authd_token_set_clock(authd_clock_fn *fn);	/* ms; NULL: monotonic (tests) */
int authd_token_issue(const char *user, const char *service, const char *rip,
		      char hex[AUTHD_TOKEN_HEX + 1]);
enum authd_token_result authd_token_redeem(const char *hex, const char *service, const char *rip,
					   struct buf *user_r);
const char *authd_token_result_str(enum authd_token_result res);
bool authd_token_peer_ok(uid_t peer, uid_t self);
size_t authd_token_count(void);
void authd_token_reset(void);

/* --- authd_worker.c --- */
enum { AUTHD_WORKER_MAX = 8 };	/* threads at most */
struct ev;
struct authd_job;
/* authd_job_done_fn - a check is done (loop thread); async: it came back
 * from a worker, false: it ran inline within authd_worker_submit */
typedef void authd_job_done_fn(struct authd_check *chk, void *ctx, bool async);
int authd_worker_start(struct ev *ev, int nthreads);	/* 0: as many as CPUs */
void authd_worker_stop(void);
int authd_worker_threads(void);
struct authd_job *authd_worker_job(struct authd_check *chk, authd_job_done_fn *done, void *ctx);
void authd_worker_submit(struct authd_job *job);
void authd_worker_forget(struct authd_job *job);

/* --- authd_conn.c / authd_request.c / authd_mech.c --- */
struct authd_conn;
struct authd_req;
void authd_conn_new(int fd);
void authd_conn_send(struct authd_conn *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void authd_conn_error(struct authd_conn *c, const char *id, const char *text, bool close_it);
uid_t authd_conn_peer_uid(const struct authd_conn *c);	/* (uid_t)-1: unknown */
struct authd_req *authd_conn_find(struct authd_conn *c, uint32_t id);
bool authd_conn_full(const struct authd_conn *c);
void authd_conn_add(struct authd_conn *c, struct authd_req *r, uint32_t id);
void authd_conn_settle(struct authd_conn *c);
void authd_conn_remove(struct authd_conn *c, struct authd_req *r);

void authd_cmd_auth(struct authd_conn *c, char **f, int n);
void authd_cmd_cont(struct authd_conn *c, char **f, int n);
void authd_cmd_cancel(struct authd_conn *c, char **f, int n);
void authd_cmd_user(struct authd_conn *c, char **f, int n);
void authd_cmd_token(struct authd_conn *c, char **f, int n);
void authd_req_free(struct authd_req *r);
bool authd_req_pending(const struct authd_req *r);	/* a delayed FAIL */

struct mech {
	const char *name;
	enum authd_mech_bit bit;
	bool plaintext;
	/* start: resp is the decoded initial response or NULL for none */
	void (*start)(struct authd_req *r, const struct buf *resp);
	void (*cont)(struct authd_req *r, const struct buf *resp);
};
const struct mech *authd_mech_find(const char *name);
const struct mech *authd_mech_table(size_t *n_r);
/* used by the mechanisms */
void authd_req_challenge(struct authd_req *r, const void *data, size_t len);
void authd_req_password(struct authd_req *r, const char *login, const char *password);
void authd_req_cram(struct authd_req *r, const char *login, const unsigned char digest[16]);
void authd_req_fail(struct authd_req *r, const char *reason, const char *logwhy, bool count);
char *authd_req_state(struct authd_req *r);	/* LOGIN user / CRAM challenge */
void authd_req_set_state(struct authd_req *r, const char *s);

#endif
