/* mail_index_recent_test - the "R" record (mail_index_recent.h) on
 * Maildirs under the run's scratch directory: a folder new to the index
 * starts at UID 1; a take moves the record up and returns what it
 * replaced, a second take of the same range gets nothing (and writes
 * nothing), a look never moves it; no record (a folder that took a
 * dovecot-uidlist's UIDs), another UIDVALIDITY's or one that does not
 * decode: the caller's guess, and the first take writes one; a take is
 * no MODSEQ; two processes taking at once never take the same UID and
 * leave none out.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mail_index.h"
#include "mail_index_int.h"
#include "mail_index_recent.h"
#include "test.h"

enum { RACE_UPTO = 200 };

/* maildir - a fresh Maildir under the scratch directory; fd, path */
static int maildir(const char *name, struct buf *path)
{
	char sub[4096];

	buf_reset(path);
	buf_printf(path, "%s/recent-%s", test_datadir(), name);
	mkdir(buf_str(path), 0700);
	for (const char *const *s = (const char *const[]){ "cur", "new", "tmp", NULL }; *s; s++) {
		snprintf(sub, sizeof(sub), "%s/%s", buf_str(path), *s);
		mkdir(sub, 0700);
	}
	return open(buf_str(path), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* put - an empty message file dir/rel */
static void put(const struct buf *dir, const char *rel)
{
	char p[4096];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", buf_str(dir), rel);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	test_assert(fd >= 0 && write(fd, "x\n", 2) == 2);
	if (fd >= 0)
		close(fd);
}

/* first - mail_index_recent's answer (take up to upto when take), or
 * 0 on an error */
static uint32_t first(struct mail_index *idx, const char *folder, uint32_t uidvalidity,
		      uint32_t dflt, uint32_t upto, bool take, uint64_t *gen)
{
	struct buf *why = buf_new(0);
	uint32_t f = 0;

	if (mail_index_recent(idx, folder, uidvalidity, dflt, upto, take, &f, gen, why) < 0) {
		fprintf(stderr, "mail_index_recent_test: %s\n", buf_str(why));
		f = 0;
	}
	buf_free(&why);
	return f;
}

/* listed - INBOX synced and listed */
static struct mail_index_folder *listed(struct mail_index *idx, int fd)
{
	struct buf *why = buf_new(0);
	struct mail_index_folder *f = NULL;

	test_assert(mail_index_sync(idx, "INBOX", fd, NULL, why) == 0);
	test_assert(mail_index_list(idx, "INBOX", &f, why) == 0 && f);
	buf_free(&why);
	return f;
}

/* test_take - a new folder from 1; take, take again, look */
static void test_take(void)
{
	struct buf *dir = buf_new(64), *why = buf_new(0);
	int fd = maildir("take", dir);
	struct mail_index_folder *f, *g;
	struct mail_index *idx = NULL;
	uint64_t gen = 0, before;
	uint32_t v;

	test_begin("mail_index_recent: a new folder from 1, a take moves it, a look does not");
	put(dir, "new/1.a");
	put(dir, "cur/2.b:2,S");
	test_assert(mail_index_open(fd, buf_str(dir), &idx, why) == 0);
	f = listed(idx, fd);
	v = f ? f->uidvalidity : 0;
	test_assert(f && f->len == 2 && f->uidnext == 3);
	test_assert(first(idx, "INBOX", v, 99, 0, false, NULL) == 1);	/* not the guess */
	before = mail_index_generation(idx);
	test_assert(first(idx, "INBOX", v, 99, 3, true, &gen) == 1);
	test_assert(gen == before + 1 && mail_index_generation(idx) == gen);
	test_assert(first(idx, "INBOX", v, 99, 3, true, &gen) == 3 && gen == 0);
	test_assert(mail_index_generation(idx) == before + 1);	/* nothing written */
	test_assert(first(idx, "INBOX", v, 99, 0, false, NULL) == 3);
	test_assert(first(idx, "INBOX", v, 99, 2, true, &gen) == 3 && gen == 0);	/* never down */
	g = listed(idx, fd);
	test_assert(g && f && g->highestmodseq == f->highestmodseq);	/* no MODSEQ */
	put(dir, "new/3.c");
	mail_index_folder_free(&g);
	g = listed(idx, fd);
	test_assert(g && g->uidnext == 4);
	test_assert(first(idx, "INBOX", v, 99, 4, true, &gen) == 3 && gen != 0);
	test_assert(first(idx, "INBOX", v + 1, 7, 0, false, NULL) == 7);	/* another UIDVALIDITY */
	mail_index_folder_free(&f);
	mail_index_folder_free(&g);
	mail_index_close(&idx);
	close(fd);
	buf_free(&why);
	buf_free(&dir);
	test_end();
}

/* plant - a record put there directly (the index closed) */
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

/* drop_index - the index directory removed (the dovecot-uidlist stays) */
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

/* test_guess - no record, or one that does not decode: the guess, until
 * a take writes one */
static void test_guess(void)
{
	struct buf *dir = buf_new(64), *why = buf_new(0);
	int fd = maildir("guess", dir);
	struct mail_index_folder *f;
	struct mail_index *idx = NULL;
	uint64_t gen = 0;
	uint32_t v;

	test_begin("mail_index_recent: no record (UIDs from a dovecot-uidlist), a bad one: the guess");
	put(dir, "new/1.a");
	put(dir, "new/2.b");
	test_assert(mail_index_open(fd, buf_str(dir), &idx, why) == 0);
	f = listed(idx, fd);
	mail_index_folder_free(&f);
	mail_index_close(&idx);
	drop_index(dir);		/* again from the dovecot-uidlist it wrote */
	test_assert(mail_index_open(fd, buf_str(dir), &idx, why) == 0);
	f = listed(idx, fd);
	v = f ? f->uidvalidity : 0;
	test_assert(f && f->len == 2 && f->uidnext == 3);
	test_assert(first(idx, "INBOX", v, 2, 0, false, NULL) == 2);
	test_assert(first(idx, "INBOX", v, 3, 3, true, &gen) == 3 && gen != 0);	/* written */
	test_assert(first(idx, "INBOX", v, 1, 0, false, NULL) == 3);
	test_assert(first(idx, "Never", 5, 4, 0, false, NULL) == 4);
	mail_index_folder_free(&f);
	mail_index_close(&idx);
	plant(dir, "RINBOX", 6, "bad", 3);
	test_assert(mail_index_open(fd, buf_str(dir), &idx, why) == 0);
	test_assert(first(idx, "INBOX", v, 2, 0, false, NULL) == 2);
	test_assert(first(idx, "INBOX", v, 2, 3, true, &gen) == 2 && gen != 0);
	test_assert(first(idx, "INBOX", v, 1, 0, false, NULL) == 3);
	mail_index_close(&idx);
	close(fd);
	buf_free(&why);
	buf_free(&dir);
	test_end();
}

/* taker - take [first, upto) for upto 2 .. RACE_UPTO; how many UIDs
 * this process got (RACE_UPTO + 1 on an error) */
static int taker(int fd, const struct buf *dir, uint32_t v)
{
	struct buf *why = buf_new(0);
	struct mail_index *idx;
	int got = 0;

	if (mail_index_open(fd, buf_str(dir), &idx, why) != 0) {
		buf_free(&why);
		return RACE_UPTO + 1;
	}
	for (uint32_t upto = 2; upto <= RACE_UPTO; upto++) {
		uint32_t f;

		if (mail_index_recent(idx, "INBOX", v, 1, upto, true, &f, NULL, why) < 0) {
			got = RACE_UPTO + 1;
			break;
		}
		got += f < upto ? (int)(upto - f) : 0;
	}
	mail_index_close(&idx);
	buf_free(&why);
	return got;
}

/* test_race - two processes take at once: every UID once */
static void test_race(void)
{
	struct buf *dir = buf_new(64), *why = buf_new(0);
	int fd = maildir("race", dir), status = -1, mine;
	struct mail_index_folder *f;
	struct mail_index *idx = NULL;
	uint32_t v = 0;
	pid_t pid;

	test_begin("mail_index_recent: two sessions taking at once never take a UID twice");
	test_assert(mail_index_open(fd, buf_str(dir), &idx, why) == 0);
	f = listed(idx, fd);
	v = f ? f->uidvalidity : 0;
	mail_index_folder_free(&f);
	mail_index_close(&idx);
	fflush(NULL);
	if ((pid = fork()) == 0)
		_exit(taker(fd, dir, v));
	mine = taker(fd, dir, v);
	test_assert(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status));
	test_assert(mine + WEXITSTATUS(status) == RACE_UPTO - 1);
	close(fd);
	buf_free(&why);
	buf_free(&dir);
	test_end();
}

/* test_mail_index_recent - the cases above */
void test_mail_index_recent(void)
{
	test_take();
	test_guess();
	test_race();
}
