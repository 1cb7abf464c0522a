/* fuzz_imapmail_return - libFuzzer target for the RETURN list of SEARCH
 * and SORT (imapmail_search_return.c) and the ESEARCH line written from
 * it.  The input's first line is the list's members (atoms split at
 * spaces, "(" and ")" making a nested list, which must be refused); the
 * rest, byte by byte, is a result (ids 1..255, any order, as SORT's).
 * Checks: a refusal says why; a list taken has PARTIAL's two ends of one
 * sign, never zero; the slice lies in the result and is no wider than
 * the range; the ESEARCH line is one CRLF-ended line, with "NIL" exactly
 * when the slice is empty. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "imapmail_search.h"
#include "mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { MEMBERS_MAX = 64 };

/* check - abort (a finding) unless cond */
static void check(int cond)
{
	if (!cond)
		abort();
}

/* members - the first line's words into a (a nested list when "(") */
static size_t members(char *line, struct imap_arg *a, struct imap_arg *inner)
{
	size_t n = 0;

	for (char *save = NULL, *w = strtok_r(line, " ", &save); w && n < MEMBERS_MAX;
	     w = strtok_r(NULL, " ", &save)) {
		if (w[0] == '(')
			a[n++] = (struct imap_arg){ .type = IMAP_ARG_LIST, .list = inner, .list_len = 0 };
		else
			a[n++] = (struct imap_arg){ .type = IMAP_ARG_ATOM, .str = w, .len = strlen(w) };
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xstrndup((const char *)data, size);
	size_t line = strcspn(text, "\n"), n = 0, from, to;
	struct imap_arg a[MEMBERS_MAX], inner[1], list = { .type = IMAP_ARG_LIST, .list = a };
	struct buf *why = buf_new(0), *out = buf_new(0);
	uint32_t *ids = xcalloc(size + 1, sizeof(*ids));
	struct imapmail_return r;

	for (size_t i = line + 1; i < size; i++)
		if (data[i] != 0)
			ids[n++] = data[i];
	text[line] = '\0';
	list.list_len = members(text, a, inner);
	if (imapmail_return_parse(&list, &r, why) < 0) {
		check(buf_len(why) > 0);
	} else {
		check(r.ret != 0);
		if (r.ret & IMAPMAIL_SEARCH_RET_PARTIAL) {
			int64_t lo = llabs(r.partial[0]), hi = llabs(r.partial[1]);

			check(lo > 0 && hi > 0 && (r.partial[0] < 0) == (r.partial[1] < 0));
			check(!(r.ret & IMAPMAIL_SEARCH_RET_ALL));
			imapmail_return_slice(&r, n, &from, &to);
			check(from <= to && to <= n);
			check((int64_t)(to - from) <= (lo > hi ? lo - hi : hi - lo) + 1);
		}
		imapmail_search_esearch(&r, "t", true, ids, n, 0, out);
		check(strstr(buf_str(out), "\r\n") == buf_str(out) + buf_len(out) - 2);
		if (r.ret & IMAPMAIL_SEARCH_RET_PARTIAL)
			check((strstr(buf_str(out), " NIL)") != NULL) == (from == to));
	}
	free(ids);
	buf_free(&why);
	buf_free(&out);
	free(text);
	return 0;
}
