/* mem - checked allocation; see mem.h.  Failure is an environment problem,
 * so it is fatal (the master restarts the process with backoff). */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "mem.h"

/* xmalloc - zero-filled allocation that never returns NULL */
void *xmalloc(size_t size)
{
	return xcalloc(1, size ? size : 1);
}

/* xmalloc_raw - malloc that never returns NULL; the bytes are undefined */
void *xmalloc_raw(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (p == NULL)
		log_fatal("out of memory allocating %zu bytes", size);
	return p;
}

/* xcalloc - calloc that never returns NULL */
void *xcalloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);

	if (p == NULL)
		log_fatal("out of memory allocating %zu x %zu bytes", count, size);
	return p;
}

/* xrealloc - realloc that never returns NULL */
void *xrealloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);

	if (p == NULL)
		log_fatal("out of memory reallocating %zu bytes", size);
	return p;
}

/* xstrdup - copy a string */
char *xstrdup(const char *s)
{
	return xmemdup(s, strlen(s) + 1);
}

/* xstrndup - copy at most len bytes of a string and terminate it */
char *xstrndup(const char *s, size_t len)
{
	size_t n = strnlen(s, len);
	char *p = xmalloc_raw(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* xmemdup - copy a block of memory */
void *xmemdup(const void *src, size_t len)
{
	void *p = xmalloc_raw(len);

	if (len)
		memcpy(p, src, len);
	return p;
}

/* mem_add_size - a + b, fatal on overflow */
size_t mem_add_size(size_t a, size_t b)
{
	size_t r;

	if (__builtin_add_overflow(a, b, &r))
		log_panic("size overflow: %zu + %zu", a, b);
	return r;
}

/* mem_mul_size - a * b, fatal on overflow */
size_t mem_mul_size(size_t a, size_t b)
{
	size_t r;

	if (__builtin_mul_overflow(a, b, &r))
		log_panic("size overflow: %zu * %zu", a, b);
	return r;
}

/* mem_wipe - erase a secret so the compiler cannot elide it */
void mem_wipe(void *p, size_t len)
{
	explicit_bzero(p, len);
}
