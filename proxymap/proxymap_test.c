/* proxymap_test - proxymap's request checks and allowed list (bad requests
 * first), then the proxy: client against a proxymap that closes every
 * connection after one request (as ipc_idle does), and the client's direct
 * fallback where there is no proxymap socket. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dict.h"
#include "dict_proxy.h"
#include "proxymap.h"
#include "test.h"

/* ask - one request "name\0value\0...\0" (len bytes) through the reply
 * code; "status[ value][ reason]" in out */
static const char *ask(const char *req, size_t len, struct buf *out)
{
	struct attr_in *in = attr_in_new(0, 0), *rep = attr_in_new(0, 0);
	struct attr_out *o = attr_out_new();
	struct buf *why = buf_new(0);
	const struct buf *b;

	buf_reset(out);
	if (attr_parse_mem(in, req, len, why) == 0) {
		proxymap_lookup_reply(in, o);
		b = attr_out_buf(o);
		if (attr_parse_mem(rep, buf_str(b), buf_len(b), why) == 0) {
			buf_cat(out, attr_get(rep, "status") ? attr_get(rep, "status") : "?");
			if (attr_get(rep, "value"))
				buf_printf(out, " %s", attr_get(rep, "value"));
		}
	}
	attr_in_free(&in);
	attr_in_free(&rep);
	attr_out_free(&o);
	buf_free(&why);
	return buf_str(out);
}

#define ASK(lit, out) ask(lit, sizeof(lit) - 1, out)

static void test_requests(void)
{
	struct buf *out = buf_new(0);
	char big[DICT_PROXY_MAX_TABLE + 64];
	int n;

	test_begin("proxymap: bad requests, the allowed list, lookups");
	proxymap_lookup_init("proxy_read_maps", "hash:/etc/not-proxied, proxy:inline:{a=1} "
			     "check_client_access proxy:proxy:static:yes proxy:nocolon");
	test_assert_str(ASK("request\0update\0table\0static:yes\0flags\0" "0\0key\0k\0\0", out), "bad");
	test_assert_str(ASK("table\0static:yes\0flags\0" "0\0key\0k\0\0", out), "bad");
	test_assert_str(ASK("request\0lookup\0table\0static:yes\0flags\0" "0\0\0", out), "bad");
	test_assert_str(ASK("request\0lookup\0table\0static:yes\0flags\0" "2\0key\0k\0\0", out), "bad");
	test_assert_str(ASK("request\0lookup\0table\0static:yes\0flags\0-1\0key\0k\0\0", out), "bad");
	test_assert_str(ASK("request\0lookup\0table\0static:yes\0key\0k\0\0", out), "bad");
	n = snprintf(big, sizeof(big), "request%clookup%ctable%cstatic:%0*d%cflags%c0%ckey%ck%c", 0, 0, 0,
		     DICT_PROXY_MAX_TABLE, 0, 0, 0, 0, 0, 0);
	big[n++] = '\0';
	test_assert_str(ask(big, (size_t)n, out), "bad");
	test_assert_str(ASK("request\0lookup\0table\0hash:/etc/not-proxied\0flags\0" "0\0key\0k\0\0", out), "deny");
	test_expect_log("table hash:/etc/not-proxied is not listed in proxy_read_maps");
	test_assert_str(ASK("request\0lookup\0table\0nocolon\0flags\0" "0\0key\0k\0\0", out), "deny");
	test_assert_str(ASK("request\0lookup\0table\0static:\x01\0flags\0" "0\0key\0k\0\0", out), "deny");
	test_expect_log("table (unprintable) is not listed");
	test_assert_str(ASK("request\0lookup\0table\0static:yes\0flags\0" "0\0key\0k\0\0", out), "ok yes");
	test_assert_str(ASK("request\0lookup\0table\0inline:{a=1}\0flags\0" "0\0key\0a\0\0", out), "ok 1");
	test_assert_str(ASK("request\0lookup\0table\0inline:{a=1}\0flags\0" "0\0key\0b\0\0", out), "notfound");
	/* flags 1 folds the key as the table opened directly would */
	test_assert_str(ASK("request\0lookup\0table\0inline:{a=1}\0flags\0" "0\0key\0A\0\0", out), "notfound");
	test_assert_str(ASK("request\0lookup\0table\0inline:{a=1}\0flags\0" "1\0key\0A\0\0", out), "ok 1");
	test_end();
	proxymap_lookup_free();
	buf_free(&out);
}

/* serve - a proxymap at DIR/private/proxymap that answers one request per
 * connection and then closes it */
static pid_t serve(const char *dir)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int lfd = socket(AF_UNIX, SOCK_STREAM, 0), fd;
	struct buf *why = buf_new(0);
	pid_t pid = -1;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/" DICT_PROXY_SOCKET, dir);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || listen(lfd, 5) < 0)
		return -1;
	if ((pid = fork()) != 0) {
		close(lfd);
		buf_free(&why);
		return pid;
	}
	proxymap_lookup_init("proxy_read_maps", "proxy:inline:{a=1}");
	while ((fd = accept(lfd, NULL, NULL)) >= 0) {
		struct attr_in *in = attr_in_new(0, 0);
		struct attr_out *o = attr_out_new();

		if (attr_hello_write(fd, DICT_PROXY_PROTOCOL, DICT_PROXY_VERSION, 1000, why) == 0 &&
		    attr_read(in, fd, 1000, why) == 1) {
			proxymap_lookup_reply(in, o);
			attr_write(fd, o, 1000, why);
		}
		close(fd);
		attr_in_free(&in);
		attr_out_free(&o);
	}
	_exit(0);
}

static void test_client(void)
{
	struct buf *why = buf_new(0), *dir = buf_new(0);
	char cwd[4096];
	struct dict *d, *denied;
	const char *v;
	pid_t pid = -1;

	test_begin("proxy: client against proxymap, reconnecting, and without it");
	test_assert(dict_open("proxy:nocolon", 0, why) == NULL);
	test_assert(dict_open("proxy:nosuchtype:x", 0, why) == NULL);
	test_assert(dict_open("proxy:inline:{a=1}", DICT_FLAG_WRITE, why) == NULL);
	test_assert(getcwd(cwd, sizeof(cwd)) != NULL);
	buf_printf(dir, "%s/proxymap", test_datadir());
	test_assert(mkdir(buf_str(dir), 0700) == 0 && chdir(buf_str(dir)) == 0);
	/* no private/proxymap here: the table is opened directly */
	d = dict_open("proxy:inline:{a=1}", 0, why);
	test_assert(d != NULL && dict_lookup(d, "a", &v) == 1 && strcmp(v, "1") == 0);
	dict_close(&d);
	test_assert(mkdir("private", 0700) == 0 && (pid = serve(buf_str(dir))) > 0);
	d = dict_open("proxy:proxy:inline:{a=1}", 0, why);
	denied = dict_open("proxy:static:secret", 0, why);
	test_assert(d != NULL && strcmp(d->type, "proxy") == 0 && strcmp(d->name, "inline:{a=1}") == 0);
	test_assert(dict_lookup(d, "a", &v) == 1 && strcmp(v, "1") == 0);
	test_assert(dict_lookup(d, "a", &v) == 1 && strcmp(v, "1") == 0);	/* reconnected */
	test_assert(dict_lookup(d, "b", &v) == 0);
	test_assert(dict_lookup(denied, "x", &v) == -1 && strstr(dict_error(denied), "deny") != NULL);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	/* the socket is there but nobody listens: the table is opened directly */
	test_assert(dict_lookup(d, "a", &v) == 1 && strcmp(v, "1") == 0);
	dict_close(&d);
	dict_close(&denied);
	test_assert(chdir(cwd) == 0);
	test_end();
	buf_free(&why);
	buf_free(&dir);
}

void test_proxymap(void)
{
	test_requests();
	test_client();
}
