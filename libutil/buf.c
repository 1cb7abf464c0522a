/* buf - growable strings; see buf.h.  Growth is geometric and overflow-
 * checked, so a length from the network cannot wrap the allocation. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mem.h"

enum { INLINE_MAX = 1024 };	/* the largest first buffer made with the header */

/* is_inline - the bytes are still the ones made with the header */
static bool is_inline(const struct buf *b)
{
	return b->data == (const char *)(b + 1);
}

/* buf_new - an empty string with room for hint bytes.  A small one is
 * one allocation, the header and its first bytes together (most bufs
 * never outgrow their hint); growth moves the bytes to their own */
struct buf *buf_new(size_t hint)
{
	size_t cap = hint < 16 ? 16 : mem_add_size(hint, 1);
	struct buf *b;

	if (cap <= INLINE_MAX) {
		b = xmalloc_raw(sizeof(*b) + cap);
		b->data = (char *)(b + 1);
	} else {
		b = xmalloc_raw(sizeof(*b));
		b->data = xmalloc_raw(cap);	/* only data[0..len] is ever read */
	}
	b->cap = cap;
	b->len = 0;
	b->data[0] = '\0';
	return b;
}

/* buf_free - release a string and clear the caller's pointer */
void buf_free(struct buf **bp)
{
	if (*bp == NULL)
		return;
	if (!is_inline(*bp))
		free((*bp)->data);
	free(*bp);
	*bp = NULL;
}

/* buf_steal - release the wrapper, return the malloc'ed text */
char *buf_steal(struct buf **bp)
{
	char *s = is_inline(*bp) ? xmemdup((*bp)->data, (*bp)->len + 1) : (*bp)->data;

	free(*bp);
	*bp = NULL;
	return s;
}

/* buf_reset - make the string empty, keeping its memory */
void buf_reset(struct buf *b)
{
	b->len = 0;
	b->data[0] = '\0';
}

/* buf_truncate - shorten to len bytes (no-op if already shorter) */
void buf_truncate(struct buf *b, size_t len)
{
	if (len < b->len) {
		b->len = len;
		b->data[len] = '\0';
	}
}

/* buf_reserve - make room for extra more bytes plus the terminator */
void buf_reserve(struct buf *b, size_t extra)
{
	size_t need, cap = b->cap;

	if (extra < cap - b->len)	/* room already (cap > len always) */
		return;
	need = mem_add_size(mem_add_size(b->len, extra), 1);
	while (cap < need)
		cap = cap > ((size_t)-1) / 2 ? need : cap * 2;
	if (is_inline(b)) {
		char *d = xmalloc_raw(cap);

		memcpy(d, b->data, b->len + 1);
		b->data = d;
	} else {
		b->data = xrealloc(b->data, cap);
	}
	b->cap = cap;
}

/* buf_add - append len bytes */
void buf_add(struct buf *b, const void *data, size_t len)
{
	buf_reserve(b, len);
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

/* buf_cat - append a C string */
void buf_cat(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/* buf_set - replace the contents with a C string */
void buf_set(struct buf *b, const char *s)
{
	buf_reset(b);
	buf_cat(b, s);
}

/* buf_vprintf - append formatted text */
void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return;
	if ((size_t)n >= b->cap - b->len) {
		buf_reserve(b, (size_t)n);
		vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
	}
	b->len += (size_t)n;
}

/* buf_printf - append formatted text */
void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

/* buf_lower - fold ASCII letters to lower case in place */
void buf_lower(struct buf *b)
{
	for (size_t i = 0; i < b->len; i++)
		b->data[i] = (char)tolower((unsigned char)b->data[i]);
}

/* buf_trim - strip leading and trailing white space in place */
void buf_trim(struct buf *b)
{
	size_t start = 0;

	while (b->len > 0 && isspace((unsigned char)b->data[b->len - 1]))
		b->len--;
	while (start < b->len && isspace((unsigned char)b->data[start]))
		start++;
	memmove(b->data, b->data + start, b->len - start);
	b->len -= start;
	b->data[b->len] = '\0';
}
