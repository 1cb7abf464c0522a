/* auth_client_test - the authd client against scripted servers: every
 * reply that is not exactly right fails the request temporarily, never
 * grants it; USER answers fill struct auth_user, and a malformed one
 * fills nothing; login tokens: asked for with "token", kept from the OK
 * (a malformed one is a protocol error), forgotten at the next AUTH, and
 * redeemed with TOKEN into struct auth_user as USER answers are. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "auth_client.h"
#include "test.h"

#define GREETING "VERSION\t1\t0\nMECH\tPLAIN\tplaintext\nMECH\tLOGIN\tplaintext\nDONE\n"

struct fake {
	char path[32];
	pid_t pid;
};

/* fake_serve - in the child: first, then, once the client's input holds
 * expect (NULL: at once), then (else an ERROR no case wants); then drain */
static void fake_serve(int fd, const char *first, const char *expect, const char *then)
{
	char in[1024];
	size_t got = 0;
	ssize_t n;

	if (write(fd, first, strlen(first)) < 0)
		_exit(1);
	in[0] = '\0';
	while (expect && strstr(in, expect) == NULL && got < sizeof(in) - 1 &&
	       (n = read(fd, in + got, sizeof(in) - 1 - got)) > 0)
		in[got += (size_t)n] = '\0';
	if (expect && strstr(in, expect) == NULL)
		then = "ERROR\t1\tunexpected request\n";
	if (then && write(fd, then, strlen(then)) < 0)
		_exit(1);
	while (read(fd, in, sizeof(in)) > 0)
		;
	_exit(0);
}

/* fake_start - a one-shot server at a fresh path (see fake_serve) */
static void fake_start(struct fake *f, const char *first, const char *expect, const char *then)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int lfd = socket(AF_UNIX, SOCK_STREAM, 0), fd;

	snprintf(f->path, sizeof(f->path), "/tmp/hato-auth-test.XXXXXX");
	if ((fd = mkstemp(f->path)) >= 0)
		close(fd);
	unlink(f->path);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", f->path);
	f->pid = -1;
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || listen(lfd, 1) < 0)
		return;
	if ((f->pid = fork()) == 0 && (fd = accept(lfd, NULL, NULL)) >= 0)
		fake_serve(fd, first, expect, then);
	if (f->pid == 0)
		_exit(0);
	close(lfd);
}

/* fake_stop - end the server, remove its socket */
static void fake_stop(struct fake *f)
{
	if (f->pid > 0) {
		kill(f->pid, SIGTERM);
		waitpid(f->pid, NULL, 0);
	}
	unlink(f->path);
}

/* run - open against script, one PLAIN request (no initial response),
 * answer each CONT with "eA==" (at most once); the status and out */
static enum auth_status run(const char *script, struct buf *out, bool *opened)
{
	struct auth_request req = { .service = "smtp", .rip = "192.0.2.1", .lip = "192.0.2.2" };
	struct auth_client *ac;
	enum auth_status rc = AUTH_TEMPFAIL;
	struct fake f;

	fake_start(&f, script, NULL, NULL);
	ac = auth_client_open(f.path, 300, out);
	*opened = ac != NULL;
	if (ac) {
		rc = auth_client_start(ac, "PLAIN", &req, NULL, out);
		if (rc == AUTH_CONTINUE)
			rc = auth_client_step(ac, "eA==", out);
		auth_client_free(&ac);
	}
	fake_stop(&f);
	return rc;
}

static void test_replies(void)
{
	static const struct {
		const char *script;
		enum auth_status want;
		const char *out;
	} cases[] = {
		{ GREETING "CONT\t1\t\nOK\t1\tuser=alice\n", AUTH_OK, "alice" },
		{ GREETING "OK\t1\tuser=bob\textra=1\n", AUTH_OK, "bob" },
		{ GREETING "FAIL\t1\treason=bad password\n", AUTH_FAIL, "bad password" },
		{ GREETING "FAIL\t1\tuser=x\n", AUTH_FAIL, "authentication failure" },
		{ GREETING "FAIL\t1\treason=db down\ttemp\n", AUTH_TEMPFAIL, "db down" },
		{ GREETING "OK\t7\tuser=mallory\n", AUTH_TEMPFAIL, "authentication server protocol error" },
		{ GREETING "OK\t1\n", AUTH_TEMPFAIL, "authentication server protocol error" },
		{ GREETING "OK\t1\tuser=\n", AUTH_TEMPFAIL, "authentication server protocol error" },
		{ GREETING "OK\t1\tuser=a\001b\n", AUTH_TEMPFAIL, "authentication server unavailable" },
		{ GREETING "ERROR\t1\tbad\n", AUTH_TEMPFAIL, "authentication server protocol error" },
		{ GREETING "OK\t1\tuser=nolf", AUTH_TEMPFAIL, "authentication server timed out" },
		{ GREETING, AUTH_TEMPFAIL, "authentication server timed out" },
	};
	struct buf *out = buf_new(0);
	bool opened;

	test_begin("auth_client: only an exact OK for the request grants a login");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(out);
		enum auth_status rc = run(cases[i].script, out, &opened);

		test_assert(opened);
		if (rc != cases[i].want || strcmp(buf_str(out), cases[i].out) != 0)
			fprintf(stderr, "# case %zu: got %d \"%s\"\n", i, rc, buf_str(out));
		test_assert(rc == cases[i].want);
		test_assert_str(buf_str(out), cases[i].out);
	}
	buf_free(&out);
	test_end();
}

static void test_handshake(void)
{
	struct buf *out = buf_new(0);
	bool opened;

	test_begin("auth_client: a wrong version or a cut greeting is refused at open");
	run("VERSION\t2\t0\nDONE\n", out, &opened);
	test_assert(!opened);
	buf_reset(out);
	run("VERSION\t1\t0\nMECH\tPLAIN\n", out, &opened);
	test_assert(!opened);
	buf_reset(out);
	test_assert(auth_client_open("/nonexistent/auth", 1000, out) == NULL);
	test_assert(strstr(buf_str(out), "connect to /nonexistent/auth") != NULL);
	buf_free(&out);
	test_end();
}

/* user_case - auth_client_user("joe", "imap") against reply; then, when
 * again is set, a second lookup on the same connection must get the
 * NOTFOUND that reply holds for it */
static enum auth_status user_case(const char *reply, struct auth_user *u, struct buf *out,
				  bool again, bool *usable)
{
	struct auth_client *ac;
	struct auth_user u2;
	enum auth_status rc = AUTH_TEMPFAIL;
	struct fake f;

	fake_start(&f, GREETING, "USER\t1\tjoe\tservice=imap\n", reply);
	if ((ac = auth_client_open(f.path, 300, out)) != NULL) {
		rc = auth_client_user(ac, "joe", "imap", u, out);
		*usable = auth_client_usable(ac);
		if (again && auth_client_user(ac, "ann", "imap", &u2, out) != AUTH_FAIL)
			*usable = false;
		auth_client_free(&ac);
	}
	fake_stop(&f);
	return rc;
}

static void test_user_found(void)
{
	struct buf *out = buf_new(0);
	struct auth_user u;
	bool usable = false;
	char *rules;

	test_begin("auth_client: USER answers into struct auth_user");
	test_assert(user_case("USER\t1\tjoe\tuid=1001\tgid=1002\thome=/home/joe\t"
			      "mail=maildir:/home/joe/Maildir\tsystem_groups_user=joe\tquota_rule=*:storage=1G\t"
			      "newfield=x\tflag\tquota_rule2=Trash:storage=+10%\tquota_rulex=no\n",
			      &u, out, false, &usable) == AUTH_OK);
	test_assert(usable && u.has_uid && u.uid == 1001 && u.has_gid && u.gid == 1002);
	test_assert_str(u.name, "joe");
	test_assert_str(buf_str(out), "joe");
	test_assert_str(u.home, "/home/joe");
	test_assert_str(u.mail, "maildir:/home/joe/Maildir");
	test_assert_str(u.system_groups_user, "joe");
	rules = u.quota_rules ? strv_join(u.quota_rules, "|") : NULL;
	test_assert_str(rules, "quota_rule=*:storage=1G|quota_rule2=Trash:storage=+10%");
	free(rules);
	auth_client_user_clear(&u);
	test_assert(u.name == NULL && u.quota_rules == NULL);
	test_assert(user_case("USER\t1\tva@example.org\tuid=4294967294\tmail=maildir:/v\n",
			      &u, out, false, &usable) == AUTH_OK);
	test_assert(u.has_uid && u.uid == 4294967294u && !u.has_gid && u.home == NULL);
	test_assert(u.system_groups_user == NULL && u.quota_rules && u.quota_rules->len == 0);
	test_assert_str(u.name, "va@example.org");
	auth_client_user_clear(&u);
	test_end();
	buf_free(&out);
}

static void test_user_other(void)
{
	static const char *bad[] = {
		"USER\t1\tjoe\tuid=abc\n", "USER\t1\tjoe\tuid=-1\n", "USER\t1\tjoe\tuid=4294967295\n",
		"USER\t1\tjoe\tgid=99999999999\n", "USER\t1\tjoe\tuid=\n", "USER\t1\tjoe\tuid=1\tuid=1\n",
		"USER\t1\tjoe\thome=relative\n", "USER\t1\tjoe\tmail=a\tmail=b\n", "USER\t1\t\tuid=1\n",
		"USER\t1\n", "USER\t2\tjoe\n", "OK\t1\tuser=joe\n", "USER\t1\tjoe\tsystem_groups_user=\n",
	};
	struct buf *out = buf_new(0);
	struct auth_user u;
	bool usable;

	test_begin("auth_client: USER not found, a temporary ERROR, and malformed answers");
	test_assert(user_case("NOTFOUND\t1\nNOTFOUND\t2\n", &u, out, true, &usable) == AUTH_FAIL);
	test_assert(usable && u.name == NULL);
	test_assert(user_case("ERROR\t1\ttemporary failure: userdb unavailable\nNOTFOUND\t2\n",
			      &u, out, true, &usable) == AUTH_TEMPFAIL);
	test_assert(usable);	/* the second lookup was answered */
	test_assert(user_case("ERROR\t1\ttemporary failure: userdb unavailable\n",
			      &u, out, false, &usable) == AUTH_TEMPFAIL);
	test_assert_str(buf_str(out), "temporary failure: userdb unavailable");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		usable = true;
		buf_reset(out);
		if (user_case(bad[i], &u, out, false, &usable) != AUTH_TEMPFAIL || usable)
			printf("# bad case %zu: %s\n", i, buf_str(out));
		test_assert(strcmp(buf_str(out), "authentication server protocol error") == 0 && !usable);
		test_assert(u.name == NULL && u.home == NULL && u.mail == NULL && u.quota_rules == NULL);
	}
	test_end();
	buf_free(&out);
}

#define TOK "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* token_case - AUTH PLAIN with want_token against script (the request
 * must carry the flag); a second AUTH without it when again; the status
 * of the first, its token (copied into tok, "" for none) */
static enum auth_status token_case(const char *script, bool again, char *tok, struct buf *out)
{
	struct auth_request req = { .service = "pop3", .rip = "192.0.2.1", .lip = "192.0.2.2",
				    .want_token = true };
	struct auth_client *ac;
	enum auth_status rc = AUTH_TEMPFAIL;
	const char *t;
	struct fake f;

	fake_start(&f, GREETING, "\tlip=192.0.2.2\ttoken\tresp=AGpvZQBwdw==\n", script);
	*tok = '\0';
	if ((ac = auth_client_open(f.path, 300, out)) != NULL) {
		rc = auth_client_start(ac, "PLAIN", &req, "AGpvZQBwdw==", out);
		if ((t = auth_client_login_token(ac)) != NULL)
			strcpy(tok, t);
		req.want_token = false;
		if (again && (auth_client_start(ac, "PLAIN", &req, "AGpvZQBwdw==", out) != AUTH_FAIL ||
			      auth_client_login_token(ac) != NULL))
			strcpy(tok, "second AUTH kept the token");
		auth_client_free(&ac);
	}
	fake_stop(&f);
	return rc;
}

/* test_login_token - asked for, kept, checked, forgotten */
static void test_login_token(void)
{
	static const char *bad[] = {
		"OK\t1\tuser=joe\ttoken=" "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef\n",
		"OK\t1\tuser=joe\ttoken=" "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\n",
		"OK\t1\tuser=joe\ttoken=" TOK "0\n",
		"OK\t1\tuser=joe\ttoken=\n",
		"OK\t1\tuser=joe\ttoken=" "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeg\n",
	};
	struct buf *out = buf_new(0);
	char tok[80];

	test_begin("auth_client: a login token comes with the OK and goes with the next AUTH");
	test_assert(token_case("OK\t1\tuser=joe\ttoken=" TOK "\n", false, tok, out) == AUTH_OK);
	test_assert_str(buf_str(out), "joe");
	test_assert_str(tok, TOK);
	test_assert(token_case("OK\t1\tuser=joe\ttoken=" TOK "\nFAIL\t2\treason=no\n", true, tok, out) == AUTH_OK);
	test_assert_str(tok, TOK);
	test_assert(token_case("OK\t1\tuser=joe\n", false, tok, out) == AUTH_OK && *tok == '\0');
	test_assert(token_case("FAIL\t1\treason=no\ttoken=" TOK "\n", false, tok, out) == AUTH_FAIL && *tok == '\0');
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		test_assert(token_case(bad[i], false, tok, out) == AUTH_TEMPFAIL && *tok == '\0');
		test_assert_str(buf_str(out), "authentication server protocol error");
	}
	test_end();
	buf_free(&out);
}

/* redeem_case - auth_client_redeem(TOK, "pop3", "192.0.2.1") against reply */
static enum auth_status redeem_case(const char *reply, struct auth_user *u, struct buf *out, bool *usable)
{
	struct auth_client *ac;
	enum auth_status rc = AUTH_TEMPFAIL;
	struct fake f;

	fake_start(&f, GREETING, "TOKEN\t1\t" TOK "\tservice=pop3\trip=192.0.2.1\n", reply);
	if ((ac = auth_client_open(f.path, 300, out)) != NULL) {
		rc = auth_client_redeem(ac, TOK, "pop3", "192.0.2.1", NULL, u, out);
		*usable = auth_client_usable(ac);
		auth_client_free(&ac);
	}
	fake_stop(&f);
	return rc;
}

/* test_redeem - TOKEN answers into struct auth_user */
static void test_redeem(void)
{
	struct buf *out = buf_new(0);
	struct auth_user u;
	bool usable = false;

	test_begin("auth_client: TOKEN answers as USER does");
	test_assert(redeem_case("USER\t1\tjoe\tuid=1001\tgid=1002\thome=/home/joe\tmail=maildir:/home/joe/Maildir\t"
				"quota_rule=*:storage=1G\n", &u, out, &usable) == AUTH_OK && usable);
	test_assert_str(u.name, "joe");
	test_assert(u.has_uid && u.uid == 1001 && u.has_gid && u.gid == 1002 && u.quota_rules->len == 1);
	test_assert_str(u.home, "/home/joe");
	test_assert_str(u.mail, "maildir:/home/joe/Maildir");
	auth_client_user_clear(&u);
	test_assert(redeem_case("NOTFOUND\t1\n", &u, out, &usable) == AUTH_FAIL && usable && u.name == NULL);
	test_assert(redeem_case("ERROR\t1\tTOKEN not allowed for this client\n", &u, out, &usable) == AUTH_TEMPFAIL);
	test_assert(usable && u.name == NULL);
	test_assert_str(buf_str(out), "TOKEN not allowed for this client");
	test_assert(redeem_case("USER\t1\tjoe\tuid=x\n", &u, out, &usable) == AUTH_TEMPFAIL && !usable);
	test_assert(u.name == NULL && u.quota_rules == NULL);
	test_assert(redeem_case("OK\t1\tuser=joe\n", &u, out, &usable) == AUTH_TEMPFAIL && !usable);
	test_assert_str(buf_str(out), "authentication server protocol error");
	test_end();
	buf_free(&out);
}

void test_auth_client(void)
{
	test_replies();
	test_handshake();
	test_user_found();
	test_user_other();
	test_login_token();
	test_redeem();
}
