/* imapmail_box - the selected folder as the client sees it: the
 * messages in UID order (the sequence number is the place), their flags
 * as IMAP system flags and keywords, and the updates a new sync of the
 * Maildir brings (EXPUNGE, EXISTS, FETCH FLAGS), RFC 9051 7.4 and 7.5.
 * The view changes only here, so sequence numbers stay what the client
 * was last told.  A read-write view takes what arrived as \Recent
 * (imapmail_recent.c), telling "* n RECENT" after EXISTS.  Files stay in
 * new/ until their flags change (STORE moves them to cur/): \Recent is
 * the index's, so opening a folder does not rename every new message
 * (Dovecot does, and on a cold folder of 10,000 that was half of
 * imapmail's CPU). */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "imap_seqset.h"
#include "imapmail.h"
#include "imapmail_context.h"
#include "imapmail_recent.h"
#include "imapmail_sort.h"
#include "imapmail_watch.h"
#include "log.h"
#include "maildir.h"
#include "mail_index_keywords.h"
#include "mail_index_recent.h"
#include "mem.h"

/* dir_stamp - the modification times of the folder's new/ and cur/ when
 * both are settled, else zero: look again next time */
static void dir_stamp(const struct imapmail_box *b, struct timespec *st)
{
	struct stat n, c;

	memset(st, 0, 2 * sizeof(*st));
	if (fstatat(b->fd, "new", &n, AT_SYMLINK_NOFOLLOW) < 0 ||
	    fstatat(b->fd, "cur", &c, AT_SYMLINK_NOFOLLOW) < 0)
		return;
	if (!mail_index_settled(b->kernel_clock, &n.st_mtim) ||
	    !mail_index_settled(b->kernel_clock, &c.st_mtim))
		return;
	st[0] = n.st_mtim;
	st[1] = c.st_mtim;
}

/* unchanged - the folder's directories are as at the last load */
static bool unchanged(const struct imapmail_box *b)
{
	struct timespec st[2];

	if (b->stamp[0].tv_sec == 0)
		return false;
	dir_stamp(b, st);
	return memcmp(st, b->stamp, sizeof(st)) == 0;
}

/* same_index - nothing was committed to the index since the view
 * (b->f, NULL: none) was listed, and the view is the index's */
static bool same_index(struct imapmail *m, const struct imapmail_box *b)
{
	return b->f && !b->holds_gone && b->generation &&
	       mail_index_generation(m->idx) == b->generation;
}

/* relist - take the index's list and keywords into b after a sync: 0
 * (the list before goes to *old_r, or is freed when old_r is NULL), 1
 * when the index has nothing new for the view (b->f is kept), or -1 */
static int relist(struct imapmail *m, struct imapmail_box *b, struct mail_index_folder **old_r,
		  struct buf *why)
{
	struct mail_index_folder *f = NULL;
	struct strv *keywords = NULL;
	uint64_t generation;

	if (same_index(m, b))
		return 1;
	generation = mail_index_generation(m->idx);
	if (mail_index_list(m->idx, b->name, &f, why) < 0)
		return -1;
	if (f == NULL) {
		buf_set(why, "the folder vanished from the index");
		return -1;
	}
	if (mail_index_keywords(m->idx, b->name, b->fd, &keywords, why) < 0) {
		mail_index_folder_free(&f);
		return -1;
	}
	strv_free(&b->keywords);
	b->keywords = keywords;
	if (old_r)
		*old_r = b->f;
	else
		mail_index_folder_free(&b->f);
	b->f = f;
	b->generation = generation;
	b->holds_gone = false;
	b->uidvalidity = f->uidvalidity;
	b->uidnext = f->uidnext;
	b->highestmodseq = f->highestmodseq;
	return 0;
}

/* load - sync the folder (read it), then relist; the watch's own
 * changes are covered by the read */
static int load(struct imapmail *m, struct imapmail_box *b, struct mail_index_folder **old_r,
		struct buf *why)
{
	struct timespec st[2] = { { 0, 0 }, { 0, 0 } };
	int rc;

	if (b->watch)
		imapmail_watch_synced(b->watch);
	else
		dir_stamp(b, st);
	if (mail_index_sync(m->idx, b->name, b->fd, NULL, why) < 0)
		return -1;
	if ((rc = relist(m, b, old_r, why)) >= 0)
		memcpy(b->stamp, st, sizeof(st));
	return rc;
}

/* renames_only - the own changes told are renames (STORE), which the
 * view has already, and no MODSEQ is to be told (no CONDSTORE): they
 * may wait for the next own change that needs the index (an EXPUNGE, an
 * APPEND), and go with it in one commit.  The files are the truth: a
 * session that ends first leaves them to the next sync that reads the
 * folder (imapmail_box_close tells them first) */
static bool renames_only(const struct imapmail *m, const struct imapmail_watch *w)
{
	if (m->condstore)
		return false;
	for (size_t k = 0; k < w->n_own; k++)
		if (w->own[k].kind != MAIL_INDEX_OWN_RENAMED)
			return false;
	return true;
}

/* own_take - a read-write box whose own changes bring new files takes
 * \Recent in the same write (imapmail_recent_update then uses it), or
 * NULL */
static struct mail_index_take *own_take(struct imapmail_box *b)
{
	const struct imapmail_watch *w = b->watch;
	bool news = false;

	for (size_t k = 0; k < w->n_own; k++)
		news = news || w->own[k].kind == MAIL_INDEX_OWN_NEW;
	if (b->readonly || !news)
		return NULL;
	if (b->taken == NULL)
		b->taken = xcalloc(1, sizeof(*b->taken));
	b->taken->dflt = imapmail_recent_default(b);
	return b->taken;
}

/* load_watched - with a watch: nothing to do when nothing happened; the
 * session's own changes alone go to the index as they are
 * (mail_index_sync_own), when it needs them (renames_only); anything
 * else reads the folder.  As load, and 1 for nothing to do */
static int load_watched(struct imapmail *m, struct imapmail_box *b,
			struct mail_index_folder **old_r, struct buf *why)
{
	struct imapmail_watch *w = b->watch;

	if (imapmail_watch_news(w))
		return load(m, b, old_r, why);
	if (w->n_own == 0)		/* expunges kept back are told from the index */
		return b->holds_gone ? relist(m, b, old_r, why) : 1;
	if (!b->holds_gone && !b->flush_own && renames_only(m, w))
		return 1;
	if (mail_index_sync_own(m->idx, b->name, b->fd, w->own, w->n_own, NULL,
				own_take(b), why) != 0) {
		buf_reset(why);
		return load(m, b, old_r, why);
	}
	imapmail_watch_synced(w);
	return relist(m, b, old_r, why);
}

/* forget_selection - what a session keeps about its selected folder
 * beside the box: RETURN (SAVE)'s result, the sort cache, the contexts */
static void forget_selection(struct imapmail *m)
{
	free(m->saved);			/* RFC 5182: '$' ends with the folder */
	m->saved = NULL;
	m->n_saved = 0;
	imapmail_sortcache_free(&m->sortcache);
	imapmail_context_free_all(m);	/* RFC 5267 4.3: updates end with it */
}

/* reselect - SELECT of the folder already selected, whose watch is
 * sound: the box (descriptors, watch, view) is kept and brought up to
 * date as a sync would, nothing told; what belongs to one selection
 * (\Recent taken, '$', contexts) starts again.  0, or -1: not this
 * folder, or an error (then a fresh select) */
static int reselect(struct imapmail *m, const char *folder, bool readonly, struct buf *why)
{
	struct imapmail_box *b = m->box;
	struct mail_index_folder *old = NULL;
	int rc;

	if (b == NULL || strcmp(b->name, folder) != 0 || b->watch == NULL || b->watch->lost)
		return -1;
	forget_selection(m);
	imapmail_recent_free(b);
	b->recent = 0;
	b->readonly = readonly;
	b->told_expunge = b->new_keyword = false;
	if ((rc = load_watched(m, b, &old, why)) < 0) {
		buf_reset(why);
		return -1;
	}
	if (rc == 0)
		mail_index_folder_free(&old);
	(void)imapmail_recent_update(m);
	return 0;
}

/* imapmail_box_select - folder becomes the selected one: what no
 * session took is \Recent here (taken unless read-only) */
int imapmail_box_select(struct imapmail *m, const char *folder, bool readonly, struct buf *why)
{
	struct imapmail_box *b;

	if (reselect(m, folder, readonly, why) == 0)
		return 0;
	imapmail_box_close(m);
	b = xcalloc(1, sizeof(*b));
	b->cur_fd = b->new_fd = -1;
	b->name = xstrdup(folder);
	b->readonly = readonly;
	if ((b->fd = imapmail_folder_open(m, folder)) < 0) {
		buf_printf(why, "Mailbox doesn't exist: %s", folder);
		goto fail;
	}
	b->kernel_clock = mail_index_kernel_clock(b->fd);
	b->watch = imapmail_watch_open(b->fd);	/* before the read: nothing missed */
	if (load(m, b, NULL, why) < 0)
		goto fail;
	b->cur_fd = maildir_open_path(b->fd, "cur", 0, why);
	b->new_fd = maildir_open_path(b->fd, "new", 0, why);
	m->box = b;
	(void)imapmail_recent_update(m);
	buf_reset(why);
	return 0;
fail:
	m->box = b;
	imapmail_box_close(m);
	return -1;
}

/* still_as_indexed - the watch ctx saw nothing but the changes synced */
static bool still_as_indexed(void *ctx)
{
	struct imapmail_watch *w = ctx;

	return !imapmail_watch_news(w) && w->n_own == 0;
}

/* imapmail_box_stamp - see imapmail.h */
void imapmail_box_stamp(struct imapmail *m, bool wait)
{
	struct imapmail_box *b = m->box;

	if (b == NULL || b->watch == NULL || !still_as_indexed(b->watch))
		return;
	for (int tries = 0; tries < 3; tries++) {
		if (mail_index_stamp_own(m->idx, b->name, b->fd, still_as_indexed, b->watch) != 0 ||
		    !wait)
			return;
		nanosleep(&(struct timespec){ 0, 2000000 }, NULL);	/* a tick */
	}
}

/* imapmail_box_watch_fd - see imapmail.h */
int imapmail_box_watch_fd(struct imapmail *m)
{
	struct imapmail_box *b = m->box;

	if (b == NULL)
		return -1;
	if (b->watch == NULL && (b->watch = imapmail_watch_open(b->fd)) != NULL)
		b->watch->dirty = true;	/* begun after the last read: read again */
	return b->watch ? b->watch->fd : -1;
}

/* imapmail_box_flush - see imapmail.h */
void imapmail_box_flush(struct imapmail *m)
{
	if (m->box == NULL)
		return;
	m->box->flush_own = true;
	(void)imapmail_box_sync(m, false);
	m->box->flush_own = false;
}

/* imapmail_box_close - back to the authenticated state */
void imapmail_box_close(struct imapmail *m)
{
	struct imapmail_box *b = m->box;

	forget_selection(m);
	if (b == NULL)
		return;
	if (b->watch && b->watch->n_own && !imapmail_watch_news(b->watch)) {
		struct buf *why = buf_new(0);	/* renames kept back (renames_only) */

		if (mail_index_sync_own(m->idx, b->name, b->fd, b->watch->own, b->watch->n_own,
					NULL, NULL, why) == 0)
			imapmail_watch_synced(b->watch);
		buf_free(&why);
	}
	/* the next session reads nothing; at the session's end only, a tick
	 * or two is waited for an unsettled look (a SELECT of another
	 * folder does not wait) */
	imapmail_box_stamp(m, m->done);
	if (b->fd >= 0)
		close(b->fd);
	if (b->cur_fd >= 0)
		close(b->cur_fd);
	if (b->new_fd >= 0)
		close(b->new_fd);
	imapmail_watch_free(&b->watch);
	imapmail_recent_free(b);
	free(b->taken);
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
	if (!m->rev2 && imapmail_recent_has(m->box, msg->uid)) {
		if (buf_len(out) > start)
			buf_putc(out, ' ');
		buf_cat(out, "\\Recent");
	}
	buf_putc(out, ')');
}

/* imapmail_box_announce_flags - the system flags and the folder's
 * keywords as FLAGS and PERMANENTFLAGS (none of those when read-only) */
void imapmail_box_announce_flags(struct imapmail *m)
{
	const struct imapmail_box *b = m->box;
	struct buf *flags = buf_new(128);
	bool ro = b->readonly;

	buf_cat(flags, "\\Answered \\Flagged \\Deleted \\Seen \\Draft");
	for (size_t i = 0; b->keywords && i < b->keywords->len; i++)
		if (b->keywords->items[i][0])
			buf_printf(flags, " %s", b->keywords->items[i]);
	imapmail_untagged(m, "FLAGS (%s)", buf_str(flags));
	imapmail_untagged(m, "OK [PERMANENTFLAGS (%s%s)] %s", ro ? "" : buf_str(flags),
			  ro ? "" : " \\*", ro ? "Read-only mailbox." : "Flags permitted.");
	buf_free(&flags);
}

/* imapmail_box_fetch_flags - "* n FETCH (UID u MODSEQ (m) FLAGS (...))"
 * for message i, in Dovecot's order: UID when asked or under QRESYNC
 * (RFC 7162 3.2.4), MODSEQ under CONDSTORE (3.1.2.2), FLAGS unless
 * silent */
void imapmail_box_fetch_flags(struct imapmail *m, size_t i, bool uid, bool silent)
{
	const struct mail_index_msg *msg = &m->box->f->msgs[i];
	struct buf *line = buf_new(64);

	if (uid || m->qresync)
		buf_printf(line, "UID %u ", msg->uid);
	if (m->condstore)
		buf_printf(line, "MODSEQ (%llu) ", (unsigned long long)msg->modseq);
	if (!silent)
		imapmail_box_flags(m, i, line);
	if (buf_len(line) && buf_str(line)[buf_len(line) - 1] == ' ')
		buf_truncate(line, buf_len(line) - 1);
	imapmail_untagged(m, "%zu FETCH (%s)", i + 1, buf_str(line));
	buf_free(&line);
}

/* report_expunged - EXPUNGE per message, last first, or one VANISHED
 * (QRESYNC, RFC 7162 3.2.10); how many */
static size_t report_expunged(struct imapmail *m, const struct mail_index_folder *old)
{
	const struct mail_index_folder *f = m->box->f;
	uint32_t *gone = xcalloc(old->len + 1, sizeof(*gone));
	size_t n = 0;

	for (size_t i = old->len; i-- > 0;) {
		if (mail_index_folder_find(f, old->msgs[i].uid) != f->len)
			continue;
		gone[n++] = old->msgs[i].uid;
		if (!m->qresync)
			imapmail_untagged(m, "%zu EXPUNGE", i + 1);
	}
	if (m->qresync && n) {
		struct buf *set = buf_new(64);

		for (size_t i = 0; i < n / 2; i++) {	/* increasing */
			uint32_t t = gone[i];

			gone[i] = gone[n - 1 - i];
			gone[n - 1 - i] = t;
		}
		imap_seqset_format(gone, n, set);
		imapmail_untagged(m, "VANISHED %s", buf_str(set));
		buf_free(&set);
	}
	free(gone);
	return n;
}

/* report - the differences between the old view and b->f; RECENT
 * after EXISTS when the count of \Recent ones changed (recent: the
 * session took new ones), as Dovecot tells it */
static void report(struct imapmail *m, struct mail_index_folder *old, bool expunge_ok,
		   bool recent)
{
	struct imapmail_box *b = m->box;
	size_t n = old->len, gone = 0;

	if (expunge_ok) {
		imapmail_context_expunged(m, old);	/* RFC 5267 4.3.4: first */
		gone = report_expunged(m, old);
		n -= gone;
		b->told_expunge = b->told_expunge || gone > 0;
	}
	if (b->f->len != n)
		imapmail_untagged(m, "%zu EXISTS", b->f->len);
	if (!recent && gone && b->recent)
		recent = imapmail_recent_recount(b);
	if (recent && !m->rev2)
		imapmail_untagged(m, "%zu RECENT", b->recent);
	for (size_t i = 0; i < b->f->len; i++) {
		size_t j = mail_index_folder_find(old, b->f->msgs[i].uid);

		if (j == old->len || strcmp(old->msgs[j].flags, b->f->msgs[i].flags) == 0)
			continue;
		imapmail_box_fetch_flags(m, i, false, false);
	}
}

/* take - move message src (its name too) into dst's next place */
static void take(struct mail_index_folder *dst, struct mail_index_msg *src)
{
	dst->msgs[dst->len++] = *src;
	src->name = NULL;
}

/* merge - without EXPUNGE allowed, the vanished messages stay in the view
 * (sequence numbers must not move), the others take their new state, and
 * new ones come after them */
static void merge(struct imapmail_box *b, struct mail_index_folder *old)
{
	struct mail_index_folder *f = b->f, *v = xcalloc(1, sizeof(*v));
	uint32_t last = old->len ? old->msgs[old->len - 1].uid : 0;

	*v = (struct mail_index_folder){ f->uidvalidity, f->uidnext, f->highestmodseq, 0, NULL };
	v->msgs = xcalloc(old->len + f->len + 1, sizeof(*v->msgs));
	for (size_t i = 0; i < old->len; i++) {
		size_t j = mail_index_folder_find(f, old->msgs[i].uid);

		if (j == f->len) {
			take(v, &old->msgs[i]);
			b->holds_gone = true;
		} else {
			take(v, &f->msgs[j]);
			old->msgs[i].name = NULL;	/* report reads flags and UIDs only */
		}
	}
	for (size_t j = 0; j < f->len; j++)
		if (f->msgs[j].uid > last)
			take(v, &f->msgs[j]);
	mail_index_folder_free(&b->f);
	b->f = v;
}

/* box_sync - imapmail_box_sync but the contexts' updates */
static int box_sync(struct imapmail *m, bool expunge_ok)
{
	struct imapmail_box *b = m->box;
	struct mail_index_folder *old = b->f;
	struct buf *why = buf_new(0);
	int rc = 0;

	if (b->watch == NULL && unchanged(b)) {
		buf_free(&why);
		return 0;
	}
	rc = b->watch ? load_watched(m, b, &old, why) : load(m, b, &old, why);
	if (rc != 0) {
		if (rc < 0)
			log_warn("user %s: folder %s: %s", m->user, b->name, buf_str(why));
		buf_free(&why);
		return rc < 0 ? rc : 0;
	}
	if (!expunge_ok)
		merge(b, old);
	report(m, old, expunge_ok, imapmail_recent_update(m));
	mail_index_folder_free(&old);
	buf_free(&why);
	return rc;
}

/* imapmail_box_sync - see the header; RETURN (UPDATE)'s news last */
int imapmail_box_sync(struct imapmail *m, bool expunge_ok)
{
	int rc = box_sync(m, expunge_ok);

	imapmail_context_update(m);
	return rc;
}

/* imapmail_uid_cmp - two uint32_t, for qsort and bsearch */
int imapmail_uid_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* saved_places - the places of the messages SEARCH RETURN (SAVE) kept
 * ('$', RFC 5182); those expunged since are not there any more */
static void saved_places(struct imapmail *m, size_t *idx, size_t *n_r)
{
	const struct mail_index_folder *f = m->box->f;

	for (size_t i = 0; i < f->len && m->n_saved; i++)
		if (bsearch(&f->msgs[i].uid, m->saved, m->n_saved, sizeof(*m->saved), imapmail_uid_cmp))
			idx[(*n_r)++] = i;
}

/* imapmail_box_seqset - the places (0-based) the set names: numbers,
 * ranges, '*', or '$' alone (the saved result) */
int imapmail_box_seqset(struct imapmail *m, const char *set, size_t **idx_r, size_t *n_r)
{
	const struct mail_index_folder *f = m->box->f;
	struct imap_seqset *ss;
	size_t n = 0;
	uint32_t max;

	*idx_r = NULL;
	*n_r = 0;
	if (strcmp(set, "$") == 0) {
		*idx_r = xcalloc(f->len + 1, sizeof(**idx_r));
		saved_places(m, *idx_r, n_r);
		return 0;
	}
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
