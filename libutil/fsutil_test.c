/* fsutil_test - fsutil_pread_all: a range appended whole, a range past
 * the end refused with errno 0 and the buffer as it was. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "fsutil.h"
#include "test.h"

void test_fsutil(void)
{
	char *path = test_tmpfile("0123456789");
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct buf *b = buf_new(4);

	test_begin("fsutil_pread_all: a range appended, one past the end refused");
	buf_cat(b, "x");
	test_assert(fd >= 0 && fsutil_pread_all(fd, 3, 4, b) == 0);
	test_assert_str(buf_str(b), "x3456");
	test_assert(fsutil_pread_all(fd, 8, 4, b) == -1 && errno == 0);
	test_assert_str(buf_str(b), "x3456");
	test_assert(fsutil_pread_all(fd, 0, 0, b) == 0 && buf_len(b) == 5);
	test_end();
	if (fd >= 0)
		close(fd);
	unlink(path);
	free(path);
	buf_free(&b);

	test_begin("fsutil_exe_dir: the directory of the running program, appended");
	b = buf_new(16);
	buf_cat(b, "x:");
	test_assert(fsutil_exe_dir(b) == 0);
	test_assert(strncmp(buf_str(b), "x:/", 3) == 0);
	test_assert(buf_len(b) > 5 && strcmp(buf_str(b) + buf_len(b) - 5, "/asan") == 0);	/* build/asan/unit */
	buf_free(&b);
	test_end();
}