/* auth_client_test - the authd client against scripted servers: every
 * reply that is not exactly right fails the request temporarily, never
 * grants it. */
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

/* serve - a one-shot server at path that writes script and drains input */
static pid_t serve(const char *path, const char *script)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int lfd = socket(AF_UNIX, SOCK_STREAM, 0), fd;
	pid_t pid;
	char buf[512];

	unlink(path);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || listen(lfd, 1) < 0)
		return -1;
	if ((pid = fork()) != 0) {
		close(lfd);
		return pid;
	}
	if ((fd = accept(lfd, NULL, NULL)) >= 0) {
		if (write(fd, script, strlen(script)) < 0)
			_exit(1);
		while (read(fd, buf, sizeof(buf)) > 0)
			;
	}
	_exit(0);
}

/* run - open against script, one PLAIN request (no initial response),
 * answer each CONT with "eA==" (at most once); the status and out */
static enum auth_status run(const char *script, struct buf *out, bool *opened)
{
	char path[] = "/tmp/hato-auth-test.XXXXXX";
	int tfd = mkstemp(path);
	struct auth_request req = { .service = "smtp", .rip = "192.0.2.1", .lip = "192.0.2.2" };
	struct auth_client *ac;
	enum auth_status rc = AUTH_TEMPFAIL;
	pid_t pid;

	close(tfd);
	pid = serve(path, script);
	ac = auth_client_open(path, 300, out);
	*opened = ac != NULL;
	if (ac) {
		rc = auth_client_start(ac, "PLAIN", &req, NULL, out);
		if (rc == AUTH_CONTINUE)
			rc = auth_client_step(ac, "eA==", out);
		auth_client_free(&ac);
	}
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	unlink(path);
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

void test_auth_client(void)
{
	test_replies();
	test_handshake();
}
