/* imapmail_recent - a session's \Recent messages (the rules are in
 * imapmail_recent.h): the UID ranges it took from the folder's index
 * record (store/mail_index_recent.h), in increasing order; usually one
 * or two (a SELECT's, then each sync's that brought new mail, merged
 * when they touch).  A message keeps \Recent for the session's life, so
 * an expunge only shifts sequence numbers; the count (b->recent) is
 * recounted over the view when the set grows or a message goes.
 * Errors: an index that cannot be read or written is logged and the
 * session takes nothing (its messages are then \Recent for the next).
 */
#include <stdlib.h>

#include "imapmail_recent.h"
#include "log.h"
#include "mail_index_recent.h"
#include "mem.h"

/* the session's set */
struct imapmail_recent {
	uint32_t (*r)[2];		/* [lo, hi) ranges, increasing */
	size_t n, cap;
	uint32_t upto;			/* UIDs below were looked at */
};

/* guess - the first untaken UID of a folder the index has no record for:
 * the lowest UID still in new/, else UIDNEXT (what \Recent meant before) */
static uint32_t guess(const struct mail_index_folder *f)
{
	if (f == NULL)
		return 1;
	for (size_t i = 0; i < f->len; i++)
		if (f->msgs[i].in_new)
			return f->msgs[i].uid;
	return f->uidnext;
}

/* add - [lo, hi) into s */
static void add(struct imapmail_recent *s, uint32_t lo, uint32_t hi)
{
	if (lo >= hi)
		return;
	if (s->n && s->r[s->n - 1][1] >= lo) {
		s->r[s->n - 1][1] = hi;
		return;
	}
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 4;
		s->r = xrealloc(s->r, s->cap * sizeof(*s->r));
	}
	s->r[s->n][0] = lo;
	s->r[s->n++][1] = hi;
}

/* count - the set's messages in the view */
static size_t count(const struct imapmail_box *b)
{
	size_t n = 0;

	for (size_t i = 0; i < b->f->len; i++)
		n += imapmail_recent_has(b, b->f->msgs[i].uid);
	return n;
}

/* took_in_sync - the range an own sync's write took (imapmail_box.c),
 * into the set: true when it grew */
static bool took_in_sync(struct imapmail_box *b, struct imapmail_recent *s)
{
	struct mail_index_take *t = b->taken;
	uint32_t lo;
	bool grew = false;

	if (t == NULL || !t->done)
		return false;
	t->done = false;
	if (t->uidvalidity != b->uidvalidity || t->upto > b->uidnext)
		return false;
	lo = t->first > s->upto ? t->first : s->upto;
	if (lo < t->upto) {
		add(s, lo, t->upto);
		grew = true;
	}
	if (t->upto > s->upto)
		s->upto = t->upto;
	return grew;
}

/* imapmail_recent_update - see the header */
bool imapmail_recent_update(struct imapmail *m)
{
	struct imapmail_box *b = m->box;
	struct imapmail_recent *s;
	struct buf *why;
	uint32_t first, lo;
	uint64_t gen;
	bool grew;

	if (b->recent_set == NULL)
		b->recent_set = xcalloc(1, sizeof(*b->recent_set));
	s = b->recent_set;
	grew = took_in_sync(b, s);
	if (b->uidnext <= s->upto) {
		if (grew)
			b->recent = count(b);
		return grew;
	}
	why = buf_new(0);
	if (mail_index_recent(m->idx, b->name, b->uidvalidity, guess(b->f), b->uidnext,
			      !b->readonly, &first, &gen, why) < 0) {
		log_warn("user %s: %s", m->user, buf_str(why));
		first = b->uidnext;
	}
	buf_free(&why);
	/* our own write alone since the view was listed: the view is current */
	if (gen && b->generation && gen == b->generation + 1)
		b->generation = gen;
	lo = first > s->upto ? first : s->upto;
	s->upto = b->uidnext;
	if (lo < b->uidnext) {
		add(s, lo, b->uidnext);
		grew = true;
	}
	if (grew)
		b->recent = count(b);
	return grew;
}

/* imapmail_recent_default - see the header */
uint32_t imapmail_recent_default(const struct imapmail_box *b)
{
	return guess(b->f);
}

/* imapmail_recent_recount - see the header */
bool imapmail_recent_recount(struct imapmail_box *b)
{
	size_t n = count(b);
	bool changed = n != b->recent;

	b->recent = n;
	return changed;
}

/* imapmail_recent_has - a binary search of the ranges */
bool imapmail_recent_has(const struct imapmail_box *b, uint32_t uid)
{
	const struct imapmail_recent *s = b->recent_set;
	size_t lo = 0, hi;

	if (s == NULL || s->n == 0 || uid < s->r[0][0])
		return false;
	hi = s->n;
	while (lo < hi) {			/* the last range with r[0] <= uid */
		size_t mid = lo + (hi - lo) / 2;

		if (s->r[mid][0] <= uid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return uid < s->r[lo - 1][1];
}

/* imapmail_recent_free - see the header */
void imapmail_recent_free(struct imapmail_box *b)
{
	if (b->recent_set == NULL)
		return;
	free(b->recent_set->r);
	free(b->recent_set);
	b->recent_set = NULL;
}

/* imapmail_recent_status - the messages from the first untaken UID up */
size_t imapmail_recent_status(struct imapmail *m, const char *folder,
			      const struct mail_index_folder *f)
{
	struct buf *why = buf_new(0);
	uint32_t first;
	size_t n = 0;

	if (mail_index_recent(m->idx, folder, f->uidvalidity, guess(f), 0, false, &first, NULL,
			      why) < 0) {
		log_warn("user %s: %s", m->user, buf_str(why));
		first = f->uidnext;
	}
	for (size_t i = f->len; i-- > 0 && f->msgs[i].uid >= first;)
		n++;
	buf_free(&why);
	return n;
}
