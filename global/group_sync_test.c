/* group_sync_test - the group commit rule: an fsync of the directory that
 * began after a change covers it, one that began before does not; the
 * counters are shared with a forked process; without the page every call
 * is an fsync; "alone" means no other change waits for an fsync. */
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "group_sync.h"
#include "test.h"

void test_group_sync(void)
{
	char dir[4096], file[4200];
	uint64_t t1, t2, t3;
	int page = group_sync_page_new();
	pid_t child;

	snprintf(dir, sizeof(dir), "%s/group_sync", test_datadir());
	mkdir(dir, 0700);
	snprintf(file, sizeof(file), "%s/file", dir);	/* the directory that holds it */
	test_begin("group_sync: ticket 0 (no page) is a plain fsync");
	test_assert(group_sync_dir_of(file, 0) == 0);
	test_end();

	test_begin("group_sync: an fsync that began after a change covers it, not an earlier one");
	test_assert(page >= 0 && group_sync_attach(page) == 0);
	t1 = group_sync_note();
	test_assert(t1 == 1);
	test_assert(group_sync_dir_of(file, t1) == 0);
	t2 = group_sync_note();
	t3 = group_sync_note();
	test_assert(t2 == 2 && t3 == 3);
	test_assert(group_sync_dir_of(file, t3) == 0);	/* covers 2 and 3 */
	test_assert(group_sync_dir_of(file, t2) == 1);
	test_assert(group_sync_dir_of(file, t1) == 1);
	t1 = group_sync_note();		/* after every fsync so far: needs its own */
	test_assert(group_sync_dir_of(file, t1) == 0);
	test_assert(group_sync_dir_of(file, 99) == 0);	/* a ticket nobody noted yet */
	test_end();

	test_begin("group_sync: another process's fsync covers our earlier change");
	t1 = group_sync_note();
	if ((child = fork()) == 0) {
		uint64_t t = group_sync_note();

		_exit(group_sync_dir_of(file, t) == 0 ? 0 : 1);
	}
	test_assert(child > 0);
	{
		int st = -1;

		test_assert(waitpid(child, &st, 0) == child && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	test_assert(group_sync_dir_of(file, t1) == 1);
	test_end();

	test_begin("group_sync: alone when every earlier change is synced, not while one waits");
	t1 = group_sync_note();
	test_assert(group_sync_alone(t1));
	t2 = group_sync_note();
	test_assert(!group_sync_alone(t2));	/* t1's change waits for an fsync */
	test_assert(group_sync_dir_of(file, t2) == 0);
	t3 = group_sync_note();
	test_assert(group_sync_alone(t3));
	test_assert(group_sync_note() == t3 + 1 && !group_sync_alone(t3));	/* one came after it */
	test_assert(group_sync_alone(0));	/* no page: always */
	test_end();
	close(page);
}
