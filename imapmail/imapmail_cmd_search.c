/* imapmail_cmd_search - SEARCH and UID SEARCH (RFC 9051 6.4.4, ESEARCH
 * RFC 4731): the program is parsed and evaluated by imapmail_search;
 * here each message of the view is described to it (flags, keywords,
 * size, date; the envelope fields from the index's cache when a key
 * can use them; its file only when a key still needs the text), and
 * the hits go out as SEARCH or ESEARCH.  RETURN (SAVE) keeps the hits' UIDs for
 * a later '$' (RFC 5182); RETURN (UPDATE) keeps the program for the
 * folder's later changes (imapmail_context.c, RFC 5267). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imapmail.h"
#include "imapmail_context.h"
#include "imapmail_recent.h"
#include "imapmail_search.h"
#include "log.h"
#include "mail_index_cache.h"
#include "mem.h"


enum { AHEAD_CHUNK = 512 };		/* envelopes read ahead at once */

/* a message's place in the envelopes read ahead */
struct ahead_at {
	const struct imapmail_ahead *a;
	size_t j;
};

/* keywords_of - the keyword names of a message's letters */
static size_t keywords_of(const struct imapmail_box *b, const char *flags, const char **out)
{
	size_t n = 0;

	for (const char *p = flags; *p; p++)
		if (*p >= 'a' && *p <= 'z' && b->keywords && (size_t)(*p - 'a') < b->keywords->len &&
		    b->keywords->items[*p - 'a'][0])
			out[n++] = b->keywords->items[*p - 'a'];
	return n;
}

/* match - one message: the cached envelope first when it helps (read
 * ahead, or now), the file only if the program still needs it */
static int match(struct imapmail *m, struct imapmail_search *s, struct imapmail_search_msg *sm,
		 const struct mail_index_msg *msg, const struct ahead_at *at, struct buf *env)
{
	const struct mail_index_folder *f = m->box->f;
	uint32_t last_uid = f->len ? f->msgs[f->len - 1].uid : 0;
	const char *data;
	size_t len;
	int rc;

	buf_reset(env);
	if (at && imapmail_ahead_data(at->a, at->j, &data, &len)) {
		sm->envelope = data;
		sm->envelope_len = len;
	} else if (imapmail_search_needs_file(s) && imapmail_search_envelope_helps(s) &&
		   imapmail_envelope_cached(m, msg, env)) {
		sm->envelope = buf_str(env);
		sm->envelope_len = buf_len(env);
	}
	rc = imapmail_search_match(s, sm, (uint32_t)f->len, last_uid);
	if (rc < 0 && imapmail_search_needs_file(s) && (sm->fd = imapmail_msg_open(m, msg)) >= 0) {
		rc = imapmail_search_match(s, sm, (uint32_t)f->len, last_uid);
		close(sm->fd);
	}
	return rc;
}

/* one - imapmail_search_one, with the envelope fields read ahead (at,
 * or NULL) */
static int one(struct imapmail *m, struct imapmail_search *s, size_t i, const struct ahead_at *at,
	       struct buf *env)
{
	const struct imapmail_box *b = m->box;
	const struct mail_index_msg *msg = &b->f->msgs[i];
	const char *kw[26];
	struct imapmail_search_msg sm = {
		.seq = (uint32_t)(i + 1), .uid = msg->uid, .modseq = msg->modseq,
		.flags = msg->flags, .keywords = kw, .n_keywords = keywords_of(b, msg->flags, kw),
		.recent = imapmail_recent_has(b, msg->uid),
		.size = imapmail_search_needs_size(s) ? imapmail_msg_vsize(m, msg) : msg->size,
		.internal_date = msg->date, .fd = -1 };

	return match(m, s, &sm, msg, at, env);
}

/* imapmail_search_one - does s match message i of the view: 1, 0, or -1
 * (its file was needed and could not be read); env: a buffer for the
 * cached envelope */
int imapmail_search_one(struct imapmail *m, struct imapmail_search *s, size_t i, struct buf *env)
{
	return one(m, s, i, NULL, env);
}

/* run - the hits (UIDs or sequence numbers) of s in the view */
static size_t run(struct imapmail *m, struct imapmail_search *s, uint32_t *hits,
		  uint64_t *modseq_r)
{
	const struct mail_index_folder *f = m->box->f;
	struct imapmail_ahead a = { .field = MAIL_INDEX_CACHE_ENVELOPE };
	bool ahead = imapmail_search_needs_file(s) && imapmail_search_envelope_helps(s);
	struct buf *env = buf_new(256);
	size_t n = 0, idx[AHEAD_CHUNK];

	*modseq_r = 0;
	for (size_t i = 0; i < f->len; i++) {
		const struct mail_index_msg *msg = &f->msgs[i];

		if (ahead && i % AHEAD_CHUNK == 0) {
			size_t len = f->len - i < AHEAD_CHUNK ? f->len - i : AHEAD_CHUNK;

			for (size_t k = 0; k < len; k++)
				idx[k] = i + k;
			imapmail_ahead_read(m, &a, idx, len);
		}
		if (one(m, s, i, ahead ? &(struct ahead_at){ &a, i % AHEAD_CHUNK } : NULL, env) == 1) {
			hits[n++] = m->uid ? msg->uid : (uint32_t)(i + 1);
			*modseq_r = msg->modseq > *modseq_r ? msg->modseq : *modseq_r;
		}
	}
	imapmail_ahead_free(&a);
	buf_free(&env);
	return n;
}

/* imapmail_search_save - RETURN (SAVE): the hits (SEARCH's, or SORT's in
 * sort order) as UIDs, for '$'; with MIN and/or MAX and neither ALL nor
 * COUNT, only the first and/or last (RFC 5182 2.1, RFC 9051 6.4.4.1,
 * RFC 5267 3.2); with PARTIAL and no COUNT, PARTIAL's and those (RFC
 * 9394 3.2) */
void imapmail_search_save(struct imapmail *m, const struct imapmail_return *r, const uint32_t *hits,
			  size_t n)
{
	unsigned ret = r->ret;
	bool part = (ret & IMAPMAIL_SEARCH_RET_PARTIAL) && !(ret & IMAPMAIL_SEARCH_RET_COUNT);
	bool pick = part || ((ret & (IMAPMAIL_SEARCH_RET_MIN | IMAPMAIL_SEARCH_RET_MAX)) &&
			     !(ret & (IMAPMAIL_SEARCH_RET_ALL | IMAPMAIL_SEARCH_RET_COUNT)));
	size_t from = 0, to = 0, k = 0;

	if (part)
		imapmail_return_slice(r, n, &from, &to);
	free(m->saved);
	m->saved = xcalloc(n + 1, sizeof(*m->saved));
	for (size_t i = 0; i < n; i++) {
		if (pick && !(i >= from && i < to) && !(i == 0 && (ret & IMAPMAIL_SEARCH_RET_MIN)) &&
		    !(i == n - 1 && (ret & IMAPMAIL_SEARCH_RET_MAX)))
			continue;
		m->saved[k++] = m->uid ? hits[i] : m->box->f->msgs[hits[i] - 1].uid;
	}
	m->n_saved = k;
	qsort(m->saved, k, sizeof(*m->saved), imapmail_uid_cmp);	/* SORT's come in sort order */
}

void imapmail_cmd_search(struct imapmail *m, struct imap_cmd *c)
{
	struct imapmail_search *s = NULL;
	struct buf *why = buf_new(0), *out = buf_new(128);
	uint32_t *hits = xcalloc(m->box->f->len + 1, sizeof(*hits));
	const struct imapmail_return *r;
	uint64_t modseq;
	size_t n;
	int rc;

	if ((rc = imapmail_search_parse(c->args, c->args_len, &s, why)) < 0) {
		if (rc == -2)
			imapmail_tagged(m, "NO", "%s", buf_str(why));
		else
			imapmail_tagged(m, "BAD", "Error in IMAP command %sSEARCH: %s",
					m->uid ? "UID " : "", buf_str(why));
		goto out;
	}
	r = imapmail_search_returns(s);
	if ((r->ret & IMAPMAIL_SEARCH_RET_UPDATE) && imapmail_context_tag_used(m, c->tag)) {
		imapmail_tagged(m, "BAD", "Tag reuse");	/* RFC 5267 4.3 */
		goto out;
	}
	if (imapmail_search_uses_modseq(s))	/* RFC 7162 3.1: it enables CONDSTORE */
		imapmail_condstore_enable(m);
	if (imapmail_search_uses_saved(s))
		imapmail_search_set_saved(s, m->saved, m->n_saved);
	imapmail_cache_batch(m, true);
	n = run(m, s, hits, &modseq);
	imapmail_cache_batch(m, false);
	if (r->ret & IMAPMAIL_SEARCH_RET_SAVE)
		imapmail_search_save(m, r, hits, n);
	imapmail_search_result(s, c->tag, m->uid, m->rev2, hits, n, modseq, out);
	stream_write(m->s, buf_str(out), buf_len(out));
	if (r->ret & IMAPMAIL_SEARCH_RET_UPDATE)
		imapmail_context_add(m, c->tag, &s, NULL, hits, n);
	imapmail_tagged(m, "OK", "Search completed.");
out:
	imapmail_search_free(&s);
	free(hits);
	buf_free(&why);
	buf_free(&out);
}

/* imapmail_search_seqs - SEARCH's evaluation for SORT and THREAD */
size_t imapmail_search_seqs(struct imapmail *m, struct imapmail_search *s, uint32_t *hits)
{
	bool uid = m->uid;
	uint64_t modseq;
	size_t n;

	m->uid = false;
	n = run(m, s, hits, &modseq);
	m->uid = uid;
	return n;
}
