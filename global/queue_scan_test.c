/* queue_scan_test - a queue directory holding queue IDs, a dot file, a
 * name that is no ID and a subdirectory: QUEUE_SCAN_IDS returns the IDs
 * only, flags 0 every name but "." and ".."; max bounds the entries read,
 * skipped ones included; queue_scan_ids sorts; the directory's fd serves
 * openat(); a missing directory is -1/NULL with ENOENT. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "queue_scan.h"
#include "test.h"

static const char *const names[] = { "3ZZZZZZZZZZZZZZZZZ", "1AAAAAAAAAAAAAAAAA", ".hidden",
				     "not-an-id!", "2MMMMMMMMMMMMMMMMM", NULL };

/* make_dir - a directory with names[] as files and a subdirectory "sub" */
static char *make_dir(void)
{
	struct buf *b = buf_new(64), *f = buf_new(64);

	buf_printf(b, "%s/queue_scan", test_datadir());
	mkdir(buf_str(b), 0700);
	for (size_t i = 0; names[i]; i++) {
		buf_reset(f);
		buf_printf(f, "%s/%s", buf_str(b), names[i]);
		close(open(buf_str(f), O_WRONLY | O_CREAT, 0600));
	}
	buf_reset(f);
	buf_printf(f, "%s/sub", buf_str(b));
	mkdir(buf_str(f), 0700);
	buf_free(&f);
	return buf_steal(&b);
}

/* by_name - qsort order */
static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* walk - the names a walk returns, sorted, joined by spaces; *n_r: how many */
static char *walk(const char *dir, int flags, size_t max, size_t *n_r)
{
	struct queue_scan qs;
	struct strv *v = strv_new();
	const char *name;
	char *joined;

	if (queue_scan_open(&qs, dir, flags, max) == 0) {
		while ((name = queue_scan_next(&qs)) != NULL)
			strv_add(v, name);
		queue_scan_close(&qs);
	}
	qsort(v->items, v->len, sizeof(*v->items), by_name);
	joined = strv_join(v, " ");
	*n_r = v->len;
	strv_free(&v);
	return joined;
}

/* test_queue_scan - every case of this file */
void test_queue_scan(void)
{
	char *dir = make_dir(), *got;
	struct queue_scan qs;
	struct strv *ids;
	const char *name;
	size_t n;
	int fd;

	test_begin("queue_scan: QUEUE_SCAN_IDS returns the queue IDs only");
	got = walk(dir, QUEUE_SCAN_IDS, 0, &n);
	test_assert_str(got, "1AAAAAAAAAAAAAAAAA 2MMMMMMMMMMMMMMMMM 3ZZZZZZZZZZZZZZZZZ");
	free(got);
	test_end();

	test_begin("queue_scan: flags 0 returns every name but . and ..");
	got = walk(dir, 0, 0, &n);
	test_assert_str(got, ".hidden 1AAAAAAAAAAAAAAAAA 2MMMMMMMMMMMMMMMMM 3ZZZZZZZZZZZZZZZZZ not-an-id! sub");
	free(got);
	test_end();

	test_begin("queue_scan: max bounds the entries read, the skipped ones included");
	free(walk(dir, 0, 3, &n));
	test_assert(n >= 1 && n <= 3);
	free(walk(dir, QUEUE_SCAN_IDS, 8, &n));
	test_assert(n == 3);	/* 8 entries: ., .., 5 files, sub */
	free(walk(dir, 0, 8, &n));
	test_assert(n == 6);
	free(walk(dir, QUEUE_SCAN_IDS, 1, &n));
	test_assert(n <= 1);
	test_end();

	test_begin("queue_scan_ids: sorted; the directory's fd serves openat()");
	ids = queue_scan_ids(dir);
	test_assert(ids && ids->len == 3);
	test_assert(ids && strcmp(ids->items[0], "1AAAAAAAAAAAAAAAAA") == 0
		    && strcmp(ids->items[2], "3ZZZZZZZZZZZZZZZZZ") == 0);
	strv_free(&ids);
	test_assert(queue_scan_open(&qs, dir, QUEUE_SCAN_IDS, 0) == 0);
	name = queue_scan_next(&qs);
	fd = name ? openat(queue_scan_dirfd(&qs), name, O_RDONLY) : -1;
	test_assert(fd >= 0);
	if (fd >= 0)
		close(fd);
	queue_scan_close(&qs);
	test_end();

	test_begin("queue_scan: a missing directory: -1 or NULL with ENOENT, next and close harmless");
	struct buf *none = buf_new(64);
	buf_printf(none, "%s/none", dir);
	errno = 0;
	test_assert(queue_scan_open(&qs, buf_str(none), QUEUE_SCAN_IDS, 0) == -1 && errno == ENOENT);
	test_assert(queue_scan_next(&qs) == NULL && queue_scan_dirfd(&qs) == -1);
	queue_scan_close(&qs);
	errno = 0;
	test_assert(queue_scan_ids(buf_str(none)) == NULL && errno == ENOENT);
	buf_free(&none);
	test_end();
	free(dir);
}
