/* conn_count_test - per-key counts across processes: holders are forked
 * children that enter a key and wait until released (or killed); the
 * limit holds across them, keys are exact, a holder's death frees its slot
 * even by kill -9, the last one out removes the file, and no key names a
 * file outside the service's directory.  Many slots: four processes
 * hold 2,500 slots of a key each (a slot is an open of its own), the one
 * past the limit of 10,000 is refused, the slots of a killed one and
 * slots given back are found again, each a different byte (the kernel
 * walks a file's every lock per fcntl: 20,000 took 10 s more here). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conn_count.h"
#include "test.h"

struct holder {
	pid_t pid;
	int release;		/* closing it lets the child leave and exit */
	char rc;		/* '1' held, '0' full, '-' error */
};

/* hold - a child that enters key and holds its slot until released */
static struct holder hold(struct conn_count *cc, const char *key, int limit)
{
	struct holder h = { .pid = -1, .release = -1, .rc = '?' };
	int res[2], rel[2];
	char c;

	if (pipe(res) < 0 || pipe(rel) < 0)
		return h;
	fflush(stdout);
	if ((h.pid = fork()) == 0) {
		struct conn_count_slot s;
		struct buf *why = buf_new(0);
		int rc = conn_count_enter(cc, key, limit, &s, why);

		close(res[0]);
		close(rel[1]);
		c = rc > 0 ? '1' : rc == 0 ? '0' : '-';
		if (write(res[1], &c, 1) != 1 || read(rel[0], &c, 1) != 1)
			_exit(1);
		conn_count_leave(cc, &s);
		_exit(0);
	}
	close(res[1]);
	close(rel[0]);
	if (read(res[0], &h.rc, 1) != 1)
		h.rc = 'x';
	close(res[0]);
	h.release = rel[1];
	return h;
}

/* release - let h leave (or kill it) and reap it; a byte, not EOF, since
 * later children hold copies of the pipe */
static void release(struct holder *h, bool kill_it)
{
	if (kill_it)
		kill(h->pid, SIGKILL);
	else if (write(h->release, "x", 1) != 1)
		kill(h->pid, SIGKILL);
	close(h->release);
	waitpid(h->pid, NULL, 0);
	h->pid = -1;
}

/* exists - the key file name is in the service directory */
static bool exists(const char *dir, const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/test.sessions/%s", dir, name);
	return access(path, F_OK) == 0;
}

/* new_dir - a fresh base directory and its counter */
static struct conn_count *new_dir(const char *leaf, char *dir, size_t size)
{
	struct buf *why = buf_new(0);
	struct conn_count *cc;

	snprintf(dir, size, "%s/%s", test_datadir(), leaf);
	mkdir(dir, 0755);
	cc = conn_count_open(dir, "test", geteuid(), getegid(), why);
	if (cc == NULL)
		printf("#   %s\n", buf_str(why));
	buf_free(&why);
	return cc;
}

static void test_holders(void)
{
	char dir[256], path[512];
	struct conn_count *cc = new_dir("holders", dir, sizeof(dir));
	struct holder h[6];
	struct conn_count_slot s;
	struct buf *why = buf_new(0);
	struct stat sb;

	test_begin("conn_count: concurrent holders in forked children, exact keys, a limit");
	test_assert(cc != NULL);
	for (int i = 0; i < 3; i++)
		h[i] = hold(cc, "192.0.2.1", 3);
	test_assert(h[0].rc == '1' && h[1].rc == '1' && h[2].rc == '1');
	h[3] = hold(cc, "192.0.2.1", 3);
	test_assert(h[3].rc == '0');	/* three others hold all three */
	h[4] = hold(cc, "192.0.2.10", 1);
	test_assert(h[4].rc == '1');	/* another key, its own count */
	test_assert(conn_count_enter(cc, "192.0.2.1", 4, &s, why) == 1);
	test_assert(conn_count_others(&s, 10) == 3 && conn_count_others(&s, 2) == 2);
	conn_count_leave(cc, &s);
	test_assert(s.fd == -1);
	snprintf(path, sizeof(path), "%s/test.sessions", dir);
	test_assert(lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode) && (sb.st_mode & 07777) == 0700);
	test_end();

	test_begin("conn_count: a killed holder's slot is free, the last one out removes the file");
	release(&h[0], true);	/* kill -9: no leave */
	h[5] = hold(cc, "192.0.2.1", 3);
	test_assert(h[5].rc == '1');
	test_assert(exists(dir, "192.0.2.1") && exists(dir, "192.0.2.10"));
	release(&h[1], false);
	release(&h[2], false);
	release(&h[3], false);
	test_assert(exists(dir, "192.0.2.1"));	/* h[5] still holds it */
	release(&h[5], true);
	release(&h[4], false);
	test_assert(!exists(dir, "192.0.2.10"));
	test_assert(exists(dir, "192.0.2.1"));	/* the last holder was killed... */
	test_assert(conn_count_enter(cc, "192.0.2.1", 1, &s, why) == 1);	/* ...its slot is free */
	test_assert(conn_count_others(&s, 10) == 0);
	conn_count_leave(cc, &s);
	test_assert(!exists(dir, "192.0.2.1"));
	test_end();
	conn_count_close(&cc);
	buf_free(&why);
}

/* name_of - the file name key gets (the slot is given back at once) */
static const char *name_of(struct conn_count *cc, const char *key, char *name)
{
	struct conn_count_slot s;
	struct buf *why = buf_new(0);
	int rc = conn_count_enter(cc, key, 1, &s, why);

	snprintf(name, CONN_COUNT_NAME_MAX, "%s", rc == 1 ? s.name : "(refused)");
	conn_count_leave(cc, &s);
	buf_free(&why);
	return name;
}

static void test_names(void)
{
	char dir[256], name[CONN_COUNT_NAME_MAX], long_a[301], long_b[301], path[512];
	struct conn_count *cc = new_dir("names", dir, sizeof(dir));
	struct conn_count_slot s;
	struct buf *why = buf_new(0);

	test_begin("conn_count: keys are file names of the directory, one per key");
	test_assert(cc != NULL);
	test_assert_str(name_of(cc, "2001:db8::1", name), "2001:db8::1");
	test_assert_str(name_of(cc, "joe@example.org,192.0.2.1", name), "joe@example.org,192.0.2.1");
	test_assert_str(name_of(cc, "../escape", name), "%2E.%2Fescape");
	test_assert_str(name_of(cc, "a/b", name), "a%2Fb");
	test_assert_str(name_of(cc, "a%2Fb", name), "a%252Fb");
	test_assert_str(name_of(cc, ".", name), "%2E");
	test_assert_str(name_of(cc, "x y\n", name), "x%20y%0A");
	memset(long_a, 'a', 300);
	long_a[300] = '\0';
	memcpy(long_b, long_a, sizeof(long_b));
	long_b[299] = 'b';
	name_of(cc, long_a, name);
	test_assert(name[0] == '#' && strlen(name) == 65);
	test_assert(strcmp(name, name_of(cc, long_b, path)) != 0);
	snprintf(path, sizeof(path), "%s/escape", dir);
	test_assert(access(path, F_OK) < 0);
	test_assert(conn_count_enter(cc, "", 1, &s, why) == -1 && s.fd == -1);
	test_assert(conn_count_enter(cc, "k", 0, &s, why) == -1);
	snprintf(path, sizeof(path), "%s/test.sessions/planted", dir);
	test_assert(symlink("/etc/passwd", path) == 0);
	buf_reset(why);
	test_assert(conn_count_enter(cc, "planted", 1, &s, why) == -1 && s.fd == -1);
	test_assert(strstr(buf_str(why), "test.sessions/planted") != NULL);
	test_assert(conn_count_open(dir, "../x", geteuid(), getegid(), why) == NULL);
	test_assert(conn_count_open(dir, ".x", geteuid(), getegid(), why) == NULL);
	test_end();
	conn_count_close(&cc);
	buf_free(&why);
}

enum { MANY = 10000, GROUPS = 4, GROUP = MANY / GROUPS };

/* enter_all - n slots of key taken in this process: how many held, each
 * a byte none of seen's held before */
static int enter_all(struct conn_count *cc, struct conn_count_slot *s, int n, unsigned char *seen)
{
	struct buf *why = buf_new(0);
	int held = 0;

	for (int i = 0; i < n; i++)
		if (conn_count_enter(cc, "joe/192.0.2.1", MANY, &s[i], why) == 1 && !seen[s[i].slot]++)
			held++;
	buf_free(&why);
	return held;
}

/* hold_group - a child that takes GROUP slots of the key and holds them
 * until killed; how many it got, in *held */
static pid_t hold_group(struct conn_count *cc, int *held)
{
	int res[2];
	pid_t pid;

	*held = -1;
	if (pipe(res) < 0)
		return -1;
	fflush(stdout);
	if ((pid = fork()) == 0) {
		struct conn_count_slot *s = calloc(GROUP, sizeof(*s));
		unsigned char *seen = calloc(MANY, 1);
		int n = s && seen ? enter_all(cc, s, GROUP, seen) : -1;

		close(res[0]);
		if (write(res[1], &n, sizeof(n)) != sizeof(n))
			_exit(1);
		pause();
		_exit(0);
	}
	close(res[1]);
	if (pid > 0 && read(res[0], held, sizeof(*held)) != sizeof(*held))
		*held = -1;
	close(res[0]);
	return pid;
}

/* refused - one more session of the key is refused (in this process) */
static bool refused(struct conn_count *cc)
{
	struct conn_count_slot s;
	struct buf *why = buf_new(0);
	int rc = conn_count_enter(cc, "joe/192.0.2.1", MANY, &s, why);

	conn_count_leave(cc, &s);
	buf_free(&why);
	return rc == 0;
}

static void test_many(void)
{
	char dir[256];
	struct conn_count *cc = new_dir("many", dir, sizeof(dir));
	struct conn_count_slot *s = calloc(GROUP, sizeof(*s));
	unsigned char *seen = calloc(MANY, 1);
	pid_t pid[GROUPS];
	int held[GROUPS];
	struct holder h;

	test_begin("conn_count: 10,000 slots of a key, 2,500 per process, then the key is full");
	test_assert(cc != NULL && s && seen);
	for (int i = 0; i < GROUPS; i++) {
		pid[i] = hold_group(cc, &held[i]);
		test_assert(pid[i] > 0 && held[i] == GROUP);
	}
	test_assert(refused(cc));
	h = hold(cc, "joe/192.0.2.1", MANY);
	test_assert(h.rc == '0');
	release(&h, false);
	test_end();

	test_begin("conn_count: a killed holder's 2,500 slots are taken again, each once");
	kill(pid[1], SIGKILL);
	waitpid(pid[1], NULL, 0);
	test_assert(enter_all(cc, s, GROUP, seen) == GROUP);
	test_assert(conn_count_others(&s[0], 10) == 10);
	test_assert(refused(cc));
	test_end();

	test_begin("conn_count: slots given back are found again, the last one out removes the file");
	for (int i = 100; i < GROUP; i += 250) {
		seen[s[i].slot] = 0;
		conn_count_leave(cc, &s[i]);
	}
	for (int i = 100; i < GROUP; i += 250)
		test_assert(enter_all(cc, s + i, 1, seen) == 1);
	test_assert(refused(cc));
	for (int i = 0; i < GROUPS; i++)
		if (i != 1) {
			kill(pid[i], SIGKILL);
			waitpid(pid[i], NULL, 0);
		}
	for (int i = 0; i < GROUP; i++)
		conn_count_leave(cc, &s[i]);
	test_assert(!exists(dir, "joe%2F192.0.2.1"));
	test_end();
	conn_count_close(&cc);
	free(s);
	free(seen);
}

void test_conn_count(void)
{
	test_holders();
	test_names();
	test_many();
}
