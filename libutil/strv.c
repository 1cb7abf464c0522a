/* strv - string vectors; see strv.h. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mem.h"
#include "strv.h"

/* strv_new - an empty vector */
struct strv *strv_new(void)
{
	struct strv *v = xmalloc(sizeof(*v));

	v->cap = 4;
	v->items = xcalloc(v->cap + 1, sizeof(char *));
	return v;
}

/* strv_free - release a vector, its strings, and clear the pointer */
/* strv_clear - empty the vector, keep its storage */
void strv_clear(struct strv *v)
{
	for (size_t i = 0; i < v->len; i++)
		XFREE(v->items[i]);
	v->len = 0;
}

void strv_free(struct strv **vp)
{
	struct strv *v = *vp;

	if (v == NULL)
		return;
	for (size_t i = 0; i < v->len; i++)
		free(v->items[i]);
	free(v->items);
	free(v);
	*vp = NULL;
}

/* strv_take - append a malloc'ed string; the vector owns it now */
void strv_take(struct strv *v, char *s)
{
	if (v->len == v->cap) {
		v->cap = mem_mul_size(v->cap, 2);
		v->items = xrealloc(v->items, mem_mul_size(v->cap + 1, sizeof(char *)));
	}
	v->items[v->len++] = s;
	v->items[v->len] = NULL;
}

/* strv_add - append a copy of a string */
void strv_add(struct strv *v, const char *s)
{
	strv_take(v, xstrdup(s));
}

/* strv_addn - append a copy of len bytes */
void strv_addn(struct strv *v, const char *s, size_t len)
{
	strv_take(v, xstrndup(s, len));
}

/* strv_split - split on any byte of seps, dropping empty fields */
struct strv *strv_split(const char *s, const char *seps)
{
	struct strv *v = strv_new();

	while (*s) {
		size_t skip = strspn(s, seps);
		size_t len;

		s += skip;
		if (*s == '\0')
			break;
		len = strcspn(s, seps);
		strv_addn(v, s, len);
		s += len;
	}
	return v;
}

/* strv_join - the items joined by sep, malloc'ed */
char *strv_join(const struct strv *v, const char *sep)
{
	struct buf *b = buf_new(64);

	for (size_t i = 0; i < v->len; i++) {
		if (i)
			buf_cat(b, sep);
		buf_cat(b, v->items[i]);
	}
	return buf_steal(&b);
}
