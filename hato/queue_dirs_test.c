/* queue_dirs_test - the queue tree hato init makes and hato check checks. */
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "queue_dirs.h"
#include "test.h"

/* test_queue_dirs - create, check, break, check again */
void test_queue_dirs(void)
{
	struct passwd *pw = getpwuid(geteuid());
	struct queue_owners o;
	struct buf *why = buf_new(0), *report = buf_new(0);
	char q[512], p[600];

	test_begin("queue_dirs: create, then check finds each difference");
	snprintf(q, sizeof(q), "%s/queue", test_datadir());
	test_assert(pw != NULL);
	if (pw && queue_dirs_owners(pw->pw_name, "root", &o, why) == 0) {
		o.setgid_gid = getegid();
		test_assert(queue_dirs_create(q, &o, why) == 0);
		test_assert(queue_dirs_check(q, &o, report) == 0);
		snprintf(p, sizeof(p), "%s/maildrop", q);
		chmod(p, 0777);
		snprintf(p, sizeof(p), "%s/hold", q);
		rmdir(p);
		test_assert(queue_dirs_check(q, &o, report) == 2);
		test_assert(strstr(buf_str(report), "/maildrop: mode 0777, should be 1730") != NULL);
		test_assert(strstr(buf_str(report), "/hold: missing") != NULL);
		test_assert(symlink("/tmp", p) == 0);
		test_assert(queue_dirs_create(q, &o, why) == -1);
		test_assert(strstr(buf_str(why), "not a directory") != NULL);
	}
	test_assert(queue_dirs_owners("no-such-user-hato", "root", &o, why) == -1);
	test_assert(strstr(buf_str(why), "useradd") != NULL);
	buf_free(&why);
	buf_free(&report);
	test_end();
}

