/* queue_id_test - ID syntax (bad input first), format, ordering within a
 * process, and uniqueness across 4 concurrent processes x 5000 IDs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "mem.h"
#include "queue_id.h"
#include "test.h"

enum { PROCS = 4, PER_PROC = 5000 };

/* cmp_id - qsort comparison of fixed-size ID slots */
static int cmp_id(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* child - write PER_PROC new IDs, one per line, to path; never returns */
static void child(const char *path)
{
	FILE *fp = fopen(path, "w");
	char id[QUEUE_ID_SIZE];

	for (int i = 0; fp && i < PER_PROC; i++) {
		queue_id_new(id);
		fprintf(fp, "%s\n", id);
	}
	_exit(fp && fclose(fp) == 0 ? 0 : 1);
}

/* test_concurrent - fork PROCS writers, then look for duplicates */
static void test_concurrent(void)
{
	char (*ids)[QUEUE_ID_SIZE] = xcalloc(PROCS * PER_PROC, QUEUE_ID_SIZE);
	struct buf *path = buf_new(64);
	size_t n = 0, dups = 0;
	pid_t pids[PROCS];

	test_begin("queue_id: 4 processes x 5000 IDs at once: no duplicate");
	for (int p = 0; p < PROCS; p++) {
		buf_reset(path);
		buf_printf(path, "%s/ids.%d", test_datadir(), p);
		if ((pids[p] = fork()) == 0)
			child(buf_str(path));
	}
	for (int p = 0; p < PROCS; p++) {
		int status = -1;
		FILE *fp;

		waitpid(pids[p], &status, 0);
		test_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		buf_reset(path);
		buf_printf(path, "%s/ids.%d", test_datadir(), p);
		fp = fopen(buf_str(path), "r");
		while (fp && n < PROCS * PER_PROC && fscanf(fp, "%20s", ids[n]) == 1)
			test_assert(queue_id_valid(ids[n++]));
		if (fp)
			fclose(fp);
	}
	test_assert(n == PROCS * PER_PROC);
	qsort(ids, n, QUEUE_ID_SIZE, cmp_id);
	for (size_t i = 1; i < n; i++)
		dups += strcmp(ids[i - 1], ids[i]) == 0;
	test_assert(dups == 0);
	test_end();
	free(ids);
	buf_free(&path);
}

/* test_queue_id - every case of this file */
void test_queue_id(void)
{
	static const char *const bad[] = {
		"", "../../etc/passwd", "ABCDEFGHI", "ABCDEFGHIJKLMNOPQRSTU", "ABCDEFGHIJ/",
		"ABCDEFG/IJ", "ABCDEFGHIJ.", "..ABCDEFGHIJ", "ABCDE FGHIJ", "ABCDEFGHIJ\n",
		"ABCDEFGHI\xc3\xa9", "ABCDEFGHIJ-", "ABCDEFGHIJ_",
	};
	static const char *const good[] = { "ABCDEFGHIJ", "0123456789abcdefghij", "3ZwQtr6TcVz7Ljd" };
	char id[QUEUE_ID_SIZE], prev[QUEUE_ID_SIZE];
	struct timeval tv, now;

	test_begin("queue_id: syntax: bad IDs refused, 10-20 of [0-9A-Za-z] accepted");
	test_assert(!queue_id_valid(NULL));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (queue_id_valid(bad[i]))
			test_assert_str(bad[i], "(refused)");
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		test_assert(queue_id_valid(good[i]));
	test_end();

	test_begin("queue_id: new IDs are 18 characters, valid, increasing, carry their time");
	queue_id_new(prev);
	for (int i = 0; i < 20000; i++) {
		queue_id_new(id);
		if (strcmp(prev, id) >= 0) {
			test_assert_str(id, "(greater than the previous ID)");
			break;
		}
		memcpy(prev, id, sizeof(id));
	}
	test_assert(strlen(id) == QUEUE_ID_LEN && queue_id_valid(id));
	gettimeofday(&now, NULL);
	test_assert(queue_id_time(id, &tv));
	test_assert(tv.tv_sec >= now.tv_sec - 2 && tv.tv_sec <= now.tv_sec + 2);
	test_assert(!queue_id_time("ABCDEFGHIJ", &tv));
	test_assert(!queue_id_time("000000zzzz00000000", &tv));	/* microseconds >= 10^6 */
	test_end();

	test_concurrent();
}
