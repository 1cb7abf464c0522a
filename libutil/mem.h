/* mem - checked allocation: xmalloc and friends never return NULL.
 *
 * On exhaustion they log a fatal error and exit; callers never check.
 * Memory from xmalloc/xcalloc is zero-filled; xrealloc's growth is not,
 * nor is xmalloc_raw's, which is for byte buffers that track their own
 * length (struct buf, readers): zeroing 64 KB per queue file read showed
 * in profiles.  Sizes that
 * come from the network are summed with mem_add_size(), which is fatal on
 * overflow rather than wrapping.
 */
#ifndef HATO_MEM_H
#define HATO_MEM_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xmalloc_raw(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t len);
void *xmemdup(const void *p, size_t len);
size_t mem_add_size(size_t a, size_t b);
size_t mem_mul_size(size_t a, size_t b);
void mem_wipe(void *p, size_t len);

/* XFREE - free and clear a pointer variable (evaluates its argument twice). */
#define XFREE(p) do { free(p); (p) = NULL; } while (0)

#endif
