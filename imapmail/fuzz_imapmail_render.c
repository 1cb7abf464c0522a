/* fuzz_imapmail_render - libFuzzer target for FETCH's renderers: the
 * input is a message file; its parts (read, and through the cache's
 * encoding) go through ENVELOPE, BODY, BODYSTRUCTURE and a set of
 * sections (every kind, part numbers, partials, BINARY); the input's
 * first line is also tried as a FETCH attribute.  Findings: a crash, a
 * sanitizer report, an answer that does not start with its item's name,
 * a literal whose size is not its length, unbalanced parentheses in a
 * structure. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "imapmail_render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const atts[] = {
	"BODY[]", "BODY.PEEK[HEADER]", "BODY[TEXT]<3.20>", "BODY[1]", "BODY[1.MIME]", "BODY[2.1]",
	"BODY[2.HEADER]", "BODY[2.TEXT]", "BODY[1.2.3]", "BODY[HEADER.FIELDS (From Subject)]",
	"BODY[HEADER.FIELDS.NOT (To)]<0.50>", "BODY[3.HEADER.FIELDS (a)]", "RFC822", "RFC822.HEADER",
	"RFC822.TEXT", "BINARY[]", "BINARY[1]", "BINARY.PEEK[2]<1.9>", "BINARY.SIZE[1]",
	"BINARY.SIZE[2.1]", "BINARY[1.1]",
};

/* check - abort (a finding) unless cond */
static void check(int cond)
{
	if (!cond)
		abort();
}

/* balanced - a structure's parentheses balance outside strings and
 * literals (a rough reader: quoted strings with escapes, {n} literals) */
static void balanced(const struct buf *b)
{
	const char *p = buf_str(b), *end = p + buf_len(b);
	int depth = 0;

	while (p < end) {
		if (*p == '"') {
			for (p++; p < end && *p != '"'; p++)
				p += *p == '\\';
			p++;
		} else if (*p == '{') {
			char *e;
			unsigned long n = strtoul(p + 1, &e, 10);

			check(e[0] == '}' && e[1] == '\r' && e[2] == '\n' && n <= (size_t)(end - e - 3));
			p = e + 3 + n;
		} else {
			depth += *p == '(' ? 1 : *p == ')' ? -1 : 0;
			check(depth >= 0);
			p++;
		}
	}
	check(depth == 0);
}

/* section - one attribute over the message */
static void section(int fd, const struct mime_parts *p, const char *att, size_t len)
{
	struct imapmail_section sec;
	struct buf *why = buf_new(0), *out = buf_new(0), *a = buf_new(len);
	int rc;

	buf_add(a, att, len);
	if (imapmail_section_parse(buf_str(a), &sec, why) < 0) {
		check(buf_len(why) > 0);
	} else {
		rc = imapmail_section_write(fd, p, &sec, out, why);
		check(rc == 0 || rc == IMAPMAIL_RENDER_UNKNOWN_CTE || rc == IMAPMAIL_RENDER_PARSE);
		if (rc == 0) {
			check(buf_len(out) > buf_len(sec.name) &&
			      memcmp(buf_str(out), buf_str(sec.name), buf_len(sec.name)) == 0);
			if (sec.item != IMAPMAIL_ITEM_BINARY_SIZE && out->data[buf_len(sec.name) + 1] != '~') {
				char *e;
				unsigned long n = strtoul(buf_str(out) + buf_len(sec.name) + 2, &e, 10);

				check(e[0] == '}' && n == (size_t)(buf_str(out) + buf_len(out) - e - 3));
			}
		}
		imapmail_section_clear(&sec);
	}
	buf_free(&why);
	buf_free(&out);
	buf_free(&a);
}

/* structures - ENVELOPE, BODY, BODYSTRUCTURE of p */
static void structures(const struct mime_parts *p, const struct mime_parts *read)
{
	struct buf *out = buf_new(0);

	imapmail_envelope_write(buf_str(read->envelope), buf_len(read->envelope), out);
	balanced(out);
	for (int ext = 0; ext < 2; ext++) {
		buf_reset(out);
		imapmail_bodystructure_write(p, 0, ext, out);
		balanced(out);
	}
	buf_free(&out);
}

/* LLVMFuzzerTestOneInput - one message through every renderer */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz", 0);
	struct mime_parts *read = NULL, *p = NULL;
	struct buf *why = buf_new(0), *enc = buf_new(0);
	const uint8_t *nl = memchr(data, '\n', size);

	check(fd >= 0 && write(fd, data, size) == (ssize_t)size && lseek(fd, 0, SEEK_SET) == 0);
	if (mime_parts_read(fd, &read, why) == 0) {
		mime_parts_encode(read, enc);
		check(mime_parts_decode(buf_str(enc), buf_len(enc), &p) == 0);
		structures(p, read);
		for (size_t i = 0; i < sizeof(atts) / sizeof(atts[0]); i++)
			section(fd, p, atts[i], strlen(atts[i]));
		section(fd, p, (const char *)data, nl ? (size_t)(nl - data) : size);
	}
	mime_parts_free(&p);
	mime_parts_free(&read);
	buf_free(&why);
	buf_free(&enc);
	close(fd);
	return 0;
}
