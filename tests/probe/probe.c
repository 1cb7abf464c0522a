/* probe - a test daemon for the master tests (never installed).
 *
 * A SERVER_SINGLE daemon on the real skeleton: to each client it writes
 * one line with what the tests must verify about a spawned daemon -
 * "uid=U gid=G groups=N root=DIR pid=P service=S" - then waits for the
 * client to send a line or close, so a test can hold a session open
 * (maxproc, reload and stop tests).  With the argument "trigger" it is a
 * SERVER_TRIGGER daemon that logs each wakeup; with "multi" a SERVER_MULTI
 * daemon serving every client from one process; with "fail" it exits 1 at
 * start-up (throttling tests).
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ev.h"
#include "log.h"
#include "server.h"

/* report - the line about this process */
static int report(const struct server_info *si, int fd)
{
	char root[PATH_MAX] = "?", line[PATH_MAX + 256];
	ssize_t n = readlink("/proc/self/root", root, sizeof(root) - 1);
	gid_t groups[64];
	int ngroups = getgroups(64, groups);
	int len;

	if (n > 0)
		root[n] = '\0';
	len = snprintf(line, sizeof(line), "uid=%ld gid=%ld groups=%d root=%s pid=%ld service=%s\n",
		       (long)getuid(), (long)getgid(), ngroups, root, (long)getpid(), si->service);
	return write(fd, line, (size_t)len) == len ? 0 : -1;
}

/* probe_service - report, then wait for the client */
static void probe_service(const struct server_info *si, int fd)
{
	char in[64];

	if (report(si, fd) == 0 && read(fd, in, sizeof(in)) < 0)
		return;
}

/* multi_readable - the client spoke or left: done with it */
static void multi_readable(struct ev *ev, int fd, void *ctx)
{
	char in[64];

	(void)ev;
	(void)ctx;
	if (read(fd, in, sizeof(in)) < 0)
		log_debug("read: %m");
	server_multi_done(fd);
}

/* multi_service - report, then wait in the event loop */
static void multi_service(const struct server_info *si, int fd)
{
	if (report(si, fd) < 0) {
		server_multi_done(fd);
		return;
	}
	ev_read(server_ev(), fd, multi_readable, NULL);
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
	bool trigger = false, fail = false, multi = false;

	for (int i = 1; i < argc; i++) {
		trigger |= strcmp(argv[i], "trigger") == 0;
		fail |= strcmp(argv[i], "fail") == 0;
		multi |= strcmp(argv[i], "multi") == 0;
	}
	return server_main(argc, argv, &(struct server_opts){
		.kind = trigger ? SERVER_TRIGGER : multi ? SERVER_MULTI : SERVER_SINGLE,
		.service = multi ? multi_service : probe_service, .trigger = probe_trigger,
		.post_init = fail ? probe_fail : NULL });
}
