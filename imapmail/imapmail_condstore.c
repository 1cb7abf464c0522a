/* imapmail_condstore - CONDSTORE and QRESYNC (RFC 7162): switching them
 * on, SELECT's (CONDSTORE) and (QRESYNC (...)) parameters and the
 * resynchronisation QRESYNC gives at SELECT, and VANISHED (EARLIER),
 * which UID FETCH's VANISHED modifier shares.  MODSEQs are the index's
 * (store/mail_index.h): a message's is given by the sync that saw its
 * arrival or its last flag change, an expunge's is kept in the index's
 * expunge history (mail_index_vanished); the folder's HIGHESTMODSEQ is
 * the largest given.  Where the history does not reach back to the
 * client's MODSEQ (the index is younger), every UID up to the known ones
 * that the folder lacks is reported, as RFC 7162 3.2.5.1 allows.
 * Arguments are the client's: numbers are checked for range, sets by
 * imap_seqset. */
#include <stdlib.h>
#include <string.h>

#include "imap_seqset.h"
#include "imapmail.h"
#include "log.h"
#include "mem.h"

/* imapmail_condstore_enable - CONDSTORE on; a folder selected before
 * learns its HIGHESTMODSEQ now (RFC 7162 3.1) */
void imapmail_condstore_enable(struct imapmail *m)
{
	if (m->condstore)
		return;
	m->condstore = true;
	if (m->box)			/* renames kept back get their MODSEQs */
		(void)imapmail_box_sync(m, false);
	if (m->box)
		imapmail_untagged(m, "OK [HIGHESTMODSEQ %llu] Highest",
				  (unsigned long long)m->box->highestmodseq);
}

/* no_star - a set without '*' (RFC 7162 7: not allowed in these) */
static bool no_star(const struct imap_arg *a)
{
	return a->type == IMAP_ARG_ATOM && strchr(a->str, '*') == NULL;
}

/* qresync_args - (uidvalidity modseq [known-uids [(seqs uids)]]) */
static bool qresync_args(const struct imap_arg *a, struct imapmail_qresync *q)
{
	const struct imap_arg *l = a->list;
	size_t n = a->list_len;

	if (a->type != IMAP_ARG_LIST || n < 2 || n > 4 || !imap_arg_number(&l[0], true, &q->uidvalidity)
	    || !imap_arg_number64(&l[1], &q->modseq) || q->modseq == 0)
		return false;
	if (n >= 3 && (!no_star(&l[2]) || imap_seqset_parse(l[2].str, &q->known) < 0))
		return false;
	if (n == 4) {			/* seq-match-data: checked, not needed */
		struct imap_seqset *s1 = NULL, *s2 = NULL;
		bool ok = l[3].type == IMAP_ARG_LIST && l[3].list_len == 2
			  && no_star(&l[3].list[0]) && no_star(&l[3].list[1])
			  && imap_seqset_parse(l[3].list[0].str, &s1) == 0
			  && imap_seqset_parse(l[3].list[1].str, &s2) == 0;

		imap_seqset_free(&s1);
		imap_seqset_free(&s2);
		return ok;
	}
	return true;
}

/* imapmail_select_params - SELECT/EXAMINE's parameter list a into q:
 * 0, or -1 with why for the BAD (QRESYNC before ENABLE QRESYNC is one) */
int imapmail_select_params(struct imapmail *m, const struct imap_arg *a,
			   struct imapmail_qresync *q, struct buf *why)
{
	memset(q, 0, sizeof(*q));
	if (a->type != IMAP_ARG_LIST) {
		buf_set(why, "Invalid select parameters");
		return -1;
	}
	for (size_t i = 0; i < a->list_len; i++) {
		const struct imap_arg *p = &a->list[i];

		if (imap_arg_atom_is(p, "CONDSTORE")) {
			q->condstore = true;
		} else if (imap_arg_atom_is(p, "QRESYNC") && i + 1 < a->list_len) {
			if (!m->qresync) {
				buf_set(why, "QRESYNC not enabled.");
				return -1;
			}
			imap_seqset_free(&q->known);
			if (!qresync_args(&a->list[++i], q)) {
				buf_set(why, "Invalid QRESYNC known-uids.");
				return -1;
			}
			q->qresync = true;
		} else {
			buf_set(why, "Unknown select parameter");
			return -1;
		}
	}
	return 0;
}

void imapmail_qresync_free(struct imapmail_qresync *q)
{
	imap_seqset_free(&q->known);
}

/* in_view - uid is a message of the view */
static bool in_view(const struct mail_index_folder *f, uint32_t uid)
{
	return mail_index_folder_find(f, uid) < f->len;
}

/* put_range - lo:hi into the set being written */
static void put_range(struct buf *set, uint32_t lo, uint32_t hi)
{
	if (lo > hi)
		return;
	buf_printf(set, buf_len(set) ? ",%u" : "%u", lo);
	if (hi > lo)
		buf_printf(set, ":%u", hi);
}

/* missing - the UIDs below UIDNEXT, within known's bounds (NULL: all),
 * that the view lacks, as ranges: what may have gone when the history
 * cannot say (a superset, RFC 7162 3.2.5.1) */
static void missing(const struct imapmail_box *b, const struct imap_seqset *known,
		    struct buf *set)
{
	uint32_t lo = 1, hi = b->uidnext - 1, next;

	if (b->uidnext <= 1)
		return;
	if (known)
		imap_seqset_bounds(known, b->uidnext - 1, &lo, &hi);
	if (hi >= b->uidnext)
		hi = b->uidnext - 1;
	next = lo;
	for (size_t i = 0; i < b->f->len && next <= hi; i++) {
		uint32_t uid = b->f->msgs[i].uid;

		if (uid < next)
			continue;
		put_range(set, next, uid - 1 < hi ? uid - 1 : hi);
		if (uid == UINT32_MAX)
			return;
		next = uid + 1;
	}
	if (next >= lo && next <= hi)
		put_range(set, next, hi);
}

/* imapmail_vanished_earlier - "* VANISHED (EARLIER) set": the UIDs in
 * known (NULL: any) expunged after since that the view no longer has */
void imapmail_vanished_earlier(struct imapmail *m, uint64_t since, const struct imap_seqset *known)
{
	const struct imapmail_box *b = m->box;
	struct buf *why = buf_new(0), *set = buf_new(64);
	uint32_t *uids = NULL, max = b->uidnext > 1 ? b->uidnext - 1 : 1;
	size_t n = 0, k = 0;
	bool whole = false;

	if (mail_index_vanished(m->idx, b->name, since, &uids, &n, &whole, why) < 0)
		log_warn("user %s: folder %s: %s", m->user, b->name, buf_str(why));
	if (whole) {
		for (size_t i = 0; i < n; i++)
			if (!in_view(b->f, uids[i]) && (!known || imap_seqset_has(known, uids[i], max)))
				uids[k++] = uids[i];
		imap_seqset_format(uids, k, set);
	} else {
		missing(b, known, set);
	}
	if (buf_len(set))
		imapmail_untagged(m, "VANISHED (EARLIER) %s", buf_str(set));
	free(uids);
	buf_free(&why);
	buf_free(&set);
}

/* imapmail_qresync_select - after SELECT's answers: what changed since
 * the client's MODSEQ, when its UIDVALIDITY is still the folder's */
void imapmail_qresync_select(struct imapmail *m, const struct imapmail_qresync *q)
{
	const struct imapmail_box *b = m->box;
	struct buf *line;

	if (!q->qresync || q->uidvalidity != b->uidvalidity)
		return;
	line = buf_new(64);
	imapmail_vanished_earlier(m, q->modseq, q->known);
	for (size_t i = 0; i < b->f->len; i++) {
		const struct mail_index_msg *msg = &b->f->msgs[i];

		if (msg->modseq <= q->modseq)
			continue;
		if (q->known && !imap_seqset_has(q->known, msg->uid, b->uidnext - 1))
			continue;
		buf_reset(line);	/* as a FETCH of (UID FLAGS MODSEQ), as Dovecot */
		imapmail_box_flags(m, i, line);
		imapmail_untagged(m, "%zu FETCH (UID %u %s MODSEQ (%llu))", i + 1, msg->uid,
				  buf_str(line), (unsigned long long)msg->modseq);
	}
	buf_free(&line);
}
