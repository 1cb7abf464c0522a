/* fuzz_addr - libFuzzer target for the address parsers.
 * The input is an SMTP path under all 16 flag combinations, an RFC 5322
 * address list, a local part to unquote and one to split.  Every path
 * that parses must survive quote -> unquote and external -> internal, and
 * its external form must parse again to the same address when it fits
 * the limits; list results must hold no CR or LF. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "log.h"
#include "mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* check - abort (a finding) unless cond */
static void check(int cond)
{
	if (!cond)
		abort();
}

/* reparse - "<external>" must give the same address back */
static void reparse(const struct addr_path *p, int flags, const char *ext)
{
	struct buf *b = buf_new(0), *q = buf_new(0), *why = buf_new(0);
	struct addr_path again;

	addr_quote_local(q, p->local);
	buf_printf(b, "<%s>", ext);
	if (buf_len(q) <= ADDR_MAX_LOCAL && buf_len(b) <= ADDR_MAX_PATH) {
		check(addr_parse_path(buf_str(b), buf_len(b), flags, &again, why) == (int)buf_len(b));
		check(strcmp(again.local, p->local) == 0 && strcmp(again.domain, p->domain) == 0);
		check(again.null == p->null && again.literal == p->literal);
		check(again.trailing_dot == p->trailing_dot && !again.had_route);
		addr_path_free(&again);
	}
	buf_free(&b);
	buf_free(&q);
	buf_free(&why);
}

/* check_path - invariants of one parsed path */
static void check_path(const struct addr_path *p, int flags, const uint8_t *data,
		       size_t size, int n)
{
	struct buf *b = buf_new(0), *back = buf_new(0), *why = buf_new(0);

	check(n > 0 && (size_t)n <= size && ((size_t)n == size || data[n] == ' '));
	check(strlen(p->local) <= ADDR_MAX_LOCAL && strlen(p->domain) <= ADDR_MAX_DOMAIN);
	check(strpbrk(p->domain, "\r\n") == NULL && strpbrk(p->local, "\r\n") == NULL);
	check(!p->null || (flags & ADDR_F_ALLOW_NULL));
	addr_quote_local(b, p->local);
	check(addr_unquote(back, buf_str(b), buf_len(b), why) == 0);
	check(strcmp(buf_str(back), p->local) == 0);
	buf_reset(b);
	buf_reset(back);
	addr_external(b, p->local, p->domain);
	check(addr_internal(back, buf_str(b), why) == 0);
	check(strncmp(buf_str(back), p->local, strlen(p->local)) == 0);
	check(*p->domain ? buf_str(back)[strlen(p->local)] == '@'
	      && strcmp(buf_str(back) + strlen(p->local) + 1, p->domain) == 0
	      : buf_len(back) == strlen(p->local));
	reparse(p, flags, buf_str(b));
	buf_free(&b);
	buf_free(&back);
	buf_free(&why);
}

/* check_list - list items are clean and survive external -> internal */
static void check_list(const uint8_t *data, size_t size)
{
	struct strv *v = strv_new();
	struct buf *b = buf_new(0), *back = buf_new(0), *why = buf_new(0);
	int n = addr_list_parse((const char *)data, size, v, why);

	check(n == -1 ? v->len == 0 : (size_t)n == v->len);
	for (size_t i = 0; i < v->len; i++) {
		char *at = strrchr(v->items[i], '@');
		char *local = xstrndup(v->items[i], at ? (size_t)(at - v->items[i]) : strlen(v->items[i]));

		check(strpbrk(v->items[i], "\r\n") == NULL);
		buf_reset(b);
		buf_reset(back);
		addr_external(b, local, at ? at + 1 : "");
		check(addr_internal(back, buf_str(b), why) == 0);
		check(strcmp(buf_str(back), v->items[i]) == 0);
		free(local);
	}
	strv_free(&v);
	buf_free(&b);
	buf_free(&back);
	buf_free(&why);
}

/* check_unquote_split - unquote arbitrary bytes, split a local part */
static void check_unquote_split(const uint8_t *data, size_t size)
{
	struct buf *b = buf_new(0), *q = buf_new(0), *back = buf_new(0), *why = buf_new(0);
	char *s = xstrndup((const char *)data, size), *base, *ext;

	if (addr_unquote(b, (const char *)data, size, why) == 0 && !memchr(buf_str(b), 0, buf_len(b))) {
		addr_quote_local(q, buf_str(b));
		check(addr_unquote(back, buf_str(q), buf_len(q), why) == 0);
		check(strcmp(buf_str(back), buf_str(b)) == 0);
	}
	if (addr_split_ext(s, "+-", &base, &ext)) {
		check(strlen(base) + 1 + strlen(ext) == strlen(s) && *base);
		check(strncmp(s, base, strlen(base)) == 0 && strcmp(s + strlen(base) + 1, ext) == 0);
		free(base);
		free(ext);
	}
	free(s);
	buf_free(&b);
	buf_free(&q);
	buf_free(&back);
	buf_free(&why);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int quiet;
	struct buf *why = buf_new(0);

	if (!quiet++)
		log_open(0, NULL, LOG_FORMAT_TEXT, NULL, NULL);
	for (int flags = 0; flags < 16; flags++) {
		struct addr_path p;
		int n = addr_parse_path((const char *)data, size, flags, &p, why);

		check(n == -1 ? p.local == NULL : p.local != NULL);
		if (n >= 0)
			check_path(&p, flags, data, size, n);
		addr_path_free(&p);
		buf_reset(why);
	}
	check_list(data, size);
	check_unquote_split(data, size);
	buf_free(&why);
	return 0;
}
