/* imapmail_search_return - the RETURN (...) list of SEARCH and SORT: ESEARCH's
 * MIN MAX ALL COUNT (RFC 4731), SAVE (RFC 5182), and CONTEXT=SEARCH /
 * CONTEXT=SORT's CONTEXT, UPDATE and PARTIAL (RFC 5267 section 4).
 *
 *   struct imapmail_return r;
 *   if (imapmail_return_parse(&list, &r, why) < 0) -> BAD why
 *   imapmail_return_slice(&r, n, &from, &to);   // PARTIAL's places
 *
 * PARTIAL takes a range "a:b" of 1-based places in the result (a:b is
 * b:a); a range of two negative numbers counts from the end (RFC 9394
 * 3.1: -1 is the last result), a cheap extension of RFC 5267's.  Zero,
 * '*' and mixed signs are refused.  A list that asks for no result
 * (empty, or only UPDATE / CONTEXT) asks for ALL: the client needs the
 * result its updates apply to.  PARTIAL and ALL together, or two
 * PARTIALs, are refused (RFC 5267 4.4).  CONTEXT is a hint and ignored.
 * Errors: -1 and why.  Trust: the list is the client's; nothing is
 * sized by it.
 */
#include <stdlib.h>
#include <string.h>

#include "imapmail_search.h"

enum { RANGE_TEXT_MAX = 24 };

/* range_end - one end of a PARTIAL range: a non-zero number, '-' before
 * it when negative, no leading zero: true with *v */
static bool range_end(const char *s, size_t len, int64_t *v)
{
	bool neg = len > 0 && s[0] == '-';
	int64_t n = 0;

	s += neg;
	len -= neg;
	if (len == 0 || len > 10 || s[0] == '0')
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		n = n * 10 + (s[i] - '0');
	}
	if (n > UINT32_MAX)
		return false;
	*v = neg ? -n : n;
	return true;
}

/* partial_range - "a:b" into r->partial: false when it is not one */
static bool partial_range(const struct imap_arg *a, struct imapmail_return *r)
{
	const char *colon;

	if (a->type != IMAP_ARG_ATOM || a->len > RANGE_TEXT_MAX || strlen(a->str) != a->len ||
	    (colon = strchr(a->str, ':')) == NULL)
		return false;
	if (!range_end(a->str, (size_t)(colon - a->str), &r->partial[0]) ||
	    !range_end(colon + 1, a->len - (size_t)(colon - a->str) - 1, &r->partial[1]))
		return false;
	return (r->partial[0] < 0) == (r->partial[1] < 0);
}

/* imapmail_return_parse - see imapmail_search.h */
int imapmail_return_parse(const struct imap_arg *a, struct imapmail_return *r, struct buf *why)
{
	static const struct { const char *name; unsigned bit; } opts[] = {
		{ "MIN", IMAPMAIL_SEARCH_RET_MIN }, { "MAX", IMAPMAIL_SEARCH_RET_MAX },
		{ "ALL", IMAPMAIL_SEARCH_RET_ALL }, { "COUNT", IMAPMAIL_SEARCH_RET_COUNT },
		{ "SAVE", IMAPMAIL_SEARCH_RET_SAVE }, { "PARTIAL", IMAPMAIL_SEARCH_RET_PARTIAL },
		{ "UPDATE", IMAPMAIL_SEARCH_RET_UPDATE }, { "CONTEXT", IMAPMAIL_SEARCH_RET_CONTEXT },
	};
	const unsigned answers = IMAPMAIL_SEARCH_RET_MIN | IMAPMAIL_SEARCH_RET_MAX |
				 IMAPMAIL_SEARCH_RET_ALL | IMAPMAIL_SEARCH_RET_COUNT |
				 IMAPMAIL_SEARCH_RET_SAVE | IMAPMAIL_SEARCH_RET_PARTIAL;

	*r = (struct imapmail_return){ 0 };
	for (size_t i = 0; i < a->list_len; i++) {
		size_t j = 0;

		while (j < sizeof(opts) / sizeof(opts[0]) && !imap_arg_atom_is(&a->list[i], opts[j].name))
			j++;
		if (j == sizeof(opts) / sizeof(opts[0])) {
			buf_set(why, "Unknown SEARCH return option");
			return -1;
		}
		if (opts[j].bit == IMAPMAIL_SEARCH_RET_PARTIAL) {
			if (r->ret & IMAPMAIL_SEARCH_RET_PARTIAL) {
				buf_set(why, "PARTIAL given twice");
				return -1;
			}
			if (++i == a->list_len || !partial_range(&a->list[i], r)) {
				buf_set(why, "Invalid PARTIAL range");
				return -1;
			}
		}
		r->ret |= opts[j].bit;
	}
	if ((r->ret & IMAPMAIL_SEARCH_RET_PARTIAL) && (r->ret & IMAPMAIL_SEARCH_RET_ALL)) {
		buf_set(why, "PARTIAL and ALL cannot be used together");
		return -1;
	}
	if ((r->ret & answers) == 0)
		r->ret |= IMAPMAIL_SEARCH_RET_ALL;
	return 0;
}

/* imapmail_return_slice - see imapmail_search.h */
void imapmail_return_slice(const struct imapmail_return *r, size_t n, size_t *from, size_t *to)
{
	int64_t lo = llabs(r->partial[0]), hi = llabs(r->partial[1]), t;

	*from = *to = 0;
	if (!(r->ret & IMAPMAIL_SEARCH_RET_PARTIAL) || lo == 0)
		return;
	if (lo > hi) {
		t = lo;
		lo = hi;
		hi = t;
	}
	if (lo > (int64_t)n)
		return;
	if (hi > (int64_t)n)
		hi = (int64_t)n;
	if (r->partial[0] < 0) {	/* -lo is lo places from the end */
		*from = n - (size_t)hi;
		*to = n - (size_t)lo + 1;
	} else {
		*from = (size_t)lo - 1;
		*to = (size_t)hi;
	}
}

/* imapmail_return_answers - see imapmail_search.h */
bool imapmail_return_answers(const struct imapmail_return *r)
{
	return (r->ret & ~(unsigned)(IMAPMAIL_SEARCH_RET_UPDATE | IMAPMAIL_SEARCH_RET_CONTEXT)) !=
	       IMAPMAIL_SEARCH_RET_SAVE;
}
