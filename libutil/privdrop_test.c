/* privdrop_test - the post-login switch: privdrop_login refuses root and
 * uids below first_valid_uid, and otherwise leaves a process with exactly
 * the user's ids, only its group, and no way back to root.  Every attempt
 * runs in a forked child (as root it really switches); the child reports
 * what it found in its exit status.  The switch itself needs root: without
 * it that case is reported as skipped. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "privdrop.h"
#include "test.h"

enum { UID = 54321, GID = 54322, FIRST_VALID = 1000 };

/* in_child - fn's exit status in a forked child, -1 if it died */
static int in_child(int (*fn)(void *), void *arg)
{
	pid_t pid;
	int status;

	fflush(stdout);
	if ((pid = fork()) == 0) {
		status = fn(arg);
		fflush(stdout);
		_exit(status);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

struct attempt {
	uid_t uid;
	gid_t gid;
	const char *want;	/* in the reason */
};

/* refused - 0 when privdrop_login refuses a and says why, with the
 * process still root (or whoever ran the test) */
static int refused(void *arg)
{
	const struct attempt *a = arg;
	struct buf *why = buf_new(0);
	struct privdrop pd;
	uid_t before = geteuid();

	if (privdrop_ids(&pd, a->uid, a->gid, "victim", NULL, why) < 0)
		return 1;
	if (privdrop_login(&pd, FIRST_VALID, why) == 0)
		return 2;
	if (strstr(buf_str(why), a->want) == NULL) {
		printf("#   reason: %s\n", buf_str(why));
		return 3;
	}
	return geteuid() == before ? 0 : 4;
}

static void test_refusals(void)
{
	static const struct attempt cases[] = {
		{ 0, GID, "uid 0 (root) is not allowed" },
		{ UID, 0, "gid 0 (root) is not allowed" },
		{ FIRST_VALID - 1, GID, "uid 999 is below first_valid_uid (1000)" },
		{ 1, 1, "uid 1 is below first_valid_uid (1000)" },
	};

	test_begin("privdrop_login: uid 0, gid 0 and uids below first_valid_uid are refused");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = in_child(refused, (void *)&cases[i]);

		if (rc != 0)
			printf("#   case %zu: child said %d\n", i, rc);
		test_assert(rc == 0);
	}
	test_end();
}

/* switched - 0 when the process runs as UID:GID, in group GID only, and
 * can neither become root again nor take back the root group */
static int switched(void *arg)
{
	struct buf *why = buf_new(0);
	struct privdrop pd;
	uid_t r, e, s;
	gid_t rg, eg, sg, groups[8];
	int n;

	(void)arg;
	if (privdrop_ids(&pd, UID, GID, "uid 54321", NULL, why) < 0 ||
	    privdrop_login(&pd, FIRST_VALID, why) < 0) {
		printf("#   switch: %s\n", buf_str(why));
		return 1;
	}
	if (getresuid(&r, &e, &s) < 0 || r != UID || e != UID || s != UID)
		return 2;
	if (getresgid(&rg, &eg, &sg) < 0 || rg != GID || eg != GID || sg != GID)
		return 3;
	if ((n = getgroups(8, groups)) != 1 || groups[0] != GID)
		return 4;
	if (setuid(0) == 0 || errno != EPERM || seteuid(0) == 0 || setgid(0) == 0 || setegid(0) == 0)
		return 5;
	return 0;
}

static void test_switch(void)
{
	int rc;

	if (geteuid() != 0) {
		printf("ok - privdrop_login switches for good # SKIP needs root\n");
		return;
	}
	test_begin("privdrop_login: the user's uid and gid for good, no other group, root out of reach");
	rc = in_child(switched, NULL);
	if (rc != 0)
		printf("#   child said %d\n", rc);
	test_assert(rc == 0);
	test_end();
}

void test_privdrop(void)
{
	test_refusals();
	test_switch();
}
