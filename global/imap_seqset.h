/* imap_seqset - IMAP sequence sets ("1,3:5,7:*", RFC 9051 section 9
 * sequence-set), as numbers of messages or UIDs.
 *
 *   struct imap_seqset *set;
 *   if (imap_seqset_parse("2:*", &set) < 0) -> BAD
 *   imap_seqset_has(set, n, max)     // '*' is max: the last message (or UID)
 *   imap_seqset_free(&set);
 *
 * "a:b" and "b:a" are the same range; '*' stands for the largest number in
 * use, which the caller gives when asking, so "5:*" with max 3 holds 3
 * (RFC 9051: "*:5" and "5:*" include the last message even when it is
 * below 5).  Numbers are 1 to 2^32-1; at most IMAP_SEQSET_RANGES_MAX
 * ranges.  Input is hostile: anything else is refused.
 */
#ifndef HATO_IMAP_SEQSET_H
#define HATO_IMAP_SEQSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

enum { IMAP_SEQSET_RANGES_MAX = 100000 };

struct imap_seqset_range {
	uint32_t lo, hi;		/* 0 stands for '*' */
};

struct imap_seqset {
	size_t len;
	struct imap_seqset_range *r;
};

/* imap_seqset_parse - 0 with *set_r, or -1 */
int imap_seqset_parse(const char *s, struct imap_seqset **set_r);
void imap_seqset_free(struct imap_seqset **setp);
/* imap_seqset_has - is n in set, with '*' meaning max */
bool imap_seqset_has(const struct imap_seqset *set, uint32_t n, uint32_t max);
/* imap_seqset_bounds - the smallest and largest number set can hold with
 * '*' meaning max (to walk only that part of a folder) */
void imap_seqset_bounds(const struct imap_seqset *set, uint32_t max, uint32_t *lo_r,
			uint32_t *hi_r);
/* imap_seqset_from - the numbers ns (increasing) as a set, runs joined */
struct imap_seqset *imap_seqset_from(const uint32_t *ns, size_t n);
/* imap_seqset_format - the numbers ns (increasing) as a set into out:
 * "2,5:7" */
void imap_seqset_format(const uint32_t *ns, size_t n, struct buf *out);

#endif
