/* mail_index_own_test - mail_index_sync_own on a Maildir the test makes:
 * a rename (new flags, a new MODSEQ), an unlink (expunged, in the
 * expunge history) and a new file (the next UID, its dovecot-uidlist
 * line) told as the caller's own changes reach the index as a full sync
 * would have them, \Recent taken in the same write (a full sync after finds nothing to do); a change
 * whose record has a third name (another process renamed the file and
 * synced first) is not applied and says so; one already applied is fine;
 * a rename and an unlink of the renamed file are played in order; cache
 * fills held for a write go with it.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "mail_index.h"
#include "mail_index_cache.h"
#include "mail_index_recent.h"
#include "test.h"

/* made - an empty file dir/rel */
static void made(const struct buf *dir, const char *rel)
{
	char p[4096];

	snprintf(p, sizeof(p), "%s/%s", buf_str(dir), rel);
	close(open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600));
}

/* fresh - a Maildir under the scratch directory with new/1.a,
 * cur/2.b:2,S and cur/3.c:2, ; its fd, path in dir */
static int fresh(struct buf *dir)
{
	static const char *const files[] = { "new/1.a", "cur/2.b:2,S", "cur/3.c:2," };
	char p[4096];

	buf_printf(dir, "%s/own", test_datadir());
	mkdir(buf_str(dir), 0700);
	for (const char *const *s = (const char *const[]){ "cur", "new", "tmp", NULL }; *s; s++) {
		snprintf(p, sizeof(p), "%s/%s", buf_str(dir), *s);
		mkdir(p, 0700);
	}
	for (size_t i = 0; i < 3; i++)
		made(dir, files[i]);
	return open(buf_str(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* at - rename dir/from to dir/to ("" to: unlink) */
static void at(const struct buf *dir, const char *from, const char *to)
{
	char a[4096], b[4096];

	snprintf(a, sizeof(a), "%s/%s", buf_str(dir), from);
	snprintf(b, sizeof(b), "%s/%s", buf_str(dir), to);
	test_assert(*to ? rename(a, b) == 0 : unlink(a) == 0);
}

/* msg - the message with this UID, or NULL */
static const struct mail_index_msg *msg(const struct mail_index_folder *f, uint32_t uid)
{
	for (size_t i = 0; f && i < f->len; i++)
		if (f->msgs[i].uid == uid)
			return &f->msgs[i];
	return NULL;
}

/* listed - INBOX as the index has it */
static struct mail_index_folder *listed(struct mail_index *idx)
{
	struct mail_index_folder *f = NULL;
	struct buf *why = buf_new(0);

	test_assert(mail_index_list(idx, "INBOX", &f, why) == 0 && f);
	buf_free(&why);
	return f;
}

void test_mail_index_own(void)
{
	struct buf *dir = buf_new(64), *why = buf_new(0), *text = buf_new(256);
	int fd = fresh(dir);
	struct mail_index *idx = NULL;
	struct mail_index_folder *f, *g;
	struct mail_index_changes ch;
	const struct mail_index_msg *m;
	struct mail_index_own own[3] = {
		{ .kind = MAIL_INDEX_OWN_RENAMED, .uid = 2, .old_name = "2.b:2,S", .name = "2.b:2,FS" },
		{ .kind = MAIL_INDEX_OWN_GONE, .uid = 3, .old_name = "3.c:2," },
		{ .kind = MAIL_INDEX_OWN_NEW, .name = "4.d,S=0", .in_new = true, .mtime = 1700000000 },
	};
	struct mail_index_take take = { .dflt = 1 };
	uint64_t modseq;
	uint32_t first = 0;

	test_begin("mail_index_sync_own: a rename, an unlink and a new file without a scan");
	test_assert(mail_index_open(fd, buf_str(dir), &idx, why) == 0);
	test_assert(mail_index_sync(idx, "INBOX", fd, NULL, why) == 0);
	f = listed(idx);
	modseq = f ? f->highestmodseq : 0;
	at(dir, "cur/2.b:2,S", "cur/2.b:2,FS");
	at(dir, "cur/3.c:2,", "");
	made(dir, "new/4.d,S=0");
	test_assert(mail_index_sync_own(idx, "INBOX", fd, own, 3, NULL, &take, why) == 0);
	test_assert(take.done && take.first == 1 && take.upto == 5);
	test_assert(mail_index_recent(idx, "INBOX", take.uidvalidity, 1, 0, false, &first, NULL, why) == 0 && first == 5);
	g = listed(idx);
	test_assert(g && g->len == 3 && g->uidnext == 5 && g->highestmodseq > modseq);
	test_assert((m = msg(g, 2)) && strcmp(m->flags, "FS") == 0 && m->modseq > modseq);
	test_assert(msg(g, 3) == NULL && (m = msg(g, 4)) && m->in_new && m->date == 1700000000);
	test_assert(fsutil_load_at(fd, "dovecot-uidlist", 1 << 20, text, why) > 0);
	test_assert(strstr(buf_str(text), "\n4 :4.d,S=0\n") != NULL);
	test_assert(mail_index_sync(idx, "INBOX", fd, &ch, why) == 0);
	test_assert(ch.n_new == 0 && ch.n_changed == 0 && ch.n_expunged == 0);
	mail_index_changes_free(&ch);
	mail_index_folder_free(&f);
	mail_index_folder_free(&g);
	test_end();

	test_begin("mail_index_sync_own: a record with a third name is left, and said; one done is fine");
	at(dir, "new/1.a", "cur/1.a:2,S");		/* another process, synced */
	test_assert(mail_index_sync(idx, "INBOX", fd, NULL, why) == 0);
	own[0] = (struct mail_index_own){ .kind = MAIL_INDEX_OWN_RENAMED, .uid = 1,
					  .old_name = "1.a", .old_in_new = true, .name = "1.a:2,T" };
	test_assert(mail_index_sync_own(idx, "INBOX", fd, own, 1, NULL, NULL, why) == 1);
	f = listed(idx);
	test_assert((m = msg(f, 1)) && strcmp(m->name, "1.a:2,S") == 0);
	mail_index_folder_free(&f);
	own[0].name = "1.a:2,S";			/* as the other left it */
	test_assert(mail_index_sync_own(idx, "INBOX", fd, own, 1, NULL, NULL, why) == 0);
	test_end();

	test_begin("mail_index_sync_own: a rename, then an unlink of the renamed file, in one call");
	at(dir, "cur/1.a:2,S", "cur/1.a:2,ST");
	at(dir, "cur/1.a:2,ST", "");
	own[0] = (struct mail_index_own){ .kind = MAIL_INDEX_OWN_RENAMED, .uid = 1,
					  .old_name = "1.a:2,S", .name = "1.a:2,ST" };
	own[1] = (struct mail_index_own){ .kind = MAIL_INDEX_OWN_GONE, .uid = 1,
					  .old_name = "1.a:2,ST" };
	test_assert(mail_index_sync_own(idx, "INBOX", fd, own, 2, &ch, NULL, why) == 0);
	test_assert(ch.n_expunged == 1 && ch.expunged && ch.expunged[0] == 1);
	mail_index_changes_free(&ch);
	f = listed(idx);
	test_assert(f && f->len == 2 && msg(f, 1) == NULL);
	mail_index_folder_free(&f);
	test_end();

	test_begin("mail_index_sync_own: cache fills held (mail_index_cache_batch_hold) go with its write");
	{
		struct mail_index *other = NULL;
		struct buf *got = buf_new(64);

		made(dir, "new/7.g");
		test_assert(mail_index_sync(idx, "INBOX", fd, NULL, why) == 0);
		f = listed(idx);
		m = f && f->len ? &f->msgs[f->len - 1] : NULL;
		mail_index_cache_batch_begin(idx);
		test_assert(m && mail_index_cache_fill_header(idx, "INBOX", fd, m->uid, why) >= 0);
		test_assert(mail_index_cache_batch_hold(idx, 64));
		test_assert(mail_index_open(fd, buf_str(dir), &other, why) == 0);
		test_assert(m && mail_index_cache_get(other, "INBOX", m->uid, MAIL_INDEX_CACHE_ENVELOPE,
						      got, why) == 0);	/* not written yet */
		at(dir, "cur/2.b:2,FS", "cur/2.b:2,FRS");
		own[0] = (struct mail_index_own){ .kind = MAIL_INDEX_OWN_RENAMED, .uid = 2,
						  .old_name = "2.b:2,FS", .name = "2.b:2,FRS" };
		test_assert(mail_index_sync_own(idx, "INBOX", fd, own, 1, NULL, NULL, why) == 0);
		test_assert(m && mail_index_cache_get(other, "INBOX", m->uid, MAIL_INDEX_CACHE_ENVELOPE,
						      got, why) == 1);	/* written with the sync */
		test_assert(mail_index_cache_batch_end(idx, why) == 0);
		mail_index_close(&other);
		mail_index_folder_free(&f);
		buf_free(&got);
	}
	mail_index_close(&idx);
	close(fd);
	buf_free(&dir);
	buf_free(&why);
	buf_free(&text);
	test_end();
}
