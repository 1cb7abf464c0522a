/* imapmail_search - evaluating a parsed SEARCH program per message and
 * writing its answer (see imapmail_search.h).  Evaluation is
 * three-valued: a first pass over what the caller gave (flags, sizes,
 * dates, sets) answers yes, no or "needs the file"; with the cached
 * envelope fields, a second pass knows the HEADER keys on them and the
 * Date: (imapmail_search_text.c reads them as it reads a file's
 * header); only the last reads the message and evaluates again with
 * every text key's hit and the Date: field known. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "imap_date.h"
#include "imap_seqset.h"
#include "imapmail_search_int.h"
#include "mem.h"

enum { NO = 0, YES = 1, UNKNOWN = 2 };

struct ectx {
	const struct imapmail_search *s;
	const struct imapmail_search_msg *m;
	uint32_t last_seq, last_uid;
	const struct search_file *f;	/* NULL in the first pass */
	const struct search_file *env;	/* the envelope pass: its Date: */
};

/* bool3 - YES or NO */
static int bool3(bool b)
{
	return b ? YES : NO;
}

/* has_keyword - m carries the keyword name (compared without case, as
 * flags are, RFC 9051 2.3.2) */
static bool has_keyword(const struct imapmail_search_msg *m, const char *name)
{
	for (size_t i = 0; i < m->n_keywords; i++)
		if (strcasecmp(m->keywords[i], name) == 0)
			return true;
	return false;
}

/* in_saved - uid is in the saved result */
static bool in_saved(const struct imapmail_search *s, uint32_t uid)
{
	size_t lo = 0, hi = s->n_saved;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->saved[mid] == uid)
			return true;
		if (s->saved[mid] < uid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* sent - a SENT* key once the file was read; a message without a Date:
 * field that parses counts as sent on 1-Jan-1970, as in Dovecot */
static int sent(const struct search_key *k, const struct ectx *c)
{
	const struct search_file *f = c->f ? c->f : c->env;

	if (f == NULL)
		return UNKNOWN;
	if (k->type == SK_SENTBEFORE)
		return bool3(f->sent_day < k->day);
	if (k->type == SK_SENTON)
		return bool3(f->sent_day == k->day);
	return bool3(f->sent_day >= k->day);
}

static int eval(const struct ectx *c, const struct search_key *k);

/* eval_and - NO if any is NO, YES if all are YES */
static int eval_and(const struct ectx *c, const struct search_key *k)
{
	int r = YES;

	for (size_t i = 0; i < k->n_kids && r != NO; i++) {
		int v = eval(c, &k->kids[i]);

		if (v != YES)
			r = v;
	}
	return r;
}

/* eval_or - YES if either is YES, NO if both are NO */
static int eval_or(const struct ectx *c, const struct search_key *k)
{
	int a = eval(c, &k->kids[0]), b;

	if (a == YES)
		return YES;
	b = eval(c, &k->kids[1]);
	return b == YES ? YES : a == NO && b == NO ? NO : UNKNOWN;
}

/* eval - k on the message */
static int eval(const struct ectx *c, const struct search_key *k)
{
	const struct imapmail_search_msg *m = c->m;
	int v;

	switch (k->type) {
	case SK_ALL: return YES;
	case SK_AND: return eval_and(c, k);
	case SK_OR: return eval_or(c, k);
	case SK_NOT:
		v = eval(c, &k->kids[0]);
		return v == UNKNOWN ? UNKNOWN : bool3(v == NO);
	case SK_SEQSET: return bool3(imap_seqset_has(k->set, m->seq, c->last_seq));
	case SK_UIDSET: return bool3(imap_seqset_has(k->set, m->uid, c->last_uid));
	case SK_SAVED: return bool3(in_saved(c->s, m->uid));
	case SK_FLAG: return bool3((strchr(m->flags ? m->flags : "", k->flag) != NULL) == k->want);
	case SK_RECENT: return bool3(m->recent == k->want);
	case SK_KEYWORD: return bool3(has_keyword(m, k->name) == k->want);
	case SK_LARGER: return bool3(m->size >= 0 && (uint64_t)m->size > k->num);
	case SK_SMALLER: return bool3(m->size >= 0 && (uint64_t)m->size < k->num);
	case SK_MODSEQ: return bool3(m->modseq >= k->num);
	case SK_BEFORE: return bool3(imap_date_local_day(m->internal_date) < k->day);
	case SK_ON: return bool3(imap_date_local_day(m->internal_date) == k->day);
	case SK_SINCE: return bool3(imap_date_local_day(m->internal_date) >= k->day);
	case SK_OLDER: return bool3((int64_t)m->internal_date < k->day);
	case SK_YOUNGER: return bool3((int64_t)m->internal_date >= k->day);
	case SK_SENTBEFORE: case SK_SENTON: case SK_SENTSINCE: return sent(k, c);
	case SK_HEADER: case SK_BODY: case SK_TEXT:
		return c->f || (c->env && k->env) ? bool3(k->hit) : UNKNOWN;
	}
	return NO;
}

/* imapmail_search_match - the passes: cheap keys, the envelope, the file */
int imapmail_search_match(struct imapmail_search *s, const struct imapmail_search_msg *m,
			  uint32_t last_seq, uint32_t last_uid)
{
	struct ectx c = { .s = s, .m = m, .last_seq = last_seq, .last_uid = last_uid };
	struct search_file f = { 0 }, fe = { 0 };
	int v = eval(&c, &s->root);

	if (v != UNKNOWN)
		return v;
	if (m->envelope && imapmail_search_envelope_helps(s)) {
		search_envelope_read(s, m->envelope, m->envelope_len, &fe);
		c.env = &fe;
		if ((v = eval(&c, &s->root)) != UNKNOWN)
			return v;
		c.env = NULL;
	}
	if (m->fd < 0 || search_text_read(s, m->fd, &f) < 0)
		return -1;
	c.f = &f;
	return eval(&c, &s->root) == YES;
}

/* imapmail_search_needs_file - any text or SENT* key */
bool imapmail_search_needs_file(const struct imapmail_search *s)
{
	return s->n_text > 0 || s->needs_date;
}

/* imapmail_search_envelope_helps - a HEADER key on an envelope field,
 * or a SENT* key */
bool imapmail_search_envelope_helps(const struct imapmail_search *s)
{
	return s->env_keys || s->needs_date;
}

/* imapmail_search_needs_size - LARGER or SMALLER appears */
bool imapmail_search_needs_size(const struct imapmail_search *s)
{
	return s->needs_size;
}

/* imapmail_search_uses_saved - '$' appears */
bool imapmail_search_uses_saved(const struct imapmail_search *s)
{
	return s->uses_saved;
}

/* imapmail_search_set_saved - a copy of the saved UIDs */
void imapmail_search_set_saved(struct imapmail_search *s, const uint32_t *uids, size_t n)
{
	free(s->saved);
	s->saved = n ? xmemdup(uids, n * sizeof(*uids)) : NULL;
	s->n_saved = n;
}

/* imapmail_search_uses_modseq - a MODSEQ key is there */
bool imapmail_search_uses_modseq(const struct imapmail_search *s)
{
	return s->uses_modseq;
}

/* imapmail_search_return - the RETURN options */
unsigned imapmail_search_return(const struct imapmail_search *s)
{
	return s->r.ret;
}

/* imapmail_search_returns - the RETURN list */
const struct imapmail_return *imapmail_search_returns(const struct imapmail_search *s)
{
	return &s->r;
}

/* imapmail_search_volatile - see the header */
bool imapmail_search_volatile(const struct imapmail_search *s)
{
	return s->volatile_keys;
}

/* imapmail_search_tag - "* ESEARCH (TAG "t")" */
void imapmail_search_tag(const char *tag, struct buf *out)
{
	buf_cat(out, "* ESEARCH (TAG \"");
	for (const char *p = tag; *p; p++) {
		if (*p == '"' || *p == '\\')
			buf_putc(out, '\\');
		buf_putc(out, *p);
	}
	buf_cat(out, "\")");
}

/* partial - " PARTIAL (a:b set)", or NIL for no result in the range
 * (RFC 5267 4.4: the range as the client gave it) */
static void partial(const struct imapmail_return *r, const uint32_t *hits, size_t n,
		    struct buf *out)
{
	size_t from, to;

	imapmail_return_slice(r, n, &from, &to);
	buf_printf(out, " PARTIAL (%lld:%lld ", (long long)r->partial[0], (long long)r->partial[1]);
	if (from < to)
		imap_seqset_format(hits + from, to - from, out);
	else
		buf_cat(out, "NIL");
	buf_putc(out, ')');
}

/* imapmail_search_esearch - "* ESEARCH (TAG "t") [UID] [MIN n] [MAX n]
 * [ALL set] [PARTIAL (range set)] [COUNT n] [MODSEQ m]" of hits in their
 * order (SEARCH's are increasing; ESORT's in sort order, whose first and
 * last are its MIN and MAX) */
void imapmail_search_esearch(const struct imapmail_return *r, const char *tag, bool uid,
			     const uint32_t *hits, size_t n, uint64_t modseq, struct buf *out)
{
	unsigned ret = r->ret;

	imapmail_search_tag(tag, out);
	if (uid)
		buf_cat(out, " UID");
	if ((ret & IMAPMAIL_SEARCH_RET_MIN) && n > 0)
		buf_printf(out, " MIN %u", hits[0]);
	if ((ret & IMAPMAIL_SEARCH_RET_MAX) && n > 0)
		buf_printf(out, " MAX %u", hits[n - 1]);
	if ((ret & IMAPMAIL_SEARCH_RET_ALL) && n > 0) {
		buf_cat(out, " ALL ");
		imap_seqset_format(hits, n, out);
	}
	if (ret & IMAPMAIL_SEARCH_RET_PARTIAL)
		partial(r, hits, n, out);
	if (ret & IMAPMAIL_SEARCH_RET_COUNT)
		buf_printf(out, " COUNT %zu", n);
	if (modseq > 0)
		buf_printf(out, " MODSEQ %llu", (unsigned long long)modseq);
	buf_cat(out, "\r\n");
}

/* imapmail_search_result - SEARCH or ESEARCH */
void imapmail_search_result(const struct imapmail_search *s, const char *tag, bool uid,
			    bool esearch, const uint32_t *hits, size_t n, uint64_t highest_modseq,
			    struct buf *out)
{
	struct imapmail_return all = { .ret = IMAPMAIL_SEARCH_RET_ALL };
	uint64_t modseq = s->uses_modseq && n > 0 ? highest_modseq : 0;

	if (s->ret_given && !imapmail_return_answers(&s->r))
		return;		/* RFC 5182: SAVE alone answers nothing */
	if (s->ret_given || esearch) {
		imapmail_search_esearch(s->ret_given ? &s->r : &all, tag, uid, hits, n, modseq, out);
		return;
	}
	buf_cat(out, "* SEARCH");
	for (size_t i = 0; i < n; i++)
		buf_printf(out, " %u", hits[i]);
	if (modseq > 0)
		buf_printf(out, " (MODSEQ %llu)", (unsigned long long)modseq);
	buf_cat(out, "\r\n");
}

/* search_key_clear - free what k holds (not k) */
void search_key_clear(struct search_key *k)
{
	for (size_t i = 0; i < k->n_kids; i++)
		search_key_clear(&k->kids[i]);
	free(k->kids);
	imap_seqset_free(&k->set);
	free(k->name);
	buf_free(&k->value);
}

/* imapmail_search_free - the program and all it holds */
void imapmail_search_free(struct imapmail_search **sp)
{
	struct imapmail_search *s = *sp;

	if (s == NULL)
		return;
	search_key_clear(&s->root);
	search_reader_free(s);
	free(s->text);
	free(s->saved);
	free(s);
	*sp = NULL;
}
