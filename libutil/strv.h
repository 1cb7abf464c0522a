/* strv - a growable, NULL-terminated vector of owned strings.
 *
 *   struct strv *v = strv_split("a, b c", ", \t\n");
 *   for (size_t i = 0; i < v->len; i++) use(v->items[i]);
 *   strv_free(&v);
 *
 * strv_split() splits on any of the separator bytes and drops empty fields,
 * which is how main.cf lists are split (commas and/or white space).
 */
#ifndef HATO_STRV_H
#define HATO_STRV_H

#include <stddef.h>

struct strv {
	char **items;	/* items[len] is NULL */
	size_t len;
	size_t cap;
};

struct strv *strv_new(void);
void strv_free(struct strv **vp);
void strv_clear(struct strv *v);
void strv_add(struct strv *v, const char *s);
void strv_addn(struct strv *v, const char *s, size_t len);
void strv_take(struct strv *v, char *s);
struct strv *strv_split(const char *s, const char *seps);
char *strv_join(const struct strv *v, const char *sep);

#endif
