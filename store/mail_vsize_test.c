/* mail_vsize_test - the virtual size: bare LF, CRLF, a lone CR, LF at
 * the very start, a CR ending one piece and LF starting the next (by
 * hand and at every split point), and files read again: empty, a CRLF
 * across the read buffer's edge, a file bigger than the buffer, the
 * limit (EFBIG), the file offset left alone, a bad descriptor. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mail_vsize.h"
#include "test.h"

/* vsize_of - the count of one piece */
static off_t vsize_of(const char *s)
{
	struct mail_vsize v = { 0 };

	mail_vsize_add(&v, s, strlen(s));
	return v.vsize;
}

/* test_pieces - counting in memory */
static void test_pieces(void)
{
	const char *msg = "a\r\nb\nc\r\r\n\nd\re\n";
	size_t len = strlen(msg);

	test_begin("mail_vsize_add");
	test_assert(vsize_of("") == 0);
	test_assert(vsize_of("abc") == 3);
	test_assert(vsize_of("\n") == 2);
	test_assert(vsize_of("\r\n") == 2);
	test_assert(vsize_of("\r") == 1);
	test_assert(vsize_of("a\nb\n") == 6);
	test_assert(vsize_of("\n\n") == 4);
	test_assert(vsize_of("\r\r\n") == 3);
	test_assert(vsize_of(msg) == (off_t)len + 3);
	for (size_t cut = 0; cut <= len; cut++) {
		struct mail_vsize v = { 0 };

		mail_vsize_add(&v, msg, cut);
		mail_vsize_add(&v, msg + cut, len - cut);
		test_assert(v.size == (off_t)len && v.vsize == (off_t)len + 3);
	}
	{
		struct mail_vsize v = { 0 };

		mail_vsize_add(&v, "x\r", 2);
		mail_vsize_add(&v, "", 0);
		mail_vsize_add(&v, "\ny\n", 3);
		test_assert(v.vsize == 6 && v.size == 5 && !v.last_cr);
	}
	test_end();
}

/* file_with - a scratch file holding len bytes of s repeated; its fd */
static int file_with(const char *name, const char *s, size_t len)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/vsize-%s", test_datadir(), name);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	for (size_t off = 0, n = strlen(s); fd >= 0 && off < len; off += n)
		if (write(fd, s, len - off < n ? len - off : n) < 0)
			break;
	return fd;
}

/* test_files - counting a stored file */
static void test_files(void)
{
	off_t vs = -1;
	int fd;

	test_begin("mail_vsize_fd");
	fd = file_with("empty", "", 0);
	test_assert(mail_vsize_fd(fd, 0, &vs) == 0 && vs == 0);
	close(fd);
	/* CR the last byte of the first read, LF the first of the second */
	fd = file_with("edge", "x", MAIL_VSIZE_BUF - 1);
	test_assert(write(fd, "\r\n\n", 3) == 3);
	test_assert(mail_vsize_fd(fd, 0, &vs) == 0 && vs == MAIL_VSIZE_BUF + 3);
	test_assert(lseek(fd, 0, SEEK_CUR) == MAIL_VSIZE_BUF + 2);	/* offset kept */
	close(fd);
	fd = file_with("big", "line\n", 5 * 10000);
	test_assert(mail_vsize_fd(fd, 0, &vs) == 0 && vs == 6 * 10000);
	test_assert(mail_vsize_fd(fd, 5 * 10000, &vs) == 0);
	errno = 0;
	test_assert(mail_vsize_fd(fd, 5 * 10000 - 1, &vs) == -1 && errno == EFBIG);
	close(fd);
	test_assert(mail_vsize_fd(-1, 0, &vs) == -1 && errno == EBADF);
	test_end();
}

/* test_mail_vsize - all of the above */
void test_mail_vsize(void)
{
	test_pieces();
	test_files();
}
