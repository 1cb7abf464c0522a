/* fuzz_mime - libFuzzer target for the MIME walker.  The first byte picks
 * header_limit (1-256, so cut headers are common) and the line end length;
 * the rest is a message split at "\n", a line starting with 0x01 being a
 * piece of a longer one.  What each line is said to be must hold together:
 * depths within the limit, boundaries that start with "--", fields that
 * are short lowercase strings, offsets and line numbers that add up. */
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* check_token - a field: NUL-terminated, short, lowercase */
static void check_token(const char *s)
{
	size_t n = strnlen(s, MIME_TOKEN_MAX + 1);

	if (n > MIME_TOKEN_MAX)
		abort();
	for (size_t i = 0; i < n; i++)
		if (isupper((unsigned char)s[i]))
			abort();
}

/* check_line - what the walker said about one line */
static void check_line(const struct mime_line *l, const char *p, size_t len, uint64_t offset,
		       uint64_t line)
{
	if (l->offset != offset || l->line != line || l->depth < 0 || l->depth > MIME_MAX_DEPTH)
		abort();
	if ((l->kind == MIME_BOUNDARY || l->kind == MIME_CLOSE)
	    && (l->piece || len < 3 || p[0] != '-' || p[1] != '-'))
		abort();
	if (l->kind == MIME_BOUNDARY && (l->depth < 1 || l->section != MIME_PART))
		abort();
	if (l->kind == MIME_HEADER_END && (len != 0 || l->fields == NULL))
		abort();
	if (l->headers_ended && (l->kind != MIME_BODY || l->line != 0 || l->fields == NULL))
		abort();
	if (l->fields) {
		check_token(l->fields->type);
		check_token(l->fields->subtype);
		check_token(l->fields->encoding);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mime_opts o = { .header_limit = 1 + (size ? data[0] : 0), .eol_len = size && data[0] & 1 };
	struct mime *w = mime_new(&o);
	uint64_t offset = 0, line = 0;
	size_t i = size ? 1 : 0;

	while (i < size) {
		const uint8_t *nl = memchr(data + i, '\n', size - i);
		size_t len = nl ? (size_t)(nl - (data + i)) : size - i;
		bool partial = len > 0 && data[i] == 0x01;
		const char *p = (const char *)data + i;

		check_line(mime_feed(w, p, len, partial), p, len, offset, line);
		offset += len + (partial ? 0 : o.eol_len);
		line += !partial;
		i += len + (nl != NULL);
	}
	mime_free(&w);
	return 0;
}
