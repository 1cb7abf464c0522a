/* buf - growable, binary-safe byte strings that are always NUL-terminated.
 *
 *   struct buf *b = buf_new(64);
 *   buf_cat(b, "x"); buf_printf(b, "%d", 1); buf_str(b); buf_free(&b);
 *
 * A buf never fails (allocation is checked).  buf_str() is valid until the
 * next modification.  Embedded NUL bytes are kept; buf_len() counts them.
 */
#ifndef HATO_BUF_H
#define HATO_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct buf {
	char *data;	/* always NUL-terminated at data[len] */
	size_t len;
	size_t cap;	/* allocated bytes, > len */
};

struct buf *buf_new(size_t hint);
void buf_free(struct buf **bp);
char *buf_steal(struct buf **bp);
void buf_reset(struct buf *b);
void buf_truncate(struct buf *b, size_t len);
void buf_reserve(struct buf *b, size_t extra);
void buf_add(struct buf *b, const void *data, size_t len);
void buf_cat(struct buf *b, const char *s);
void buf_set(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
void buf_lower(struct buf *b);
void buf_trim(struct buf *b);

/* buf_putc - append one byte (inline: renderers build output a byte at a
 * time, and the call was a tenth of a warm FETCH's CPU) */
static inline void buf_putc(struct buf *b, int ch)
{
	if (b->cap - b->len < 2)
		buf_reserve(b, 1);
	b->data[b->len++] = (char)ch;
	b->data[b->len] = '\0';
}

static inline const char *buf_str(const struct buf *b) { return b->data; }
static inline size_t buf_len(const struct buf *b) { return b->len; }

#endif
