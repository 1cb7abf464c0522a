/* imapmail_search_return_test - the RETURN list of SEARCH and SORT
 * (imapmail_search_return.c): RFC 4731's words, RFC 5267's PARTIAL,
 * UPDATE and CONTEXT (an empty list or one of only UPDATE / CONTEXT is
 * ALL; PARTIAL with ALL or twice is refused; ranges are non-zero, of one
 * sign, either way round), PARTIAL's slice of a result (RFC 9394's
 * negative ranges count from the end), and the ESEARCH line written
 * from it ("PARTIAL (a:b set)", NIL when the range is past the end). */
#include <stdlib.h>
#include <string.h>

#include "imapmail_search.h"
#include "mem.h"
#include "test.h"

enum { WORDS_MAX = 8 };

/* parse - words (space-separated atoms) as a RETURN list: rc */
static int parse(const char *words, struct imapmail_return *r, struct buf *why)
{
	struct imap_arg list = { .type = IMAP_ARG_LIST }, a[WORDS_MAX];
	char *copy = xstrdup(words), *save = NULL;
	int rc;

	list.list = a;
	for (char *w = strtok_r(copy, " ", &save); w && list.list_len < WORDS_MAX;
	     w = strtok_r(NULL, " ", &save))
		a[list.list_len++] = (struct imap_arg){ .type = IMAP_ARG_ATOM, .str = w,
							.len = strlen(w) };
	buf_reset(why);
	rc = imapmail_return_parse(&list, r, why);
	free(copy);
	return rc;
}

static void test_words(void)
{
	struct buf *why = buf_new(0);
	struct imapmail_return r;

	test_assert(parse("", &r, why) == 0 && r.ret == IMAPMAIL_SEARCH_RET_ALL);
	test_assert(parse("min max", &r, why) == 0 &&
		    r.ret == (IMAPMAIL_SEARCH_RET_MIN | IMAPMAIL_SEARCH_RET_MAX));
	test_assert(parse("UPDATE", &r, why) == 0 &&
		    r.ret == (IMAPMAIL_SEARCH_RET_UPDATE | IMAPMAIL_SEARCH_RET_ALL));
	test_assert(parse("CONTEXT COUNT", &r, why) == 0 &&
		    r.ret == (IMAPMAIL_SEARCH_RET_CONTEXT | IMAPMAIL_SEARCH_RET_COUNT));
	test_assert(parse("SAVE UPDATE", &r, why) == 0 && !imapmail_return_answers(&r));
	test_assert(parse("SAVE COUNT", &r, why) == 0 && imapmail_return_answers(&r));
	test_assert(parse("SAVE", &r, why) == 0 && !imapmail_return_answers(&r));
	test_assert(parse("PARTIAL 1:500", &r, why) == 0 && r.ret == IMAPMAIL_SEARCH_RET_PARTIAL &&
		    r.partial[0] == 1 && r.partial[1] == 500);
	test_assert(parse("PARTIAL 500:400 COUNT", &r, why) == 0 && r.partial[0] == 500 &&
		    r.partial[1] == 400 && (r.ret & IMAPMAIL_SEARCH_RET_COUNT));
	test_assert(parse("PARTIAL -1:-100", &r, why) == 0 && r.partial[0] == -1 &&
		    r.partial[1] == -100);
	test_assert(parse("PARTIAL 1:4294967295", &r, why) == 0 && r.partial[1] == 4294967295LL);
	test_assert(parse("FOO", &r, why) == -1 &&
		    strcmp(buf_str(why), "Unknown SEARCH return option") == 0);
	test_assert(parse("PARTIAL 1:5 ALL", &r, why) == -1);
	test_assert(parse("ALL PARTIAL 1:5", &r, why) == -1);
	test_assert(parse("PARTIAL 1:5 PARTIAL 6:7", &r, why) == -1);
	test_assert(parse("PARTIAL", &r, why) == -1 && strcmp(buf_str(why), "Invalid PARTIAL range") == 0);
	test_assert(parse("PARTIAL 0:5", &r, why) == -1);
	test_assert(parse("PARTIAL 1:*", &r, why) == -1);
	test_assert(parse("PARTIAL 5", &r, why) == -1);
	test_assert(parse("PARTIAL -1:5", &r, why) == -1);
	test_assert(parse("PARTIAL 01:5", &r, why) == -1);
	test_assert(parse("PARTIAL 1:4294967296", &r, why) == -1);
	test_assert(parse("PARTIAL 1:2:3", &r, why) == -1);
	test_assert(parse("PARTIAL --1:-2", &r, why) == -1);
	test_assert(parse("PARTIAL MIN", &r, why) == -1);
	buf_free(&why);
}

/* slice - PARTIAL a:b of n results as "from-to" */
static bool slice(int64_t a, int64_t b, size_t n, size_t from, size_t to)
{
	struct imapmail_return r = { .ret = IMAPMAIL_SEARCH_RET_PARTIAL, .partial = { a, b } };
	size_t f, t;

	imapmail_return_slice(&r, n, &f, &t);
	return f == from && t == to;
}

static void test_slice(void)
{
	test_assert(slice(1, 3, 10, 0, 3));
	test_assert(slice(3, 1, 10, 0, 3));
	test_assert(slice(9, 20, 10, 8, 10));
	test_assert(slice(10, 10, 10, 9, 10));
	test_assert(slice(11, 20, 10, 0, 0));
	test_assert(slice(1, 5, 0, 0, 0));
	test_assert(slice(-1, -1, 10, 9, 10));
	test_assert(slice(-1, -3, 10, 7, 10));
	test_assert(slice(-3, -1, 10, 7, 10));
	test_assert(slice(-5, -20, 10, 0, 6));
	test_assert(slice(-11, -20, 10, 0, 0));
}

/* line - the ESEARCH line of hits for words */
static const char *line(const char *words, bool uid, const uint32_t *hits, size_t n)
{
	static struct buf *out;
	struct buf *why = buf_new(0);
	struct imapmail_return r;

	if (out == NULL)
		out = buf_new(64);
	buf_reset(out);
	test_assert(parse(words, &r, why) == 0);
	imapmail_search_esearch(&r, "A1", uid, hits, n, 0, out);
	buf_free(&why);
	return buf_str(out);
}

static void test_esearch(void)
{
	static const uint32_t hits[] = { 2, 3, 4, 7, 9, 10 };
	static const uint32_t sorted[] = { 9, 3, 4, 2 };

	test_assert(strcmp(line("PARTIAL 2:4", true, hits, 6),
			   "* ESEARCH (TAG \"A1\") UID PARTIAL (2:4 3:4,7)\r\n") == 0);
	test_assert(strcmp(line("PARTIAL 7:9", false, hits, 6),
			   "* ESEARCH (TAG \"A1\") PARTIAL (7:9 NIL)\r\n") == 0);
	test_assert(strcmp(line("PARTIAL -1:-2 COUNT MIN", true, hits, 6),
			   "* ESEARCH (TAG \"A1\") UID MIN 2 PARTIAL (-1:-2 9:10) COUNT 6\r\n") == 0);
	test_assert(strcmp(line("PARTIAL 1:10", true, hits, 0),
			   "* ESEARCH (TAG \"A1\") UID PARTIAL (1:10 NIL)\r\n") == 0);
	test_assert(strcmp(line("PARTIAL 1:3", false, sorted, 4),
			   "* ESEARCH (TAG \"A1\") PARTIAL (1:3 9,3:4)\r\n") == 0);
	test_assert(strcmp(line("UPDATE", true, hits, 6),
			   "* ESEARCH (TAG \"A1\") UID ALL 2:4,7,9:10\r\n") == 0);
}

void test_imapmail_search_return(void)
{
	test_begin("imapmail_search_return");
	test_words();
	test_slice();
	test_esearch();
	test_end();
}
