/* imap_seqset - IMAP sequence sets: parsing and membership (see the
 * header).  The set is kept as the client wrote it; '*' is resolved
 * when asking, since the last number changes within a session. */
#include <stdlib.h>
#include <string.h>

#include "imap_seqset.h"
#include "mem.h"

/* number - 1 to 2^32-1 or '*' (0) at *sp; false on anything else */
static bool number(const char **sp, uint32_t *n_r)
{
	const char *s = *sp;
	uint64_t n = 0;

	if (*s == '*') {
		*n_r = 0;
		*sp = s + 1;
		return true;
	}
	if (*s < '1' || *s > '9')
		return false;
	while (*s >= '0' && *s <= '9') {
		n = n * 10 + (uint64_t)(*s++ - '0');
		if (n > UINT32_MAX)
			return false;
	}
	*n_r = (uint32_t)n;
	*sp = s;
	return true;
}

/* imap_seqset_parse - "a", "a:b", comma-separated */
int imap_seqset_parse(const char *s, struct imap_seqset **set_r)
{
	struct imap_seqset *set = xcalloc(1, sizeof(*set));
	size_t cap = 0;

	for (;;) {
		struct imap_seqset_range r;

		if (!number(&s, &r.lo))
			break;
		r.hi = r.lo;
		if (*s == ':' && (s++, !number(&s, &r.hi)))
			break;
		if (set->len == IMAP_SEQSET_RANGES_MAX)
			break;
		if (set->len == cap) {
			cap = cap ? cap * 2 : 4;
			set->r = xrealloc(set->r, cap * sizeof(*set->r));
		}
		set->r[set->len++] = r;
		if (*s == '\0') {
			*set_r = set;
			return 0;
		}
		if (*s++ != ',')
			break;
	}
	imap_seqset_free(&set);
	return -1;
}

void imap_seqset_free(struct imap_seqset **setp)
{
	if (*setp == NULL)
		return;
	free((*setp)->r);
	free(*setp);
	*setp = NULL;
}

/* resolve - a range with '*' as max, lo <= hi */
static void resolve(const struct imap_seqset_range *r, uint32_t max, uint32_t *lo, uint32_t *hi)
{
	uint32_t a = r->lo ? r->lo : max, b = r->hi ? r->hi : max;

	*lo = a < b ? a : b;
	*hi = a < b ? b : a;
}

bool imap_seqset_has(const struct imap_seqset *set, uint32_t n, uint32_t max)
{
	for (size_t i = 0; i < set->len; i++) {
		uint32_t lo, hi;

		resolve(&set->r[i], max, &lo, &hi);
		if (n >= lo && n <= hi)
			return true;
	}
	return false;
}

void imap_seqset_bounds(const struct imap_seqset *set, uint32_t max, uint32_t *lo_r,
			uint32_t *hi_r)
{
	*lo_r = UINT32_MAX;
	*hi_r = 0;
	for (size_t i = 0; i < set->len; i++) {
		uint32_t lo, hi;

		resolve(&set->r[i], max, &lo, &hi);
		*lo_r = lo < *lo_r ? lo : *lo_r;
		*hi_r = hi > *hi_r ? hi : *hi_r;
	}
}

/* imap_seqset_format - ns (increasing) as a set, runs as ranges */
void imap_seqset_format(const uint32_t *ns, size_t n, struct buf *out)
{
	for (size_t i = 0; i < n;) {
		size_t j = i;

		while (j + 1 < n && ns[j + 1] == ns[j] + 1)
			j++;
		buf_printf(out, i ? ",%u" : "%u", ns[i]);
		if (j > i)
			buf_printf(out, ":%u", ns[j]);
		i = j + 1;
	}
}

/* imap_seqset_from - one range per run of consecutive numbers */
struct imap_seqset *imap_seqset_from(const uint32_t *ns, size_t n)
{
	struct imap_seqset *set = xcalloc(1, sizeof(*set));

	set->r = xcalloc(n + 1, sizeof(*set->r));
	for (size_t i = 0; i < n; i++) {
		if (set->len && set->r[set->len - 1].hi + 1 == ns[i])
			set->r[set->len - 1].hi = ns[i];
		else
			set->r[set->len++] = (struct imap_seqset_range){ ns[i], ns[i] };
	}
	return set;
}
