/* shm_counters_test - one key is one slot for every process that maps the
 * region; updates from processes at once all count; a full table and an
 * over-long key give NULL, and so do slots left claimed, after a bounded
 * wait; attach refuses what is not a sealed region;
 * the reader returns only clean keys and skips raw garbage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "shm_counters.h"
#include "test.h"

enum { ADDS = 20000, CHILDREN = 3 };

/* attach - a new mapping of fd, as another process would have */
static struct shm_counters *attach(int fd)
{
	const char *err = NULL;
	struct shm_counters *r = shm_counters_attach(fd, &err);

	test_assert(r != NULL);
	return r;
}

static void test_same_slot(int fd)
{
	struct shm_counters *a = attach(fd), *b = attach(fd);
	_Atomic uint64_t *va, *vb;
	char key[SHM_COUNTERS_KEY_MAX];
	uint64_t v;
	size_t found = 0;
	int rc;

	test_begin("shm_counters: a key claimed in one mapping is found by another");
	va = shm_counters_slot(a, "x_total{a=\"1\"}");
	test_assert(va != NULL);
	atomic_fetch_add(va, 5);
	vb = shm_counters_slot(b, "x_total{a=\"1\"}");
	test_assert(vb != NULL && atomic_load(vb) == 5);
	test_assert(shm_counters_slot(b, "x_total{a=\"2\"}") != vb);
	test_assert(shm_counters_slot(a, "x_total{a=\"1\"}") == va);	/* cached */
	for (size_t i = 0; (rc = shm_counters_read(b, i, key, &v)) >= 0; i++)
		if (rc == 1 && strcmp(key, "x_total{a=\"1\"}") == 0 && v == 5)
			found++;
	test_assert(found == 1);
	shm_counters_detach(&a);
	shm_counters_detach(&b);
	test_assert(a == NULL);
	test_end();
}

/* adder - a child: ADDS increments of two keys, one new to each child */
static void adder(int fd, int n)
{
	struct shm_counters *r = attach(fd);
	char key[32];

	snprintf(key, sizeof(key), "child_%d", n);
	for (int i = 0; i < ADDS; i++) {
		atomic_fetch_add(shm_counters_slot(r, "shared_total"), 1);
		atomic_fetch_add(shm_counters_slot(r, key), 1);
	}
	_exit(0);
}

static void test_processes(int fd)
{
	struct shm_counters *r;
	pid_t pids[CHILDREN];
	int status, ok = 0;

	test_begin("shm_counters: processes adding at once lose nothing");
	for (int i = 0; i < CHILDREN; i++)
		if ((pids[i] = fork()) == 0)
			adder(fd, i);
	for (int i = 0; i < CHILDREN; i++)
		ok += waitpid(pids[i], &status, 0) == pids[i] && WIFEXITED(status) && WEXITSTATUS(status) == 0;
	test_assert(ok == CHILDREN);
	r = attach(fd);
	test_assert(atomic_load(shm_counters_slot(r, "shared_total")) == (uint64_t)CHILDREN * ADDS);
	test_assert(atomic_load(shm_counters_slot(r, "child_0")) == ADDS);
	test_assert(atomic_load(shm_counters_slot(r, "child_2")) == ADDS);
	shm_counters_detach(&r);
	test_end();
}

static void test_limits(void)
{
	int fd = shm_counters_create("test");
	struct shm_counters *r = attach(fd);
	char key[SHM_COUNTERS_KEY_MAX + 1];
	size_t n = shm_counters_nslots(r), got = 0;

	test_begin("shm_counters: a key too long, an empty one, a full table");
	memset(key, 'k', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	test_assert(shm_counters_slot(r, key) == NULL);
	key[SHM_COUNTERS_KEY_MAX - 1] = '\0';	/* the longest that fits */
	test_assert(shm_counters_slot(r, key) != NULL);
	test_assert(shm_counters_slot(r, "") == NULL);
	for (size_t i = 0; i < n + 5; i++) {
		snprintf(key, sizeof(key), "k%zu", i);
		got += shm_counters_slot(r, key) != NULL;
	}
	test_assert(got == n - 1);	/* the long key has one */
	shm_counters_detach(&r);
	close(fd);
	test_end();
}

static void test_garbage(void)
{
	int fd = shm_counters_create("test");
	struct shm_counters *r = attach(fd);
	unsigned char raw[128];
	char key[SHM_COUNTERS_KEY_MAX];
	uint64_t v;
	size_t clean = 0;
	int rc;

	test_begin("shm_counters_read: only ready slots with clean keys");
	memset(raw, 0, sizeof(raw));
	raw[0] = 2;				/* ready */
	memcpy(raw + 16, "bad\x01key", 8);	/* a control byte */
	shm_counters_poke(r, 0, raw, sizeof(raw));
	memset(raw + 16, 'a', sizeof(raw) - 16);	/* no NUL */
	shm_counters_poke(r, 1, raw, sizeof(raw));
	memcpy(raw + 16, "\xc3\xa9t\xc3\xa9", 6);	/* not ASCII */
	raw[22] = '\0';
	shm_counters_poke(r, 2, raw, sizeof(raw));
	raw[0] = 7;				/* no such state */
	memcpy(raw + 16, "fine", 5);
	shm_counters_poke(r, 3, raw, sizeof(raw));
	raw[0] = 2;
	shm_counters_poke(r, 4, raw, sizeof(raw));	/* this one is clean */
	for (size_t i = 0; (rc = shm_counters_read(r, i, key, &v)) >= 0; i++)
		if (rc == 1) {
			clean++;
			test_assert_str(key, "fine");
		}
	test_assert(clean == 1);
	shm_counters_detach(&r);
	close(fd);
	test_end();
}

static void test_stuck_claims(void)
{
	int fd = shm_counters_create("test");
	struct shm_counters *r = attach(fd);
	unsigned char raw[128] = { 1 };		/* claimed, never finished */
	time_t start = time(NULL);

	test_begin("shm_counters: slots left claimed cost a bounded wait, then NULL");
	for (size_t i = 0; i < shm_counters_nslots(r); i++)
		shm_counters_poke(r, i, raw, sizeof(raw));
	test_assert(shm_counters_slot(r, "any_key") == NULL);
	test_assert(shm_counters_slot(r, "another_key") == NULL);
	test_assert(time(NULL) - start < 5);
	shm_counters_detach(&r);
	close(fd);
	test_end();
}

static void test_attach_refuses(void)
{
	int fds[2];
	const char *err = NULL;
	int fd = memfd_create("unsealed", MFD_CLOEXEC);

	test_begin("shm_counters_attach: not a sealed region of the right size");
	test_assert(ftruncate(fd, SHM_COUNTERS_SIZE) == 0);
	test_assert(shm_counters_attach(fd, &err) == NULL && err != NULL);
	test_assert(pipe(fds) == 0);
	test_assert(shm_counters_attach(fds[0], &err) == NULL);
	close(fds[0]);
	close(fds[1]);
	close(fd);
	test_end();
}

void test_shm_counters(void)
{
	int fd = shm_counters_create("test");

	test_assert(fd >= 0);
	test_same_slot(fd);
	test_processes(fd);
	close(fd);
	test_limits();
	test_garbage();
	test_stuck_claims();
	test_attach_refuses();
}
