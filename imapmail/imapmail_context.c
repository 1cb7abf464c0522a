/* imapmail_context - RETURN (UPDATE)'s contexts and CANCELUPDATE (RFC
 * 5267 4.3; see imapmail_context.h).
 *
 * A context keeps its program, SORT's criteria, and a snapshot of the
 * view as last told: per message its UID, a hash of its flags and
 * MODSEQ, and whether it was in the result; SORT's result also in sort
 * order.  An update walks the view against the snapshot: a message new
 * or with another hash is matched again (every one when the program is
 * volatile and anything changed); the result's difference goes out as
 * REMOVEFROM then ADDTO.  SORT's removals are runs of places in the old
 * order; its additions runs of places in the new order (the kept ones
 * keep their relative order, so inserting by increasing place lands
 * each at its final place: 4.3.3).  Expunged messages leave before the
 * EXPUNGE that tells of them (4.3.4), in the sequence numbers the
 * client still has; additions come after EXISTS (imapmail_box_sync
 * calls imapmail_context_update last).
 * Errors: none reach the client; memory is xmalloc's.  Trust: programs
 * from the client, bounded in number by IMAPMAIL_CONTEXT_MAX.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imap_seqset.h"
#include "imapmail_context.h"
#include "imapmail_search.h"
#include "mem.h"

struct snap {
	uint32_t uid;
	uint32_t hash;			/* flags and MODSEQ */
	bool hit;
	bool retry;			/* its file could not be read: again */
};

struct ctx {
	char *tag;
	bool uid;			/* UID SEARCH / UID SORT */
	struct imapmail_search *s;
	struct imapmail_sorting *st;	/* SORT's criteria, or NULL */
	struct snap *snap;		/* the view when last told, UID order */
	size_t n_snap;
	uint32_t *order;		/* SORT: the result's UIDs in sort order */
	size_t n_order;
	bool expunged;			/* since the last update (the sequence
					 * numbers moved) */
};

struct imapmail_contexts {
	struct ctx c[IMAPMAIL_CONTEXT_MAX];
	size_t len;
};

/* hash - FNV-1a of a message's flags and MODSEQ */
static uint32_t hash(const struct mail_index_msg *msg)
{
	uint32_t h = 2166136261u;

	for (const char *p = msg->flags; *p; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	for (int k = 0; k < 8; k++)
		h = (h ^ (uint8_t)(msg->modseq >> (8 * k))) * 16777619u;
	return h;
}

/* ctx_free - what x holds */
static void ctx_free(struct ctx *x)
{
	free(x->tag);
	imapmail_search_free(&x->s);
	imapmail_sorting_free(&x->st);
	free(x->snap);
	free(x->order);
	memset(x, 0, sizeof(*x));
}

/* imapmail_context_tag_used - see the header */
bool imapmail_context_tag_used(const struct imapmail *m, const char *tag)
{
	for (size_t k = 0; m->contexts && k < m->contexts->len; k++)
		if (strcmp(m->contexts->c[k].tag, tag) == 0)
			return true;
	return false;
}

/* imapmail_context_add - see the header */
void imapmail_context_add(struct imapmail *m, const char *tag, struct imapmail_search **s,
			  struct imapmail_sorting *st, const uint32_t *ids, size_t n)
{
	const struct mail_index_folder *f = m->box->f;
	struct ctx *x;
	bool *hit;

	if (m->contexts == NULL)
		m->contexts = xcalloc(1, sizeof(*m->contexts));
	if (m->contexts->len == IMAPMAIL_CONTEXT_MAX) {	/* RFC 5267 4.3.1 */
		imapmail_untagged(m, "NO [NOUPDATE \"%s\"] Too many contexts", tag);
		imapmail_sorting_free(&st);
		return;
	}
	x = &m->contexts->c[m->contexts->len++];
	*x = (struct ctx){ .tag = xstrdup(tag), .uid = m->uid, .s = *s, .st = st };
	*s = NULL;
	hit = xcalloc(f->len + 1, sizeof(*hit));
	x->order = st ? xcalloc(n + 1, sizeof(*x->order)) : NULL;
	for (size_t k = 0; k < n; k++) {
		size_t i = m->uid ? mail_index_folder_find(f, ids[k]) : ids[k] - 1;

		if (i < f->len) {
			hit[i] = true;
			if (st)
				x->order[x->n_order++] = f->msgs[i].uid;
		}
	}
	x->snap = xcalloc(f->len + 1, sizeof(*x->snap));
	for (size_t i = 0; i < f->len; i++)
		x->snap[i] = (struct snap){ .uid = f->msgs[i].uid, .hash = hash(&f->msgs[i]),
					    .hit = hit[i] };
	x->n_snap = f->len;
	free(hit);
}

/* id_of - what x's client calls uid in f: the UID, or its sequence
 * number (0: not in f) */
static uint32_t id_of(const struct ctx *x, const struct mail_index_folder *f, uint32_t uid)
{
	size_t i;

	if (x->uid)
		return uid;
	i = mail_index_folder_find(f, uid);
	return i < f->len ? (uint32_t)(i + 1) : 0;
}

/* item - " WHAT (pos set)" of uids (f's ids) on x's line, begun if need be */
static void item(const struct ctx *x, const struct mail_index_folder *f, const char *what,
		 size_t pos, const uint32_t *uids, size_t n, struct buf *line)
{
	uint32_t *ids = xcalloc(n + 1, sizeof(*ids));
	size_t k = 0;

	for (size_t j = 0; j < n; j++)
		if ((ids[k] = id_of(x, f, uids[j])) != 0)
			k++;
	if (k > 0) {
		if (buf_len(line) == 0) {
			imapmail_search_tag(x->tag, line);
			if (x->uid)
				buf_cat(line, " UID");
		}
		buf_printf(line, " %s (%zu ", what, pos);
		imap_seqset_format(ids, k, line);
		buf_putc(line, ')');
	}
	free(ids);
}

/* has - uid is in the increasing uids */
static bool has(const uint32_t *uids, size_t n, uint32_t uid)
{
	return n > 0 && bsearch(&uid, uids, n, sizeof(*uids), imapmail_uid_cmp) != NULL;
}

/* removals - rm (increasing UIDs, f's) leave x's result: SEARCH's at 0,
 * SORT's as runs of places in its order, which loses them */
static void removals(struct ctx *x, const struct mail_index_folder *f, const uint32_t *rm,
		     size_t n_rm, struct buf *line)
{
	uint32_t *run;
	size_t w = 0, n_run = 0, at = 0;

	if (n_rm == 0)
		return;
	if (x->st == NULL) {
		item(x, f, "REMOVEFROM", 0, rm, n_rm, line);
		return;
	}
	run = xcalloc(x->n_order + 1, sizeof(*run));
	for (size_t r = 0; r <= x->n_order; r++) {
		if (r < x->n_order && has(rm, n_rm, x->order[r])) {
			if (n_run == 0)
				at = w + 1;
			run[n_run++] = x->order[r];
			continue;
		}
		if (n_run > 0)
			item(x, f, "REMOVEFROM", at, run, n_run, line);
		n_run = 0;
		if (r < x->n_order)
			x->order[w++] = x->order[r];
	}
	x->n_order = w;
	free(run);
}

/* sort_additions - the new order of the view's hits (ns); the ones not
 * in x's order go in as runs of places in it */
static void sort_additions(struct imapmail *m, struct ctx *x, const struct snap *ns,
			   struct buf *line)
{
	const struct mail_index_folder *f = m->box->f;
	uint32_t *seqs = xcalloc(f->len + 1, sizeof(*seqs)), *order, *old;
	size_t n = 0, n_run = 0, at = 0;
	bool uid = m->uid;

	for (size_t i = 0; i < f->len; i++)
		if (ns[i].hit)
			seqs[n++] = (uint32_t)(i + 1);
	order = xcalloc(n + 1, sizeof(*order));
	m->uid = true;
	imapmail_sort_ids(m, x->st, seqs, n, order);
	m->uid = uid;
	old = xmemdup(x->order, (x->n_order + 1) * sizeof(*old));
	qsort(old, x->n_order, sizeof(*old), imapmail_uid_cmp);
	for (size_t k = 0; k <= n; k++) {	/* seqs: the run's UIDs */
		if (k < n && !has(old, x->n_order, order[k])) {
			if (n_run == 0)
				at = k + 1;
			seqs[n_run++] = order[k];
			continue;
		}
		if (n_run > 0)
			item(x, f, "ADDTO", at, seqs, n_run, line);
		n_run = 0;
	}
	free(x->order);
	x->order = order;
	x->n_order = n;
	free(old);
	free(seqs);
}

/* flush - the line, if any, to the client */
static void flush(struct imapmail *m, struct buf *line)
{
	if (buf_len(line) == 0)
		return;
	buf_cat(line, "\r\n");
	stream_write(m->s, buf_str(line), buf_len(line));
	buf_reset(line);
}

/* imapmail_context_expunged - see the header */
void imapmail_context_expunged(struct imapmail *m, const struct mail_index_folder *old)
{
	const struct mail_index_folder *f = m->box->f;
	struct buf *line = buf_new(128);

	for (size_t k = 0; m->contexts && k < m->contexts->len; k++) {
		struct ctx *x = &m->contexts->c[k];
		uint32_t *rm = xcalloc(x->n_snap + 1, sizeof(*rm));
		size_t n_rm = 0, w = 0;

		for (size_t j = 0; j < x->n_snap; j++) {
			if (mail_index_folder_find(f, x->snap[j].uid) < f->len)
				x->snap[w++] = x->snap[j];
			else if (x->snap[j].hit)
				rm[n_rm++] = x->snap[j].uid;
		}
		x->expunged = x->expunged || w < x->n_snap;
		x->n_snap = w;
		removals(x, old, rm, n_rm, line);
		flush(m, line);
		free(rm);
	}
	buf_free(&line);
}

/* judge - message i against x's program into e: a file that cannot be
 * read (being renamed: new/ to cur/) is no hit yet, to be tried again;
 * SORT's hits need their file for their keys */
static void judge(struct imapmail *m, const struct ctx *x, size_t i, struct snap *e,
		  struct buf *env)
{
	int rc = imapmail_search_one(m, x->s, i, env), fd;

	e->hit = rc == 1;
	e->retry = rc < 0;
	if (e->hit && x->st) {
		if ((fd = imapmail_msg_open(m, &m->box->f->msgs[i])) >= 0)
			close(fd);
		e->hit = fd >= 0;
		e->retry = fd < 0;
	}
}

/* rematch - x's snapshot of the view now (*ns_r): false when nothing
 * changed */
static bool rematch(struct imapmail *m, struct ctx *x, struct snap **ns_r, struct buf *env)
{
	const struct mail_index_folder *f = m->box->f;
	struct snap *ns = xcalloc(f->len + 1, sizeof(*ns));
	bool *done = xcalloc(f->len + 1, sizeof(*done)), changed = x->n_snap != f->len || x->expunged;
	size_t j = 0;

	x->expunged = false;

	for (size_t i = 0; i < f->len; i++) {
		uint32_t uid = f->msgs[i].uid, h = hash(&f->msgs[i]);

		while (j < x->n_snap && x->snap[j].uid < uid)
			j++, changed = true;
		if (j < x->n_snap && x->snap[j].uid == uid && x->snap[j].hash == h &&
		    !x->snap[j].retry) {
			ns[i] = x->snap[j++];
			continue;
		}
		j += j < x->n_snap && x->snap[j].uid == uid;
		changed = true;
		ns[i] = (struct snap){ .uid = uid, .hash = h };
		judge(m, x, i, &ns[i], env);
		done[i] = true;
	}
	for (size_t i = 0; changed && imapmail_search_volatile(x->s) && i < f->len; i++)
		if (!done[i])
			judge(m, x, i, &ns[i], env);
	free(done);
	if (!changed)
		free(ns);
	*ns_r = changed ? ns : NULL;
	return changed;
}

/* update_one - x's news since its snapshot */
static void update_one(struct imapmail *m, struct ctx *x, struct buf *env, struct buf *line)
{
	const struct mail_index_folder *f = m->box->f;
	struct snap *ns;
	uint32_t *rm, *add;
	size_t n_rm = 0, n_add = 0, j = 0;

	if (!rematch(m, x, &ns, env))
		return;
	rm = xcalloc(x->n_snap + 1, sizeof(*rm));
	add = xcalloc(f->len + 1, sizeof(*add));
	for (size_t i = 0; i <= f->len; i++) {	/* both in UID order */
		uint32_t uid = i < f->len ? ns[i].uid : UINT32_MAX;

		for (; j < x->n_snap && x->snap[j].uid < uid; j++)
			if (x->snap[j].hit)
				rm[n_rm++] = x->snap[j].uid;
		if (i == f->len)
			break;
		if (j < x->n_snap && x->snap[j].uid == uid) {
			if (x->snap[j].hit && !ns[i].hit)
				rm[n_rm++] = uid;
			else if (!x->snap[j].hit && ns[i].hit)
				add[n_add++] = uid;
			j++;
		} else if (ns[i].hit) {
			add[n_add++] = uid;
		}
	}
	removals(x, f, rm, n_rm, line);
	if (x->st && n_add > 0)
		sort_additions(m, x, ns, line);
	else if (n_add > 0)
		item(x, f, "ADDTO", 0, add, n_add, line);
	flush(m, line);
	free(x->snap);
	x->snap = ns;
	x->n_snap = f->len;
	free(rm);
	free(add);
}

/* imapmail_context_update - see the header */
void imapmail_context_update(struct imapmail *m)
{
	struct buf *env, *line;

	if (m->contexts == NULL || m->contexts->len == 0 || m->box == NULL)
		return;
	env = buf_new(256);
	line = buf_new(128);
	imapmail_cache_batch(m, true);
	for (size_t k = 0; k < m->contexts->len; k++)
		update_one(m, &m->contexts->c[k], env, line);
	imapmail_cache_batch(m, false);
	buf_free(&env);
	buf_free(&line);
}

/* imapmail_context_free_all - every context: the folder is closed */
void imapmail_context_free_all(struct imapmail *m)
{
	if (m->contexts == NULL)
		return;
	for (size_t k = 0; k < m->contexts->len; k++)
		ctx_free(&m->contexts->c[k]);
	free(m->contexts);
	m->contexts = NULL;
}

/* imapmail_cmd_cancelupdate - CANCELUPDATE "tag"... (RFC 5267 4.3.5): the
 * contexts under those tags end; a tag with none is no error (the
 * server may have ended it first) */
void imapmail_cmd_cancelupdate(struct imapmail *m, struct imap_cmd *c)
{
	struct imapmail_contexts *cs = m->contexts;

	if (c->args_len == 0) {
		imapmail_tagged(m, "BAD", "Error in IMAP command CANCELUPDATE: Missing tag");
		return;
	}
	for (size_t i = 0; i < c->args_len; i++) {
		if (c->args[i].type == IMAP_ARG_LIST || c->args[i].type == IMAP_ARG_NIL) {
			imapmail_tagged(m, "BAD", "Error in IMAP command CANCELUPDATE: Invalid tag");
			return;
		}
	}
	for (size_t i = 0; cs && i < c->args_len; i++) {
		for (size_t k = 0; k < cs->len; k++) {
			if (strcmp(cs->c[k].tag, c->args[i].str) != 0)
				continue;
			ctx_free(&cs->c[k]);
			cs->c[k] = cs->c[--cs->len];
			break;
		}
	}
	imapmail_tagged(m, "OK", "Updates cancelled.");
}
