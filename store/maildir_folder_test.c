/* maildir_folder_test - Maildir++ folders, subscriptions and quota, on
 * Maildirs the test makes under the run's scratch directory.  Bad input
 * first: folder names with "..", '/', a leading '.', control bytes, too
 * long; symlinked and non-directory ".NAME" entries in the listing; a
 * symlinked or oversized subscriptions file and one with bad lines; a bad
 * quota definition, bad use lines, overflows, a file over 5120 bytes and
 * a symlinked maildirsize.  Then creation (cur/ new/ tmp/ and the
 * "maildirfolder" marker, twice), listing, the atomic rewrite of
 * subscriptions, and quota recalculation (S= sizes or file sizes, Trash
 * and symbolic links left out, a folder changing meanwhile) followed by
 * appends. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "maildir_folder.h"
#include "maildir_quota.h"
#include "test.h"

/* root - a fresh Maildir (cur/ new/ tmp/) below the scratch directory */
static int root(const char *name, struct buf *path)
{
	char sub[4096];

	buf_reset(path);
	buf_printf(path, "%s/folder-%s", test_datadir(), name);
	mkdir(buf_str(path), 0700);
	for (const char *const *s = (const char *const[]){ "cur", "new", "tmp", NULL }; *s; s++) {
		snprintf(sub, sizeof(sub), "%s/%s", buf_str(path), *s);
		mkdir(sub, 0700);
	}
	return open(buf_str(path), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* put - path/rel holding len bytes of text */
static void put(const struct buf *path, const char *rel, const char *text, size_t len)
{
	char p[4096];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", buf_str(path), rel);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	test_assert(fd >= 0 && write(fd, text, len) == (ssize_t)len);
	if (fd >= 0)
		close(fd);
}

/* is_type - path/rel exists (not followed) with the type bits mode */
static bool is_type(const struct buf *path, const char *rel, mode_t mode)
{
	char p[4096];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", buf_str(path), rel);
	return lstat(p, &st) == 0 && (st.st_mode & S_IFMT) == mode;
}

/* slurp - the contents of path/rel (static) */
static const char *slurp(const struct buf *path, const char *rel)
{
	static char text[8192];
	char p[4096];
	int fd;
	ssize_t n;

	snprintf(p, sizeof(p), "%s/%s", buf_str(path), rel);
	fd = open(p, O_RDONLY);
	n = fd < 0 ? -1 : read(fd, text, sizeof(text) - 1);
	text[n > 0 ? n : 0] = '\0';
	if (fd >= 0)
		close(fd);
	return text;
}

/* test_names - the byte checks */
static void test_names(void)
{
	static const char *const bad[] = { "", ".a", "a.", "a..b", "..", "a/b", "/", "a\x01",
					   "a\x7f" "b", "a\nb", "a\tb" };
	char longest[MAILDIR_FOLDER_MAX + 2];
	struct buf *why = buf_new(0);

	test_begin("maildir_folder_valid: bad names refused, UTF-8 and dots inside accepted");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		test_assert(!maildir_folder_valid(bad[i], why));
	test_assert(strstr(buf_str(why), "bad folder name") != NULL);
	memset(longest, 'x', sizeof(longest) - 1);
	longest[sizeof(longest) - 1] = '\0';
	test_assert(!maildir_folder_valid(longest, NULL));
	longest[MAILDIR_FOLDER_MAX] = '\0';
	test_assert(maildir_folder_valid(longest, NULL));
	test_assert(maildir_folder_valid("Sent", NULL) && maildir_folder_valid("a.b.c", NULL));
	test_assert(maildir_folder_valid("\xc3\x9c" "ber &AOQ-", NULL));
	test_end();
	buf_free(&why);
}

/* test_folders - create and list */
static void test_folders(void)
{
	struct buf *path = buf_new(64), *why = buf_new(0);
	int fd = root("create", path);
	struct strv *names = NULL;
	char p[4096], q[4096];

	test_begin("maildir_folder_create: .NAME with cur/ new/ tmp/ and maildirfolder; twice");
	test_assert(maildir_folder_create(fd, "Sent", why) == 0);
	test_assert(maildir_folder_create(fd, "a.b", why) == 0);
	test_assert(is_type(path, ".a.b/cur", S_IFDIR) && is_type(path, ".a.b/new", S_IFDIR)
		    && is_type(path, ".a.b/tmp", S_IFDIR) && is_type(path, ".a.b/maildirfolder", S_IFREG));
	test_assert(*slurp(path, ".a.b/maildirfolder") == '\0');
	test_assert(maildir_folder_create(fd, "Sent", why) == MAILDIR_FOLDER_EXISTS);
	test_assert(maildir_folder_create(fd, "../x", why) < 0 && errno == EINVAL);
	test_assert(maildir_folder_create(fd, "a/b", why) < 0 && errno == EINVAL);
	test_end();

	test_begin("maildir_folder_create: a symlinked .NAME is not followed");
	snprintf(p, sizeof(p), "%s/folder-elsewhere", test_datadir());
	mkdir(p, 0700);
	snprintf(q, sizeof(q), "%s/.Linked", buf_str(path));
	test_assert(symlink(p, q) == 0);
	buf_reset(why);
	test_assert(maildir_folder_create(fd, "Linked", why) < 0);
	test_assert(strstr(buf_str(why), "symbolic link") != NULL);
	snprintf(p, sizeof(p), "%s/folder-elsewhere/cur", test_datadir());
	test_assert(access(p, F_OK) < 0);
	test_end();

	test_begin("maildir_folder_list: directories .NAME only, sorted; links and files skipped");
	put(path, ".file", "x", 1);
	snprintf(p, sizeof(p), "%s/..bad", buf_str(path));
	mkdir(p, 0700);
	test_assert(maildir_folder_list(fd, &names, why) == 0);
	test_assert(names && names->len == 2);
	if (names && names->len == 2) {
		test_assert_str(names->items[0], "Sent");
		test_assert_str(names->items[1], "a.b");
	}
	strv_free(&names);
	test_end();
	close(fd);
	buf_free(&path);
	buf_free(&why);
}

/* test_subs - the subscriptions file */
static void test_subs(void)
{
	struct buf *path = buf_new(64), *why = buf_new(0);
	int fd = root("subs", path);
	struct strv *names = NULL, *want = strv_new();
	size_t skipped;
	char p[4096];

	test_begin("maildir_subs: none, written, read back; no temporary file left");
	test_assert(maildir_subs_read(fd, &names, &skipped, why) == 0 && names->len == 0);
	strv_free(&names);
	strv_add(want, "Sent");
	strv_add(want, "a.b");
	test_assert(maildir_subs_write(fd, want, why) == 0);
	test_assert_str(slurp(path, "subscriptions"), "Sent\na.b\n");
	snprintf(p, sizeof(p), "%s/.subscriptions.%ld.tmp", buf_str(path), (long)getpid());
	test_assert(access(p, F_OK) < 0);
	test_assert(maildir_subs_read(fd, &names, &skipped, why) == 0 && names->len == 2 && skipped == 0);
	strv_free(&names);
	test_end();

	test_begin("maildir_subs_write: a bad name refuses the whole list, the old file stays");
	strv_add(want, "../etc");
	test_assert(maildir_subs_write(fd, want, why) < 0 && errno == EINVAL);
	test_assert_str(slurp(path, "subscriptions"), "Sent\na.b\n");
	test_end();

	test_begin("maildir_subs_read: a version header, bad lines skipped and counted");
	put(path, "subscriptions", "V\t2\n\nSent\n../x\nbad\x01\nok\r\n", 25);
	test_assert(maildir_subs_read(fd, &names, &skipped, why) == 0);
	test_assert(names && names->len == 2 && skipped == 2);
	if (names && names->len == 2)
		test_assert_str(names->items[1], "ok");
	strv_free(&names);
	test_end();

	test_begin("maildir_subs_read: a symlinked or oversized file is refused");
	snprintf(p, sizeof(p), "%s/subscriptions", buf_str(path));
	unlink(p);
	test_assert(symlink("/etc/passwd", p) == 0);
	test_assert(maildir_subs_read(fd, &names, &skipped, why) < 0 && names == NULL);
	unlink(p);
	char *big = calloc(1, MAILDIR_SUBS_MAX + 10);

	memset(big, 'a', MAILDIR_SUBS_MAX + 9);
	put(path, "subscriptions", big, MAILDIR_SUBS_MAX + 9);
	free(big);
	test_assert(maildir_subs_read(fd, &names, &skipped, why) < 0 && errno == EFBIG);
	test_end();
	strv_free(&want);
	close(fd);
	buf_free(&path);
	buf_free(&why);
}

/* test_quota_parse - maildirsize texts */
static void test_quota_parse(void)
{
	struct maildir_quota q;
	struct buf *why = buf_new(0), *text = buf_new(0);

	test_begin("maildir_quota_parse: bad definitions fail, bad lines ask for a recalculation");
	test_assert(maildir_quota_parse("abc\n1 1\n", 8, &q, why) < 0);
	test_assert(strstr(buf_str(why), "maildirsize, line 1:") != NULL);
	test_assert(maildir_quota_parse("1234567890123456789S\n", 21, &q, why) < 0);
	test_assert(maildir_quota_parse("10S;5C\n", 7, &q, why) < 0);
	buf_reset(why);
	test_assert(maildir_quota_parse("1000S,10C\n10 x\n5 1\n", 20, &q, why) == 0 && q.recalc);
	test_assert(strstr(buf_str(why), "maildirsize, line 2:") != NULL);
	test_assert(maildir_quota_parse("1000S\n-5 -1\n", 12, &q, why) == 0 && q.recalc);
	test_assert(maildir_quota_parse("1000S\n5\0 1\n", 11, &q, why) == 0 && q.recalc);
	buf_cat(text, "1S\n");
	for (int i = 0; i < 12; i++)
		buf_cat(text, "999999999999999999 1\n");
	test_assert(maildir_quota_parse(buf_str(text), buf_len(text), &q, why) == 0 && q.recalc);
	buf_reset(text);
	buf_cat(text, "1S\n");
	while (buf_len(text) < MAILDIR_QUOTA_FILE_MAX)
		buf_cat(text, "1 1\n");
	test_assert(maildir_quota_parse(buf_str(text), buf_len(text), &q, why) == 0 && q.recalc);
	test_end();

	test_begin("maildir_quota_parse: limits and sums");
	test_assert(maildir_quota_parse("1000S,10C\n100 1\n-50 -1\n 7  2\n", 29, &q, why) == 0);
	test_assert(q.bytes_limit == 1000 && q.count_limit == 10 && q.bytes == 57 && q.count == 2
		    && !q.recalc);
	test_assert(maildir_quota_parse("100S,5X,7C\n3  1 \n", 18, &q, why) == 0);
	test_assert(q.bytes_limit == 100 && q.count_limit == 7 && q.bytes == 3 && q.count == 1);
	test_assert(maildir_quota_parse("\n", 1, &q, why) == 0 && q.bytes_limit == 0 && !q.recalc);
	test_end();
	buf_free(&why);
	buf_free(&text);
}

/* test_quota_calc - recalculation, reading back, appends */
static void test_quota_calc(void)
{
	struct buf *path = buf_new(64), *why = buf_new(0);
	int fd = root("quota", path);
	struct maildir_quota q = { .bytes_limit = 10000, .count_limit = 100, .bytes = 99 };
	char p[4096], big[6000];

	test_begin("maildir_quota_recalc: S= or file sizes, folders but Trash, links skipped");
	test_assert(maildir_quota_read(fd, &q, why) == 0);
	q.bytes_limit = 10000;
	q.count_limit = 100;
	test_assert(maildir_folder_create(fd, "Sent", why) == 0 && maildir_folder_create(fd, "Trash", why) == 0);
	put(path, "new/a,S=100", "x", 1);
	put(path, "cur/b,S=200:2,S", "x", 1);
	put(path, "cur/c", "1234567", 7);
	put(path, ".Sent/cur/d,S=1000:2,S", "x", 1);
	put(path, ".Trash/cur/e,S=5000:2,ST", "x", 1);
	snprintf(p, sizeof(p), "%s/cur/f,S=77777", buf_str(path));
	test_assert(symlink("/etc/passwd", p) == 0);
	test_assert(maildir_quota_recalc(fd, &q, why) == 0);
	test_assert(q.bytes == 1307 && q.count == 4 && !q.recalc);
	test_assert_str(slurp(path, "maildirsize"), "10000S,100C\n1307 4\n");
	test_assert(maildir_quota_read(fd, &q, why) == 1 && q.bytes == 1307 && q.count == 4);
	test_end();

	test_begin("maildir_quota_recalc: a folder changed during the sum is summed again, then marked");
	snprintf(p, sizeof(p), "%s/.Sent/new", buf_str(path));
	test_assert(utimensat(AT_FDCWD, p, (struct timespec[]){ { 0, UTIME_OMIT },
				{ time(NULL) + 3600, 0 } }, 0) == 0);
	test_assert(maildir_quota_recalc(fd, &q, why) == 0 && q.recalc && q.bytes == 1307 && q.count == 4);
	test_assert(utimensat(AT_FDCWD, p, (struct timespec[]){ { 0, UTIME_OMIT }, { 1000, 0 } }, 0) == 0);
	test_assert(maildir_quota_recalc(fd, &q, why) == 0 && !q.recalc && q.bytes == 1307);
	test_end();

	test_begin("maildir_quota_add: appended lines sum up");
	test_assert(maildir_quota_add(fd, 10, 1, why) == 0 && maildir_quota_add(fd, -100, -1, why) == 0);
	test_assert(maildir_quota_read(fd, &q, why) == 1 && q.bytes == 1217 && q.count == 4);
	test_assert(q.bytes_limit == 10000 && q.count_limit == 100 && !q.recalc);
	test_end();

	test_begin("maildir_quota_read: a file over 5120 bytes is due, a symlinked one refused");
	memset(big, '\n', sizeof(big));
	memcpy(big, "5S\n1 1\n", 7);
	put(path, "maildirsize", big, sizeof(big));
	test_assert(maildir_quota_read(fd, &q, why) == 1 && q.recalc && q.bytes == 1);
	snprintf(p, sizeof(p), "%s/maildirsize", buf_str(path));
	unlink(p);
	test_assert(symlink("/etc/passwd", p) == 0);
	test_assert(maildir_quota_read(fd, &q, why) < 0);
	test_assert(maildir_quota_add(fd, 1, 1, why) < 0);
	test_end();
	close(fd);
	buf_free(&path);
	buf_free(&why);
}

/* test_delete_rename - DELETE and RENAME of folders, with subfolders */
static void test_delete_rename(void)
{
	struct buf *path = buf_new(64), *why = buf_new(0);
	struct strv *names = NULL;
	int fd = root("ops", path);

	test_begin("maildir_folder: delete removes the folder and its mail, not its subfolders");
	test_assert(maildir_folder_create(fd, "a", why) == 0 && maildir_folder_create(fd, "a.b", why) == 0);
	put(path, ".a/cur/1.M1P1.h:2,S", "x\n", 2);
	test_assert(maildir_folder_delete(fd, "a", why) == 0);
	test_assert(!is_type(path, ".a", S_IFDIR) && is_type(path, ".a.b", S_IFDIR));
	test_assert(!is_type(path, MAILDIR_FOLDER_TRASH, S_IFDIR));
	test_assert(maildir_folder_delete(fd, "a", why) < 0 && errno == ENOENT);
	test_assert(maildir_folder_delete(fd, "../x", why) < 0 && errno == EINVAL);
	test_end();

	test_begin("maildir_folder: rename moves the subfolders; an existing target is refused");
	test_assert(maildir_folder_create(fd, "c", why) == 0 && maildir_folder_create(fd, "c.d", why) == 0);
	put(path, ".c.d/cur/2.M2P2.h:2,", "y\n", 2);
	test_assert(maildir_folder_rename(fd, "c", "e", why) == 0);
	test_assert(is_type(path, ".e", S_IFDIR) && is_type(path, ".e.d/cur/2.M2P2.h:2,", S_IFREG));
	test_assert(!is_type(path, ".c", S_IFDIR) && !is_type(path, ".c.d", S_IFDIR));
	test_assert(maildir_folder_rename(fd, "e", "a.b", why) < 0 && errno == EEXIST);
	test_assert(maildir_folder_rename(fd, "nope", "z", why) < 0 && errno == ENOENT);
	test_assert(maildir_folder_list(fd, &names, why) == 0 && names->len == 3);
	test_end();
	strv_free(&names);
	close(fd);
	buf_free(&path);
	buf_free(&why);
}

/* test_maildir_folder - the cases above */
void test_maildir_folder(void)
{
	test_names();
	test_folders();
	test_subs();
	test_quota_parse();
	test_quota_calc();
	test_delete_rename();
}
