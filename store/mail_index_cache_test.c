/* mail_index_cache_test - the cache of fields per message: put and get
 * (an unknown UID, an unknown field, bad names); a fill from a nested
 * multipart message with a message/rfc822 part (the envelope fields
 * unfolded, every part's kind, depth, type, offsets, sizes, vsizes,
 * lines and fields, the part order compared with a direct walk of
 * mime.c); entries dropped by an expunge and ignored after a size
 * change (then filled again); a deleted index with an empty cache that
 * fills again; a folder rebuilt after a bad record with its cache gone;
 * the size limit (a field over it, a message with a huge
 * header: uncacheable, not cut); the map growing under puts; a symbolic
 * link where the file was; the decoder refusing every cut of a good
 * serialisation; a header-only fill (no structure, the rest there; in
 * a batch too) and the derived field (made, or uncacheable when its
 * function declines).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mail_index.h"
#include "mail_index_cache.h"
#include "mail_index_int.h"
#include "mem.h"
#include "mime.h"
#include "mime_parts.h"
#include "test.h"

static const char nested[] =
	"Received: from x\n"
	"\tby y; Mon, 7 Dec 2026\n"
	"From: A <a@example.org>\n"
	"To: b@example.org,\n"
	" c@example.org\n"
	"Subject: nested\n"
	"Message-ID: <1@x>\n"
	"X-Other: skip\n"
	"Content-Type: multipart/mixed; boundary=\"outer\"\n"
	"\n"
	"preamble\n"
	"--outer\n"
	"Content-Type: text/plain; charset=utf-8\n"
	"Content-Transfer-Encoding: quoted-printable\n"
	"\n"
	"hello\n"
	"world\n"
	"--outer\n"
	"Content-Type: message/rfc822\n"
	"\n"
	"Subject: inner\n"
	"From: c@example.org\n"
	"Content-Type: multipart/alternative; boundary=inner\n"
	"\n"
	"--inner\n"
	"Content-Type: text/plain\n"
	"\n"
	"plain\n"
	"--inner\n"
	"Content-Type: text/html\n"
	"Content-Disposition: inline\n"
	"\n"
	"<p>html</p>\n"
	"--inner--\n"
	"--outer\n"
	"Content-Type: application/octet-stream\n"
	"Content-Transfer-Encoding: base64\n"
	"Content-Disposition: attachment; filename=\"a.bin\"\n"
	"\n"
	"AAAA\n"
	"--outer--\n"
	"epilogue\n";

/* maildir - a fresh Maildir (INBOX); fd, path */
static int maildir(const char *name, struct buf *path)
{
	char sub[4096];

	buf_reset(path);
	buf_printf(path, "%s/cache-%s", test_datadir(), name);
	mkdir(buf_str(path), 0700);
	for (const char *const *s = (const char *const[]){ "cur", "new", "tmp", NULL }; *s; s++) {
		snprintf(sub, sizeof(sub), "%s/%s", buf_str(path), *s);
		mkdir(sub, 0700);
	}
	return open(buf_str(path), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* put_file - dir/rel holding len bytes of text */
/* unlink_file - rm DIR/REL */
static void unlink_file(const struct buf *dir, const char *rel)
{
	char p[4096];

	snprintf(p, sizeof(p), "%s/%s", buf_str(dir), rel);
	test_assert(unlink(p) == 0);
}

static void put_file(const struct buf *dir, const char *rel, const char *text, size_t len)
{
	char p[4096];
	FILE *fp;

	snprintf(p, sizeof(p), "%s/%s", buf_str(dir), rel);
	fp = fopen(p, "w");
	test_assert(fp != NULL);
	if (fp) {
		test_assert(fwrite(text, 1, len, fp) == len);
		fclose(fp);
	}
}

/* drop_index - remove <Maildir>/hato-index.lmdb */
static void drop_index(const struct buf *dir)
{
	char p[4096];

	snprintf(p, sizeof(p), "%s/hato-index.lmdb/data.mdb", buf_str(dir));
	unlink(p);
	snprintf(p, sizeof(p), "%s/hato-index.lmdb/lock.mdb", buf_str(dir));
	unlink(p);
	snprintf(p, sizeof(p), "%s/hato-index.lmdb", buf_str(dir));
	test_assert(rmdir(p) == 0);
}

/* sync_uid - sync INBOX and the UID of the file with this base, 0 none */
static uint32_t sync_uid(struct mail_index *idx, int fd, const char *base,
			 struct mail_index_changes *ch)
{
	struct buf *why = buf_new(0);
	uint32_t uid = 0;

	if (mail_index_sync(idx, "INBOX", fd, ch, why) != 0
	    || mail_index_uid_of(idx, "INBOX", base, &uid, why) != 1)
		uid = 0;
	buf_free(&why);
	return uid;
}

/* get - mail_index_cache_get into out, its return */
static int get(struct mail_index *idx, uint32_t uid, const char *field, struct buf *out)
{
	struct buf *why = buf_new(0);
	int rc = mail_index_cache_get(idx, "INBOX", uid, field, out, why);

	buf_free(&why);
	return rc;
}

/* fill - mail_index_cache_fill's return */
static int fill(struct mail_index *idx, int fd, uint32_t uid)
{
	struct buf *why = buf_new(0);
	int rc = mail_index_cache_fill(idx, "INBOX", fd, uid, why);

	if (rc < 0)
		fprintf(stderr, "mail_index_cache_test: %s\n", buf_str(why));
	buf_free(&why);
	return rc;
}

/* a fill's entries: the validator, the envelope, the structure, the lean header */
enum { FILL_ENTRIES = 4 };

/* entries - how many cache entries uid has, straight from LMDB */
static size_t entries(struct mail_index *idx, uint32_t uid)
{
	struct buf *prefix = buf_new(64);
	MDB_txn *txn;
	MDB_cursor *c;
	MDB_val k, v;
	size_t n = 0;

	mail_index_key_uid(prefix, "INBOX", uid);
	k = mail_index_val(prefix);
	if (mdb_txn_begin(idx->env, NULL, MDB_RDONLY, &txn) != 0)
		return 999;
	mdb_cursor_open(txn, idx->cache_dbi, &c);
	for (int rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT), n++)
		if (k.mv_size < buf_len(prefix) || memcmp(k.mv_data, buf_str(prefix),
							   buf_len(prefix)) != 0)
			break;
	mdb_cursor_close(c);
	mdb_txn_abort(txn);
	buf_free(&prefix);
	return n;
}

/* test_put_get - a field in and out */
static void test_put_get(void)
{
	struct buf *dir = buf_new(64), *out = buf_new(64), *why = buf_new(0);
	int fd = maildir("putget", dir);
	struct mail_index *idx = NULL;
	uint32_t uid;

	test_begin("mail_index_cache: put and get; unknown UID and field; bad names");
	put_file(dir, "cur/1.a.host:2,S", "Subject: x\n\nbody\n", 17);
	test_assert(mail_index_open(fd, buf_str(dir), &idx, why) == 0);
	test_assert((uid = sync_uid(idx, fd, "1.a.host", NULL)) != 0);
	test_assert(get(idx, uid, "x-test", out) == 0);
	test_assert(mail_index_cache_put(idx, "INBOX", uid, "x-test", "hello", 5, why) == 1);
	test_assert(get(idx, uid, "x-test", out) == 1);
	test_assert_str(buf_str(out), "hello");
	test_assert(get(idx, uid, "x-other", out) == 0 && buf_len(out) == 0);
	test_assert(mail_index_cache_put(idx, "INBOX", uid + 1, "x-test", "a", 1, why) == 0);
	test_assert(get(idx, uid + 1, "x-test", out) == 0);
	test_assert(mail_index_cache_put(idx, "INBOX", uid, "X-Test", "a", 1, why) == -1);
	test_assert(mail_index_cache_put(idx, "INBOX", uid, "", "a", 1, why) == -1);
	test_assert(get(idx, 0, "x-test", out) == -1);
	mail_index_close(&idx);
	test_end();
	close(fd);
	buf_free(&dir);
	buf_free(&out);
	buf_free(&why);
}

/* walk_types - "type/subtype," of each header block, as mime.c says */
static const char *walk_types(const char *msg, struct buf *out)
{
	struct mime *w = mime_new(&(struct mime_opts){ .header_limit = 1024, .eol_len = 1 });

	buf_reset(out);
	while (*msg) {
		size_t n = strcspn(msg, "\n");
		const struct mime_line *l = mime_feed(w, msg, n, false);

		if (l->kind == MIME_HEADER_END)
			buf_printf(out, "%s/%s,", l->fields->type, l->fields->subtype);
		msg += n + (msg[n] == '\n');
	}
	mime_free(&w);
	return buf_str(out);
}

/* at - the offset of s in the message */
static uint64_t at(const char *s)
{
	const char *p = strstr(nested, s);

	return p ? (uint64_t)(p - nested) : 0;
}

/* newlines - the LFs in p[0, len) */
static size_t newlines(const char *p, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		n += p[i] == '\n';
	return n;
}

/* check_part - one decoded part against what it should be */
static void check_part(const struct mime_part *m, char kind, unsigned depth, const char *body,
		       size_t body_size, uint64_t lines, const char *fields)
{
	test_assert(m->kind == (enum mime_part_kind)kind);
	test_assert(m->depth == depth);
	test_assert(m->hdr_offset + m->hdr_size == at(body));
	test_assert(m->body_size == body_size);
	test_assert(m->body_lines == lines);
	test_assert(m->hdr_vsize == m->hdr_size + (uint64_t)newlines(nested + m->hdr_offset,
									  m->hdr_size));
	test_assert(m->body_vsize == m->body_size + (uint64_t)newlines(nested + at(body),
									    m->body_size));
	test_assert_str(buf_str(m->fields), fields);
}

/* test_fill - the nested message, parsed once and cached */
static void test_fill(void)
{
	struct buf *dir = buf_new(64), *out = buf_new(64), *why = buf_new(0), *t = buf_new(64);
	int fd = maildir("fill", dir);
	struct mail_index *idx = NULL;
	struct mime_parts *p = NULL;
	uint32_t uid;

	test_begin("mail_index_cache: fill from a nested multipart message");
	put_file(dir, "cur/2.b.host:2,", nested, strlen(nested));
	test_assert(mail_index_open(fd, buf_str(dir), &idx, why) == 0);
	test_assert((uid = sync_uid(idx, fd, "2.b.host", NULL)) != 0);
	test_assert(get(idx, uid, MAIL_INDEX_CACHE_ENVELOPE, out) == 0);
	test_assert(fill(idx, fd, uid) == 1);
	test_assert(get(idx, uid, MAIL_INDEX_CACHE_ENVELOPE, out) == 1);
	test_assert_str(buf_str(out), "From: A <a@example.org>\nTo: b@example.org, c@example.org\n"
			"Subject: nested\nMessage-ID: <1@x>\n");
	test_assert(get(idx, uid, MAIL_INDEX_CACHE_HEADER_LEAN, out) == 1);
	test_assert_str(buf_str(out), "From: A <a@example.org>\nTo: b@example.org,\n c@example.org\n"
			"Subject: nested\nMessage-ID: <1@x>\nX-Other: skip\n"
			"Content-Type: multipart/mixed; boundary=\"outer\"\n\n");
	test_assert(get(idx, uid, MAIL_INDEX_CACHE_BODYSTRUCTURE, out) == 1);
	test_assert(mime_parts_decode(buf_str(out), buf_len(out), &p) == 0);
	test_assert(p != NULL && p->len == 7);
	for (size_t i = 0; p && i < p->len; i++)
		buf_printf(t, "%s/%s,", p->parts[i].type, p->parts[i].subtype);
	test_assert_str(buf_str(t), walk_types(nested, out));
	if (p && p->len == 7) {
		check_part(&p->parts[0], 'M', 0, "preamble", strlen(nested) - at("preamble"), 32,
			   "Content-Type: multipart/mixed; boundary=\"outer\"\n");
		check_part(&p->parts[1], 'P', 1, "hello", 11, 1,
			   "Content-Type: text/plain; charset=utf-8\n"
			   "Content-Transfer-Encoding: quoted-printable\n");
		/* the line end after "--inner--" is the nested message's (Dovecot) */
		check_part(&p->parts[2], 'P', 1, "Subject: inner", at("\n--outer\nContent-Type: app")
			   + 1 - at("Subject: inner"), 14, "Content-Type: message/rfc822\n");
		check_part(&p->parts[3], 'N', 2, "--inner\nContent-Type: text/plain",
			   at("--inner--") + 10 - at("--inner\nContent-Type: text/plain"), 10,
			   "Subject: inner\nFrom: c@example.org\n"
			   "Content-Type: multipart/alternative; boundary=inner\n");
		check_part(&p->parts[4], 'P', 3, "plain\n--inner", 5, 0, "Content-Type: text/plain\n");
		check_part(&p->parts[5], 'P', 3, "<p>", 11, 0,
			   "Content-Type: text/html\nContent-Disposition: inline\n");
		check_part(&p->parts[6], 'P', 1, "AAAA", 4, 0,
			   "Content-Type: application/octet-stream\n"
			   "Content-Transfer-Encoding: base64\n"
			   "Content-Disposition: attachment; filename=\"a.bin\"\n");
		test_assert_str(p->parts[1].encoding, "quoted-printable");
		test_assert(p->parts[0].hdr_offset == 0 && p->parts[4].hdr_offset == at("Content-Type: text/plain\n\nplain"));
	}
	mime_parts_free(&p);
	mail_index_close(&idx);
	test_end();
	close(fd);
	buf_free(&dir);
	buf_free(&out);
	buf_free(&why);
	buf_free(&t);
}

/* test_invalidate - expunge, size change, a deleted index */
static void test_invalidate(void)
{
	struct buf *dir = buf_new(64), *out = buf_new(64), *why = buf_new(0), *p = buf_new(64);
	int fd = maildir("invalidate", dir);
	struct mail_index *idx = NULL;
	struct mail_index_changes ch;
	uint32_t u1, u2;

	test_begin("mail_index_cache: an expunge drops the entries");
	put_file(dir, "cur/3.c.host:2,", "Subject: one\n\nx\n", 16);
	put_file(dir, "cur/4.d.host:2,", "Subject: two\n\ny\n", 16);
	test_assert(mail_index_open(fd, buf_str(dir), &idx, why) == 0);
	test_assert((u1 = sync_uid(idx, fd, "3.c.host", NULL)) != 0);
	test_assert((u2 = sync_uid(idx, fd, "4.d.host", NULL)) != 0);
	test_assert(fill(idx, fd, u1) == 1 && fill(idx, fd, u2) == 1);
	test_assert(entries(idx, u1) == FILL_ENTRIES);
	buf_printf(p, "%s/cur/3.c.host:2,", buf_str(dir));
	test_assert(unlink(buf_str(p)) == 0);
	test_assert(sync_uid(idx, fd, "4.d.host", &ch) == u2);
	test_assert(ch.n_expunged == 1 && ch.expunged[0] == u1);
	mail_index_changes_free(&ch);
	test_assert(entries(idx, u1) == 0);
	test_assert(get(idx, u1, MAIL_INDEX_CACHE_ENVELOPE, out) == 0);
	test_assert(fill(idx, fd, u1) == 0);
	test_assert(get(idx, u2, MAIL_INDEX_CACHE_ENVELOPE, out) == 1);
	test_end();

	test_begin("mail_index_cache: a changed size is not cached any more");
	put_file(dir, "cur/4.d.host:2,S", "Subject: two, longer\n\ny\n", 24);
	unlink_file(dir, "cur/4.d.host:2,");	/* as a rewrite: a new name */
	test_assert(get(idx, u2, MAIL_INDEX_CACHE_ENVELOPE, out) == 1);	/* not synced */
	test_assert(fill(idx, fd, u2) == 0);	/* the file is not as the index says */
	test_assert(sync_uid(idx, fd, "4.d.host", NULL) == u2);
	test_assert(get(idx, u2, MAIL_INDEX_CACHE_ENVELOPE, out) == 0);
	test_assert(fill(idx, fd, u2) == 1);
	test_assert(get(idx, u2, MAIL_INDEX_CACHE_ENVELOPE, out) == 1);
	test_assert_str(buf_str(out), "Subject: two, longer\n");
	test_assert(entries(idx, u2) == FILL_ENTRIES);
	test_end();

	test_begin("mail_index_cache: a deleted index has an empty cache and fills again");
	mail_index_close(&idx);
	drop_index(dir);
	test_assert(mail_index_open(fd, buf_str(dir), &idx, why) == 0);
	test_assert((u2 = sync_uid(idx, fd, "4.d.host", NULL)) != 0);
	test_assert(get(idx, u2, MAIL_INDEX_CACHE_ENVELOPE, out) == 0);
	test_assert(fill(idx, fd, u2) == 1);
	test_assert(get(idx, u2, MAIL_INDEX_CACHE_ENVELOPE, out) == 1);
	mail_index_close(&idx);
	test_end();
	close(fd);
	buf_free(&dir);
	buf_free(&out);
	buf_free(&why);
	buf_free(&p);
}

/* test_batch - fills kept in memory, seen by get, written at the end,
 * when full, or at close; an entry whose message went meanwhile is not */
static void test_batch(void)
{
	struct buf *dir = buf_new(64), *out = buf_new(64), *why = buf_new(0), *p = buf_new(64);
	int fd = maildir("batch", dir), rc = 1;
	struct mail_index *idx = NULL;
	uint32_t u1, u2, u3;

	test_begin("mail_index_cache: a batch's fills are seen at once and written at its end");
	put_file(dir, "cur/5.e.host:2,", "Subject: five\n\nx\n", 17);
	put_file(dir, "cur/6.f.host:2,", "Subject: six\n\ny\n", 16);
	put_file(dir, "cur/7.g.host:2,", "Subject: seven\n\nz\n", 18);
	test_assert(mail_index_open(fd, buf_str(dir), &idx, why) == 0);
	test_assert((u1 = sync_uid(idx, fd, "5.e.host", NULL)) != 0);
	test_assert((u2 = sync_uid(idx, fd, "6.f.host", NULL)) != 0);
	test_assert((u3 = sync_uid(idx, fd, "7.g.host", NULL)) != 0);
	mail_index_cache_batch_begin(idx);
	test_assert(fill(idx, fd, u1) == 1 && fill(idx, fd, u2) == 1);
	test_assert(get(idx, u1, MAIL_INDEX_CACHE_ENVELOPE, out) == 1);
	test_assert_str(buf_str(out), "Subject: five\n");
	test_assert(get(idx, u2, MAIL_INDEX_CACHE_BODYSTRUCTURE, out) == 1);
	test_assert(get(idx, u3, MAIL_INDEX_CACHE_ENVELOPE, out) == 0);
	test_assert(entries(idx, u1) == 0 && entries(idx, u2) == 0);	/* not written yet */
	buf_printf(p, "%s/cur/5.e.host:2,", buf_str(dir));
	test_assert(unlink(buf_str(p)) == 0);
	test_assert(sync_uid(idx, fd, "6.f.host", NULL) == u2);	/* u1 expunged */
	test_assert(mail_index_cache_batch_end(idx, why) == 0);
	test_assert(entries(idx, u1) == 0 && entries(idx, u2) == FILL_ENTRIES);
	test_assert(get(idx, u2, MAIL_INDEX_CACHE_ENVELOPE, out) == 1);
	test_assert_str(buf_str(out), "Subject: six\n");
	test_end();

	test_begin("mail_index_cache: a full batch is written; close writes the rest");
	mail_index_cache_batch_begin(idx);
	for (int i = 0; i < MAIL_INDEX_CACHE_BATCH_MAX && rc == 1; i++)
		rc = fill(idx, fd, u3);
	test_assert(rc == 1 && entries(idx, u3) == FILL_ENTRIES);
	test_assert(mail_index_cache_put(idx, "INBOX", u2, "x-test", "a", 1, why) == 1);
	test_assert(fill(idx, fd, u2) == 1);
	mail_index_close(&idx);
	test_assert(mail_index_open(fd, buf_str(dir), &idx, why) == 0);
	test_assert(get(idx, u2, MAIL_INDEX_CACHE_ENVELOPE, out) == 1);
	test_assert(get(idx, u2, "x-test", out) == 1);
	test_assert(get(idx, u3, MAIL_INDEX_CACHE_ENVELOPE, out) == 1);
	test_assert_str(buf_str(out), "Subject: seven\n");
	mail_index_close(&idx);
	test_end();
	close(fd);
	buf_free(&dir);
	buf_free(&out);
	buf_free(&why);
	buf_free(&p);
}

/* test_dropped_folder - a folder rebuilt after a bad record loses its
 * cache (new UIDVALIDITY, the same UIDs) */
static void test_dropped_folder(void)
{
	struct buf *dir = buf_new(64), *out = buf_new(64), *why = buf_new(0);
	int fd = maildir("dropped", dir);
	struct mail_index *idx = NULL;
	MDB_val k = { 11, "UINBOX\0\0\0\0\x07" }, v = { 4, "junk" };
	MDB_txn *txn;
	uint32_t uid;

	test_begin("mail_index_cache: a folder rebuilt after a bad record loses its cache");
	put_file(dir, "cur/8.h.host:2,", "Subject: x\n\n", 13);
	test_assert(mail_index_open(fd, buf_str(dir), &idx, why) == 0);
	test_assert((uid = sync_uid(idx, fd, "8.h.host", NULL)) != 0);
	test_assert(fill(idx, fd, uid) == 1 && entries(idx, uid) == FILL_ENTRIES);
	test_assert(mdb_txn_begin(idx->env, NULL, 0, &txn) == 0);
	test_assert(mdb_put(txn, idx->dbi, &k, &v, 0) == 0 && mdb_txn_commit(txn) == 0);
	test_assert(sync_uid(idx, fd, "8.h.host", NULL) == uid);
	test_expect_log("the folder's index is rebuilt");
	test_assert(entries(idx, uid) == 0);
	test_assert(get(idx, uid, MAIL_INDEX_CACHE_ENVELOPE, out) == 0);
	mail_index_close(&idx);
	test_end();
	close(fd);
	buf_free(&dir);
	buf_free(&out);
	buf_free(&why);
}

/* test_limits - over the size limit: uncacheable, never cut */
static void test_limits(void)
{
	struct buf *dir = buf_new(64), *out = buf_new(64), *why = buf_new(0);
	struct buf *msg = buf_new(80000);
	int fd = maildir("limits", dir);
	struct mail_index *idx = NULL;
	char *big = xmalloc(70000);
	uint32_t uid;

	test_begin("mail_index_cache: a field over the limit is uncacheable, not cut");
	memset(big, 'x', 70000);
	buf_cat(msg, "Subject: ");
	buf_add(msg, big, 70000);
	buf_cat(msg, "\nContent-Type: text/plain\n\nbody\n");
	put_file(dir, "cur/5.e.host:2,", buf_str(msg), buf_len(msg));
	test_assert(mail_index_open(fd, buf_str(dir), &idx, why) == 0);
	test_assert((uid = sync_uid(idx, fd, "5.e.host", NULL)) != 0);
	test_assert(mail_index_cache_put(idx, "INBOX", uid, "x-big", big,
					 MAIL_INDEX_CACHE_FIELD_MAX, why) == 1);
	test_assert(get(idx, uid, "x-big", out) == 1 && buf_len(out) == MAIL_INDEX_CACHE_FIELD_MAX);
	test_assert(mail_index_cache_put(idx, "INBOX", uid, "x-big", big,
					 MAIL_INDEX_CACHE_FIELD_MAX + 1, why) == 1);
	test_assert(get(idx, uid, "x-big", out) == MAIL_INDEX_CACHE_UNCACHEABLE);
	test_assert(fill(idx, fd, uid) == 1);
	test_assert(get(idx, uid, MAIL_INDEX_CACHE_ENVELOPE, out) == MAIL_INDEX_CACHE_UNCACHEABLE);
	test_assert(buf_len(out) == 0);
	test_assert(get(idx, uid, MAIL_INDEX_CACHE_BODYSTRUCTURE, out) == 1);
	mail_index_close(&idx);
	test_end();
	free(big);
	close(fd);
	buf_free(&msg);
	buf_free(&dir);
	buf_free(&out);
	buf_free(&why);
}

/* test_grow - puts that fill the map make it grow */
static void test_grow(void)
{
	struct buf *dir = buf_new(64), *out = buf_new(64), *why = buf_new(0);
	int fd = maildir("grow", dir);
	struct mail_index *idx = NULL;
	size_t saved = mail_index_map_first;
	char *big = xcalloc(1, 60000), field[16];
	uint32_t uid;
	bool all = true;

	test_begin("mail_index_cache: the map grows when the cache fills it");
	put_file(dir, "cur/7.g.host:2,", "Subject: x\n\n", 13);
	mail_index_map_first = 128 << 10;
	test_assert(mail_index_open(fd, buf_str(dir), &idx, why) == 0);
	mail_index_map_first = saved;
	test_assert((uid = sync_uid(idx, fd, "7.g.host", NULL)) != 0);
	for (int i = 0; i < 20; i++) {
		snprintf(field, sizeof(field), "x-%d", i);
		all = all && mail_index_cache_put(idx, "INBOX", uid, field, big, 60000, why) == 1;
	}
	test_assert(all);
	test_assert(get(idx, uid, "x-19", out) == 1 && buf_len(out) == 60000);
	mail_index_close(&idx);
	test_end();
	free(big);
	close(fd);
	buf_free(&dir);
	buf_free(&out);
	buf_free(&why);
}

/* test_symlink - the file replaced by a link after the sync */
static void test_symlink(void)
{
	struct buf *dir = buf_new(64), *why = buf_new(0), *p = buf_new(64);
	int fd = maildir("link", dir);
	struct mail_index *idx = NULL;
	uint32_t uid;

	test_begin("mail_index_cache: a symbolic link where the file was is not read");
	put_file(dir, "cur/6.f.host:2,", "Subject: x\n\n", 13);
	put_file(dir, "other", "Subject: secret\n\n", 18);
	test_assert(mail_index_open(fd, buf_str(dir), &idx, why) == 0);
	test_assert((uid = sync_uid(idx, fd, "6.f.host", NULL)) != 0);
	buf_printf(p, "%s/cur/6.f.host:2,", buf_str(dir));
	test_assert(unlink(buf_str(p)) == 0 && symlink("../other", buf_str(p)) == 0);
	test_assert(mail_index_cache_fill(idx, "INBOX", fd, uid, why) == -1);
	test_assert(strstr(buf_str(why), "not a regular file") != NULL);
	mail_index_close(&idx);
	test_end();
	close(fd);
	buf_free(&dir);
	buf_free(&why);
	buf_free(&p);
}

/* test_decode - every cut and a flipped byte of a good encoding */
static void test_decode(void)
{
	struct buf *dir = buf_new(64), *enc = buf_new(256), *why = buf_new(0);
	struct mime_parts *p = NULL, *q = NULL;
	int fd = maildir("decode", dir);
	bool all = true;

	test_begin("mime_parts: the decoder refuses every cut of a good encoding");
	put_file(dir, "msg", nested, strlen(nested));
	close(fd);
	buf_printf(dir, "/msg");
	fd = open(buf_str(dir), O_RDONLY | O_CLOEXEC);
	test_assert(mime_parts_read(fd, &p, why) == 0);
	mime_parts_encode(p, enc);
	test_assert(mime_parts_decode(buf_str(enc), buf_len(enc), &q) == 0);
	mime_parts_free(&q);
	for (size_t n = 0; n < buf_len(enc); n++) {
		all = all && mime_parts_decode(buf_str(enc), n, &q) == -1 && q == NULL;
	}
	test_assert(all);
	enc->data[0] = 'Q';
	test_assert(mime_parts_decode(buf_str(enc), buf_len(enc), &q) == -1);
	test_assert(mime_parts_decode("P1\x01\x01M", 5, &q) == -1);	/* the message at depth 1 */
	mime_parts_free(&p);
	test_end();
	close(fd);
	buf_free(&dir);
	buf_free(&enc);
	buf_free(&why);
}

/* seen - what get_many and side_scan called back with */
struct seen {
	size_t n;
	uint32_t uid[4];
	size_t i[4];
	int rc[4][2];
	struct buf *data[4], *valid[4];
};

/* seen_view - a get_many callback */
static void seen_view(void *ctx, size_t i, const struct mail_index_cache_view *v)
{
	struct seen *s = ctx;

	if (s->n == 4)
		return;
	s->i[s->n] = i;
	s->rc[s->n][0] = v->rc[0];
	s->rc[s->n][1] = v->rc[1];
	s->data[s->n] = buf_new(64);
	buf_add(s->data[s->n], v->data[0] ? v->data[0] : "", v->len[0]);
	s->valid[s->n] = buf_new(64);
	buf_add(s->valid[s->n++], v->valid, v->valid_len);
}

/* seen_side - a side_scan callback */
static void seen_side(void *ctx, uint32_t uid, const char *valid, size_t vlen, const char *d,
		      size_t len)
{
	struct seen *s = ctx;

	if (s->n == 4)
		return;
	s->uid[s->n] = uid;
	s->data[s->n] = buf_new(64);
	buf_add(s->data[s->n], d, len);
	s->valid[s->n] = buf_new(64);
	buf_add(s->valid[s->n++], valid, vlen);
}

/* seen_clear - forget what was seen */
static void seen_clear(struct seen *s)
{
	for (size_t k = 0; k < s->n; k++) {
		buf_free(&s->data[k]);
		buf_free(&s->valid[k]);
	}
	memset(s, 0, sizeof(*s));
}

/* test_many - get_many over UIDs, each under its validator */
static void test_many(void)
{
	static const char *const fields[] = { MAIL_INDEX_CACHE_ENVELOPE,
					      MAIL_INDEX_CACHE_HEADER_LEAN };
	struct buf *dir = buf_new(64), *why = buf_new(0), *v = buf_new(64);
	int fd = maildir("many", dir);
	struct mail_index *idx = NULL;
	struct mail_index_folder *f = NULL;
	struct seen s = { 0 };
	uint32_t uids[3];

	test_begin("mail_index_cache_get_many: fields of filled messages, none of others");
	put_file(dir, "cur/7.g.host:2,", "Subject: seven\n\nx\n", 18);
	put_file(dir, "cur/8.h.host:2,", "Subject: eight\n\ny\n", 18);
	test_assert(mail_index_open(fd, buf_str(dir), &idx, why) == 0);
	test_assert((uids[0] = sync_uid(idx, fd, "7.g.host", NULL)) != 0);
	test_assert((uids[1] = sync_uid(idx, fd, "8.h.host", NULL)) != 0);
	uids[2] = 999;				/* no such message: no call */
	test_assert(fill(idx, fd, uids[1]) == 1);
	test_assert(mail_index_cache_get_many(idx, "INBOX", uids, 3, fields, 2, seen_view, &s,
					      why) == 0);
	test_assert(s.n == 2 && s.i[0] == 0 && s.i[1] == 1);
	test_assert(s.rc[0][0] == 0 && s.rc[0][1] == 0);
	test_assert(s.rc[1][0] == 1 && s.rc[1][1] == 1);
	test_assert_str(s.n == 2 ? buf_str(s.data[1]) : "", "Subject: eight\n");
	test_assert(mail_index_list(idx, "INBOX", &f, why) == 0 && f && f->len == 2);
	if (s.n == 2 && f && f->len == 2) {
		mail_index_cache_validator(f->uidvalidity, &f->msgs[1], v);
		test_assert(buf_len(v) == buf_len(s.valid[1])
			    && memcmp(buf_str(v), buf_str(s.valid[1]), buf_len(v)) == 0);
		test_assert(mail_index_cache_validator_is(buf_str(v), buf_len(v), f->uidvalidity,
							  &f->msgs[1]));
		test_assert(!mail_index_cache_validator_is(buf_str(v), buf_len(v), f->uidvalidity,
							   &f->msgs[0]));
		test_assert(!mail_index_cache_validator_is(buf_str(v), buf_len(v),
							   f->uidvalidity + 1, &f->msgs[1]));
		test_assert(!mail_index_cache_validator_is(buf_str(v), buf_len(v) - 1,
							   f->uidvalidity, &f->msgs[1]));
	}
	test_end();

	test_begin("mail_index_cache_get_msgs: the caller's records, a changed size not");
	seen_clear(&s);
	if (f && f->len == 2) {
		struct mail_index_msg other = f->msgs[1];
		const struct mail_index_msg *msgs[] = { &f->msgs[0], &f->msgs[1], &other };

		other.size++;
		test_assert(mail_index_cache_get_msgs(idx, "INBOX", f->uidvalidity, msgs, 3, fields, 2,
						      seen_view, &s, why) == 0);
		test_assert(s.n == 1 && s.i[0] == 1 && s.rc[0][0] == 1 && s.rc[0][1] == 1);
		test_assert_str(s.n == 1 ? buf_str(s.data[0]) : "", "Subject: eight\n");
		seen_clear(&s);
		test_assert(mail_index_cache_get_msgs(idx, "INBOX", f->uidvalidity + 1, msgs, 2, fields,
						      2, seen_view, &s, why) == 0 && s.n == 0);
	}
	mail_index_folder_free(&f);
	seen_clear(&s);
	test_assert(mail_index_cache_get_many(idx, "NoSuch", uids, 2, fields, 2, seen_view, &s,
					      why) == 0 && s.n == 0);
	test_end();
	mail_index_close(&idx);
	close(fd);
	buf_free(&dir);
	buf_free(&why);
	buf_free(&v);
}

/* test_side - side entries: put under a validator, scanned in UID order,
 * dropped by an expunge, refused once the message changed */
static void test_side(void)
{
	static const char *const fields[] = { MAIL_INDEX_CACHE_ENVELOPE };
	struct buf *dir = buf_new(64), *why = buf_new(0), *d[2], *bad = buf_new(8);
	int fd = maildir("side", dir);
	struct mail_index *idx = NULL;
	struct seen s = { 0 }, views = { 0 };
	uint32_t uids[2];

	test_begin("mail_index_cache_side: put under the validator, scanned in UID order");
	put_file(dir, "cur/9.i.host:2,", "Subject: nine\n\nx\n", 17);
	put_file(dir, "cur/10.j.host:2,", "Subject: ten\n\ny\n", 16);
	test_assert(mail_index_open(fd, buf_str(dir), &idx, why) == 0);
	test_assert((uids[0] = sync_uid(idx, fd, "9.i.host", NULL)) != 0);
	test_assert((uids[1] = sync_uid(idx, fd, "10.j.host", NULL)) != 0);
	test_assert(mail_index_cache_get_many(idx, "INBOX", uids, 2, fields, 1, seen_view, &views,
					      why) == 0 && views.n == 2);
	d[0] = buf_new(8);
	d[1] = buf_new(8);
	buf_cat(d[0], "keys of 9");
	buf_cat(d[1], "keys of 10");
	buf_cat(bad, "v1 not it");
	test_assert(views.n == 2 && mail_index_cache_side_put(
			    idx, "INBOX", (uint32_t[]){ uids[1], uids[0] },
			    (const struct buf *const[]){ views.valid[1], bad },
			    (const struct buf *const[]){ d[1], d[0] }, 2, why) == 1);
	test_assert(mail_index_cache_side_scan(idx, "INBOX", seen_side, &s, why) == 0);
	test_assert(s.n == 1 && s.uid[0] == uids[1]);
	test_assert_str(s.n ? buf_str(s.data[0]) : "", "keys of 10");
	seen_clear(&s);
	test_assert(views.n == 2 && mail_index_cache_side_put(
			    idx, "INBOX", uids, (const struct buf *const[]){ views.valid[0],
									 views.valid[1] },
			    (const struct buf *const[]){ d[0], d[1] }, 2, why) == 2);
	test_assert(mail_index_cache_side_scan(idx, "INBOX", seen_side, &s, why) == 0);
	test_assert(s.n == 2 && s.uid[0] < s.uid[1]);
	for (size_t k = 0; k < s.n; k++) {
		size_t w = s.uid[k] == uids[0] ? 0 : 1;

		test_assert(s.uid[k] == uids[w]);
		test_assert(buf_len(s.valid[k]) == buf_len(views.valid[w])
			    && memcmp(buf_str(s.valid[k]), buf_str(views.valid[w]),
				      buf_len(s.valid[k])) == 0);
		test_assert_str(buf_str(s.data[k]), buf_str(d[w]));
	}
	test_end();

	test_begin("mail_index_cache_side: an expunge drops the entry; a changed message refuses one");
	seen_clear(&s);
	unlink_file(dir, "cur/9.i.host:2,");
	test_assert(sync_uid(idx, fd, "10.j.host", NULL) == uids[1]);
	test_assert(mail_index_cache_side_scan(idx, "INBOX", seen_side, &s, why) == 0);
	test_assert(s.n == 1 && s.uid[0] == uids[1]);
	seen_clear(&s);
	put_file(dir, "cur/10.j.host:2,S", "Subject: ten, longer\n\ny\n", 24);
	unlink_file(dir, "cur/10.j.host:2,");
	test_assert(sync_uid(idx, fd, "10.j.host", NULL) == uids[1]);
	test_assert(views.n == 2 && mail_index_cache_side_put(
			    idx, "INBOX", &uids[1], (const struct buf *const[]){ views.valid[1] },
			    (const struct buf *const[]){ d[1] }, 1, why) == 0);
	test_assert(mail_index_cache_side_scan(idx, "NoSuch", seen_side, &s, why) == 0 && s.n == 0);
	test_end();
	seen_clear(&s);
	seen_clear(&views);
	mail_index_close(&idx);
	close(fd);
	buf_free(&d[0]);
	buf_free(&d[1]);
	buf_free(&bad);
	buf_free(&dir);
	buf_free(&why);
}

/* derive_upper - a derived field for the test: the fields upper-cased,
 * declined for fields holding "decline" */
static bool derive_upper(const char *env, size_t len, struct buf *out)
{
	if (memmem(env, len, "decline", 7))
		return false;
	for (size_t i = 0; i < len; i++)
		buf_putc(out, env[i] >= 'a' && env[i] <= 'z' ? env[i] - 32 : env[i]);
	return true;
}

/* test_header_fill - mail_index_cache_fill_header, the derived field */
static void test_header_fill(void)
{
	struct buf *dir = buf_new(64), *out = buf_new(64), *why = buf_new(0);
	int fd = maildir("hdrfill", dir);
	struct mail_index *idx = NULL;
	uint32_t u1, u2;

	test_begin("mail_index_cache: a header-only fill keeps all but the structure");
	put_file(dir, "cur/11.k.host:2,", "Subject: eleven\nX: y\n\nbody\n", 27);
	put_file(dir, "cur/12.l.host:2,", "Subject: decline\n\nbody\n", 23);
	mail_index_cache_derive("x-upper-1", derive_upper);
	test_assert(mail_index_open(fd, buf_str(dir), &idx, why) == 0);
	test_assert((u1 = sync_uid(idx, fd, "11.k.host", NULL)) != 0);
	test_assert((u2 = sync_uid(idx, fd, "12.l.host", NULL)) != 0);
	test_assert(mail_index_cache_fill_header(idx, "INBOX", fd, u1, why) == 1);
	test_assert(get(idx, u1, MAIL_INDEX_CACHE_ENVELOPE, out) == 1);
	test_assert_str(buf_str(out), "Subject: eleven\n");
	test_assert(get(idx, u1, MAIL_INDEX_CACHE_HEADER_LEAN, out) == 1);
	test_assert_str(buf_str(out), "Subject: eleven\nX: y\n\n");
	test_assert(get(idx, u1, "x-upper-1", out) == 1);
	test_assert_str(buf_str(out), "SUBJECT: ELEVEN\n");
	test_assert(get(idx, u1, MAIL_INDEX_CACHE_BODYSTRUCTURE, out) == 0);
	test_assert(fill(idx, fd, u1) == 1);
	test_assert(get(idx, u1, MAIL_INDEX_CACHE_BODYSTRUCTURE, out) == 1);
	test_end();

	test_begin("mail_index_cache: a header-only fill in a batch; a declined derived field");
	mail_index_cache_batch_begin(idx);
	test_assert(mail_index_cache_fill_header(idx, "INBOX", fd, u2, why) == 1);
	test_assert(get(idx, u2, MAIL_INDEX_CACHE_BODYSTRUCTURE, out) == 0);
	test_assert(get(idx, u2, "x-upper-1", out) == MAIL_INDEX_CACHE_UNCACHEABLE);
	test_assert(mail_index_cache_batch_end(idx, why) == 0);
	test_assert(get(idx, u2, MAIL_INDEX_CACHE_BODYSTRUCTURE, out) == 0);
	test_assert(get(idx, u2, MAIL_INDEX_CACHE_ENVELOPE, out) == 1);
	test_assert_str(buf_str(out), "Subject: decline\n");
	test_assert(get(idx, u2, "x-upper-1", out) == MAIL_INDEX_CACHE_UNCACHEABLE);
	test_end();
	mail_index_cache_derive(NULL, NULL);
	mail_index_close(&idx);
	close(fd);
	buf_free(&dir);
	buf_free(&out);
	buf_free(&why);
}

/* fill_msg - mail_index_cache_fill_header_msg for the record of uid in
 * the listing f */
static int fill_msg(struct mail_index *idx, int fd, const struct mail_index_folder *f,
		    uint32_t uid)
{
	struct buf *why = buf_new(0);
	size_t i = mail_index_folder_find(f, uid);
	int rc = i < f->len ? mail_index_cache_fill_header_msg(idx, "INBOX", fd, f->uidvalidity,
							       &f->msgs[i], why) : -9;

	buf_free(&why);
	return rc;
}

/* test_header_fill_msg - a fill from the caller's record: as it is, as
 * it was before a rename, of a message gone */
static void test_header_fill_msg(void)
{
	struct buf *dir = buf_new(64), *out = buf_new(64), *why = buf_new(0);
	int fd = maildir("hdrmsg", dir);
	struct mail_index *idx = NULL;
	struct mail_index_folder *f = NULL;
	uint32_t u1, u2, u3;
	char from[4096], to[4096];

	test_begin("mail_index_cache: a header fill from the caller's record, or a stale one");
	put_file(dir, "cur/21.a.host:2,", "Subject: one\n\nbody\n", 19);
	put_file(dir, "cur/22.b.host:2,", "Subject: two\n\nbody\n", 19);
	put_file(dir, "cur/23.c.host:2,", "Subject: three\n\nbody\n", 21);
	test_assert(mail_index_open(fd, buf_str(dir), &idx, why) == 0);
	test_assert((u1 = sync_uid(idx, fd, "21.a.host", NULL)) != 0);
	u2 = sync_uid(idx, fd, "22.b.host", NULL);
	u3 = sync_uid(idx, fd, "23.c.host", NULL);
	test_assert(mail_index_list(idx, "INBOX", &f, why) == 0 && f != NULL);
	/* the listing goes stale: 22 renamed (a flag), 23 expunged */
	snprintf(from, sizeof(from), "%s/cur/22.b.host:2,", buf_str(dir));
	snprintf(to, sizeof(to), "%s/cur/22.b.host:2,S", buf_str(dir));
	test_assert(rename(from, to) == 0);
	unlink_file(dir, "cur/23.c.host:2,");
	test_assert(mail_index_sync(idx, "INBOX", fd, NULL, why) == 0);
	test_assert(f && fill_msg(idx, fd, f, u1) == 1);
	test_assert(get(idx, u1, MAIL_INDEX_CACHE_ENVELOPE, out) == 1);
	test_assert_str(buf_str(out), "Subject: one\n");
	test_assert(get(idx, u1, MAIL_INDEX_CACHE_BODYSTRUCTURE, out) == 0);
	test_assert(f && fill_msg(idx, fd, f, u2) == 1);	/* read again by its record */
	test_assert(get(idx, u2, MAIL_INDEX_CACHE_ENVELOPE, out) == 1);
	test_assert_str(buf_str(out), "Subject: two\n");
	test_assert(f && fill_msg(idx, fd, f, u3) == 0);
	test_assert(get(idx, u3, MAIL_INDEX_CACHE_ENVELOPE, out) == 0);
	test_assert(entries(idx, u3) == 0);
	test_end();
	mail_index_folder_free(&f);
	mail_index_close(&idx);
	close(fd);
	buf_free(&dir);
	buf_free(&out);
	buf_free(&why);
}

void test_mail_index_cache(void)
{
	test_put_get();
	test_fill();
	test_invalidate();
	test_batch();
	test_dropped_folder();
	test_limits();
	test_grow();
	test_symlink();
	test_decode();
	test_many();
	test_side();
	test_header_fill();
	test_header_fill_msg();
}
