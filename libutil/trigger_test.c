/* trigger_test - wakeups into a FIFO and a UNIX socket arrive; a FIFO
 * nobody reads, a missing path, a plain file and a symlink are refused. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "test.h"
#include "trigger.h"

/* path_of - DIR/name in out */
static const char *path_of(char out[256], const char *name)
{
	snprintf(out, 256, "%s/trigger-%s", test_datadir(), name);
	return out;
}

void test_trigger(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char fifo[256], sock[256], file[256], link_[256], byte = 0;
	int rfd, lfd, cfd;

	test_begin("trigger_send: FIFO and UNIX socket, and what is refused");
	test_assert(trigger_send(path_of(fifo, "missing"), "W", 1) < 0 && errno == ENOENT);
	test_assert(mkfifo(path_of(fifo, "fifo"), 0600) == 0);
	test_assert(trigger_send(fifo, "W", 1) < 0);		/* nobody reads it */
	rfd = open(fifo, O_RDONLY | O_NONBLOCK);
	test_assert(rfd >= 0 && trigger_send(fifo, "A", 1) == 0);
	test_assert(read(rfd, &byte, 1) == 1 && byte == 'A');
	close(rfd);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path_of(sock, "sock"));
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	test_assert(lfd >= 0 && bind(lfd, (struct sockaddr *)&sun, sizeof(sun)) == 0 && listen(lfd, 1) == 0);
	test_assert(trigger_send(sock, "W", 1) == 0);
	cfd = accept(lfd, NULL, NULL);
	test_assert(cfd >= 0 && read(cfd, &byte, 1) == 1 && byte == 'W');
	close(cfd);
	close(lfd);
	test_assert(trigger_send(sock, "W", 1) < 0);		/* nobody listens */
	close(open(path_of(file, "file"), O_WRONLY | O_CREAT, 0600));
	test_assert(trigger_send(file, "W", 1) < 0 && errno == EINVAL);
	test_assert(symlink(fifo, path_of(link_, "link")) == 0);
	test_assert(trigger_send(link_, "W", 1) < 0 && errno == ELOOP);
	test_end();
}
