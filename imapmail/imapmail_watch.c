/* imapmail_watch - the selected folder's changes since the last sync:
 * inotify, with the session's own changes told apart (see the header).
 * An own change is expected as the events it makes: a rename as
 * IN_MOVED_FROM in its old directory and IN_MOVED_TO in its new one, an
 * unlink as IN_DELETE, a new file (published with a rename) as
 * IN_MOVED_TO in new/ or cur/.  Each event read takes one expectation
 * away; an event nobody expected makes the watch dirty.  Events are
 * queued by the kernel as the system call makes the change, so after a
 * read every own change made before it has had its events read.  A
 * queue overflow, a watch removed (the directory deleted or moved) or
 * more own changes than MAX_OWN kept (a STORE on a whole large folder)
 * make it dirty too: reading the folder is always right. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "imapmail_watch.h"
#include "mem.h"

enum { MAX_OWN = 4096 };

#define EVENTS (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF | \
		IN_MOVE_SELF | IN_ONLYDIR | IN_EXCL_UNLINK)

/* imapmail_watch_open - a watch on folder_fd's new/ and cur/, or NULL */
struct imapmail_watch *imapmail_watch_open(int folder_fd)
{
	static const char *const subdirs[] = { "new", "cur" };
	struct imapmail_watch *w;
	char path[64];
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);

	if (fd < 0)
		return NULL;
	w = xcalloc(1, sizeof(*w));
	w->fd = fd;
	w->expect = htable_new(16);
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d/%s", folder_fd, subdirs[i]);
		if ((w->wd[i] = inotify_add_watch(fd, path, EVENTS)) < 0) {
			imapmail_watch_free(&w);
			return NULL;
		}
	}
	return w;
}

/* imapmail_watch_free - the descriptor and what was told */
void imapmail_watch_free(struct imapmail_watch **wp)
{
	struct imapmail_watch *w = *wp;

	if (w == NULL)
		return;
	close(w->fd);
	imapmail_watch_synced(w);
	htable_free(&w->expect, NULL);
	free(w->own);
	free(w);
	*wp = NULL;
}

/* expect - one event to come: dir 'n' or 'c', kind C, D, F or T */
static void expect(struct imapmail_watch *w, bool in_new, char kind, const char *name)
{
	struct buf *key = buf_new(64);
	uintptr_t n;

	buf_printf(key, "%c%c%s", in_new ? 'n' : 'c', kind, name);
	n = (uintptr_t)htable_get(w->expect, buf_str(key));
	htable_put(w->expect, buf_str(key), (void *)(n + 1));
	buf_free(&key);
}

/* own - room for one more own change, or NULL (dirty: too many) */
static struct mail_index_own *own(struct imapmail_watch *w)
{
	if (w->dirty || w->lost)
		return NULL;
	if (w->n_own == MAX_OWN) {
		w->dirty = true;
		return NULL;
	}
	if (w->n_own == w->cap_own) {
		w->cap_own = w->cap_own ? 2 * w->cap_own : 16;
		w->own = xrealloc(w->own, w->cap_own * sizeof(*w->own));
	}
	memset(&w->own[w->n_own], 0, sizeof(*w->own));
	return &w->own[w->n_own++];
}

/* imapmail_watch_renamed - see the header */
void imapmail_watch_renamed(struct imapmail_watch *w, uint32_t uid, const char *old_name,
			    bool old_in_new, const char *name, bool in_new)
{
	struct mail_index_own *c;

	if (w == NULL || (c = own(w)) == NULL)
		return;
	*c = (struct mail_index_own){ .kind = MAIL_INDEX_OWN_RENAMED, .uid = uid,
				      .old_name = xstrdup(old_name), .old_in_new = old_in_new,
				      .name = xstrdup(name), .in_new = in_new };
	expect(w, old_in_new, 'F', old_name);
	expect(w, in_new, 'T', name);
}

/* imapmail_watch_gone - see the header */
void imapmail_watch_gone(struct imapmail_watch *w, uint32_t uid, const char *name, bool in_new)
{
	struct mail_index_own *c;

	if (w == NULL || (c = own(w)) == NULL)
		return;
	*c = (struct mail_index_own){ .kind = MAIL_INDEX_OWN_GONE, .uid = uid,
				      .old_name = xstrdup(name), .old_in_new = in_new };
	expect(w, in_new, 'D', name);
}

/* imapmail_watch_new - see the header */
void imapmail_watch_new(struct imapmail_watch *w, const char *published, const char *name,
			bool in_new, off_t size, time_t mtime)
{
	struct mail_index_own *c;

	if (w == NULL || (c = own(w)) == NULL)
		return;
	*c = (struct mail_index_own){ .kind = MAIL_INDEX_OWN_NEW, .name = xstrdup(name),
				      .in_new = in_new, .size = size, .mtime = mtime };
	if (published) {		/* into new/, then renamed */
		expect(w, true, 'T', published);
		expect(w, true, 'F', published);
	}
	expect(w, in_new, 'T', name);
}

/* kind_of - the letter expect() uses for an event's mask, or 0 */
static char kind_of(uint32_t mask)
{
	if (mask & IN_ISDIR)
		return 0;
	if (mask & IN_MOVED_FROM)
		return 'F';
	if (mask & IN_MOVED_TO)
		return 'T';
	if (mask & IN_DELETE)
		return 'D';
	if (mask & IN_CREATE)
		return 'C';
	return 0;
}

/* take - one event: an expected one is crossed off, any other makes
 * the watch dirty (or lost) */
static void take(struct imapmail_watch *w, const struct inotify_event *ev, struct buf *key)
{
	char kind = kind_of(ev->mask);
	uintptr_t n;

	if (ev->mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT))
		w->lost = true;
	if (kind == 0 || ev->len == 0 || (ev->wd != w->wd[0] && ev->wd != w->wd[1])) {
		w->dirty = true;
		return;
	}
	buf_reset(key);
	buf_printf(key, "%c%c%s", ev->wd == w->wd[0] ? 'n' : 'c', kind, ev->name);
	n = (uintptr_t)htable_get(w->expect, buf_str(key));
	if (n == 0)
		w->dirty = true;
	else if (n == 1)
		htable_remove(w->expect, buf_str(key));
	else
		htable_put(w->expect, buf_str(key), (void *)(n - 1));
}

/* imapmail_watch_news - see the header */
bool imapmail_watch_news(struct imapmail_watch *w)
{
	char ev[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
	struct buf *key = buf_new(64);
	ssize_t len;

	while ((len = read(w->fd, ev, sizeof(ev))) > 0) {
		for (ssize_t off = 0; off + (ssize_t)sizeof(struct inotify_event) <= len;) {
			const struct inotify_event *e = (const struct inotify_event *)(ev + off);

			if (e->mask & IN_Q_OVERFLOW)
				w->dirty = true;
			else
				take(w, e, key);
			off += (ssize_t)sizeof(*e) + e->len;
		}
	}
	if (len < 0 && errno != EAGAIN && errno != EINTR)
		w->lost = true;
	buf_free(&key);
	return w->dirty || w->lost;
}

/* imapmail_watch_synced - see the header */
void imapmail_watch_synced(struct imapmail_watch *w)
{
	mail_index_own_free(w->own, w->n_own);
	w->n_own = 0;
	w->dirty = false;
	if (w->expect->len) {
		htable_free(&w->expect, NULL);
		w->expect = htable_new(16);
	}
}
