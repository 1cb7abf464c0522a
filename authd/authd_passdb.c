/* authd_passdb - the passdb and userdb lists of main.cf ("system,
 * passwd-file:PATH, lmdb:PATH"), tried in order.
 *
 * A login succeeds in the first passdb whose entry for the name has a
 * matching password; an entry whose password does not match, or a locked
 * or expired account, lets the next passdb try.  When none succeeds and
 * one of them could not be read, the answer is temporary.
 * system: getpwnam + getspnam (authd keeps the group "shadow" for this),
 * crypt(3) hashes; "!"-prefixed (usermod -L), "*" and expired accounts
 * (shadow expire, or inactive days after the password's maximum age) are
 * refused, as are uids below first_valid_uid.  A system user's USER
 * answer names it as system_groups_user (its /etc/group groups apply after
 * a login, as with Dovecot's passwd userdb).  A passwd entry that says
 * "x" when /etc/shadow cannot be read is a temporary failure logged as
 * such (glibc's getspnam then just finds nothing; it is never reported as
 * a wrong password).  system looks up the name
 * without auth_default_realm, the others with it (authd_user.c).
 * A password login goes in three steps so that the hashes can be checked
 * off the event loop (authd_worker.c): authd_passdb_lookup (every passdb's
 * entry, on the loop thread: getpwnam, getspnam, the passwd-file cache and
 * lmdb are not thread-safe), authd_passdb_check (the hashes, pure, any
 * thread, no logging) and authd_passdb_verdict (the log lines and the
 * answer, on the loop thread).  Every passdb is looked up, but only the
 * lines of those up to the one that matched are logged, as when they were
 * tried one by one.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <shadow.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "authd.h"
#include "dict.h"
#include "log.h"
#include "mem.h"
#include "pwhash.h"
#include "strv.h"

enum db_kind { DB_SYSTEM, DB_PWFILE, DB_LMDB };

struct authd_db {
	enum db_kind kind;
	char *spec;		/* as written, for logs */
	char *path;
	struct pwfile *pf;
	struct dict *dict;
	struct authd_db *next;
};

/* authd_db_list - parse "system, passwd-file:PATH, lmdb:PATH" */
struct authd_db *authd_db_list(const char *spec, struct buf *why)
{
	struct strv *v = strv_split(spec, ", \t\r\n");
	struct authd_db *head = NULL, **tail = &head;

	for (size_t i = 0; i < v->len; i++) {
		const char *s = v->items[i];
		struct authd_db *db = xcalloc(1, sizeof(*db));

		db->spec = xstrdup(s);
		*tail = db;
		tail = &db->next;
		if (strcmp(s, "system") == 0) {
			db->kind = DB_SYSTEM;
		} else if (strncmp(s, "passwd-file:", 12) == 0 && s[12] == '/') {
			db->kind = DB_PWFILE;
			db->path = xstrdup(s + 12);
			db->pf = pwfile_open(db->path);
		} else if (strncmp(s, "lmdb:", 5) == 0 && s[5] == '/') {
			db->kind = DB_LMDB;
			db->path = xstrdup(s + 5);
			db->dict = dict_open_surrogate(s, DICT_FLAG_FOLD_KEY);
		} else {
			buf_printf(why, "unknown database \"%s\" (system, passwd-file:/PATH or lmdb:/PATH)", s);
			authd_db_list_free(&head);
			break;
		}
	}
	strv_free(&v);
	return head;
}

/* authd_db_list_free - close every database of the list */
void authd_db_list_free(struct authd_db **list)
{
	while (*list) {
		struct authd_db *db = *list;

		*list = db->next;
		pwfile_free(&db->pf);
		dict_close(&db->dict);
		free(db->spec);
		free(db->path);
		free(db);
	}
}

/* authd_db_files - the file behind each passwd-file and lmdb database */
void authd_db_files(const struct authd_db *list, void (*fn)(const char *path, void *ctx), void *ctx)
{
	for (; list; list = list->next)
		if (list->path) {
			struct buf *b = buf_new(64);

			buf_printf(b, "%s%s", list->path, list->kind == DB_LMDB ? ".lmdb" : "");
			fn(buf_str(b), ctx);
			buf_free(&b);
		}
}

/* expired - shadow says the account or its password is past its end */
static const char *expired(const struct spwd *sp)
{
	long today = (long)(time(NULL) / 86400);

	if (sp->sp_expire >= 0 && today >= sp->sp_expire)
		return "account expired";
	if (sp->sp_inact >= 0 && sp->sp_max >= 0 && sp->sp_lstchg > 0 &&
	    today > sp->sp_lstchg + sp->sp_max + sp->sp_inact)
		return "account inactive (password expired)";
	return NULL;
}

/* shadow_error - why /etc/shadow cannot be read, 0 when it can: glibc's
 * getspnam says "not found" when the file cannot be opened */
static int shadow_error(void)
{
	int fd = open("/etc/shadow", O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return errno ? errno : EACCES;
	close(fd);
	return 0;
}

/* system_lookup - passwd + shadow; 1 found, 0 not found, -1 temporary */
static int system_lookup(const char *name, bool want_hash, struct pwentry *e, struct buf *why)
{
	struct passwd *pw;
	struct spwd *sp = NULL;
	char num[32];
	int err;

	errno = 0;
	if ((pw = getpwnam(name)) == NULL) {
		if (errno == 0 || errno == ENOENT || errno == ESRCH)
			return 0;
		buf_printf(why, "getpwnam: %s", strerror(errno));
		return -1;
	}
	*e = (struct pwentry){ .user = xstrdup(pw->pw_name), .home = xstrdup(pw->pw_dir),
			       .groups_user = xstrdup(pw->pw_name) };
	snprintf(num, sizeof(num), "%lu", (unsigned long)pw->pw_uid);
	e->uid = xstrdup(num);
	snprintf(num, sizeof(num), "%lu", (unsigned long)pw->pw_gid);
	e->gid = xstrdup(num);
	if ((long)pw->pw_uid < authd.cf->first_valid_uid)
		e->refused = "uid below first_valid_uid";
	if (!want_hash)
		return 1;
	errno = 0;
	if ((sp = getspnam(name)) == NULL && errno != 0 && errno != ENOENT) {
		buf_printf(why, "getspnam: %s (authd needs the group shadow)", strerror(errno));
		pwentry_clear(e);
		return -1;
	}
	if (sp == NULL && strcmp(pw->pw_passwd, "x") == 0 && (err = shadow_error()) != 0) {
		buf_printf(why, "cannot read /etc/shadow: %s (authd needs the group shadow)",
			   strerror(err));
		pwentry_clear(e);
		return -1;
	}
	if (sp == NULL && strcmp(pw->pw_passwd, "x") == 0 && !e->refused)
		e->refused = "no entry in /etc/shadow";
	e->hash = xstrdup(sp ? sp->sp_pwdp : strcmp(pw->pw_passwd, "x") ? pw->pw_passwd : "*");
	if (!e->refused && e->hash[0] == '!')
		e->refused = "account locked";
	if (!e->refused && sp)
		e->refused = expired(sp);
	if (sp)
		explicit_bzero(sp->sp_pwdp, strlen(sp->sp_pwdp));
	return 1;
}

/* db_lookup - the entry for n in db; 1, 0 or -1 (why) */
static int db_lookup(struct authd_db *db, const struct authd_name *n, bool want_hash,
		     struct pwentry *e, struct buf *why)
{
	const char *v, *pwhy = NULL;
	int rc;

	*e = (struct pwentry){ 0 };
	switch (db->kind) {
	case DB_SYSTEM:
		return system_lookup(buf_str(n->sys), want_hash, e, why);
	case DB_PWFILE:
		return pwfile_lookup(db->pf, buf_str(n->full), e, why);
	case DB_LMDB:
		if ((rc = dict_lookup(db->dict, buf_str(n->full), &v)) <= 0) {
			if (rc < 0)
				buf_cat(why, dict_error(db->dict));
			return rc;
		}
		if (pwentry_parse(buf_str(n->full), v, e, &pwhy) < 0) {
			buf_printf(why, "%s: entry for %s: %s", db->spec, buf_str(n->full), pwhy);
			return -1;
		}
		return 1;
	}
	return -1;
}

/* one passdb's answer for a login, in passdb order */
struct cand {
	char *spec;		/* the passdb, for logs */
	int found;		/* db_lookup: 1, 0 or -1 */
	struct pwentry e;
	struct buf *err;	/* the lookup's or the hash check's error text */
	int rc;			/* the check: 1 match, 0 no, -1 unusable hash */
};

/* a login between its lookups (loop thread), its hash checks (any
 * thread) and its verdict (loop thread again) */
struct authd_check {
	char *password;		/* NULL for CRAM-MD5; a copy, wiped */
	char *challenge;
	unsigned char digest[16];
	struct cand *cands;
	size_t n;
	const struct cand *match;
};

struct verdict {
	bool temp;
	const char *why;	/* the most telling failure so far */
};

/* note - remember why this database did not let the user in */
static void note(struct verdict *v, const char *why)
{
	if (v->why == NULL || strcmp(v->why, "unknown user") == 0)
		v->why = why;
}

/* collect - look the name up in every passdb, in order (loop thread) */
static struct authd_check *collect(const struct authd_name *n, const char *password,
				   const char *challenge, const unsigned char *digest)
{
	struct authd_check *chk = xcalloc(1, sizeof(*chk));
	size_t max = 0;

	for (struct authd_db *db = authd.passdbs; db; db = db->next)
		max++;
	chk->cands = xcalloc(max, sizeof(*chk->cands));
	chk->password = password ? xstrdup(password) : NULL;
	chk->challenge = challenge ? xstrdup(challenge) : NULL;
	if (digest)
		memcpy(chk->digest, digest, sizeof(chk->digest));
	for (struct authd_db *db = authd.passdbs; db; db = db->next) {
		struct cand *c = &chk->cands[chk->n++];

		c->spec = xstrdup(db->spec);
		c->err = buf_new(0);
		c->found = db_lookup(db, n, true, &c->e, c->err);
	}
	return chk;
}

/* authd_passdb_lookup - step 1 of a password login: every passdb's entry */
struct authd_check *authd_passdb_lookup(const struct authd_name *n, const char *password)
{
	return collect(n, password, NULL, NULL);
}

/* authd_passdb_check_free - forget a check, wiping the password and hashes */
void authd_passdb_check_free(struct authd_check **chkp)
{
	struct authd_check *chk = *chkp;

	if (chk == NULL)
		return;
	for (size_t i = 0; i < chk->n; i++) {
		pwentry_clear(&chk->cands[i].e);
		buf_free(&chk->cands[i].err);
		free(chk->cands[i].spec);
	}
	if (chk->password)
		explicit_bzero(chk->password, strlen(chk->password));
	free(chk->password);
	free(chk->challenge);
	explicit_bzero(chk->digest, sizeof(chk->digest));
	free(chk->cands);
	free(chk);
	*chkp = NULL;
}

/* check_entry - does e accept the password (or CRAM digest)? No logging:
 * this may run on a worker thread */
static int check_entry(const struct authd_check *chk, const struct pwentry *e, struct buf *why)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	const char *plain;
	int rc;

	if (chk->password)
		return pwhash_verify(chk->password, e->hash, why);
	if ((plain = pwhash_plaintext(e->hash)) == NULL || *plain == '\0')
		return 0;
	if (HMAC(EVP_md5(), plain, (int)strlen(plain), (const unsigned char *)chk->challenge,
		 strlen(chk->challenge), md, &mdlen) == NULL)
		return -1;
	rc = mdlen == 16 && CRYPTO_memcmp(md, chk->digest, 16) == 0;
	explicit_bzero(md, sizeof(md));
	return rc;
}

/* fold - why no passdb let the user in (every entry was checked) */
static struct verdict fold(const struct authd_check *chk)
{
	struct verdict v = { 0 };

	for (size_t i = 0; i < chk->n; i++) {
		const struct cand *c = &chk->cands[i];

		if (c->found < 0) {
			v.temp = true;
		} else if (c->found == 0) {
			note(&v, "unknown user");
		} else {
			v.temp |= c->rc < 0;
			note(&v, c->e.refused ? c->e.refused : c->rc < 0 ? "unusable password hash" :
				 chk->password ? "password mismatch" :
				 "no plaintext password for CRAM-MD5 or digest mismatch");
		}
	}
	return v;
}

/* authd_passdb_check - step 2: the hash checks, in passdb order until one
 * matches.  Pure and thread-safe (no lookups, no logging): results and
 * error texts stay in chk for step 3. */
void authd_passdb_check(struct authd_check *chk)
{
	struct verdict v;
	struct buf *scratch;

	for (size_t i = 0; i < chk->n; i++) {
		struct cand *c = &chk->cands[i];

		if (c->found != 1)
			continue;
		c->rc = c->e.refused ? 0 : check_entry(chk, &c->e, c->err);
		if (c->rc == 1) {
			chk->match = c;
			return;
		}
	}
	/* an unknown user costs a hash too, or timing would tell who exists */
	v = fold(chk);
	if (chk->password && !v.temp && (v.why == NULL || strcmp(v.why, "unknown user") == 0)) {
		scratch = buf_new(0);
		(void)pwhash_verify(chk->password, "$6$hato.dummy.salt$", scratch);
		buf_free(&scratch);
	}
}

/* authd_passdb_verdict - step 3 (loop thread): the log lines of the
 * lookups and checks up to the match, then OK (user_r, why: the passdb),
 * FAIL or TEMP (why: the reason) */
enum authd_result authd_passdb_verdict(const struct authd_check *chk, struct buf *user_r,
				       struct buf *why)
{
	struct verdict v;

	for (size_t i = 0; i < chk->n; i++) {
		const struct cand *c = &chk->cands[i];

		if (c->found < 0)
			log_warn("passdb %s: %s", c->spec, buf_str(c->err));
		else if (c->found == 1 && c->rc < 0 && chk->password)
			log_warn("%s: user %s: %s", c->spec, c->e.user, buf_str(c->err));
		if (c == chk->match) {
			buf_set(user_r, c->e.user);
			buf_printf(why, "%s", c->spec);
			return AUTHD_OK;
		}
	}
	v = fold(chk);
	buf_cat(why, v.temp ? "a passdb could not be read" : v.why ? v.why : "no passdb");
	return v.temp ? AUTHD_TEMP : AUTHD_FAIL;
}

/* verify - the three steps at once */
static enum authd_result verify(struct authd_check *chk, struct buf *user_r, struct buf *why)
{
	enum authd_result res;

	authd_passdb_check(chk);
	res = authd_passdb_verdict(chk, user_r, why);
	authd_passdb_check_free(&chk);
	return res;
}

/* authd_passdb_verify - a login with a password, synchronously */
enum authd_result authd_passdb_verify(const struct authd_name *n, const char *password,
				      struct buf *user_r, struct buf *why)
{
	return verify(collect(n, password, NULL, NULL), user_r, why);
}

/* authd_passdb_cram - a CRAM-MD5 login: HMAC-MD5(password, challenge) */
enum authd_result authd_passdb_cram(const struct authd_name *n, const char *challenge,
				    const unsigned char digest[16], struct buf *user_r,
				    struct buf *why)
{
	return verify(collect(n, NULL, challenge, digest), user_r, why);
}

/* authd_userdb_lookup - the first userdb that knows the name */
int authd_userdb_lookup(const struct authd_name *n, struct pwentry *e, struct buf *why)
{
	bool temp = false;

	for (struct authd_db *db = authd.userdbs; db; db = db->next) {
		int rc = db_lookup(db, n, false, e, why);

		if (rc == 1 && e->refused == NULL)
			return 1;
		if (rc == 1)
			pwentry_clear(e);
		temp |= rc < 0;
	}
	return temp ? -1 : 0;
}
