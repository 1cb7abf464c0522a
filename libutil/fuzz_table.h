/* fuzz_table - shared input scheme of the table fuzz targets (fuzz only).
 *
 * The input is "TABLE TEXT \0 KEY": everything before the first NUL byte
 * is written to an in-memory file (memfd) whose /proc/self/fd path the
 * target opens as a table; the bytes after it, up to the next NUL, are a
 * lookup key (empty when the input has no NUL).  Files are never created.
 */
#ifndef HATO_FUZZ_TABLE_H
#define HATO_FUZZ_TABLE_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"

/* fuzz_table_split - write the table part to a memfd; fill path and key */
static inline void fuzz_table_split(const uint8_t *data, size_t size, struct buf *path,
				    struct buf *key)
{
	static int fd = -1;
	const uint8_t *nul = memchr(data, 0, size);
	size_t tlen = nul ? (size_t)(nul - data) : size;

	if (fd < 0) {
		log_open(0, NULL, LOG_FORMAT_TEXT, NULL, NULL);
		if ((fd = memfd_create("fuzz-table", MFD_CLOEXEC)) < 0)
			log_panic("memfd_create: %m");
	}
	if (ftruncate(fd, 0) < 0 || (tlen && pwrite(fd, data, tlen, 0) != (ssize_t)tlen))
		log_panic("write memfd: %m");
	buf_reset(path);
	buf_printf(path, "/proc/self/fd/%d", fd);
	buf_reset(key);
	if (nul) {
		const uint8_t *k = nul + 1, *end = memchr(k, 0, size - tlen - 1);

		buf_add(key, k, end ? (size_t)(end - k) : size - tlen - 1);
	}
}

#endif
