/* buf_test - unit tests for buf, strv and htable (the core containers). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "htable.h"
#include "mem.h"
#include "strv.h"
#include "test.h"

/* test_buf - growth, formatting, binary safety */
void test_buf(void)
{
	struct buf *b = buf_new(1);
	char *s;

	test_begin("buf: append, printf and growth");
	for (int i = 0; i < 1000; i++)
		buf_printf(b, "%d,", i % 10);
	test_assert(buf_len(b) == 2000);
	test_assert(buf_str(b)[2000] == '\0');
	buf_reset(b);
	buf_add(b, "a\0b", 3);
	test_assert(buf_len(b) == 3 && memcmp(buf_str(b), "a\0b", 4) == 0);
	buf_set(b, "  Mixed Case \t");
	buf_trim(b);
	buf_lower(b);
	test_assert_str(buf_str(b), "mixed case");
	s = buf_steal(&b);
	test_assert(b == NULL);
	free(s);
	test_end();

	test_begin("buf: small and large first buffers, grown, stolen");
	for (size_t hint = 0; hint < 3000; hint += 700) {
		struct buf *g = buf_new(hint);
		char *t;

		buf_cat(g, "abc");
		t = buf_steal(&g);		/* before any growth */
		test_assert_str(t, "abc");
		free(t);
		g = buf_new(hint);
		for (int i = 0; i < 500; i++)
			buf_printf(g, "%03d", i);
		test_assert(buf_len(g) == 1500 && memcmp(buf_str(g) + 1497, "499", 4) == 0);
		t = buf_steal(&g);
		test_assert(strlen(t) == 1500);
		free(t);
		g = buf_new(hint);
		buf_add(g, "xy", 2);
		buf_reserve(g, 5000);
		test_assert_str(buf_str(g), "xy");
		buf_free(&g);
	}
	test_end();

	test_begin("strv: split drops empty fields, join");
	struct strv *v = strv_split(" a,, b\tc ,", ", \t");
	test_assert(v->len == 3);
	s = strv_join(v, "|");
	test_assert_str(s, "a|b|c");
	test_assert(v->items[3] == NULL);
	free(s);
	strv_free(&v);
	test_end();

	test_begin("htable: put, replace, remove, order");
	struct htable *t = htable_new(1);
	char keys[100][16];
	for (int i = 0; i < 100; i++) {
		snprintf(keys[i], sizeof(keys[i]), "k%d", i);
		htable_put(t, keys[i], keys[i]);
	}
	test_assert(t->len == 100);
	test_assert(htable_get(t, "k42") == keys[42]);
	test_assert(htable_put(t, "k42", "x") == keys[42]);
	test_assert(htable_remove(t, "k0") == keys[0]);
	test_assert(htable_get(t, "k0") == NULL);
	test_assert_str(t->first->key, "k1");
	test_assert(htable_remove(t, "k99") == keys[99]);
	test_assert_str(t->last->key, "k98");
	htable_free(&t, NULL);
	test_end();

	test_begin("htable: keys of every length, alike but for one byte");
	t = htable_new(0);
	char key[64];
	memset(key, 'a', sizeof(key));
	for (int len = 0; len < 40; len++)
		for (int at = 0; at <= len; at++) {
			memset(key, 'a', (size_t)len);
			if (at < len)
				key[at] = 'b';
			key[len] = '\0';
			htable_put(t, key, (void *)(long)(len * 100 + at + 1));
		}
	test_assert(t->len == 40 * 41 / 2);
	memset(key, 'a', 20);
	key[13] = 'b';
	key[20] = '\0';
	test_assert(htable_get(t, key) == (void *)(long)(20 * 100 + 13 + 1));
	key[19] = '\0';			/* a shorter key of the same bytes */
	test_assert(htable_get(t, key) == (void *)(long)(19 * 100 + 13 + 1));
	test_assert(htable_get(t, "") != NULL && htable_get(t, "c") == NULL);
	while (t->first)		/* an entry removed by its own key */
		htable_remove(t, t->first->key);
	test_assert(t->len == 0 && t->last == NULL);
	htable_free(&t, NULL);
	test_end();
}
