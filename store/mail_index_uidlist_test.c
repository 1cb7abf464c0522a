/* mail_index_uidlist_test - the dovecot-uidlist the index keeps, on
 * Maildirs under the run's scratch directory: the file after the first
 * sync, after new mail (appended: same inode), after an expunge
 * (left alone: a stale line), after more new mail (rewritten without
 * the stale lines, N kept); a sync that changed nothing writes nothing, one
 * that only renamed neither writes nor locks; the index deleted (same
 * UIDVALIDITY and UIDs); the reuse case (Dovecot left N10, hato gave 10
 * and 11, 10 expunged, index deleted: the next file gets 12); lines a
 * Dovecot alongside appended are adopted, its header and line extension
 * fields survive a rewrite; a file that arrives between the dry run and
 * the write still gets its line; a held dovecot-uidlist.lock delays then
 * skips the write (a warning) and the next sync catches up; a stale one
 * is broken; symbolic links planted as dovecot-uidlist, its .lock or its
 * .tmp are not followed; names with a newline or ':' get no line;
 * dovecot_uidlist_read reads hato's file back as the index has it.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dovecot_uidlist.h"
#include "mail_index.h"
#include "mail_index_int.h"
#include "test.h"

/* maildir - a fresh Maildir (its root is INBOX); its fd, path in path */
static int maildir(const char *name, struct buf *path)
{
	char sub[4096];

	buf_reset(path);
	buf_printf(path, "%s/uidlist-%s", test_datadir(), name);
	mkdir(buf_str(path), 0700);
	for (const char *const *s = (const char *const[]){ "cur", "new", "tmp", NULL }; *s; s++) {
		snprintf(sub, sizeof(sub), "%s/%s", buf_str(path), *s);
		mkdir(sub, 0700);
	}
	return open(buf_str(path), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* path_of - dir/rel in p */
static const char *path_of(char p[4096], const struct buf *dir, const char *rel)
{
	snprintf(p, 4096, "%s/%s", buf_str(dir), rel);
	return p;
}

/* put - a file dir/rel holding text */
static void put(const struct buf *dir, const char *rel, const char *text)
{
	char p[4096];
	int fd = open(path_of(p, dir, rel), O_WRONLY | O_CREAT | O_TRUNC, 0600);

	test_assert(fd >= 0);
	if (fd >= 0) {
		test_assert(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
		close(fd);
	}
}

/* gone - unlink dir/rel */
static void gone(const struct buf *dir, const char *rel)
{
	char p[4096];

	test_assert(unlink(path_of(p, dir, rel)) == 0);
}

/* text_of - dir/rel's content (static buffer, "" when unreadable) */
static const char *text_of(const struct buf *dir, const char *rel)
{
	static char text[8192];
	char p[4096];
	int fd = open(path_of(p, dir, rel), O_RDONLY | O_NOFOLLOW);
	ssize_t n = fd >= 0 ? read(fd, text, sizeof(text) - 1) : 0;

	if (fd >= 0)
		close(fd);
	text[n > 0 ? n : 0] = '\0';
	return text;
}

/* stat_of - lstat of dir/rel; zeroed when absent */
static struct stat stat_of(const struct buf *dir, const char *rel)
{
	struct stat st;
	char p[4096];

	if (lstat(path_of(p, dir, rel), &st) != 0)
		memset(&st, 0, sizeof(st));
	return st;
}

/* move - rename dir/from to dir/to */
static void move(const struct buf *dir, const char *from, const char *to)
{
	char a[4096], b[4096];

	test_assert(rename(path_of(a, dir, from), path_of(b, dir, to)) == 0);
}

/* drop_index - rm -r <Maildir>/hato-index.lmdb */
static void drop_index(const struct buf *dir)
{
	char p[4096];

	unlink(path_of(p, dir, "hato-index.lmdb/data.mdb"));
	unlink(path_of(p, dir, "hato-index.lmdb/lock.mdb"));
	test_assert(rmdir(path_of(p, dir, "hato-index.lmdb")) == 0);
}

/* synced - open, sync INBOX, list it, close; NULL on any failure */
static struct mail_index_folder *synced(int fd, const struct buf *dir)
{
	struct buf *why = buf_new(0);
	struct mail_index *idx;
	struct mail_index_folder *f = NULL;

	if (mail_index_open(fd, buf_str(dir), &idx, why) == 0) {
		if (mail_index_sync(idx, "INBOX", fd, NULL, why) == 0)
			mail_index_list(idx, "INBOX", &f, why);
		mail_index_close(&idx);
	}
	if (f == NULL)
		fprintf(stderr, "mail_index_uidlist_test: %s\n", buf_str(why));
	buf_free(&why);
	return f;
}

/* uid_of - the UID of the message with this base, 0 when absent */
static uint32_t uid_of(const struct mail_index_folder *f, const char *base)
{
	for (size_t i = 0; f && i < f->len; i++)
		if (f->msgs[i].base_len == strlen(base)
		    && memcmp(f->msgs[i].name, base, f->msgs[i].base_len) == 0)
			return f->msgs[i].uid;
	return 0;
}

/* want_file - the uidlist is the header "3 V<f's> N<n> G<32 hex>" and
 * then exactly lines; the GUID into guid (may be NULL) */
static void want_file(const struct buf *dir, const struct mail_index_folder *f, uint32_t n,
		      const char *lines, char *guid)
{
	const char *t = text_of(dir, "dovecot-uidlist"), *g;
	char head[64];

	snprintf(head, sizeof(head), "3 V%u N%u G", f ? f->uidvalidity : 0, n);
	test_assert(strncmp(t, head, strlen(head)) == 0);
	g = t + strlen(head);
	test_assert(strlen(g) > 33 && strspn(g, "0123456789abcdef") == 32 && g[32] == '\n');
	if (strlen(g) > 33) {
		test_assert_str(g + 33, lines);
		if (guid)
			memcpy(guid, g, 32), guid[32] = '\0';
	}
}

/* test_lifecycle - first sync, new mail, expunge (the file
 * left alone), new mail (rewritten: stale lines), nothing, rebuild */
static void test_lifecycle(void)
{
	struct buf *dir = buf_new(64);
	int fd = maildir("life", dir);
	struct mail_index_folder *f, *g;
	struct stat a, b;
	char guid[33] = "", guid2[33] = "";

	test_begin("mail_index_uidlist: written at the first sync, appended, rewritten, left alone");
	put(dir, "new/1.a", "a");
	put(dir, "cur/2.b:2,S", "b");
	put(dir, "new/3.c,S=1", "c");
	f = synced(fd, dir);
	want_file(dir, f, 4, "1 :1.a\n2 :2.b\n3 :3.c,S=1\n", guid);
	a = stat_of(dir, "dovecot-uidlist");
	test_assert((a.st_mode & 0777) == 0600 && stat_of(dir, "dovecot-uidlist.lock").st_ino == 0);
	mail_index_folder_free(&f);

	put(dir, "new/4.d", "d");
	f = synced(fd, dir);
	b = stat_of(dir, "dovecot-uidlist");
	test_assert(b.st_ino == a.st_ino && b.st_size > a.st_size);	/* appended */
	want_file(dir, f, 4, "1 :1.a\n2 :2.b\n3 :3.c,S=1\n4 :4.d\n", guid2);
	test_assert(strcmp(guid, guid2) == 0);
	mail_index_folder_free(&f);

	gone(dir, "new/4.d");
	gone(dir, "new/1.a");
	f = synced(fd, dir);
	a = stat_of(dir, "dovecot-uidlist");
	test_assert(a.st_ino == b.st_ino && a.st_size == b.st_size);	/* expunges: stale lines */
	test_assert(stat_of(dir, "dovecot-uidlist.lock").st_ino == 0);
	mail_index_folder_free(&f);

	put(dir, "new/5.e", "e");
	f = synced(fd, dir);
	a = stat_of(dir, "dovecot-uidlist");
	test_assert(a.st_ino != b.st_ino);		/* 2 stale of 4: rewritten */
	want_file(dir, f, 6, "2 :2.b\n3 :3.c,S=1\n5 :5.e\n", guid2);
	test_assert(strcmp(guid, guid2) == 0);
	mail_index_folder_free(&f);

	g = synced(fd, dir);
	b = stat_of(dir, "dovecot-uidlist");
	test_assert(b.st_ino == a.st_ino && b.st_size == a.st_size
		    && b.st_mtim.tv_sec == a.st_mtim.tv_sec && b.st_mtim.tv_nsec == a.st_mtim.tv_nsec);
	test_assert(stat_of(dir, "dovecot-uidlist.tmp").st_ino == 0);
	test_end();

	test_begin("mail_index_uidlist: index deleted: the same UIDVALIDITY and UIDs, N kept");
	drop_index(dir);
	put(dir, "new/6.f", "f");
	f = synced(fd, dir);
	test_assert(f && g && f->uidvalidity == g->uidvalidity && f->len == 4);
	test_assert(uid_of(f, "2.b") == 2 && uid_of(f, "3.c,S=1") == 3 && uid_of(f, "5.e") == 5);
	test_assert(uid_of(f, "6.f") == 6 && f && f->uidnext == 7);
	mail_index_folder_free(&f);
	mail_index_folder_free(&g);
	close(fd);
	buf_free(&dir);
	test_end();
}

/* test_no_reuse - Dovecot left N10; hato gives 10 and 11; 10 expunged;
 * the index deleted: the next new file gets a UID above 11 */
static void test_no_reuse(void)
{
	struct buf *dir = buf_new(64);
	int fd = maildir("reuse", dir);
	struct mail_index_folder *f;

	test_begin("mail_index_uidlist: no UID given twice across a deleted index");
	put(dir, "new/7.a", "a");
	put(dir, "dovecot-uidlist", "3 V1700000000 N10 G0123456789abcdef0123456789abcdef\n7 :7.a\n");
	f = synced(fd, dir);
	test_assert(uid_of(f, "7.a") == 7 && f && f->uidnext == 10);
	mail_index_folder_free(&f);
	put(dir, "new/8.x", "x");
	put(dir, "new/9.y", "y");
	f = synced(fd, dir);
	test_assert(uid_of(f, "8.x") == 10 && uid_of(f, "9.y") == 11);
	mail_index_folder_free(&f);
	gone(dir, "new/8.x");
	f = synced(fd, dir);
	mail_index_folder_free(&f);
	drop_index(dir);
	put(dir, "new/0.z", "z");
	f = synced(fd, dir);
	test_assert(f && f->uidvalidity == 1700000000 && f->len == 3);
	test_assert(uid_of(f, "7.a") == 7 && uid_of(f, "9.y") == 11 && uid_of(f, "0.z") == 12);
	want_file(dir, f, 13, "7 :7.a\n11 :9.y\n12 :0.z\n", NULL);	/* the stale 10 dropped */
	mail_index_folder_free(&f);
	close(fd);
	buf_free(&dir);
	test_end();
}

/* test_alongside - lines another writer (a Dovecot alongside, or hato
 * before a crash) added are adopted; Dovecot's extension fields are kept
 * over a rewrite; a uidlist of hato reads back as the index has it */
static void test_alongside(void)
{
	struct buf *dir = buf_new(64), *why = buf_new(0);
	int fd = maildir("along", dir);
	struct mail_index_folder *f;
	struct dovecot_uidlist *ul = NULL;
	char text[512];

	test_begin("mail_index_uidlist: another writer's lines adopted, extension fields kept");
	put(dir, "new/1.a", "a");
	put(dir, "new/2.b", "b");
	put(dir, "dovecot-uidlist", "3 V1700000000 N5 G0123456789abcdef0123456789abcdef Pfmt\n"
	    "3 P3abc W17 :1.a\n4 :2.b\n");
	f = synced(fd, dir);
	mail_index_folder_free(&f);
	put(dir, "new/3.c", "c");
	put(dir, "new/4.d", "d");
	snprintf(text, sizeof(text), "%s9 :4.d\n", text_of(dir, "dovecot-uidlist"));
	put(dir, "dovecot-uidlist", text);			/* Dovecot gave 4.d 9 */
	f = synced(fd, dir);
	test_assert(uid_of(f, "4.d") == 9 && uid_of(f, "3.c") == 10 && f && f->uidnext == 11);
	mail_index_folder_free(&f);
	gone(dir, "new/2.b");
	gone(dir, "new/3.c");
	put(dir, "new/5.e", "e");		/* 2 stale lines of 4: a rewrite */
	f = synced(fd, dir);
	test_assert_str(text_of(dir, "dovecot-uidlist"), "3 V1700000000 N12 G0123456789abcdef"
			"0123456789abcdef Pfmt\n3 P3abc W17 :1.a\n9 :4.d\n11 :5.e\n");
	test_assert(dovecot_uidlist_read(fd, NULL, &ul, why) == 1);
	test_assert(ul && f && ul->version == 3 && ul->uidvalidity == f->uidvalidity
		    && ul->nextuid == f->uidnext && ul->count == f->len);
	test_assert_str(ul ? ul->guid : NULL, "0123456789abcdef0123456789abcdef");
	for (size_t i = 0; ul && f && i < ul->count && i < f->len; i++)
		test_assert(ul->entries[i].uid == f->msgs[i].uid
			    && strlen(ul->entries[i].base) == f->msgs[i].base_len
			    && memcmp(ul->entries[i].base, f->msgs[i].name, f->msgs[i].base_len) == 0);
	test_assert(ul && ul->count && ul->entries[0].vsize == 17);
	test_assert_str(ul && ul->count ? dovecot_uidlist_saved_uidl(&ul->entries[0]) : NULL, "3abc");
	dovecot_uidlist_free(&ul);
	mail_index_folder_free(&f);
	close(fd);
	buf_free(&why);
	buf_free(&dir);
	test_end();
}

/* live_pid - a child that waits to be killed */
static pid_t live_pid(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		pause();
		_exit(0);
	}
	return pid;
}

/* dead_pid - a process ID that no longer runs */
static pid_t dead_pid(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	return pid;
}

/* elapsed_ms - b - a */
static long elapsed_ms(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1000 + (b->tv_nsec - a->tv_nsec) / 1000000;
}

/* test_lock - held by a live process: a sync that only renames does not
 * wait; one that gives a UID waits, then skips the write with a warning,
 * and the next sync catches up; stale (its process is gone): broken and
 * taken */
static void test_lock(void)
{
	struct buf *dir = buf_new(64);
	int fd = maildir("lock", dir);
	struct mail_index_folder *f;
	unsigned saved = mail_index_uidlist_wait_ms;
	struct timespec t0, t1, old[2];
	char host[256] = "", text[320], p[4096];
	pid_t holder;

	test_begin("mail_index_uidlist: a held dovecot-uidlist.lock delays, then skips the write");
	mail_index_uidlist_wait_ms = 300;
	put(dir, "new/1.a", "a");
	f = synced(fd, dir);
	mail_index_folder_free(&f);
	gethostname(host, sizeof(host) - 1);
	holder = live_pid();
	snprintf(text, sizeof(text), "%ld:%s", (long)holder, host);
	put(dir, "dovecot-uidlist.lock", text);
	clock_gettime(CLOCK_REALTIME, &old[0]);
	old[0].tv_sec -= 10;			/* old enough that its process is looked at */
	old[1] = old[0];
	test_assert(utimensat(AT_FDCWD, path_of(p, dir, "dovecot-uidlist.lock"), old, 0) == 0);
	move(dir, "new/1.a", "cur/1.a:2,S");		/* no UID changes: no lock needed */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	f = synced(fd, dir);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	test_assert(elapsed_ms(&t0, &t1) < 300 && !test_logged("dovecot-uidlist not updated"));
	test_assert(f && f->len == 1 && !f->msgs[0].in_new);
	mail_index_folder_free(&f);
	put(dir, "new/2.b", "b");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	f = synced(fd, dir);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	test_expect_log("dovecot-uidlist not updated");
	test_assert(elapsed_ms(&t0, &t1) >= 300 && uid_of(f, "2.b") == 2);
	want_file(dir, f, 2, "1 :1.a\n", NULL);
	test_assert_str(text_of(dir, "dovecot-uidlist.lock"), text);	/* not ours to remove */
	mail_index_folder_free(&f);
	kill(holder, SIGKILL);
	waitpid(holder, NULL, 0);
	gone(dir, "dovecot-uidlist.lock");
	f = synced(fd, dir);					/* nothing new: catches up */
	want_file(dir, f, 2, "1 :1.a\n2 :2.b\n", NULL);
	mail_index_folder_free(&f);
	test_end();

	test_begin("mail_index_uidlist: a stale dovecot-uidlist.lock is broken");
	snprintf(text, sizeof(text), "%ld:%s", (long)dead_pid(), host);
	put(dir, "dovecot-uidlist.lock", text);
	clock_gettime(CLOCK_REALTIME, &old[0]);
	old[0].tv_sec -= 10;
	old[1] = old[0];
	test_assert(utimensat(AT_FDCWD, path_of(p, dir, "dovecot-uidlist.lock"), old, 0) == 0);
	put(dir, "new/3.c", "c");
	f = synced(fd, dir);
	want_file(dir, f, 2, "1 :1.a\n2 :2.b\n3 :3.c\n", NULL);
	test_assert(stat_of(dir, "dovecot-uidlist.lock").st_ino == 0);
	mail_index_folder_free(&f);
	mail_index_uidlist_wait_ms = saved;
	close(fd);
	buf_free(&dir);
	test_end();
}

/* test_links - links planted as the uidlist, its lock and its temporary
 * file: none is followed */
static void test_links(void)
{
	struct buf *dir = buf_new(64);
	int fd = maildir("links", dir);
	struct mail_index_folder *f;
	unsigned saved = mail_index_uidlist_wait_ms;
	char target[4096], p[4096], other[4200];

	test_begin("mail_index_uidlist: symbolic links as dovecot-uidlist(.lock, .tmp) not followed");
	mail_index_uidlist_wait_ms = 100;
	snprintf(target, sizeof(target), "%s/uidlist-precious", test_datadir());
	put(dir, "../uidlist-precious", "precious\n");
	test_assert(symlink(target, path_of(p, dir, "dovecot-uidlist")) == 0);
	snprintf(other, sizeof(other), "%s.tmp-target", target);
	test_assert(symlink(other, path_of(p, dir, "dovecot-uidlist.tmp")) == 0);
	put(dir, "new/1.a", "a");
	f = synced(fd, dir);
	test_expect_log("dovecot-uidlist not used");
	test_assert(S_ISREG(stat_of(dir, "dovecot-uidlist").st_mode));
	want_file(dir, f, 2, "1 :1.a\n", NULL);
	test_assert_str(text_of(dir, "../uidlist-precious"), "precious\n");
	test_assert(access(other, F_OK) != 0);
	mail_index_folder_free(&f);

	snprintf(other, sizeof(other), "%s.lock-target", target);
	test_assert(symlink(other, path_of(p, dir, "dovecot-uidlist.lock")) == 0);
	put(dir, "new/2.b", "b");
	f = synced(fd, dir);
	test_expect_log("dovecot-uidlist not updated");
	test_assert(uid_of(f, "2.b") == 2 && access(other, F_OK) != 0);
	test_assert(S_ISLNK(stat_of(dir, "dovecot-uidlist.lock").st_mode));
	want_file(dir, f, 2, "1 :1.a\n", NULL);
	mail_index_folder_free(&f);
	mail_index_uidlist_wait_ms = saved;
	close(fd);
	buf_free(&dir);
	test_end();
}

/* test_odd_names - a base with a newline or a ':' gets no line (it
 * would break the file, or be cut short); the others append as usual */
static void test_odd_names(void)
{
	struct buf *dir = buf_new(64), *why = buf_new(0);
	int fd = maildir("odd", dir);
	struct mail_index_folder *f;
	struct dovecot_uidlist *ul = NULL;
	struct stat a, b;

	test_begin("mail_index_uidlist: names with a newline or ':' get no line");
	put(dir, "new/1.a", "a");
	put(dir, "new/2.x\n1 :2.evil", "x");
	put(dir, "new/3.y:z", "y");
	f = synced(fd, dir);
	test_assert(f && f->len == 3 && uid_of(f, "3.y:z") == 3);
	want_file(dir, f, 4, "1 :1.a\n", NULL);
	mail_index_folder_free(&f);
	a = stat_of(dir, "dovecot-uidlist");
	put(dir, "new/4.d", "d");
	f = synced(fd, dir);
	b = stat_of(dir, "dovecot-uidlist");
	test_assert(a.st_ino == b.st_ino);			/* appended */
	want_file(dir, f, 4, "1 :1.a\n4 :4.d\n", NULL);
	test_assert(dovecot_uidlist_read(fd, NULL, &ul, why) == 1 && ul && ul->count == 2);
	dovecot_uidlist_free(&ul);
	mail_index_folder_free(&f);
	close(fd);
	buf_free(&why);
	buf_free(&dir);
	test_end();
}

static const struct buf *late_dir;	/* the Maildir of test_late */

static int late_fd = -1;

/* late_file - the pause hook: a file arrives after the dry run, and
 * another process commits to the index (so the write pass scans again) */
static void late_file(void)
{
	struct buf *why = buf_new(0);
	struct mail_index *idx;

	mail_index_sync_pause = NULL;
	put(late_dir, "new/2.late", "l");
	test_assert(mail_index_open(late_fd, buf_str(late_dir), &idx, why) == 0);
	if (idx) {
		test_assert(mail_index_set_vsize(idx, "INBOX", 1, 1, why) == 1);
		mail_index_close(&idx);
	}
	buf_free(&why);
}

/* test_late - the dry run saw only a rename, the write pass (after
 * another writer's commit) finds a new file: it is run again with the
 * uidlist, which gets the line */
static void test_late(void)
{
	struct buf *dir = buf_new(64);
	int fd = maildir("late", dir);
	struct mail_index_folder *f;

	test_begin("mail_index_uidlist: a file that arrives after the dry run reaches the file");
	put(dir, "new/1.a", "a");
	f = synced(fd, dir);
	mail_index_folder_free(&f);
	move(dir, "new/1.a", "cur/1.a:2,S");
	late_dir = dir;
	late_fd = fd;
	mail_index_sync_pause = late_file;
	f = synced(fd, dir);
	test_assert(mail_index_sync_pause == NULL && uid_of(f, "2.late") == 2);
	want_file(dir, f, 2, "1 :1.a\n2 :2.late\n", NULL);
	mail_index_sync_pause = NULL;
	mail_index_folder_free(&f);
	close(fd);
	buf_free(&dir);
	test_end();
}

/* test_mail_index_uidlist - the cases above */
void test_mail_index_uidlist(void)
{
	test_lifecycle();
	test_no_reuse();
	test_alongside();
	test_late();
	test_lock();
	test_links();
	test_odd_names();
}
