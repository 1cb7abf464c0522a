/* imapmail_sortcache - the sort keys of every message of the selected
 * folder, kept by the session (m->sortcache) for SORT and THREAD.
 * Interface in imapmail_sort.h:
 *
 *   k = imapmail_sortcache_keys(m);      // k[seq - 1], every message
 *   o = imapmail_sortcache_order(m, IMAPMAIL_SORT_SUBJECT, &rank);
 *
 * The cache stays while the folder's messages are the same: the same
 * folder, UIDVALIDITY, and UID, size and internal date at every
 * sequence number (a message's bytes never change under its UID; a
 * changed size is another message to the index's cache).  Otherwise it
 * is made again.  The keys are read on first use, all in one walk of
 * the index cache's side table (mail_index_cache_side_scan), each entry
 * taken only under the validator of the message the session sees; the
 * messages without one (new, or a cache of an older hato) get theirs
 * computed (imapmail_sortkeys.c) from the cached envelope fields and
 * lean header, filled first if need be, and kept in one write
 * transaction, each under the validator it was computed after; a
 * message whose envelope cannot be cached is read from its file and its
 * keys are not kept; one whose file cannot be read either (renamed from
 * new/ to cur/ under the session) gets empty keys for now, and the cache
 * is made again at its next use.  An order (the places by one key, then by place)
 * and its ranks are made on first use with qsort of 8-byte heads of the
 * key (strcmp's order), so that a SORT compares integers or walks the
 * order.  Errors of the cache are logged; the keys are then computed.
 * Trust: keys from the sender's headers, entries from the index
 * (checked by decode).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imapmail.h"
#include "imapmail_sort.h"
#include "log.h"
#include "mail_index_cache.h"
#include "mem.h"
#include "mime_parts.h"

enum { HEADER_READ_MAX = 256 * 1024, ARENA_BLOCK = 64 * 1024 };

struct imapmail_sortcache {
	char *folder;
	uint32_t uidvalidity;
	size_t n;
	uint32_t *uid;
	off_t *size;
	time_t *date;			/* internal dates */
	bool loaded;			/* k holds the keys */
	bool unread;			/* a file could not be read: its keys
					 * are empty, made again next time */
	bool *have;			/* k[i] holds message i's keys */
	char **block;			/* the entries k points into */
	size_t n_block, block_used, block_size;
	struct imapmail_sortkeys *k;
	uint32_t *order[IMAPMAIL_SORT_KEYS], *rank[IMAPMAIL_SORT_KEYS];
};

/* the work of one load: the messages missing, the entries to keep */
struct load {
	struct imapmail *m;
	struct imapmail_sortcache *c;
	size_t *miss, n_miss;		/* indexes into c */
	uint32_t *uids;			/* of the messages being read */
	struct buf **valid, **data;	/* to keep: n_put of them */
	uint32_t *put_uid;
	size_t n_put;
	size_t at;			/* side_scan's place in the folder */
};

/* imapmail_sortcache_free - the keys and the cache */
void imapmail_sortcache_free(struct imapmail_sortcache **cp)
{
	struct imapmail_sortcache *c = *cp;

	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n_block; i++)
		free(c->block[i]);
	for (int s = 0; s < IMAPMAIL_SORT_KEYS; s++) {
		free(c->order[s]);
		free(c->rank[s]);
	}
	free(c->folder);
	free(c->uid);
	free(c->size);
	free(c->date);
	free(c->have);
	free(c->block);
	free(c->k);
	free(c);
	*cp = NULL;
}

/* current - c holds the keys of the folder as the session sees it */
static bool current(const struct imapmail_sortcache *c, const struct imapmail_box *b)
{
	if (c == NULL || c->unread || strcmp(c->folder, b->name) != 0 ||
	    c->uidvalidity != b->uidvalidity || c->n != b->f->len)
		return false;
	for (size_t i = 0; i < c->n; i++)
		if (c->uid[i] != b->f->msgs[i].uid || c->size[i] != b->f->msgs[i].size
		    || c->date[i] != b->f->msgs[i].date)
			return false;
	return true;
}

/* room - len bytes in c's blocks (one malloc per ARENA_BLOCK of keys) */
static char *room(struct imapmail_sortcache *c, size_t len)
{
	if (c->n_block == 0 || c->block_size - c->block_used < len) {
		c->block = xrealloc(c->block, (c->n_block + 1) * sizeof(*c->block));
		c->block_size = len > ARENA_BLOCK ? len : ARENA_BLOCK;
		c->block[c->n_block++] = xmalloc(c->block_size);
		c->block_used = 0;
	}
	c->block_used += len;
	return c->block[c->n_block - 1] + c->block_used - len;
}

/* take - entry (len bytes) as message i's keys: false if it is not one */
static bool take(struct imapmail_sortcache *c, size_t i, const char *entry, size_t len)
{
	char *copy = room(c, len);

	memcpy(copy, entry, len);
	c->have[i] = imapmail_sortkeys_decode(copy, len, &c->k[i]);
	if (!c->have[i])
		c->block_used -= len;	/* the room given back */
	return c->have[i];
}

/* got_keys - a side entry: message i's keys when its validator is the
 * one of the message the session sees (both in UID order) */
static void got_keys(void *ctx, uint32_t uid, const char *valid, size_t valid_len,
		     const char *data, size_t len)
{
	struct load *l = ctx;
	const struct mail_index_folder *f = l->m->box->f;

	while (l->at < f->len && f->msgs[l->at].uid < uid)
		l->at++;
	if (l->at == f->len || f->msgs[l->at].uid != uid)
		return;
	if (mail_index_cache_validator_is(valid, valid_len, l->m->box->uidvalidity, &f->msgs[l->at]))
		(void)take(l->c, l->at, data, len);
}

/* file_header - the header of message i, read from its file (bounded) */
static void file_header(struct imapmail *m, size_t i, struct buf *h)
{
	int fd = imapmail_msg_open(m, &m->box->f->msgs[i]);
	ssize_t got;

	while (fd >= 0 && buf_len(h) < HEADER_READ_MAX && !strstr(buf_str(h), "\n\n")
	       && !strstr(buf_str(h), "\n\r\n")) {
		buf_reserve(h, 8192);
		if ((got = read(fd, h->data + h->len, 8192)) <= 0)
			break;
		h->len += (size_t)got;
		h->data[h->len] = '\0';
		if (memchr(h->data + h->len - (size_t)got, '\0', (size_t)got))
			break;
	}
	if (fd >= 0)
		close(fd);
}

/* compute - message i's keys from env and its header (hdr, or NULL: the
 * file's) into c; to be kept under valid when not NULL */
static void compute(struct load *l, size_t i, const char *env, size_t env_len,
		    const char *hdr, size_t hdr_len, const char *valid, size_t valid_len)
{
	struct buf *h = buf_new(hdr ? hdr_len + 1 : 8192), *out = buf_new(256), *vb;

	if (hdr)
		buf_add(h, hdr, hdr_len);
	else
		file_header(l->m, i, h);
	imapmail_sortkeys_compute(env, env_len, buf_str(h), out);
	buf_free(&h);
	if (!take(l->c, i, buf_str(out), buf_len(out)) || valid == NULL) {
		buf_free(&out);
		return;
	}
	vb = buf_new(valid_len);
	buf_add(vb, valid, valid_len);
	l->valid[l->n_put] = vb;
	l->data[l->n_put] = out;
	l->put_uid[l->n_put++] = l->c->uid[i];
}

/* got_envelope - get_many's answer for the envelope and lean header of
 * a message without keys (i: its place in l->miss) */
static void got_envelope(void *ctx, size_t i, const struct mail_index_cache_view *v)
{
	struct load *l = ctx;

	if (v->rc[0] == 1)
		compute(l, l->miss[i], v->data[0], v->len[0], v->rc[1] == 1 ? v->data[1] : NULL,
			v->len[1], v->valid, v->valid_len);
}

/* misses - the messages of c without keys into l->miss (and l->uids) */
static size_t misses(struct load *l)
{
	l->n_miss = 0;
	for (size_t i = 0; i < l->c->n; i++)
		if (!l->c->have[i]) {
			l->uids[l->n_miss] = l->c->uid[i];
			l->miss[l->n_miss++] = i;
		}
	return l->n_miss;
}

/* read_envelopes - keys computed from the cached envelopes of the misses */
static void read_envelopes(struct load *l, struct buf *why)
{
	static const char *const fields[] = { MAIL_INDEX_CACHE_ENVELOPE,
					      MAIL_INDEX_CACHE_HEADER_LEAN };

	if (misses(l) > 0 && mail_index_cache_get_many(l->m->idx, l->c->folder, l->uids, l->n_miss,
						      fields, 2, got_envelope, l, why) < 0)
		log_warn("sort keys of %s: %s", l->c->folder, buf_str(why));
}

/* fill_missing - the envelopes of the misses into the cache (filled from
 * the files), then their keys; the rest from the files alone */
static void fill_missing(struct load *l, struct buf *why)
{
	struct buf *env = buf_new(256);
	struct mime_parts *p;

	size_t n = l->n_miss;

	imapmail_cache_batch(l->m, true);
	for (size_t k = 0; k < n; k++)
		(void)imapmail_envelope_cached(l->m, &l->m->box->f->msgs[l->miss[k]], env);
	imapmail_cache_batch(l->m, false);
	read_envelopes(l, why);
	n = misses(l);
	for (size_t k = 0; k < n; k++) {
		const struct mail_index_msg *msg = &l->m->box->f->msgs[l->miss[k]];

		buf_reset(env);
		if (!imapmail_envelope_cached(l->m, msg, env)) {
			if ((p = imapmail_parts(l->m, msg, -1, env)) != NULL)
				mime_parts_free(&p);
			else
				l->c->unread = true;	/* renamed under us? */
		}
		compute(l, l->miss[k], buf_str(env), buf_len(env), NULL, 0, NULL, 0);
	}
	buf_free(&env);
}

/* load - every message's keys into c */
static void load(struct imapmail *m, struct imapmail_sortcache *c)
{
	struct load l = { .m = m, .c = c };
	struct buf *why = buf_new(0);

	l.miss = xcalloc(c->n + 1, sizeof(*l.miss));
	l.uids = xcalloc(c->n + 1, sizeof(*l.uids));
	if (mail_index_cache_side_scan(m->idx, c->folder, got_keys, &l, why) < 0)
		log_warn("sort keys of %s: %s", c->folder, buf_str(why));
	if (misses(&l) > 0) {
		l.valid = xcalloc(l.n_miss, sizeof(*l.valid));
		l.data = xcalloc(l.n_miss, sizeof(*l.data));
		l.put_uid = xcalloc(l.n_miss, sizeof(*l.put_uid));
		read_envelopes(&l, why);
		if (misses(&l) > 0)
			fill_missing(&l, why);
		buf_reset(why);
		if (mail_index_cache_side_put(m->idx, c->folder, l.put_uid,
					      (const struct buf *const *)l.valid,
					      (const struct buf *const *)l.data, l.n_put, why) < 0)
			log_warn("sort keys of %s: %s", c->folder, buf_str(why));
		for (size_t k = 0; k < l.n_put; k++) {
			buf_free(&l.valid[k]);
			buf_free(&l.data[k]);
		}
	}
	free(l.valid);
	free(l.data);
	free(l.put_uid);
	free(l.miss);
	free(l.uids);
	buf_free(&why);
}

/* cache_of - the session's cache of the folder's messages as it sees
 * them (made anew, without keys, when they are others) */
static struct imapmail_sortcache *cache_of(struct imapmail *m)
{
	const struct imapmail_box *b = m->box;
	struct imapmail_sortcache *c;

	if (current(m->sortcache, b))
		return m->sortcache;
	imapmail_sortcache_free(&m->sortcache);
	c = m->sortcache = xcalloc(1, sizeof(*c));
	c->folder = xstrdup(b->name);
	c->uidvalidity = b->uidvalidity;
	c->n = b->f->len;
	c->uid = xcalloc(c->n + 1, sizeof(*c->uid));
	c->size = xcalloc(c->n + 1, sizeof(*c->size));
	c->date = xcalloc(c->n + 1, sizeof(*c->date));
	c->have = xcalloc(c->n + 1, sizeof(*c->have));
	c->k = xcalloc(c->n + 1, sizeof(*c->k));
	for (size_t i = 0; i < c->n; i++) {
		c->uid[i] = b->f->msgs[i].uid;
		c->size[i] = b->f->msgs[i].size;
		c->date[i] = b->f->msgs[i].date;
	}
	return c;
}

/* imapmail_sortcache_keys - the keys of the selected folder's messages */
const struct imapmail_sortkeys *imapmail_sortcache_keys(struct imapmail *m)
{
	struct imapmail_sortcache *c = cache_of(m);

	if (!c->loaded) {
		load(m, c);
		c->loaded = true;
	}
	return c->k;
}

/* imapmail_sortcache_sent - see imapmail_sort.h */
int64_t imapmail_sortcache_sent(const struct imapmail *m, const struct imapmail_sortkeys *k,
				size_t i)
{
	return k[i].sent != INT64_MIN ? k[i].sent : (int64_t)m->box->f->msgs[i].date;
}

/* a message in an order being made: its key's first bytes (big-endian,
 * so that integers compare as the key does), then its place */
struct item {
	uint64_t head;
	uint32_t i;
};

static const struct imapmail_sortkeys *by_keys;	/* for by_key: qsort has no context */
static enum imapmail_sort_str by_str;

/* by_key - the heads, then (a string key) the rest of the strings, then
 * the places */
static int by_key(const void *pa, const void *pb)
{
	const struct item *a = pa, *b = pb;
	int r;

	if (a->head != b->head)
		return a->head < b->head ? -1 : 1;
	if (by_str < IMAPMAIL_SORT_STRS && (a->head & 0xff) != 0
	    && (r = strcmp(by_keys[a->i].str[by_str] + 8, by_keys[b->i].str[by_str] + 8)) != 0)
		return r;
	return (a->i > b->i) - (a->i < b->i);
}

/* head - the first 8 bytes of s (as strcmp orders them), 0-padded */
static uint64_t head(const char *s)
{
	uint64_t h = 0;
	bool end = false;

	for (int n = 0; n < 8; n++) {
		end = end || s[n] == '\0';
		h = h << 8 | (end ? 0 : (unsigned char)s[n]);
	}
	return h;
}

/* imapmail_sortcache_order - the messages in the order of key s */
const uint32_t *imapmail_sortcache_order(struct imapmail *m, enum imapmail_sort_str s,
					 const uint32_t **rank_r)
{
	const struct imapmail_sortkeys *k = s == IMAPMAIL_SORT_ARRIVAL ? NULL
					     : imapmail_sortcache_keys(m);
	struct imapmail_sortcache *c = cache_of(m);
	struct item *it;
	uint32_t r = 0;

	if (c->order[s]) {
		*rank_r = c->rank[s];
		return c->order[s];
	}
	it = xcalloc(c->n + 1, sizeof(*it));
	for (size_t i = 0; i < c->n; i++) {
		it[i].i = (uint32_t)i;
		it[i].head = s == IMAPMAIL_SORT_DATE
		    ? (uint64_t)imapmail_sortcache_sent(m, k, i) ^ (uint64_t)1 << 63
		    : s == IMAPMAIL_SORT_ARRIVAL ? (uint64_t)(int64_t)c->date[i] ^ (uint64_t)1 << 63
		    : head(k[i].str[s]);
	}
	by_keys = k;
	by_str = s;
	qsort(it, c->n, sizeof(*it), by_key);
	c->order[s] = xcalloc(c->n + 1, sizeof(*c->order[s]));
	c->rank[s] = xcalloc(c->n + 1, sizeof(*c->rank[s]));
	for (size_t i = 0; i < c->n; i++) {
		if (i > 0 && (it[i].head != it[i - 1].head
			      || (s < IMAPMAIL_SORT_STRS && (it[i].head & 0xff) != 0
				  && strcmp(k[it[i].i].str[s] + 8, k[it[i - 1].i].str[s] + 8) != 0)))
			r++;
		c->order[s][i] = it[i].i;
		c->rank[s][it[i].i] = r;
	}
	free(it);
	*rank_r = c->rank[s];
	return c->order[s];
}
