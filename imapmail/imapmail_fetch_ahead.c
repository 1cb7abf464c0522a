/* imapmail_fetch_ahead - FETCH's ENVELOPEs as the index's cache keeps
 * them rendered (IMAPMAIL_ENVELOPE_FIELD, made at each fill by
 * imapmail_envelope_render), read for a chunk of messages in one read
 * transaction before their answers are built, so that listing a folder
 * costs a copy per message, not a parse of its address fields.
 *
 *   struct imapmail_ahead a = { 0 };             // .field: another cache field
 *   imapmail_ahead_read(m, &a, idx + k, n);      // messages idx[k..k+n)
 *   imapmail_ahead_envelope(m, &a, j, out);       // message idx[k + j]
 *   imapmail_ahead_free(&a);
 *
 * A message the chunk read has no rendering for (not cached yet, cached
 * before the field existed, 8-bit fields, a file past the cache's
 * limits) is answered one by one: the field after a fill, else the
 * cached fields rendered now, else the file's.  Errors: false from
 * imapmail_ahead_envelope when the message cannot be read at all (the
 * caller's "NO Some messages ..."); a chunk that cannot be read is
 * logged and answered one by one.  SEARCH reads the envelope fields
 * (MAIL_INDEX_CACHE_ENVELOPE) ahead the same way: imapmail_ahead_data.
 */
#include <stdlib.h>

#include "imapmail.h"
#include "imapmail_render.h"
#include "log.h"
#include "mail_index_cache.h"
#include "mem.h"

/* keep - get_many's callback: the rendering of the i-th message */
static void keep(void *ctx, size_t i, const struct mail_index_cache_view *v)
{
	struct imapmail_ahead *a = ctx;

	a->rc[i] = v->rc[0];
	if (v->rc[0] != 1)
		return;
	a->off[i] = buf_len(a->data);
	a->len[i] = v->len[0];
	buf_add(a->data, v->data[0], v->len[0]);
}

/* imapmail_ahead_read - the renderings of messages idx[0..n) */
void imapmail_ahead_read(struct imapmail *m, struct imapmail_ahead *a, const size_t *idx, size_t n)
{
	const char *const fields[] = { a->field ? a->field : IMAPMAIL_ENVELOPE_FIELD };
	struct buf *why = buf_new(0);
	const struct mail_index_msg **msgs;

	if (n > a->cap) {
		free(a->off);
		free(a->len);
		free(a->rc);
		a->off = xcalloc(n, sizeof(*a->off));
		a->len = xcalloc(n, sizeof(*a->len));
		a->rc = xcalloc(n, sizeof(*a->rc));
		a->cap = n;
	}
	if (a->data == NULL)
		a->data = buf_new(64 * 1024);
	buf_reset(a->data);
	a->n = n;
	msgs = xcalloc(n + 1, sizeof(*msgs));
	for (size_t i = 0; i < n; i++) {
		msgs[i] = &m->box->f->msgs[idx[i]];
		a->rc[i] = 0;
	}
	if (mail_index_cache_get_msgs(m->idx, m->box->name, m->box->f->uidvalidity, msgs, n, fields,
				      1, keep, a, why) < 0) {
		log_warn("user %s: %s", m->user, buf_str(why));
		for (size_t i = 0; i < n; i++)
			a->rc[i] = 0;
	}
	free(msgs);
	buf_free(&why);
}

/* one_by_one - msg's ENVELOPE without the chunk (rc: what the chunk
 * read found, -1 when it was not read): the field after a fill, else the
 * fields rendered here; false when neither is there */
static bool one_by_one(struct imapmail *m, const struct mail_index_msg *msg, int rc,
		       struct buf *out)
{
	struct buf *got = buf_new(512), *why = buf_new(0);
	const char *folder = m->box->name;
	struct mime_parts *p = NULL;
	bool ok = true;

	if (rc < 0)
		rc = mail_index_cache_get(m->idx, folder, msg->uid, IMAPMAIL_ENVELOPE_FIELD, got, why);

	if (rc == 0 && mail_index_cache_fill_header_msg(m->idx, folder, m->box->fd,
							m->box->f->uidvalidity, msg, why) == 1)
		rc = mail_index_cache_get(m->idx, folder, msg->uid, IMAPMAIL_ENVELOPE_FIELD, got,
					  why);
	if (rc == 1) {
		buf_add(out, buf_str(got), buf_len(got));
	} else if (buf_reset(got), imapmail_envelope_cached(m, msg, got)) {
		imapmail_envelope_write(buf_str(got), buf_len(got), out);
	} else if ((p = imapmail_parts(m, msg, -1, got)) != NULL) {
		imapmail_envelope_write(buf_str(got), buf_len(got), out);
		mime_parts_free(&p);
	} else {
		ok = false;
	}
	buf_free(&got);
	buf_free(&why);
	return ok;
}

/* imapmail_ahead_envelope - the ENVELOPE list of the chunk's j-th
 * message (msg) into out: true, or false when it cannot be read */
bool imapmail_ahead_envelope(struct imapmail *m, const struct imapmail_ahead *a, size_t j,
			     const struct mail_index_msg *msg, struct buf *out)
{
	if (j < a->n && a->rc[j] == 1) {
		buf_add(out, buf_str(a->data) + a->off[j], a->len[j]);
		return true;
	}
	return one_by_one(m, msg, j < a->n ? a->rc[j] : -1, out);
}

/* imapmail_ahead_data - the field the chunk read for its j-th message:
 * true with its bytes, false when it has none (not cached, uncacheable) */
bool imapmail_ahead_data(const struct imapmail_ahead *a, size_t j, const char **data, size_t *len)
{
	if (j >= a->n || a->rc[j] != 1)
		return false;
	*data = buf_str(a->data) + a->off[j];
	*len = a->len[j];
	return true;
}

/* imapmail_ahead_free - a's memory */
void imapmail_ahead_free(struct imapmail_ahead *a)
{
	free(a->off);
	free(a->len);
	free(a->rc);
	buf_free(&a->data);
	*a = (struct imapmail_ahead){ .field = a->field };
}
