/* maildir_scan_test - reading a Maildir folder and changing flags, on
 * files the test makes under the run's scratch directory.  Hostile
 * layouts first: a symbolic link in cur/ to a file outside (skipped,
 * never stat'ed through: it would show as a regular file), a symlinked
 * cur/, odd bytes and bad ",S=" fields in names, dot files, a directory
 * in cur/, too many messages; then sizes, mtimes, flags.  Flag changes:
 * new/ to cur/, new flags in cur/, a file renamed by another client
 * meanwhile (ENOENT, found again by base), a file gone, a base that is
 * only a prefix of another, names with '/' or a leading '.'.  Sizes
 * from names: ",S=" and ",W=" in either order, after the base
 * (ignored), too many digits, junk after them; a scan's vsize. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "maildir_flags.h"
#include "maildir_scan.h"
#include "test.h"

/* folder - a fresh Maildir folder with cur/ new/ tmp/ below the scratch
 * directory; its fd, its path into path */
static int folder(const char *name, struct buf *path)
{
	buf_reset(path);
	buf_printf(path, "%s/scan-%s", test_datadir(), name);
	mkdir(buf_str(path), 0700);
	for (const char *const *s = (const char *const[]){ "cur", "new", "tmp", NULL }; *s; s++) {
		char sub[4096];

		snprintf(sub, sizeof(sub), "%s/%s", buf_str(path), *s);
		mkdir(sub, 0700);
	}
	return open(buf_str(path), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* put - dir/sub/name holding text */
static void put(const struct buf *dir, const char *sub, const char *name, const char *text)
{
	char p[4096];
	int fd;

	snprintf(p, sizeof(p), "%s/%s/%s", buf_str(dir), sub, name);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	test_assert(fd >= 0);
	if (fd >= 0) {
		test_assert(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
		close(fd);
	}
}

/* exists - dir/sub/name is there */
static bool exists(const struct buf *dir, const char *sub, const char *name)
{
	char p[4096];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s/%s", buf_str(dir), sub, name);
	return lstat(p, &st) == 0;
}

/* find - the message called name in s, or NULL */
static const struct maildir_msg *find(const struct maildir_scan *s, const char *name)
{
	for (size_t i = 0; s && i < s->len; i++)
		if (strcmp(s->msgs[i].name, name) == 0)
			return &s->msgs[i];
	return NULL;
}

/* test_hostile - links, odd files and names, limits */
static void test_hostile(void)
{
	struct buf *path = buf_new(64), *why = buf_new(0);
	int fd = folder("hostile", path);
	struct maildir_scan *s = NULL;
	char outside[4096], link[4096];
	const struct maildir_msg *m;

	test_begin("maildir_scan: a symlink in cur/ to a file outside is skipped, not stat'ed through");
	snprintf(outside, sizeof(outside), "%s/scan-secret", test_datadir());
	int o = open(outside, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	test_assert(o >= 0 && write(o, "another user's mail\n", 20) == 20);
	close(o);
	snprintf(link, sizeof(link), "%s/cur/1.M1P1.h,S=20:2,S", buf_str(path));
	test_assert(symlink(outside, link) == 0);
	put(path, "cur", "2.M2P2.h:2,S", "hello");
	put(path, "cur", ".hidden", "x");
	put(path, "tmp", "3.M3P3.h", "in tmp");
	snprintf(link, sizeof(link), "%s/cur/4.dir", buf_str(path));
	mkdir(link, 0700);
	test_assert(maildir_scan(fd, 100, &s, why) == 0);
	test_assert(s && s->len == 1 && s->skipped == 2);
	test_assert(find(s, "1.M1P1.h,S=20:2,S") == NULL && find(s, "2.M2P2.h:2,S") != NULL);
	test_assert(find(s, ".hidden") == NULL && find(s, "3.M3P3.h") == NULL);
	maildir_scan_free(&s);
	test_end();

	test_begin("maildir_scan: odd bytes in names; bad or huge S= falls back to the file size");
	put(path, "new", "5.odd\x01\xff name\t,S=12", "0123456789ab");
	put(path, "cur", "6.x,S=abc:2,\x80zSaF\x01S", "1234567");
	put(path, "cur", "7.x,S=12345678901234567890:2,", "123");
	put(path, "cur", "8.x,S=9,W=11:2,T", "12345678");
	test_assert(maildir_scan(fd, 100, &s, why) == 0);
	test_assert((m = find(s, "5.odd\x01\xff name\t,S=12")) && m->in_new && m->size == 12
		    && m->flags[0] == '\0');
	test_assert((m = find(s, "6.x,S=abc:2,\x80zSaF\x01S")) && !m->in_new && m->size == 7
		    && strcmp(m->flags, "FSaz") == 0 && m->base_len == 9);
	test_assert((m = find(s, "7.x,S=12345678901234567890:2,")) && m->size == 3);
	test_assert((m = find(s, "8.x,S=9,W=11:2,T")) && m->size == 9 && strcmp(m->flags, "T") == 0);
	for (size_t i = 1; s && i < s->len; i++)
		test_assert(strcmp(s->msgs[i - 1].name, s->msgs[i].name) < 0);
	maildir_scan_free(&s);
	test_end();

	test_begin("maildir_scan: more messages than the limit is an error, not a cut");
	buf_reset(why);
	test_assert(maildir_scan(fd, 3, &s, why) < 0 && errno == E2BIG && s == NULL);
	test_assert(strstr(buf_str(why), "more than 3 messages") != NULL);
	test_end();

	test_begin("maildir_scan: a symlinked cur/ is not read");
	int fd2 = folder("linkedcur", path);
	char cur[4096];

	snprintf(cur, sizeof(cur), "%s/cur", buf_str(path));
	rmdir(cur);
	snprintf(link, sizeof(link), "%s/scan-hostile/cur", test_datadir());
	test_assert(symlink(link, cur) == 0);
	buf_reset(why);
	test_assert(maildir_scan(fd2, 100, &s, why) < 0 && s == NULL);
	test_assert(strstr(buf_str(why), "symbolic link") != NULL);
	close(fd2);
	test_end();
	close(fd);
	buf_free(&path);
	buf_free(&why);
}

/* test_fields - mtime and sizes of plain files */
static void test_fields(void)
{
	struct buf *path = buf_new(64), *why = buf_new(0);
	int fd = folder("fields", path);
	struct maildir_scan *s = NULL;
	const struct maildir_msg *m;
	char p[4096];

	test_begin("maildir_scan: the mtime is the internal date, the size the file's");
	put(path, "new", "100.M1P1.host", "abcd");
	snprintf(p, sizeof(p), "%s/new/100.M1P1.host", buf_str(path));
	test_assert(utimensat(AT_FDCWD, p, (struct timespec[]){ { 0, UTIME_OMIT }, { 1000000000, 0 } },
			      0) == 0);
	test_assert(maildir_scan(fd, 10, &s, why) == 0);
	test_assert((m = find(s, "100.M1P1.host")) && m->mtime == 1000000000 && m->size == 4
		    && m->in_new && m->base_len == strlen("100.M1P1.host"));
	maildir_scan_free(&s);
	test_end();
	close(fd);
	buf_free(&path);
	buf_free(&why);
}

/* test_parse - flags and bases from names */
static void test_parse(void)
{
	static const struct { const char *name, *flags; size_t base; } cases[] = {
		{ "a:2,", "", 1 }, { "a", "", 1 }, { "a:2,TSRPFD", "DFPRST", 1 },
		{ "a:2,SSSaa", "Sa", 1 }, { "a:1,S", "", 5 }, { "a:2,S:2,F", "FS", 1 },
		{ "a:2,0-9 \x7f\xff" "b", "b", 1 }, { "", "", 0 },
	};
	char flags[MAILDIR_FLAGS_MAX];
	struct buf *b = buf_new(64);

	test_begin("maildir_flags: parse, sort, name");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		maildir_flags_parse(cases[i].name, flags);
		test_assert_str(flags, cases[i].flags);
		test_assert(maildir_base_len(cases[i].name) == cases[i].base);
	}
	maildir_flags_name(b, "1.M2.h,S=5:2,S", "zaTSa");
	test_assert_str(buf_str(b), "1.M2.h,S=5:2,STaz");
	buf_free(&b);
	test_end();
}

/* set - maildir_flags_set, the new name into got */
static int set(int fd, const char *name, bool in_new, const char *flags, struct buf *got)
{
	struct buf *why = buf_new(0);
	int rc = maildir_flags_set(fd, name, in_new, flags, got, why);

	buf_free(&why);
	return rc;
}

/* test_set - renames, and the races with another client */
static void test_set(void)
{
	struct buf *path = buf_new(64), *got = buf_new(64);
	int fd = folder("set", path);
	char a[4096], b[4096];

	test_begin("maildir_flags_set: new/ to cur/, then other flags in cur/");
	put(path, "new", "A,S=3", "abc");
	test_assert(set(fd, "A,S=3", true, "SF", got) == 1);
	test_assert_str(buf_str(got), "A,S=3:2,FS");
	test_assert(exists(path, "cur", "A,S=3:2,FS") && !exists(path, "new", "A,S=3"));
	test_assert(set(fd, "A,S=3:2,FS", false, "R", got) == 1);
	test_assert(exists(path, "cur", "A,S=3:2,R") && !exists(path, "cur", "A,S=3:2,FS"));
	test_assert(set(fd, "A,S=3:2,R", false, "R", got) == 1 && exists(path, "cur", "A,S=3:2,R"));
	test_end();

	test_begin("maildir_flags_set: renamed by another client meanwhile (ENOENT): found by base");
	put(path, "cur", "C:2,S", "c");
	snprintf(a, sizeof(a), "%s/cur/C:2,S", buf_str(path));
	snprintf(b, sizeof(b), "%s/cur/C:2,ST", buf_str(path));
	test_assert(rename(a, b) == 0);
	test_assert(set(fd, "C:2,S", false, "SR", got) == 1);
	test_assert(exists(path, "cur", "C:2,RS") && !exists(path, "cur", "C:2,ST"));
	put(path, "new", "D", "d");
	snprintf(a, sizeof(a), "%s/new/D", buf_str(path));
	snprintf(b, sizeof(b), "%s/cur/D:2,", buf_str(path));
	test_assert(rename(a, b) == 0);
	test_assert(set(fd, "D", true, "S", got) == 1 && exists(path, "cur", "D:2,S"));
	test_end();

	test_begin("maildir_flags_set: a message gone, a base that is only a prefix, bad names");
	test_assert(set(fd, "E:2,S", false, "S", got) == 0);
	put(path, "cur", "FF:2,S", "f");
	test_assert(set(fd, "F:2,", false, "T", got) == 0 && exists(path, "cur", "FF:2,S"));
	test_assert(set(fd, "../x", false, "S", got) < 0 && errno == EINVAL);
	test_assert(set(fd, ".hidden", false, "S", got) < 0 && errno == EINVAL);
	test_assert(set(fd, "", true, "S", got) < 0 && errno == EINVAL);
	test_end();
	close(fd);
	buf_free(&path);
	buf_free(&got);
}

/* test_name_sizes - ",S=" and ",W=" read from names */
static void test_name_sizes(void)
{
	static const struct { const char *name; long long s, w; } cases[] = {
		{ "1.M2.h,S=10,W=12:2,S", 10, 12 }, { "1.M2.h,W=12,S=10", 10, 12 },
		{ "1.M2.h,S=10", 10, -1 }, { "1.M2.h", -1, -1 }, { "1.M2.h:2,,W=5", -1, -1 },
		{ "1.M2.h,W=", -1, -1 }, { "1.M2.h,W=1x", -1, -1 }, { "1.M2.h,W=-1", -1, -1 },
		{ "1.M2.h,W=1234567890123456789", -1, -1 }, { "1.M2.h,W=x,W=7", -1, 7 },
		{ "1.M2.h,S=3,W=4,X=5", 3, 4 }, { ",W=0", -1, 0 },
	};
	struct buf *path = buf_new(64), *why = buf_new(0);
	int fd = folder("vsize", path);
	struct maildir_scan *s = NULL;
	const struct maildir_msg *m;

	test_begin("maildir_scan: ,S= and ,W= from names; vsize -1 without W=");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		off_t v = -1;

		test_assert((maildir_name_size(cases[i].name, &v) ? v : -1) == cases[i].s);
		v = -1;
		test_assert((maildir_name_vsize(cases[i].name, &v) ? v : -1) == cases[i].w);
	}
	put(path, "new", "1.M1P1.h,S=4,W=6", "a\nb\n");
	put(path, "cur", "2.M1P1.h,S=4:2,S", "a\nb\n");
	test_assert(maildir_scan(fd, 10, &s, why) == 0);
	test_assert((m = find(s, "1.M1P1.h,S=4,W=6")) && m->vsize == 6 && m->size == 4);
	test_assert((m = find(s, "2.M1P1.h,S=4:2,S")) && m->vsize == -1 && m->size == 4);
	maildir_scan_free(&s);
	test_end();
	close(fd);
	buf_free(&path);
	buf_free(&why);
}

/* test_maildir_scan - the cases above */
void test_maildir_scan(void)
{
	test_hostile();
	test_fields();
	test_name_sizes();
	test_parse();
	test_set();
}
