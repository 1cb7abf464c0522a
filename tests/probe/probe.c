/* probe - a test daemon for the master tests (never installed).
 *
 * A SERVER_SINGLE daemon on the real skeleton: to each client it writes
 * one line with what the tests must verify about a spawned daemon -
 * "uid=U gid=G groups=N root=DIR pid=P service=S" - then waits for the
 * client to send a line or close, so a test can hold a session open
 * (maxproc, reload and stop tests).  With the argument "trigger" it is a
 * SERVER_TRIGGER daemon that logs each wakeup; with "fail" it exits 1 at
 * start-up (throttling tests).
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "server.h"

/* probe_service - report, then wait for the client */
static void probe_service(const struct server_info *si, int fd)
{
	char root[PATH_MAX] = "?", line[PATH_MAX + 256], in[64];
	ssize_t n = readlink("/proc/self/root", root, sizeof(root) - 1);
	gid_t groups[64];
	int ngroups = getgroups(64, groups);
	int len;

	if (n > 0)
		root[n] = '\0';
	len = snprintf(line, sizeof(line), "uid=%ld gid=%ld groups=%d root=%s pid=%ld service=%s\n",
		       (long)getuid(), (long)getgid(), ngroups, root, (long)getpid(), si->service);
	if (write(fd, line, (size_t)len) < 0)
		return;
	if (read(fd, in, sizeof(in)) < 0)
		return;
}

/* probe_trigger - log what woke us */
static void probe_trigger(const struct server_info *si, const char *data, size_t len)
{
	log_info("probe %s: wakeup \"%.*s\"", si->service, (int)len, data);
}

/* probe_fail - a daemon that cannot start */
static void probe_fail(const struct server_info *si)
{
	log_fatal("probe %s: failing at start-up on purpose", si->service);
}

int main(int argc, char **argv)
{
	bool trigger = false, fail = false;

	for (int i = 1; i < argc; i++) {
		trigger |= strcmp(argv[i], "trigger") == 0;
		fail |= strcmp(argv[i], "fail") == 0;
	}
	return server_main(argc, argv, &(struct server_opts){
		.kind = trigger ? SERVER_TRIGGER : SERVER_SINGLE,
		.service = probe_service, .trigger = probe_trigger,
		.post_init = fail ? probe_fail : NULL });
}
