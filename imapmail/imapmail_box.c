/* imapmail_box - the selected folder as the client sees it: the
 * messages in UID order (the sequence number is the place), their flags
 * as IMAP system flags and keywords, and the updates a new sync of the
 * Maildir brings (EXPUNGE, EXISTS, FETCH FLAGS), RFC 9051 7.4 and 7.5.
 * The view changes only here, so sequence numbers stay what the client
 * was last told. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imap_seqset.h"
#include "imapmail.h"
#include "log.h"
#include "mail_index_keywords.h"
#include "maildir_new.h"
#include "mem.h"

/* load - sync folder and take its list and keywords into b */
static int load(struct imapmail *m, struct imapmail_box *b, struct buf *why)
{
	struct mail_index_folder *f = NULL;

	if (mail_index_sync(m->idx, b->name, b->fd, NULL, why) < 0 ||
	    mail_index_list(m->idx, b->name, &f, why) < 0)
		return -1;
	if (f == NULL) {
		buf_set(why, "the folder vanished from the index");
		return -1;
	}
	mail_index_folder_free(&b->f);
	b->f = f;
	b->uidvalidity = f->uidvalidity;
	b->uidnext = f->uidnext;
	b->highestmodseq = f->highestmodseq;
	strv_free(&b->keywords);
	if (mail_index_keywords(m->idx, b->name, b->fd, &b->keywords, why) < 0)
		return -1;
	return 0;
}

/* imapmail_box_select - folder becomes the selected one; new/ moves to
 * cur/ (unless read-only), and what was in new/ is \Recent here */
int imapmail_box_select(struct imapmail *m, const char *folder, bool readonly, struct buf *why)
{
	struct imapmail_box *b = xcalloc(1, sizeof(*b));

	imapmail_box_close(m);
	b->name = xstrdup(folder);
	b->readonly = readonly;
	b->recent_min_uid = UINT32_MAX;
	if ((b->fd = imapmail_folder_open(m, folder)) < 0) {
		buf_printf(why, "Mailbox doesn't exist: %s", folder);
		goto fail;
	}
	if (load(m, b, why) < 0)
		goto fail;
	for (size_t i = 0; i < b->f->len; i++) {
		if (b->f->msgs[i].in_new) {
			b->recent++;
			if (b->f->msgs[i].uid < b->recent_min_uid)
				b->recent_min_uid = b->f->msgs[i].uid;
		}
	}
	if (!readonly && b->recent && maildir_new_move(b->fd, b->f, why) > 0 && load(m, b, why) < 0)
		goto fail;
	buf_reset(why);
	m->box = b;
	return 0;
fail:
	m->box = b;
	imapmail_box_close(m);
	return -1;
}

/* imapmail_box_close - back to the authenticated state */
void imapmail_box_close(struct imapmail *m)
{
	struct imapmail_box *b = m->box;

	free(m->saved);			/* RFC 5182: '$' ends with the folder */
	m->saved = NULL;
	m->n_saved = 0;
	if (b == NULL)
		return;
	if (b->fd >= 0)
		close(b->fd);
	mail_index_folder_free(&b->f);
	strv_free(&b->keywords);
	free(b->name);
	free(b);
	m->box = NULL;
}

/* imapmail_box_flags - "FLAGS (\Seen $Junk)" of message i */
void imapmail_box_flags(struct imapmail *m, size_t i, struct buf *out)
{
	static const struct { char letter; const char *name; } sys[] = {
		{ 'D', "\\Draft" }, { 'F', "\\Flagged" }, { 'R', "\\Answered" },
		{ 'S', "\\Seen" }, { 'T', "\\Deleted" } };
	const struct mail_index_msg *msg = &m->box->f->msgs[i];
	size_t start;

	buf_cat(out, "FLAGS (");
	start = buf_len(out);
	for (const char *p = msg->flags; *p; p++) {
		const char *name = NULL;

		for (size_t k = 0; k < sizeof(sys) / sizeof(sys[0]); k++)
			if (sys[k].letter == *p)
				name = sys[k].name;
		if (*p >= 'a' && *p <= 'z' && m->box->keywords &&
		    (size_t)(*p - 'a') < m->box->keywords->len && m->box->keywords->items[*p - 'a'][0])
			name = m->box->keywords->items[*p - 'a'];
		if (name == NULL)
			continue;
		if (buf_len(out) > start)
			buf_putc(out, ' ');
		buf_cat(out, name);
	}
	if (!m->rev2 && msg->uid >= m->box->recent_min_uid && msg->uid < m->box->uidnext &&
	    m->box->recent) {
		if (buf_len(out) > start)
			buf_putc(out, ' ');
		buf_cat(out, "\\Recent");
	}
	buf_putc(out, ')');
}

/* find_uid - the place of uid in f, or f->len */
static size_t find_uid(const struct mail_index_folder *f, uint32_t uid)
{
	size_t lo = 0, hi = f->len;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (f->msgs[mid].uid < uid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < f->len && f->msgs[lo].uid == uid ? lo : f->len;
}

/* report - the differences between the old view and b->f */
static void report(struct imapmail *m, struct mail_index_folder *old, bool expunge_ok)
{
	struct imapmail_box *b = m->box;
	struct buf *line = buf_new(64);
	size_t n = old->len;

	if (expunge_ok) {
		for (size_t i = old->len; i-- > 0;) {
			if (find_uid(b->f, old->msgs[i].uid) == b->f->len) {
				imapmail_untagged(m, "%zu EXPUNGE", i + 1);
				n--;
			}
		}
	}
	if (b->f->len != n)
		imapmail_untagged(m, "%zu EXISTS", b->f->len);
	for (size_t i = 0; i < b->f->len; i++) {
		size_t j = find_uid(old, b->f->msgs[i].uid);

		if (j == old->len || strcmp(old->msgs[j].flags, b->f->msgs[i].flags) == 0)
			continue;
		buf_reset(line);
		imapmail_box_flags(m, i, line);
		imapmail_untagged(m, "%zu FETCH (UID %u %s)", i + 1, b->f->msgs[i].uid, buf_str(line));
	}
	buf_free(&line);
}

/* keep_expunged - without EXPUNGE allowed, the vanished messages stay in
 * the view (as "gone") so that sequence numbers do not move */
static void keep_expunged(struct imapmail_box *b, struct mail_index_folder *old)
{
	size_t gone = 0;

	for (size_t i = 0; i < old->len; i++)
		gone += find_uid(b->f, old->msgs[i].uid) == b->f->len;
	if (gone == 0)
		return;
	/* the simple answer: keep the old view whole, and the new messages
	 * wait for a command that may tell both */
	mail_index_folder_free(&b->f);
	b->f = old;
}

/* imapmail_box_sync - see the header */
int imapmail_box_sync(struct imapmail *m, bool expunge_ok)
{
	struct imapmail_box *b = m->box;
	struct mail_index_folder *old = b->f;
	struct buf *why = buf_new(0);
	int rc;

	b->f = NULL;
	if ((rc = load(m, b, why)) < 0) {
		log_warn("user %s: folder %s: %s", m->user, b->name, buf_str(why));
		mail_index_folder_free(&b->f);
		b->f = old;
	} else if (!expunge_ok && (keep_expunged(b, old), b->f == old)) {
		/* nothing told now */
	} else {
		report(m, old, expunge_ok);
		mail_index_folder_free(&old);
	}
	buf_free(&why);
	return rc;
}

/* imapmail_box_seqset - the places (0-based) the set names */
int imapmail_box_seqset(struct imapmail *m, const char *set, size_t **idx_r, size_t *n_r)
{
	const struct mail_index_folder *f = m->box->f;
	struct imap_seqset *ss;
	size_t n = 0;
	uint32_t max;

	*idx_r = NULL;
	*n_r = 0;
	if (imap_seqset_parse(set, &ss) < 0)
		return -1;
	max = f->len == 0 ? 0 : m->uid ? f->msgs[f->len - 1].uid : (uint32_t)f->len;
	*idx_r = xcalloc(f->len + 1, sizeof(**idx_r));
	for (size_t i = 0; i < f->len; i++)
		if (imap_seqset_has(ss, m->uid ? f->msgs[i].uid : (uint32_t)(i + 1), max))
			(*idx_r)[n++] = i;
	*n_r = n;
	imap_seqset_free(&ss);
	return 0;
}
