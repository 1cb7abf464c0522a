/* fuzz_mime_parts - libFuzzer target for mime_parts: the input as a
 * message file (through a memfd), whose parts must hold together (the
 * message first at depth 0, each part at most one deeper than the one
 * before, headers and bodies inside the file, lines no more than the
 * file's) and survive an encode and decode unchanged; and the input as
 * a serialisation, which decodes or is refused, never read past. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mime_parts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* check_parts - the invariants of parts read from a file of size bytes */
static void check_parts(const struct mime_parts *p, size_t size)
{
	if (p->len == 0 || p->parts[0].kind != MIME_PART_MESSAGE || p->parts[0].depth != 0)
		abort();
	for (size_t i = 0; i < p->len; i++) {
		const struct mime_part *m = &p->parts[i];

		if (i && (m->depth == 0 || m->depth > p->parts[i - 1].depth + 1))
			abort();
		if (m->hdr_offset + m->hdr_size + m->body_size > size || m->body_lines > size + 1
		    || m->hdr_vsize < m->hdr_size || m->body_vsize < m->body_size)
			abort();
	}
}

/* round_trip - encode, decode, encode: the same bytes */
static void round_trip(const struct mime_parts *p)
{
	struct buf *a = buf_new(256), *b = buf_new(256);
	struct mime_parts *q = NULL;

	mime_parts_encode(p, a);
	if (mime_parts_decode(buf_str(a), buf_len(a), &q) != 0)
		abort();
	mime_parts_encode(q, b);
	if (buf_len(a) != buf_len(b) || memcmp(buf_str(a), buf_str(b), buf_len(a)) != 0)
		abort();
	mime_parts_free(&q);
	buf_free(&a);
	buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mime_parts *p = NULL;
	struct buf *why = buf_new(0);
	int fd = memfd_create("msg", MFD_CLOEXEC);

	if (fd < 0 || write(fd, data, size) != (ssize_t)size || lseek(fd, 0, SEEK_SET) != 0)
		abort();
	if (mime_parts_read(fd, &p, why) != 0)
		abort();
	close(fd);
	if (!p->parts_over) {
		check_parts(p, size);
		round_trip(p);
	}
	mime_parts_free(&p);
	if (mime_parts_decode(data, size, &p) == 0)
		round_trip(p);
	mime_parts_free(&p);
	buf_free(&why);
	return 0;
}
