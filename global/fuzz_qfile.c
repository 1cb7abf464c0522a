/* fuzz_qfile - libFuzzer target for the queue file reader.  The input is
 * written to a temporary file of mode 0700 which qfile_open validates.
 * For a file it accepts, the content is read back and must add up to the
 * size the checked 'C' record claims; then every recipient is marked done
 * and the file must reopen as valid with all of them done. */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "qfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* walk - read the content; the byte count with "\n" line ends, or -1 */
static long walk(struct qfile *qf, struct buf *why)
{
	const char *line;
	size_t len;
	bool partial;
	long total = 0;
	int rc;

	if (qfile_content_begin(qf, why) != 0)
		return -1;
	while ((rc = qfile_content_next(qf, &line, &len, &partial, why)) == 1)
		total += (long)len + !partial;
	return rc == 0 ? total : -1;
}

/* check_done - reopen: valid, and every recipient done */
static void check_done(const char *path, struct buf *why)
{
	int status = 0;
	struct qfile *qf = qfile_open(path, 0, &status, why);

	if (qf == NULL || qfile_rcpts_pending(qf) != 0)
		log_panic("after mark_done: %s", qf ? "recipients pending" : buf_str(why));
	qfile_close(&qf);
}

static char path[] = "/tmp/fuzz_qfile.XXXXXX";

/* remove_tmp - at exit, remove the temporary file */
static void remove_tmp(void)
{
	unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	struct buf *why = buf_new(0);
	struct qfile *qf;
	int status = 0;
	size_t n;

	if (fd < 0) {
		log_open(0, NULL, LOG_FORMAT_TEXT, NULL, NULL);
		if ((fd = mkstemp(path)) < 0 || fchmod(fd, 0700) < 0)
			log_panic("mkstemp: %m");
		atexit(remove_tmp);
	}
	if (ftruncate(fd, 0) < 0 || (size && pwrite(fd, data, size, 0) != (ssize_t)size))
		log_panic("write %s: %m", path);
	qf = qfile_open(path, QFILE_RDWR, &status, why);
	if (qf) {
		if (walk(qf, why) != qfile_sizes(qf)->content_size)
			log_panic("content does not match the checked size: %s", buf_str(why));
		(void)qfile_attr(qf, "client_address");
		qfile_rcpts(qf, &n);
		for (size_t i = 0; i < n; i++)
			if (qfile_mark_done(qf, i, why) != 0)
				log_panic("mark_done: %s", buf_str(why));
		qfile_close(&qf);
		check_done(path, why);
	} else if (status != QFILE_CORRUPT) {
		log_panic("status %d for a file in place: %s", status, buf_str(why));
	}
	buf_free(&why);
	return 0;
}
