/* imapmail_cmd_sort - SORT, UID SORT, THREAD and UID THREAD (RFC 5256;
 * DISPLAYFROM and DISPLAYTO of RFC 5957).  The search program after the
 * charset is SEARCH's (imapmail_search: parse, then the hits through
 * imapmail_search_seqs).  The keys are the session's
 * (imapmail_sortcache.c: Date, Subject, the addresses, Message-ID and
 * References of every message of the folder, kept in the index's cache);
 * arrival and size from the index's record.  A SORT by one key whose
 * order the session keeps (every key but SIZE) walks that order,
 * keeping the hits; any other SORT sorts the hits with qsort, comparing
 * numbers (a string key or a date by its rank in its order).  Ties go
 * by sequence number (RFC 5256 section 3), REVERSE turning only its own
 * key.  Threads are imapmail_thread.c's.  Words for errors are Dovecot's.
 * Trust: arguments from the client, keys from any sender's headers.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "imapmail.h"
#include "imapmail_context.h"
#include "imapmail_search.h"
#include "imapmail_sort.h"
#include "mail_vsize.h"
#include "mem.h"

enum key { K_ARRIVAL, K_CC, K_DATE, K_FROM, K_SIZE, K_SUBJECT, K_TO, K_DISPLAYFROM, K_DISPLAYTO,
	   K_COUNT };
enum { CRITERIA_MAX = 32, SIZE_FILE_MAX = 1 << 30 };

static const char *const key_names[K_COUNT] = {
	"ARRIVAL", "CC", "DATE", "FROM", "SIZE", "SUBJECT", "TO", "DISPLAYFROM", "DISPLAYTO" };

struct criterion {
	enum key key;
	bool reverse;
};

/* one hit: its first criterion's value (numbers; a string key or the
 * sent date by its rank), the others in columns by place */
struct entry {
	int64_t v;
	uint32_t seq, id;
};

/* the keys whose order the session keeps (imapmail_sortcache_order) */
static const int cached_of[K_COUNT] = {
	[K_ARRIVAL] = IMAPMAIL_SORT_ARRIVAL, [K_CC] = IMAPMAIL_SORT_CC, [K_DATE] = IMAPMAIL_SORT_DATE,
	[K_FROM] = IMAPMAIL_SORT_FROM, [K_SIZE] = -1, [K_SUBJECT] = IMAPMAIL_SORT_SUBJECT,
	[K_TO] = IMAPMAIL_SORT_TO, [K_DISPLAYFROM] = IMAPMAIL_SORT_DISPLAYFROM,
	[K_DISPLAYTO] = IMAPMAIL_SORT_DISPLAYTO };

struct imapmail_sorting {
	struct criterion c[CRITERIA_MAX];
	size_t len;
	bool want[K_COUNT];
	bool refs;			/* THREAD=REFERENCES */
};

/* criteria - the SORT list into st: false with why (Dovecot's words) */
static bool criteria(const struct imap_arg *a, struct imapmail_sorting *st, struct buf *why)
{
	bool reverse = false;

	if (a->type != IMAP_ARG_LIST) {
		buf_set(why, "Invalid sort argument");
		return false;
	}
	for (size_t i = 0; i < a->list_len; i++) {
		const struct imap_arg *w = &a->list[i];
		size_t k;

		if (w->type != IMAP_ARG_ATOM) {
			buf_set(why, "Invalid sort argument");
			return false;
		}
		if (strcasecmp(w->str, "REVERSE") == 0) {
			reverse = true;
			continue;
		}
		for (k = 0; k < K_COUNT && strcasecmp(w->str, key_names[k]) != 0; k++)
			;
		if (k == K_COUNT || st->len == CRITERIA_MAX) {
			buf_printf(why, "Unknown sort argument: %s", w->str);
			return false;
		}
		st->c[st->len++] = (struct criterion){ .key = (enum key)k, .reverse = reverse };
		st->want[k] = true;
		reverse = false;
	}
	if (reverse)
		buf_set(why, "Sort list ends with REVERSE");
	else if (st->len == 0)
		buf_set(why, "Empty sort program");
	return !reverse && st->len > 0;
}

/* size - RFC822.SIZE of msg (counted from the file when the index has none) */
static off_t size(struct imapmail *m, const struct mail_index_msg *msg)
{
	off_t n = msg->vsize;
	int fd;

	if (n >= 0)
		return n;
	fd = imapmail_msg_open(m, msg);
	if (fd < 0 || mail_vsize_fd(fd, SIZE_FILE_MAX, &n) < 0)
		n = msg->size;
	if (fd >= 0)
		close(fd);
	return n;
}

static const struct imapmail_sorting *cmp_st;	/* for cmp: qsort has no context */
static int64_t *cmp_col[CRITERIA_MAX];	/* the criteria after the first, by place */

/* column - criterion k's value of each hit, by place (seq - 1) */
static int64_t *column(struct imapmail *m, enum key k, const uint32_t *hits, size_t n)
{
	const struct mail_index_msg *msgs = m->box->f->msgs;
	const uint32_t *rank = NULL;
	int64_t *col = xcalloc(m->box->f->len + 1, sizeof(*col));

	if (cached_of[k] >= 0)
		(void)imapmail_sortcache_order(m, (enum imapmail_sort_str)cached_of[k], &rank);
	for (size_t j = 0; j < n; j++) {
		size_t i = hits[j] - 1;

		col[i] = rank ? rank[i] : k == K_SIZE ? size(m, &msgs[i]) : msgs[i].date;
	}
	return col;
}

/* cmp - the criteria in turn, then the sequence number */
static int cmp(const void *pa, const void *pb)
{
	const struct entry *a = pa, *b = pb;
	int r = (a->v > b->v) - (a->v < b->v);

	if (r != 0)
		return cmp_st->c[0].reverse ? -r : r;
	for (size_t c = 1; c < cmp_st->len; c++) {
		int64_t x = cmp_col[c][a->seq - 1], y = cmp_col[c][b->seq - 1];

		if ((r = (x > y) - (x < y)) != 0)
			return cmp_st->c[c].reverse ? -r : r;
	}
	return (a->seq > b->seq) - (a->seq < b->seq);
}

/* sorted_ids - the ids of the hits in st's order, by qsort */
static void sorted_ids(struct imapmail *m, const struct imapmail_sorting *st, const uint32_t *hits,
		       size_t n, uint32_t *ids)
{
	struct entry *e = xcalloc(n + 1, sizeof(*e));
	int64_t *first = column(m, st->c[0].key, hits, n);

	for (size_t c = 1; c < st->len; c++)
		cmp_col[c] = column(m, st->c[c].key, hits, n);
	for (size_t j = 0; j < n; j++)
		e[j] = (struct entry){ .v = first[hits[j] - 1], .seq = hits[j],
				       .id = m->uid ? m->box->f->msgs[hits[j] - 1].uid : hits[j] };
	cmp_st = st;
	qsort(e, n, sizeof(*e), cmp);
	for (size_t j = 0; j < n; j++)
		ids[j] = e[j].id;
	for (size_t c = 1; c < st->len; c++)
		free(cmp_col[c]);
	free(first);
	free(e);
}

/* ordered_ids - the ids of the hits by one key whose order the session
 * keeps: that order less the other messages; REVERSE turns the runs of
 * equal keys, not the places within a run */
static void ordered_ids(struct imapmail *m, const struct criterion *c, const uint32_t *hits,
			size_t n, uint32_t *ids)
{
	const struct mail_index_folder *f = m->box->f;
	const uint32_t *rank, *order = imapmail_sortcache_order(
		m, (enum imapmail_sort_str)cached_of[c->key], &rank);
	bool *hit = xcalloc(f->len + 1, sizeof(*hit));
	size_t k = 0;

	for (size_t j = 0; j < n; j++)
		hit[hits[j] - 1] = true;
	for (size_t end = f->len; end > 0;) {
		size_t at = c->reverse ? end - 1 : f->len - end, from = at, to = at + 1;

		if (c->reverse)
			while (from > 0 && rank[order[from - 1]] == rank[order[at]])
				from--;
		end -= c->reverse ? to - from : 1;
		for (size_t x = from; x < to; x++)
			if (hit[order[x]])
				ids[k++] = m->uid ? f->msgs[order[x]].uid : order[x] + 1;
	}
	free(hit);
}

/* program - the search program after the charset (args[0]): 0, or the
 * tagged answer sent */
static int program(struct imapmail *m, struct imap_cmd *c, const char *what,
		   struct imapmail_search **s)
{
	struct imap_arg *args = xcalloc(c->args_len + 1, sizeof(*args));
	struct buf *why = buf_new(0);
	int rc;

	args[0] = (struct imap_arg){ .type = IMAP_ARG_ATOM, .str = (char *)"CHARSET", .len = 7 };
	memcpy(args + 1, c->args + 1, (c->args_len - 1) * sizeof(*args));
	if (c->args_len < 3) {
		rc = -1;
		buf_set(why, "Missing search parameters");
	} else {
		rc = imapmail_search_parse(args, c->args_len, s, why);
	}
	if (rc == 0 && imapmail_search_uses_saved(*s))
		imapmail_search_set_saved(*s, m->saved, m->n_saved);
	if (rc == -2)
		imapmail_tagged(m, "NO", "%s", buf_str(why));
	else if (rc < 0)
		imapmail_tagged(m, "BAD", "Error in IMAP command %s%s: %s", m->uid ? "UID " : "",
				what, buf_str(why));
	free(args);
	buf_free(&why);
	return rc;
}

/* matches - the sequence numbers the program matches: how many */
static size_t matches(struct imapmail *m, struct imapmail_search *s, uint32_t **hits_r)
{
	size_t n;

	*hits_r = xcalloc(m->box->f->len + 1, sizeof(**hits_r));
	imapmail_cache_batch(m, true);
	n = imapmail_search_seqs(m, s, *hits_r);
	imapmail_cache_batch(m, false);
	return n;
}

/* put_ids - " 1 2 3": the ids in decimal (a printf each costs a third
 * of a SORT of a large folder) */
static void put_ids(struct buf *out, const uint32_t *ids, size_t n)
{
	char tmp[12];

	buf_reserve(out, n * 11 + 1);
	for (size_t k = 0; k < n; k++) {
		size_t at = sizeof(tmp);
		uint32_t v = ids[k];

		do {
			tmp[--at] = (char)('0' + v % 10);
			v /= 10;
		} while (v);
		tmp[--at] = ' ';
		buf_add(out, tmp + at, sizeof(tmp) - at);
	}
}

/* imapmail_sort_ids - the ids (UIDs when m->uid) of seqs (increasing)
 * in st's order */
void imapmail_sort_ids(struct imapmail *m, const struct imapmail_sorting *st, const uint32_t *seqs,
		       size_t n, uint32_t *ids)
{
	if (st->len == 1 && cached_of[st->c[0].key] >= 0)
		ordered_ids(m, &st->c[0], seqs, n, ids);
	else
		sorted_ids(m, st, seqs, n, ids);
}

/* imapmail_sorting_free - a copy imapmail_cmd_sort gave to a context */
void imapmail_sorting_free(struct imapmail_sorting **stp)
{
	free(*stp);
	*stp = NULL;
}

/* imapmail_cmd_sort - SORT [RETURN (...)] (criteria) charset key...
 * (RETURN: ESORT, imapmail_esort.c; UPDATE: imapmail_context.c) */
void imapmail_cmd_sort(struct imapmail *m, struct imap_cmd *c)
{
	struct imapmail_sorting st = { .len = 0 };
	struct imapmail_search *s = NULL;
	struct buf *out = buf_new(256), *why = buf_new(0);
	struct imapmail_return r;
	uint32_t *ids, *seqs;
	size_t n;

	if (!imapmail_esort_return(m, c, &r))
		goto out;
	if (c->args_len < 1 || !criteria(&c->args[0], &st, why)) {
		imapmail_tagged(m, "BAD", "Error in IMAP command %sSORT: %s", m->uid ? "UID " : "",
				buf_len(why) ? buf_str(why) : "Invalid sort argument");
		goto out;
	}
	if ((r.ret & IMAPMAIL_SEARCH_RET_UPDATE) && imapmail_context_tag_used(m, c->tag)) {
		imapmail_tagged(m, "BAD", "Tag reuse");	/* RFC 5267 4.3 */
		goto out;
	}
	if (program(m, c, "SORT", &s) < 0)
		goto out;
	n = matches(m, s, &seqs);
	ids = xcalloc(n + 1, sizeof(*ids));
	imapmail_sort_ids(m, &st, seqs, n, ids);
	free(seqs);
	if (r.ret & IMAPMAIL_SEARCH_RET_SAVE)
		imapmail_search_save(m, &r, ids, n);
	if (r.ret && !imapmail_return_answers(&r)) {
		;	/* RFC 5182: SAVE alone answers nothing */
	} else if (r.ret) {
		imapmail_search_esearch(&r, c->tag, m->uid, ids, n, 0, out);
	} else {
		buf_cat(out, "* SORT");
		put_ids(out, ids, n);
		buf_cat(out, "\r\n");
	}
	stream_write(m->s, buf_str(out), buf_len(out));
	if (r.ret & IMAPMAIL_SEARCH_RET_UPDATE)
		imapmail_context_add(m, c->tag, &s, xmemdup(&st, sizeof(st)), ids, n);
	free(ids);
	imapmail_tagged(m, "OK", "Sort completed.");
out:
	imapmail_search_free(&s);
	buf_free(&out);
	buf_free(&why);
}

/* imapmail_cmd_thread - THREAD algorithm charset key... */
void imapmail_cmd_thread(struct imapmail *m, struct imap_cmd *c)
{
	struct imapmail_sorting st = { .len = 0 };
	struct imapmail_search *s = NULL;
	const struct imapmail_sortkeys *k;
	struct imapmail_thread_msg *t;
	struct buf *out = buf_new(256);
	struct strv **refs;
	uint32_t *seqs;
	size_t n;

	if (c->args_len < 1 || c->args[0].type != IMAP_ARG_ATOM) {
		imapmail_tagged(m, "BAD", "Error in IMAP command %sTHREAD: Invalid thread algorithm",
				m->uid ? "UID " : "");
		goto out;
	}
	if (strcasecmp(c->args[0].str, "REFERENCES") == 0) {
		st.refs = true;
	} else if (strcasecmp(c->args[0].str, "ORDEREDSUBJECT") != 0) {
		imapmail_tagged(m, "BAD", "Error in IMAP command %sTHREAD: Unknown thread algorithm",
				m->uid ? "UID " : "");
		goto out;
	}
	if (program(m, c, "THREAD", &s) < 0)
		goto out;
	n = matches(m, s, &seqs);
	k = imapmail_sortcache_keys(m);
	t = xcalloc(n + 1, sizeof(*t));
	refs = xcalloc(n + 1, sizeof(*refs));
	for (size_t j = 0; j < n; j++) {
		size_t i = seqs[j] - 1;
		const char *r = k[i].refs;

		refs[j] = strv_new();
		for (uint32_t x = 0; st.refs && x < k[i].n_refs; x++, r += strlen(r) + 1)
			strv_add(refs[j], r);
		t[j] = (struct imapmail_thread_msg){
			.seq = (uint32_t)(i + 1), .id = m->uid ? m->box->f->msgs[i].uid : (uint32_t)(i + 1),
			.sent = (time_t)imapmail_sortcache_sent(m, k, i), .subject = k[i].str[IMAPMAIL_SORT_SUBJECT],
			.reply = k[i].reply, .msgid = st.refs ? k[i].msgid : NULL, .refs = refs[j] };
	}
	buf_cat(out, "* THREAD ");
	imapmail_thread_write(t, n, st.refs, out);
	buf_cat(out, "\r\n");
	stream_write(m->s, buf_str(out), buf_len(out));
	for (size_t j = 0; j < n; j++)
		strv_free(&refs[j]);
	free(refs);
	free(t);
	free(seqs);
	imapmail_tagged(m, "OK", "Thread completed.");
out:
	imapmail_search_free(&s);
	buf_free(&out);
}
