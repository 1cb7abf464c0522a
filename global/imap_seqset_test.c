/* imap_seqset_test - sequence sets: the forms RFC 9051 allows, '*' as
 * the last number whatever the order, and what must be refused. */
#include "imap_seqset.h"
#include "test.h"

/* has - parse s, then ask for n with max */
static bool has(const char *s, uint32_t n, uint32_t max)
{
	struct imap_seqset *set;
	bool r;

	if (imap_seqset_parse(s, &set) < 0)
		return false;
	r = imap_seqset_has(set, n, max);
	imap_seqset_free(&set);
	return r;
}

/* bad - s is refused */
static bool bad(const char *s)
{
	struct imap_seqset *set = NULL;

	return imap_seqset_parse(s, &set) < 0 && set == NULL;
}

void test_imap_seqset(void)
{
	struct imap_seqset *set;
	uint32_t lo, hi;

	test_begin("imap_seqset: numbers, ranges either way round, '*' as the last");
	test_assert(has("1", 1, 5) && !has("1", 2, 5));
	test_assert(has("2:4", 3, 5) && has("4:2", 2, 5) && !has("2:4", 5, 5));
	test_assert(has("1,3:4,7", 7, 9) && !has("1,3:4,7", 5, 9));
	test_assert(has("*", 9, 9) && !has("*", 8, 9));
	test_assert(has("5:*", 3, 3) && has("*:5", 4, 3) && !has("5:*", 2, 3));
	test_assert(has("4294967295", 4294967295u, 4294967295u));
	test_end();

	test_begin("imap_seqset_from: runs of numbers as ranges, none as the empty set");
	set = imap_seqset_from((const uint32_t[]){ 2, 3, 4, 9, 11, 12 }, 6);
	test_assert(set->len == 3 && set->r[0].lo == 2 && set->r[0].hi == 4 && set->r[1].lo == 9 &&
		    set->r[1].hi == 9 && set->r[2].lo == 11 && set->r[2].hi == 12);
	test_assert(imap_seqset_has(set, 3, 20) && !imap_seqset_has(set, 10, 20));
	imap_seqset_free(&set);
	set = imap_seqset_from(NULL, 0);
	test_assert(set->len == 0 && !imap_seqset_has(set, 1, 1));
	imap_seqset_free(&set);
	test_end();

	test_begin("imap_seqset: zero, signs, spaces, empty parts and overflow are refused");
	test_assert(bad("") && bad("0") && bad("1:0") && bad("-1") && bad("+1") && bad("1 ,2"));
	test_assert(bad("1,") && bad(",1") && bad("1::2") && bad("1:") && bad("4294967296"));
	test_assert(bad("01") && bad("1,,2") && bad("**") && bad("$"));
	test_end();

	test_begin("imap_seqset: bounds resolve '*'");
	test_assert(imap_seqset_parse("3:*,10", &set) == 0);
	imap_seqset_bounds(set, 7, &lo, &hi);
	test_assert(lo == 3 && hi == 10);
	imap_seqset_free(&set);
	test_end();
}
