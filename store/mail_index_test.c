/* mail_index_test - the LMDB index of a Maildir, on Maildirs the test
 * makes under the run's scratch directory: UIDs stable across opens; a
 * file renamed by hand keeps its UID and takes a new MODSEQ when its
 * flags change; a deleted file is expunged and its UID never given
 * again; the index deleted (rebuilt from the dovecot-uidlist it keeps:
 * the same UIDs; without one a new UIDVALIDITY, even in the same second;
 * from one Dovecot left: Dovecot's UIDs); garbage in data.mdb
 * (rebuilt); a symbolic link where the index belongs (refused); a forked
 * writer racing the parent (every file exactly one UID, all unique);
 * the vsize (from ",W=", stored by mail_index_set_vsize without a new
 * MODSEQ, kept over a rename, forgotten when the size changes) and
 * records of the layout before it (read, UIDs kept; a bad tail refused).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mail_index.h"
#include "mail_index_int.h"
#include "maildir_scan.h"
#include "test.h"

/* maildir - a fresh Maildir (its root is INBOX); its fd, path in path */
static int maildir(const char *name, struct buf *path)
{
	char sub[4096];

	buf_reset(path);
	buf_printf(path, "%s/index-%s", test_datadir(), name);
	mkdir(buf_str(path), 0700);
	for (const char *const *s = (const char *const[]){ "cur", "new", "tmp", NULL }; *s; s++) {
		snprintf(sub, sizeof(sub), "%s/%s", buf_str(path), *s);
		mkdir(sub, 0700);
	}
	return open(buf_str(path), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* put - a file dir/rel holding text */
static void put(const struct buf *dir, const char *rel, const char *text)
{
	char p[4096];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", buf_str(dir), rel);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	test_assert(fd >= 0);
	if (fd >= 0) {
		test_assert(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
		close(fd);
	}
}

/* move - rename dir/from to dir/to */
static void move(const struct buf *dir, const char *from, const char *to)
{
	char a[4096], b[4096];

	snprintf(a, sizeof(a), "%s/%s", buf_str(dir), from);
	snprintf(b, sizeof(b), "%s/%s", buf_str(dir), to);
	test_assert(rename(a, b) == 0);
}

/* drop_index - rm -r <Maildir>/hato-index.lmdb */
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

/* synced - open, sync INBOX, list it, close; NULL on any failure */
static struct mail_index_folder *synced(int fd, const struct buf *dir,
					struct mail_index_changes *ch)
{
	struct buf *why = buf_new(0);
	struct mail_index *idx;
	struct mail_index_folder *f = NULL;

	if (mail_index_open(fd, buf_str(dir), &idx, why) == 0) {
		if (mail_index_sync(idx, "INBOX", fd, ch, why) == 0)
			mail_index_list(idx, "INBOX", &f, why);
		mail_index_close(&idx);
	}
	if (f == NULL)
		fprintf(stderr, "mail_index_test: %s\n", buf_str(why));
	buf_free(&why);
	return f;
}

/* find - the message with this base, or NULL */
static const struct mail_index_msg *find(const struct mail_index_folder *f, const char *base)
{
	for (size_t i = 0; f && i < f->len; i++)
		if (f->msgs[i].base_len == strlen(base)
		    && memcmp(f->msgs[i].name, base, f->msgs[i].base_len) == 0)
			return &f->msgs[i];
	return NULL;
}

/* uid_of - find's UID, 0 when absent */
static uint32_t uid_of(const struct mail_index_folder *f, const char *base)
{
	const struct mail_index_msg *m = find(f, base);

	return m ? m->uid : 0;
}

/* base_uid - mail_index_uid_of in INBOX; 0 when none, -1 on error */
static long base_uid(int fd, const struct buf *dir, const char *base)
{
	struct buf *why = buf_new(0);
	struct mail_index *idx;
	uint32_t uid = 0;
	long rc = -1;

	if (mail_index_open(fd, buf_str(dir), &idx, why) == 0) {
		rc = mail_index_uid_of(idx, "INBOX", base, &uid, why);
		mail_index_close(&idx);
	}
	buf_free(&why);
	return rc == 1 ? (long)uid : rc;
}

/* test_stable - name-order UIDs that survive a close and a reopen */
static void test_stable(void)
{
	struct buf *dir = buf_new(64);
	int fd = maildir("stable", dir);
	struct mail_index_changes ch;
	struct mail_index_folder *a, *b;

	test_begin("mail_index: UIDs in name order, stable across opens");
	put(dir, "new/1002.c.host", "c");
	put(dir, "new/1000.a.host", "a");
	put(dir, "cur/1001.b.host:2,S", "bb");
	a = synced(fd, dir, &ch);
	test_assert(a && a->len == 3 && ch.n_new == 3 && ch.n_expunged == 0);
	test_assert(uid_of(a, "1000.a.host") == 1 && uid_of(a, "1001.b.host") == 2);
	test_assert(uid_of(a, "1002.c.host") == 3 && a && a->uidnext == 4 && a->uidvalidity);
	test_assert(find(a, "1001.b.host") && strcmp(find(a, "1001.b.host")->flags, "S") == 0);
	test_assert(find(a, "1001.b.host") && find(a, "1001.b.host")->size == 2);
	test_assert(find(a, "1000.a.host") && find(a, "1000.a.host")->in_new);
	test_assert(base_uid(fd, dir, "1001.b.host") == 2 && base_uid(fd, dir, "1001.b") == 0);
	mail_index_changes_free(&ch);
	b = synced(fd, dir, &ch);
	test_assert(b && b->len == 3 && ch.n_new == 0 && ch.n_changed == 0);
	test_assert(a && b && a->uidvalidity == b->uidvalidity && b->uidnext == 4);
	for (size_t i = 0; a && b && i < 3; i++)
		test_assert(a->msgs[i].uid == b->msgs[i].uid && a->msgs[i].modseq == b->msgs[i].modseq
			    && strcmp(a->msgs[i].name, b->msgs[i].name) == 0);
	mail_index_folder_free(&a);
	mail_index_folder_free(&b);
	close(fd);
	buf_free(&dir);
	test_end();
}

/* test_rename - flags changed by hand: same UID, a new MODSEQ; new/ to
 * cur/ without new flags: same UID and MODSEQ, the new name */
static void test_rename(void)
{
	struct buf *dir = buf_new(64);
	int fd = maildir("rename", dir);
	struct mail_index_changes ch;
	struct mail_index_folder *a, *b;
	const struct mail_index_msg *m;

	test_begin("mail_index: a file renamed by hand keeps its UID");
	put(dir, "new/1.x.host", "x");
	put(dir, "cur/2.y.host:2,", "y");
	a = synced(fd, dir, &ch);
	mail_index_changes_free(&ch);
	move(dir, "new/1.x.host", "cur/1.x.host:2,");
	move(dir, "cur/2.y.host:2,", "cur/2.y.host:2,FS");
	b = synced(fd, dir, &ch);
	test_assert(a && b && b->len == 2 && ch.n_changed == 1 && ch.n_new == 0);
	test_assert(uid_of(b, "1.x.host") == 1 && uid_of(b, "2.y.host") == 2);
	m = find(b, "1.x.host");
	test_assert(m && !m->in_new && strcmp(m->name, "1.x.host:2,") == 0);
	test_assert(m && a && m->modseq == find(a, "1.x.host")->modseq);
	m = find(b, "2.y.host");
	test_assert(m && strcmp(m->flags, "FS") == 0);
	test_assert(m && a && m->modseq > find(a, "2.y.host")->modseq);
	test_assert(m && b && b->highestmodseq == m->modseq && b->highestmodseq > a->highestmodseq);
	mail_index_changes_free(&ch);
	mail_index_folder_free(&a);
	mail_index_folder_free(&b);
	close(fd);
	buf_free(&dir);
	test_end();
}

/* test_expunge - a deleted file is reported once; its UID is not reused */
static void test_expunge(void)
{
	struct buf *dir = buf_new(64);
	int fd = maildir("expunge", dir);
	struct mail_index_changes ch;
	struct mail_index_folder *f;
	char p[4096];

	test_begin("mail_index: expunged UIDs are not reused; delivery gets UIDNEXT");
	put(dir, "new/1.a", "a");
	put(dir, "new/2.b", "b");
	put(dir, "new/3.c", "c");
	f = synced(fd, dir, &ch);
	mail_index_changes_free(&ch);
	mail_index_folder_free(&f);
	snprintf(p, sizeof(p), "%s/new/3.c", buf_str(dir));
	unlink(p);
	f = synced(fd, dir, &ch);
	test_assert(f && f->len == 2 && ch.n_expunged == 1 && ch.expunged[0] == 3);
	test_assert(f && f->uidnext == 4 && base_uid(fd, dir, "3.c") == 0);
	mail_index_changes_free(&ch);
	mail_index_folder_free(&f);
	put(dir, "new/0.z", "z");	/* sorts first, still gets UIDNEXT */
	f = synced(fd, dir, &ch);
	test_assert(f && f->len == 3 && ch.n_new == 1 && ch.n_expunged == 0);
	test_assert(uid_of(f, "0.z") == 4 && f && f->uidnext == 5 && f->msgs[2].uid == 4);
	mail_index_changes_free(&ch);
	mail_index_folder_free(&f);
	close(fd);
	buf_free(&dir);
	test_end();
}

/* vanished - mail_index_vanished of INBOX since: how many, -1 when the
 * history is not whole; the UIDs into uids (room for 8) */
static long vanished(int fd, const struct buf *dir, uint64_t since, uint32_t *uids)
{
	struct buf *why = buf_new(0);
	struct mail_index *idx;
	uint32_t *got = NULL;
	size_t n = 0;
	bool whole = false;
	long rc = -2;

	if (mail_index_open(fd, buf_str(dir), &idx, why) == 0) {
		if (mail_index_vanished(idx, "INBOX", since, &got, &n, &whole, why) == 0)
			rc = whole ? (long)n : -1;
		mail_index_close(&idx);
	}
	for (size_t i = 0; i < n && i < 8; i++)
		uids[i] = got[i];
	free(got);
	buf_free(&why);
	return rc;
}

/* test_vanished - each expunge keeps its MODSEQ; the history is whole
 * from the folder's first sync; a rebuilt index starts MODSEQs above any
 * it gave before and says its history is not whole */
static void test_vanished(void)
{
	struct buf *dir = buf_new(64);
	int fd = maildir("vanished", dir);
	struct mail_index_folder *a, *b;
	uint32_t uids[8] = { 0 };
	char p[4096];

	test_begin("mail_index: the expunge history for VANISHED (EARLIER)");
	put(dir, "new/1.a", "a");
	put(dir, "new/2.b", "b");
	put(dir, "new/3.c", "c");
	put(dir, "new/4.d", "d");
	a = synced(fd, dir, NULL);
	test_assert(vanished(fd, dir, 0, uids) == 0);
	snprintf(p, sizeof(p), "%s/new/2.b", buf_str(dir));
	unlink(p);
	b = synced(fd, dir, NULL);
	snprintf(p, sizeof(p), "%s/new/4.d", buf_str(dir));
	unlink(p);
	mail_index_folder_free(&b);
	b = synced(fd, dir, NULL);
	test_assert(a && b && b->highestmodseq == a->highestmodseq + 2);
	test_assert(vanished(fd, dir, 0, uids) == 2 && uids[0] == 2 && uids[1] == 4);
	test_assert(a && vanished(fd, dir, a->highestmodseq, uids) == 2);
	test_assert(a && vanished(fd, dir, a->highestmodseq + 1, uids) == 1 && uids[0] == 4);
	test_assert(b && vanished(fd, dir, b->highestmodseq, uids) == 0);
	drop_index(dir);
	mail_index_folder_free(&a);
	a = synced(fd, dir, NULL);	/* the same UIDVALIDITY, from dovecot-uidlist */
	test_assert(a && b && a->uidvalidity == b->uidvalidity && a->len == 2);
	test_assert(a && b && a->highestmodseq > b->highestmodseq + 1000000);
	test_assert(b && vanished(fd, dir, b->highestmodseq, uids) == -1);
	test_assert(a && vanished(fd, dir, a->highestmodseq, uids) == 0);
	mail_index_folder_free(&a);
	mail_index_folder_free(&b);
	close(fd);
	buf_free(&dir);
	test_end();
}

/* test_vanished_pruned - past vanished_max "X" records the older half
 * goes and the history is whole only from the newest MODSEQ dropped */
static void test_vanished_pruned(void)
{
	struct buf *dir = buf_new(64), *why = buf_new(0);
	int fd = maildir("pruned", dir);
	struct mail_index *idx = NULL;
	uint32_t *uids = NULL;
	size_t n = 0;
	bool whole = true;
	MDB_txn *txn;
	int rc = -1;

	test_begin("mail_index: the expunge history is pruned past its bound");
	if (mail_index_open(fd, buf_str(dir), &idx, why) == 0 && mail_index_txn_begin(idx, 0, &txn) == 0) {
		idx->vanished_max = 10;		/* prunes at 11, keeping 5 */
		rc = mail_index_vanished_start(idx, txn, "INBOX", 100);
		for (uint32_t uid = 1; rc == 0 && uid <= 25; uid++)
			rc = mail_index_vanished_note(idx, txn, "INBOX", uid, 100 + uid);
		rc = rc == 0 ? mdb_txn_commit(txn) : (mdb_txn_abort(txn), rc);
	}
	test_assert(idx && rc == 0);
	/* pruned at uids 11 (cut 106), 17 (cut 112), 23 (cut 118) */
	test_assert(idx && mail_index_vanished(idx, "INBOX", 117, &uids, &n, &whole, why) == 0 && !whole);
	free(uids);
	uids = NULL;
	test_assert(idx && mail_index_vanished(idx, "INBOX", 118, &uids, &n, &whole, why) == 0 && whole);
	test_assert(n == 7 && uids && uids[0] == 19 && uids[6] == 25);
	free(uids);
	uids = NULL;
	test_assert(idx && mail_index_vanished(idx, "INBOX", 120, &uids, &n, &whole, why) == 0 && whole);
	test_assert(n == 5 && uids && uids[0] == 21);
	free(uids);
	mail_index_close(&idx);
	close(fd);
	buf_free(&dir);
	buf_free(&why);
	test_end();
}

/* test_time_order - new files take UIDs in the order their names' times
 * say (seconds, microseconds, counter: numerically), not by name */
static void test_time_order(void)
{
	struct buf *dir = buf_new(64);
	int fd = maildir("timeorder", dir);
	struct mail_index_folder *f;

	test_begin("mail_index: new files take UIDs in their names' time order");
	put(dir, "cur/1000.M100P1Q9.h:2,", "c");
	put(dir, "new/1000.M99P1Q10.h", "b");
	put(dir, "cur/1000.M100P1Q10.h:2,S", "d");
	put(dir, "new/999.M5P1Q1.h", "a");
	put(dir, "new/zzz", "e");
	f = synced(fd, dir, NULL);
	/* a name without a time counts as time 0: first */
	test_assert(uid_of(f, "zzz") == 1 && uid_of(f, "999.M5P1Q1.h") == 2);
	test_assert(uid_of(f, "1000.M99P1Q10.h") == 3 && uid_of(f, "1000.M100P1Q9.h") == 4);
	test_assert(uid_of(f, "1000.M100P1Q10.h") == 5);
	test_assert(maildir_name_time_cmp("9.M1", "10.M0") < 0 && maildir_name_time_cmp("10.M0", "9.M1") > 0);
	test_assert(maildir_name_time_cmp("5.M7P1Q2.x", "5.M7P1Q2.x") == 0);
	mail_index_folder_free(&f);
	close(fd);
	buf_free(&dir);
	test_end();
}

/* drop_uidlist - rm <Maildir>/dovecot-uidlist */
static void drop_uidlist(const struct buf *dir)
{
	char p[4096];

	snprintf(p, sizeof(p), "%s/dovecot-uidlist", buf_str(dir));
	test_assert(unlink(p) == 0);
}

/* test_rebuild - index deleted: the same UIDVALIDITY and UIDs from the
 * dovecot-uidlist the index kept; a new UIDVALIDITY without one (even
 * in the same second); Dovecot's UIDs from one Dovecot left */
static void test_rebuild(void)
{
	struct buf *dir = buf_new(64);
	int fd = maildir("rebuild", dir);
	struct mail_index_folder *a, *b, *c;

	test_begin("mail_index: a deleted index is rebuilt");
	put(dir, "new/1.a", "a");
	put(dir, "new/2.b", "b");
	put(dir, "new/3.c", "c");
	a = synced(fd, dir, NULL);
	drop_index(dir);
	b = synced(fd, dir, NULL);
	test_assert(a && b && b->len == 3 && b->uidvalidity == a->uidvalidity && b->uidnext == 4);
	test_assert(uid_of(b, "1.a") == 1 && uid_of(b, "2.b") == 2 && uid_of(b, "3.c") == 3);
	mail_index_folder_free(&b);
	drop_index(dir);
	drop_uidlist(dir);
	b = synced(fd, dir, NULL);
	test_assert(a && b && b->len == 3 && b->uidvalidity != a->uidvalidity);
	put(dir, "dovecot-uidlist", "3 V1700000000 N10 G0123456789abcdef0123456789abcdef\n"
	    "7 :2.b\n8 :3.c\n9 :gone\n");
	drop_index(dir);
	c = synced(fd, dir, NULL);
	test_assert(c && c->len == 3 && c->uidvalidity == 1700000000 && c->uidnext == 11);
	test_assert(uid_of(c, "2.b") == 7 && uid_of(c, "3.c") == 8 && uid_of(c, "1.a") == 10);
	mail_index_folder_free(&a);
	mail_index_folder_free(&b);
	mail_index_folder_free(&c);
	/* once indexed, a uidlist of another UIDVALIDITY gives nothing and
	 * is written over with the index's */
	put(dir, "dovecot-uidlist", "3 V42 N2\n1 :1.a\n");
	c = synced(fd, dir, NULL);
	test_assert(c && c->uidvalidity == 1700000000 && uid_of(c, "1.a") == 10);
	mail_index_folder_free(&c);
	drop_index(dir);
	c = synced(fd, dir, NULL);
	test_assert(c && c->uidvalidity == 1700000000 && uid_of(c, "1.a") == 10);
	mail_index_folder_free(&c);
	/* a uidlist the parser refuses: fresh UIDs in name order, a warning */
	put(dir, "dovecot-uidlist", "3 V1700000000 N10\n9 :2.b\n8 :3.c\n");
	drop_index(dir);
	c = synced(fd, dir, NULL);
	test_expect_log("dovecot-uidlist not used");
	test_assert(c && c->uidvalidity != 1700000000 && c->uidnext == 4);
	test_assert(uid_of(c, "1.a") == 1 && uid_of(c, "2.b") == 2 && uid_of(c, "3.c") == 3);
	mail_index_folder_free(&c);
	close(fd);
	buf_free(&dir);
	test_end();
}

/* test_hostile_files - garbage in data.mdb is rebuilt; a symbolic link
 * where the index belongs is refused, not followed */
static void test_hostile_files(void)
{
	struct buf *dir = buf_new(64), *why = buf_new(0);
	int fd = maildir("hostile", dir);
	struct mail_index_folder *f;
	struct mail_index *idx;
	char p[4200], target[4096];

	test_begin("mail_index: garbage index rebuilt, symlinked index refused");
	put(dir, "new/1.a", "a");
	f = synced(fd, dir, NULL);
	mail_index_folder_free(&f);
	put(dir, "hato-index.lmdb/data.mdb", "this is not an LMDB file, just bytes the user wrote");
	f = synced(fd, dir, NULL);
	test_assert(f && f->len == 1 && uid_of(f, "1.a") == 1);
	mail_index_folder_free(&f);
	drop_index(dir);
	snprintf(target, sizeof(target), "%s/elsewhere", test_datadir());
	mkdir(target, 0700);
	snprintf(p, sizeof(p), "%s/hato-index.lmdb", buf_str(dir));
	test_assert(symlink(target, p) == 0);
	test_assert(mail_index_open(fd, buf_str(dir), &idx, why) == -1 && idx == NULL);
	test_assert(strstr(buf_str(why), "symbolic link") != NULL);
	snprintf(p, sizeof(p), "%s/data.mdb", target);
	test_assert(access(p, F_OK) != 0);
	close(fd);
	buf_free(&why);
	buf_free(&dir);
	test_end();
}

enum { RACE_ROUNDS = 40 };

/* racer_sync - one open, sync, close: 0, or -1 */
static int racer_sync(int fd, const struct buf *dir)
{
	struct buf *why = buf_new(0);
	struct mail_index *idx;
	int rc = -1;

	if (mail_index_open(fd, buf_str(dir), &idx, why) == 0) {
		rc = mail_index_sync(idx, "INBOX", fd, NULL, why);
		mail_index_close(&idx);
	}
	buf_free(&why);
	return rc;
}

/* racer - add a file named prefix+i and sync, RACE_ROUNDS times, on an
 * index of our own; the number of failed syncs and wrong expunges */
static int racer(int fd, const struct buf *dir, char prefix)
{
	struct buf *why = buf_new(0);
	struct mail_index_changes ch;
	struct mail_index *idx;
	char rel[64];
	int bad = 0;

	if (mail_index_open(fd, buf_str(dir), &idx, why) != 0)
		return RACE_ROUNDS;
	for (int i = 0; i < RACE_ROUNDS; i++) {
		snprintf(rel, sizeof(rel), "new/%c%03d.host", prefix, i);
		put(dir, rel, rel);
		if (mail_index_sync(idx, "INBOX", fd, &ch, why) != 0 || ch.n_expunged)
			bad++;
		mail_index_changes_free(&ch);
	}
	mail_index_close(&idx);
	buf_free(&why);
	return bad;
}

/* test_race - a forked writer and the parent on one Maildir */
static void test_race(void)
{
	struct buf *dir = buf_new(64);
	int fd = maildir("race", dir), status = -1, bad;
	struct mail_index_folder *f;
	char base[64];
	pid_t pid;

	test_begin("mail_index: two writers at once give every file one unique UID");
	fflush(NULL);
	if ((pid = fork()) == 0)
		_exit(racer(fd, dir, 'c') ? 1 : 0);
	bad = racer(fd, dir, 'p');
	test_assert(pid > 0 && waitpid(pid, &status, 0) == pid);
	test_assert(bad == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0);
	f = synced(fd, dir, NULL);
	test_assert(f && f->len == 2 * RACE_ROUNDS && f->uidnext == 2 * RACE_ROUNDS + 1);
	for (int i = 0; f && i < RACE_ROUNDS; i++) {
		snprintf(base, sizeof(base), "c%03d.host", i);
		test_assert(uid_of(f, base) != 0);
		snprintf(base, sizeof(base), "p%03d.host", i);
		test_assert(uid_of(f, base) != 0);
	}
	for (size_t i = 1; f && i < f->len; i++)
		test_assert(f->msgs[i].uid > f->msgs[i - 1].uid);
	mail_index_folder_free(&f);
	close(fd);
	buf_free(&dir);
	test_end();
}

static int between_fd = -1;		/* the Maildir of test_between */
static struct buf *between_dir;

/* other_writer - the pause hook: a child adds b1 and syncs it in */
static void other_writer(void)
{
	int status = -1;
	pid_t pid;

	mail_index_sync_pause = NULL;
	fflush(NULL);
	if ((pid = fork()) == 0) {
		put(between_dir, "new/b1", "b");
		_exit(racer_sync(between_fd, between_dir) == 0 ? 0 : 1);
	}
	test_assert(pid > 0 && waitpid(pid, &status, 0) == pid);
	test_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* test_between - another writer commits between our scan and our write
 * transaction: its file is neither expunged nor given a second UID */
static void test_between(void)
{
	struct buf *dir = buf_new(64), *why = buf_new(0);
	int fd = maildir("between", dir);
	struct mail_index_changes ch = { 0 };
	struct mail_index_folder *f = NULL;
	struct mail_index *idx;

	test_begin("mail_index: a writer between our scan and our commit");
	put(dir, "new/a1", "a");
	f = synced(fd, dir, NULL);
	mail_index_folder_free(&f);
	put(dir, "new/a2", "a");
	between_fd = fd;
	between_dir = dir;
	mail_index_sync_pause = other_writer;
	test_assert(mail_index_open(fd, buf_str(dir), &idx, why) == 0);
	test_assert(idx && mail_index_sync(idx, "INBOX", fd, &ch, why) == 0);
	test_assert(mail_index_sync_pause == NULL && ch.n_expunged == 0 && ch.n_new == 0);
	test_assert(idx && mail_index_list(idx, "INBOX", &f, why) == 0);
	test_assert(f && f->len == 3 && f->uidnext == 4 && uid_of(f, "a1") == 1);
	test_assert(uid_of(f, "a2") == 2 && uid_of(f, "b1") == 3);
	mail_index_sync_pause = NULL;
	mail_index_changes_free(&ch);
	mail_index_folder_free(&f);
	mail_index_close(&idx);
	close(fd);
	buf_free(&why);
	buf_free(&dir);
	test_end();
}

/* plant - a record the index code never writes, put there directly */
static void plant(const struct buf *dir, const void *key, size_t klen, const void *val, size_t vlen)
{
	char p[4096];
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k = { klen, (void *)key }, v = { vlen, (void *)val };

	snprintf(p, sizeof(p), "%s/hato-index.lmdb", buf_str(dir));
	test_assert(mdb_env_create(&env) == 0 && mdb_env_open(env, p, 0, 0600) == 0);
	test_assert(mdb_txn_begin(env, NULL, 0, &txn) == 0 && mdb_dbi_open(txn, NULL, 0, &dbi) == 0);
	test_assert(mdb_put(txn, dbi, &k, &v, 0) == 0 && mdb_txn_commit(txn) == 0);
	mdb_env_close(env);
}

/* test_bad_record - a message record that does not decode: the folder's
 * records are dropped and made again from its dovecot-uidlist (the same
 * UIDVALIDITY and UIDs) */
static void test_bad_record(void)
{
	struct buf *dir = buf_new(64), *why = buf_new(0);
	int fd = maildir("badrec", dir);
	struct mail_index_folder *a, *b;
	struct mail_index *idx;

	test_begin("mail_index: a bad record rebuilds the folder");
	put(dir, "new/1.a", "a");
	put(dir, "new/2.b", "b");
	a = synced(fd, dir, NULL);
	plant(dir, "UINBOX\0\0\0\0\x07", 11, "junk", 4);
	test_assert(mail_index_open(fd, buf_str(dir), &idx, why) == 0);
	test_assert(idx && mail_index_list(idx, "INBOX", &b, why) == -1);
	test_assert(strstr(buf_str(why), "corrupt message record") != NULL);
	mail_index_close(&idx);
	b = synced(fd, dir, NULL);
	test_expect_log("the folder's index is rebuilt");
	test_assert(a && b && b->len == 2 && b->uidvalidity == a->uidvalidity);
	test_assert(uid_of(b, "1.a") == 1 && uid_of(b, "2.b") == 2);
	mail_index_folder_free(&a);
	mail_index_folder_free(&b);
	close(fd);
	buf_free(&why);
	buf_free(&dir);
	test_end();
}

/* set_vsize - mail_index_set_vsize in INBOX; its result */
static int set_vsize(int fd, const struct buf *dir, uint32_t uid, off_t vsize)
{
	struct buf *why = buf_new(0);
	struct mail_index *idx;
	int rc = -2;

	if (mail_index_open(fd, buf_str(dir), &idx, why) == 0) {
		rc = mail_index_set_vsize(idx, "INBOX", uid, vsize, why);
		mail_index_close(&idx);
	}
	buf_free(&why);
	return rc;
}

/* vsize_of - the vsize of the message with this base, -2 when absent */
static off_t vsize_of(const struct mail_index_folder *f, const char *base)
{
	const struct mail_index_msg *m = find(f, base);

	return m ? m->vsize : -2;
}

/* test_vsize - from ",W=" names, stored by a reader, kept, forgotten */
static void test_vsize(void)
{
	struct buf *dir = buf_new(64);
	int fd = maildir("vsize", dir);
	struct mail_index_folder *a, *b;

	test_begin("mail_index: vsize from W= (else -1), stored by set_vsize, kept across renames, forgotten on a new size under a new name");
	put(dir, "new/1.a,S=4,W=6", "a\nb\n");
	put(dir, "new/2.b", "x\ny\n");
	a = synced(fd, dir, NULL);
	test_assert(a && vsize_of(a, "1.a,S=4,W=6") == 6 && vsize_of(a, "2.b") == -1);
	test_assert(set_vsize(fd, dir, 2, 6) == 1);
	test_assert(set_vsize(fd, dir, 2, 6) == 1);	/* the same again: no change */
	test_assert(set_vsize(fd, dir, 99, 6) == 0);
	test_assert(set_vsize(fd, dir, 0, 6) == -1 && set_vsize(fd, dir, 2, -1) == -1);
	b = synced(fd, dir, NULL);
	test_assert(b && vsize_of(b, "2.b") == 6 && uid_of(b, "2.b") == 2);
	test_assert(a && b && b->highestmodseq == a->highestmodseq);	/* a cache, not a change */
	mail_index_folder_free(&b);
	move(dir, "new/2.b", "cur/2.b:2,S");
	b = synced(fd, dir, NULL);
	test_assert(b && vsize_of(b, "2.b") == 6 && b->highestmodseq > a->highestmodseq);
	mail_index_folder_free(&b);
	/* rewritten in place, the same name: not looked at (Maildir files do
	 * not change under a name); the new size comes with the next name */
	put(dir, "cur/2.b:2,S", "longer\n");
	b = synced(fd, dir, NULL);
	test_assert(b && vsize_of(b, "2.b") == 6);
	mail_index_folder_free(&b);
	move(dir, "cur/2.b:2,S", "cur/2.b:2,RS");
	b = synced(fd, dir, NULL);
	test_assert(b && vsize_of(b, "2.b") == -1 && uid_of(b, "2.b") == 2);
	mail_index_folder_free(&a);
	mail_index_folder_free(&b);
	close(fd);
	buf_free(&dir);
	test_end();
}

/* old_record - a "U" value of the first layout (no NUL and vsize) */
static size_t old_record(unsigned char *out, const char *name, size_t base_len)
{
	size_t n = 0, len = strlen(name);

	memset(out, 0, 27);
	out[7] = 1;			/* modseq 1 */
	out[15] = 1;			/* size 1 */
	out[24] = 1;			/* in new/ */
	out[25] = (unsigned char)base_len;
	out[26] = 0;			/* no flags */
	n = 27;
	memcpy(out + n, name, len);
	return n + len;
}

/* test_old_layout - records written before the vsize still read: UIDs
 * kept, vsize -1, filled in by the next sync; a bad tail is corruption */
static void test_old_layout(void)
{
	struct buf *dir = buf_new(64), *why = buf_new(0);
	int fd = maildir("oldrec", dir);
	struct mail_index_folder *a, *b;
	struct mail_index *idx;
	unsigned char val[128];
	size_t n;

	test_begin("mail_index: a record of the first layout reads (vsize -1, same UID), the next sync adds W=");
	put(dir, "new/1.a,S=1,W=1", "a");
	put(dir, "new/2.b", "b");
	a = synced(fd, dir, NULL);
	n = old_record(val, "1.a,S=1,W=1", 11);
	plant(dir, "UINBOX\0\0\0\0\x01", 11, val, n);
	test_assert(mail_index_open(fd, buf_str(dir), &idx, why) == 0);
	test_assert(idx && mail_index_list(idx, "INBOX", &b, why) == 0);
	test_assert(b && vsize_of(b, "1.a,S=1,W=1") == -1 && uid_of(b, "1.a,S=1,W=1") == 1);
	mail_index_folder_free(&b);
	mail_index_close(&idx);
	b = synced(fd, dir, NULL);
	test_assert(a && b && b->uidvalidity == a->uidvalidity && uid_of(b, "1.a,S=1,W=1") == 1
		    && uid_of(b, "2.b") == 2 && vsize_of(b, "1.a,S=1,W=1") == 1);
	mail_index_folder_free(&b);
	test_end();

	test_begin("mail_index: a record with a NUL but no 8-byte vsize after it is corrupt");
	n = old_record(val, "2.b", 3);
	memcpy(val + n, "\0\0\0\0", 4);
	plant(dir, "UINBOX\0\0\0\0\x02", 11, val, n + 4);
	test_assert(mail_index_open(fd, buf_str(dir), &idx, why) == 0);
	test_assert(idx && mail_index_list(idx, "INBOX", &b, why) == -1);
	mail_index_close(&idx);
	n = old_record(val, "2.b", 3);
	memcpy(val + n, "\0\xff\xff\xff\xff\xff\xff\xff\xfe", 9);	/* vsize -2 */
	plant(dir, "UINBOX\0\0\0\0\x02", 11, val, n + 9);
	test_assert(mail_index_open(fd, buf_str(dir), &idx, why) == 0);
	test_assert(idx && mail_index_list(idx, "INBOX", &b, why) == -1);
	mail_index_close(&idx);
	mail_index_folder_free(&a);
	close(fd);
	buf_free(&why);
	buf_free(&dir);
	test_end();
}

enum { GROW_FILES = 1500 };

/* test_grow - a first map far too small: MDB_MAP_FULL, the map doubles,
 * the write transaction runs again, and nothing is counted twice */
static void test_grow(void)
{
	struct buf *dir = buf_new(64);
	int fd = maildir("grow", dir);
	struct mail_index_changes ch = { 0 };
	struct mail_index_folder *f;
	size_t saved = mail_index_map_first;
	char rel[64];

	test_begin("mail_index: the map grows when full");
	for (int i = 0; i < GROW_FILES; i++) {
		snprintf(rel, sizeof(rel), "new/%05d.M%d.some.host.name,S=%d", i, i, i);
		put(dir, rel, "x");
	}
	mail_index_map_first = 64 << 10;
	f = synced(fd, dir, &ch);
	mail_index_map_first = saved;
	test_assert(f && f->len == GROW_FILES && ch.n_new == GROW_FILES && f->uidnext == GROW_FILES + 1);
	test_assert(f && f->msgs[GROW_FILES - 1].size == GROW_FILES - 1);
	mail_index_changes_free(&ch);
	mail_index_folder_free(&f);
	close(fd);
	buf_free(&dir);
	test_end();
}

/* test_mail_index - the cases above */
void test_mail_index(void)
{
	test_stable();
	test_rename();
	test_expunge();
	test_vanished();
	test_vanished_pruned();
	test_time_order();
	test_rebuild();
	test_hostile_files();
	test_race();
	test_between();
	test_bad_record();
	test_vsize();
	test_old_layout();
	test_grow();
}
