/* mail_index_stamp_test - the sync's stamp (mail_index_stamp.c): not kept
 * while the directories' mtimes are not settled; kept once they are, and
 * then a sync reads nothing (seen by a rename whose directory mtime is
 * put back by hand: the sync does not notice it, which is the skip);
 * any change that moves an mtime, or a rewritten dovecot-uidlist, is
 * seen again; a folder dropped from the index is not taken as synced;
 * mail_index_stamp_own keeps one only when settled and its caller says
 * nothing else changed.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mail_index.h"
#include "mail_index_int.h"
#include "test.h"

/* maildir - a fresh Maildir under the scratch directory: its fd */
static int maildir(struct buf *path)
{
	char sub[4096];

	buf_reset(path);
	buf_printf(path, "%s/stamp", test_datadir());
	mkdir(buf_str(path), 0700);
	for (const char *const *s = (const char *const[]){ "cur", "new", "tmp", NULL }; *s; s++) {
		snprintf(sub, sizeof(sub), "%s/%s", buf_str(path), *s);
		mkdir(sub, 0700);
	}
	return open(buf_str(path), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* put - a file rel below the Maildir */
static void put(const struct buf *dir, const char *rel)
{
	char p[4096];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", buf_str(dir), rel);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	test_assert(fd >= 0 && write(fd, "Subject: x\n\nbody\n", 17) == 17);
	if (fd >= 0)
		close(fd);
}

/* settle - cur/ and new/ dated a minute ago */
static void settle(int fd)
{
	struct timespec t[2] = { { .tv_sec = time(NULL) - 60 }, { .tv_sec = time(NULL) - 60 } };

	test_assert(utimensat(fd, "cur", t, 0) == 0 && utimensat(fd, "new", t, 0) == 0);
}

/* unsettle - cur/ and new/ dated a minute ahead: never settled yet */
static void unsettle(int fd)
{
	struct timespec t[2] = { { .tv_sec = time(NULL) + 60 }, { .tv_sec = time(NULL) + 60 } };

	test_assert(utimensat(fd, "cur", t, 0) == 0 && utimensat(fd, "new", t, 0) == 0);
}

/* yes, no - still_as_indexed answers */
static bool yes(void *ctx)
{
	(void)ctx;
	return true;
}

static bool no(void *ctx)
{
	(void)ctx;
	return false;
}

/* sync_new - a sync of INBOX: how many files got a UID, -1 on error */
static long sync_new(struct mail_index *idx, int fd)
{
	struct mail_index_changes ch = { 0 };
	struct buf *why = buf_new(0);
	long n = mail_index_sync(idx, "INBOX", fd, &ch, why) == 0 ? (long)ch.n_new : -1;

	mail_index_changes_free(&ch);
	buf_free(&why);
	return n;
}

/* has_stamp - the folder's "D" record is there */
static bool has_stamp(struct mail_index *idx)
{
	MDB_txn *txn;
	MDB_val k = { 6, "DINBOX" }, v;
	bool yes;

	if (mail_index_txn_begin(idx, MDB_RDONLY, &txn) != 0)
		return false;
	yes = mdb_get(txn, idx->dbi, &k, &v) == 0;
	mdb_txn_abort(txn);
	return yes;
}

void test_mail_index_stamp(void)
{
	struct buf *path = buf_new(256), *why = buf_new(0);
	struct mail_index *idx = NULL;
	int fd = maildir(path);
	char a[4096], b[4096];
	struct stat st;

	test_begin("mail_index_stamp");
	put(path, "new/1700000001.M1P1.h");
	put(path, "cur/1700000002.M2P1.h:2,");
	test_assert(fd >= 0 && mail_index_open(fd, buf_str(path), &idx, why) == 0);
	test_assert(sync_new(idx, fd) == 2);
	unsettle(fd);
	test_assert(sync_new(idx, fd) == 0);
	test_assert(!has_stamp(idx));		/* mtimes not settled: not kept */

	settle(fd);
	test_assert(sync_new(idx, fd) == 0 && has_stamp(idx));
	put(path, "new/1700000003.M3P1.h");	/* new/'s mtime moves: seen */
	test_assert(sync_new(idx, fd) == 1);

	settle(fd);
	test_assert(sync_new(idx, fd) == 0 && has_stamp(idx));
	/* a file added with new/'s mtime put back: the sync does not look */
	test_assert(fstatat(fd, "new", &st, 0) == 0);
	put(path, "new/1700000004.M4P1.h");
	test_assert(utimensat(fd, "new", (struct timespec[]){ st.st_atim, st.st_mtim }, 0) == 0);
	test_assert(sync_new(idx, fd) == 0);
	/* the uidlist rewritten by someone else: looked at again */
	snprintf(a, sizeof(a), "%s/dovecot-uidlist", buf_str(path));
	snprintf(b, sizeof(b), "%s/dovecot-uidlist.x", buf_str(path));
	test_assert(link(a, b) == 0 && unlink(a) == 0 && rename(b, a) == 0);
	put(path, "dovecot-uidlist.y");
	snprintf(b, sizeof(b), "%s/dovecot-uidlist.y", buf_str(path));
	test_assert(rename(b, a) == 0);
	test_assert(sync_new(idx, fd) == 1);
	test_end();

	test_begin("mail_index_stamp_own: kept when settled and the caller says nothing else changed");
	put(path, "new/1700000005.M5P1.h");
	test_assert(sync_new(idx, fd) == 1 && !has_stamp(idx));
	unsettle(fd);
	test_assert(mail_index_stamp_own(idx, "INBOX", fd, yes, NULL) == 0 && !has_stamp(idx));
	settle(fd);
	test_assert(mail_index_stamp_own(idx, "INBOX", fd, no, NULL) == -1 && !has_stamp(idx));
	test_assert(mail_index_stamp_own(idx, "INBOX", fd, yes, NULL) == 1 && has_stamp(idx));
	test_assert(sync_new(idx, fd) == 0 && has_stamp(idx));
	mail_index_close(&idx);
	if (fd >= 0)
		close(fd);
	buf_free(&path);
	buf_free(&why);
	test_end();
}
