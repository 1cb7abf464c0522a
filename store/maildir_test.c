/* maildir_test - the Maildir writer and the mbox code, on real files in
 * the run's scratch directory: hostile layouts first (a symlinked new/,
 * a symlinked Maildir, "..", a file with a second link before commit),
 * then names (format, escaping, uniqueness within and across processes),
 * tmp/ -> new/ with ",S=size" and mode 0600, abort; keyed names (a
 * second attempt finds the first one's file in new/, or in cur/ with
 * flags on a retry; other recipients and messages get their own; bad
 * queue IDs and keys refused); ",W=vsize" after ",S=" when the writer
 * counted the whole file (not when its count falls short), on keyed names
 * too (found again in new/ and cur/), mbox_write's count matching the
 * file read again; then mbox: the copy
 * (headers, From_ line, ">From " quoting, partial lines), open checks,
 * a stale dotlock, truncation after a failed write. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "htable.h"
#include "mail_vsize.h"
#include "maildir.h"
#include "mbox.h"
#include "mem.h"
#include "test.h"

/* scratch - a fresh directory below the run's scratch directory; its fd */
static int scratch(const char *name, struct buf *path)
{
	buf_reset(path);
	buf_printf(path, "%s/md-%s", test_datadir(), name);
	mkdir(buf_str(path), 0700);
	return open(buf_str(path), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* count_files - entries other than . and .. in dir; names into seen */
static int count_files(const char *dir, struct htable *seen)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		n++;
		if (seen && htable_get(seen, e->d_name) == NULL)
			htable_put(seen, e->d_name, seen);
	}
	if (d)
		closedir(d);
	return n;
}

/* sub - "base/rest" */
static char *sub(const struct buf *base, const char *rest)
{
	struct buf *b = buf_new(64);

	buf_printf(b, "%s/%s", buf_str(base), rest);
	return buf_steal(&b);
}

/* deliver_text - one message through the writer; 0 or -1 */
static int deliver_text(struct maildir *md, const char *text, struct buf *why)
{
	struct maildir_file *f = maildir_file_create(md, why);
	int rc = -1;

	if (f && write(maildir_file_fd(f), text, strlen(text)) == (ssize_t)strlen(text))
		rc = maildir_file_commit(&f, why);
	maildir_file_abort(&f);
	return rc;
}

/* test_hostile - layouts a user could plant */
static void test_hostile(void)
{
	struct buf *path = buf_new(64), *why = buf_new(0);
	int fd = scratch("hostile", path);
	char *p, *q;

	test_begin("maildir: a symlinked new/ is not followed, nothing lands in its target");
	mkdir((p = sub(path, "Maildir")), 0700);
	free(p);
	mkdir((p = sub(path, "elsewhere")), 0700);
	q = sub(path, "Maildir/new");
	test_assert(symlink(p, q) == 0);
	test_assert(maildir_open(fd, "Maildir/", MAILDIR_CREATE, why) == NULL);
	test_assert(errno == ELOOP || errno == ENOTDIR);
	test_assert(strstr(buf_str(why), "Maildir/new: is a symbolic link") != NULL);
	test_assert(count_files(p, NULL) == 0);
	free(p);
	free(q);
	test_end();

	test_begin("maildir: a symlinked Maildir is not followed");
	buf_reset(why);
	p = sub(path, "elsewhere");
	q = sub(path, "Linked");
	test_assert(symlink(p, q) == 0);
	test_assert(maildir_open(fd, "Linked/", MAILDIR_CREATE, why) == NULL);
	test_assert(strstr(buf_str(why), "is a symbolic link") != NULL);
	test_assert(count_files(p, NULL) == 0);
	free(p);
	free(q);
	test_end();

	test_begin("maildir: \"..\" in the path and a missing Maildir without MAILDIR_CREATE");
	buf_reset(why);
	test_assert(maildir_open(fd, "a/../Maildir/", MAILDIR_CREATE, why) == NULL && errno == EINVAL);
	buf_reset(why);
	test_assert(maildir_open(fd, "Missing/", 0, why) == NULL && errno == ENOENT);
	test_end();

	test_begin("maildir: a tmp/ file that gained a second link is not delivered");
	struct maildir *md = maildir_open(fd, "Good/", MAILDIR_CREATE, why);
	struct maildir_file *f = md ? maildir_file_create(md, why) : NULL;
	test_assert(f != NULL);
	if (f) {
		DIR *d;
		struct dirent *e;
		char *tmp = sub(path, "Good/tmp"), *extra = sub(path, "extra-link");

		d = opendir(tmp);
		while ((e = readdir(d)) != NULL)
			if (e->d_name[0] != '.') {
				char *file = sub(path, "Good/tmp/");
				struct buf *full = buf_new(64);

				buf_printf(full, "%s%s", file, e->d_name);
				test_assert(link(buf_str(full), extra) == 0);
				buf_free(&full);
				free(file);
			}
		closedir(d);
		buf_reset(why);
		test_assert(maildir_file_commit(&f, why) < 0);
		test_assert(strstr(buf_str(why), "one link") != NULL);
		maildir_file_abort(&f);
		free(tmp);
		tmp = sub(path, "Good/new");
		test_assert(count_files(tmp, NULL) == 0);
		free(tmp);
		free(extra);
	}
	maildir_close(&md);
	test_end();
	close(fd);
	buf_free(&path);
	buf_free(&why);
}

/* test_names - format, escaping, uniqueness */
static void test_names(void)
{
	struct buf *b = buf_new(64), *path = buf_new(64), *why = buf_new(0);
	struct timeval tv = { .tv_sec = 1700000000, .tv_usec = 123 };
	struct htable *seen = htable_new(512);
	int fd = scratch("names", path);
	struct maildir *md;
	char *dir;
	pid_t kids[2];

	test_begin("maildir: unique names: SEC.M<usec>P<pid>Q<n>.<host>, '/' ':' ',' escaped");
	maildir_unique(b, &tv, 4242, 7, "mx/1:2,3.example");
	test_assert_str(buf_str(b), "1700000000.M123P4242Q7.mx\\0571\\0722\\0543.example");
	test_end();

	test_begin("maildir: 200 messages in a row from one process have 200 names");
	md = maildir_open(fd, "Maildir/", MAILDIR_CREATE, why);
	test_assert(md != NULL);
	for (int i = 0; md && i < 200; i++)
		test_assert(deliver_text(md, "x\n", why) == 0);
	dir = sub(path, "Maildir/new");
	test_assert(count_files(dir, seen) == 200);
	test_end();

	test_begin("maildir: two processes delivering at once: no name used twice");
	for (int k = 0; k < 2; k++) {
		if ((kids[k] = fork()) == 0) {
			for (int i = 0; i < 100; i++)
				if (deliver_text(md, "y\n", why) < 0)
					_exit(1);
			_exit(0);
		}
	}
	for (int k = 0; k < 2; k++) {
		int st;

		test_assert(waitpid(kids[k], &st, 0) == kids[k] && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	test_assert(count_files(dir, seen) == 400);
	test_assert(seen->len == 400);
	free(dir);
	test_end();
	maildir_close(&md);
	htable_free(&seen, NULL);
	close(fd);
	buf_free(&b);
	buf_free(&path);
	buf_free(&why);
}

/* test_commit - tmp/ -> new/, size, mode, abort */
static void test_commit(void)
{
	struct buf *path = buf_new(64), *why = buf_new(0), *file = buf_new(64);
	int fd = scratch("commit", path);
	struct maildir *md;
	struct maildir_file *f;
	struct stat st;
	char *dir, got[64] = "";
	const char *text = "Subject: hi\n\nbody\n";

	test_begin("maildir: missing Maildir/{tmp,new,cur} are made, mode 0700");
	md = maildir_open(fd, "Maildir/", MAILDIR_CREATE, why);
	test_assert(md != NULL);
	dir = sub(path, "Maildir/cur");
	test_assert(stat(dir, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 07777) == 0700);
	free(dir);
	test_end();

	test_begin("maildir: a committed file is in new/ as NAME,S=size, mode 0600, tmp/ empty");
	test_assert(md && deliver_text(md, text, why) == 0);
	if (md) {
		const char *name = maildir_last_name(md);
		char want[32];
		int rfd;

		snprintf(want, sizeof(want), ",S=%zu", strlen(text));
		test_assert(strlen(name) > strlen(want) && strcmp(name + strlen(name) - strlen(want), want) == 0);
		buf_printf(file, "%s/Maildir/new/%s", buf_str(path), name);
		test_assert(stat(buf_str(file), &st) == 0 && (st.st_mode & 07777) == 0600);
		rfd = open(buf_str(file), O_RDONLY);
		test_assert(rfd >= 0 && read(rfd, got, sizeof(got) - 1) == (ssize_t)strlen(text));
		test_assert_str(got, text);
		if (rfd >= 0)
			close(rfd);
	}
	dir = sub(path, "Maildir/tmp");
	test_assert(count_files(dir, NULL) == 0);
	test_end();

	test_begin("maildir: abort removes the tmp/ file; new/ unchanged");
	f = md ? maildir_file_create(md, why) : NULL;
	test_assert(f != NULL && count_files(dir, NULL) == 1);
	maildir_file_abort(&f);
	test_assert(f == NULL && count_files(dir, NULL) == 0);
	free(dir);
	dir = sub(path, "Maildir/new");
	test_assert(count_files(dir, NULL) == 1);
	free(dir);
	test_end();
	maildir_close(&md);
	close(fd);
	buf_free(&path);
	buf_free(&why);
	buf_free(&file);
}

/* deliver_keyed - text into md under k's name: 0, MAILDIR_FOUND or -1 */
static int deliver_keyed(struct maildir *md, const struct maildir_key *k, const char *text, struct buf *why)
{
	struct maildir_file *f;
	int rc = -1;

	if (k->retry && (rc = maildir_find(md, k, why)) != 0)
		return rc > 0 ? MAILDIR_FOUND : -1;
	if ((f = maildir_file_create(md, why)) == NULL)
		return -1;
	maildir_file_key(f, k);
	if (write(maildir_file_fd(f), text, strlen(text)) == (ssize_t)strlen(text))
		rc = maildir_file_commit(&f, why);
	maildir_file_abort(&f);
	return rc;
}

/* test_keys - one file per message and recipient, found again */
static void test_keys(void)
{
	struct buf *path = buf_new(64), *why = buf_new(0), *from = buf_new(64), *to = buf_new(64);
	int fd = scratch("keys", path);
	struct maildir *md = maildir_open(fd, "Maildir/", MAILDIR_CREATE, why);
	struct timeval arrival = { .tv_sec = 1700000000, .tv_usec = 42 };
	struct maildir_key k, other;
	char *newdir = sub(path, "Maildir/new"), *curdir = sub(path, "Maildir/cur"), *tmpdir = sub(path, "Maildir/tmp");

	test_begin("maildir: a keyed file is written once: the second attempt finds it in new/, then in cur/");
	test_assert(maildir_key_make(&k, &arrival, "1nQd3A0fUq00Gx01Kp", "0:joe@example.com\njoe", false));
	test_assert(strncmp(k.unique, "1700000000.M42Q1nQd3A0fUq00Gx01KpR", 34) == 0 && strlen(k.unique) == 50);
	test_assert(maildir_key_valid(k.unique));
	test_assert(md && deliver_keyed(md, &k, "one\n", why) == 0);
	test_assert(md && deliver_keyed(md, &k, "one\n", why) == MAILDIR_FOUND);
	test_assert(count_files(newdir, NULL) == 1 && count_files(tmpdir, NULL) == 0);
	buf_printf(from, "%s/%s", newdir, md ? maildir_last_name(md) : "");
	buf_printf(to, "%s/%s:2,S", curdir, md ? maildir_last_name(md) : "");
	test_assert(rename(buf_str(from), buf_str(to)) == 0);
	k.retry = true;
	test_assert(md && deliver_keyed(md, &k, "one\n", why) == MAILDIR_FOUND);
	test_assert(count_files(newdir, NULL) == 0 && count_files(curdir, NULL) == 1);
	test_end();

	test_begin("maildir: other recipients and messages get their own keyed files; bad IDs and keys refused");
	test_assert(maildir_key_make(&other, &arrival, "1nQd3A0fUq00Gx01Kp", "120:ann@example.com\nann", true));
	test_assert(strcmp(other.unique, k.unique) != 0);
	test_assert(md && deliver_keyed(md, &other, "two\n", why) == 0);
	test_assert(maildir_key_make(&other, &arrival, "1nQd3A0fUq00Gx01Kq", "0:joe@example.com\njoe", true));
	test_assert(md && deliver_keyed(md, &other, "three\n", why) == 0);
	test_assert(count_files(newdir, NULL) == 2 && count_files(curdir, NULL) == 1);
	test_assert(!maildir_key_make(&other, &arrival, "../x", "joe", false) && other.unique[0] == '\0');
	test_assert(!maildir_key_valid("") && !maildir_key_valid("1.M2Qabc/defR0123456789abcdef"));
	test_assert(!maildir_key_valid("1700000000.M42Q1nQd3A0fUq00Gx01KpR0123456789abcdef:2,S"));
	test_end();
	maildir_close(&md);
	close(fd);
	free(newdir);
	free(curdir);
	free(tmpdir);
	buf_free(&path);
	buf_free(&why);
	buf_free(&from);
	buf_free(&to);
}

/* deliver_counted - text into md (keyed when k), the first counted bytes
 * of it reported to the writer: 0, MAILDIR_FOUND or -1 */
static int deliver_counted(struct maildir *md, const struct maildir_key *k, const char *text,
			   size_t counted, struct buf *why)
{
	struct maildir_file *f;
	struct mail_vsize v = { 0 };
	int rc = -1;

	if (k && k->retry && (rc = maildir_find(md, k, why)) != 0)
		return rc > 0 ? MAILDIR_FOUND : -1;
	if ((f = maildir_file_create(md, why)) == NULL)
		return -1;
	if (k)
		maildir_file_key(f, k);
	mail_vsize_add(&v, text, counted);
	maildir_file_counted(f, &v);
	if (write(maildir_file_fd(f), text, strlen(text)) == (ssize_t)strlen(text))
		rc = maildir_file_commit(&f, why);
	maildir_file_abort(&f);
	return rc;
}

/* ends_with - s ends in tail */
static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);

	return n >= t && strcmp(s + n - t, tail) == 0;
}

/* test_vsize - ",S=size,W=vsize" in new names */
static void test_vsize(void)
{
	struct buf *path = buf_new(64), *why = buf_new(0), *from = buf_new(64), *to = buf_new(64);
	int fd = scratch("vsize", path);
	struct maildir *md = maildir_open(fd, "Maildir/", MAILDIR_CREATE, why);
	struct timeval arrival = { .tv_sec = 1700000000, .tv_usec = 7 };
	const char *text = "a\nb\r\n\nc";
	struct maildir_key k;

	test_begin("maildir: a counted file is NAME,S=size,W=vsize; a short count gives no W=");
	test_assert(md && deliver_counted(md, NULL, text, strlen(text), why) == 0);
	test_assert(md && ends_with(maildir_last_name(md), ",S=7,W=9"));
	test_assert(md && deliver_counted(md, NULL, text, 3, why) == 0);
	test_assert(md && ends_with(maildir_last_name(md), ",S=7"));
	test_end();

	test_begin("maildir: a keyed counted file has W= and is found again, in new/ and in cur/");
	test_assert(maildir_key_make(&k, &arrival, "1nQd3A0fUq00Gx01Kv", "0:joe@example.com\njoe", false));
	test_assert(md && deliver_counted(md, &k, text, strlen(text), why) == 0);
	test_assert(md && ends_with(maildir_last_name(md), ",S=7,W=9"));
	test_assert(md && deliver_counted(md, &k, text, strlen(text), why) == MAILDIR_FOUND);
	buf_printf(from, "%s/Maildir/new/%s", buf_str(path), md ? maildir_last_name(md) : "");
	buf_printf(to, "%s/Maildir/cur/%s:2,S", buf_str(path), md ? maildir_last_name(md) : "");
	test_assert(rename(buf_str(from), buf_str(to)) == 0);
	k.retry = true;
	test_assert(md && deliver_counted(md, &k, text, strlen(text), why) == MAILDIR_FOUND);
	test_assert(md && ends_with(maildir_last_name(md), ",S=7,W=9:2,S"));
	test_end();
	maildir_close(&md);
	close(fd);
	buf_free(&path);
	buf_free(&why);
	buf_free(&from);
	buf_free(&to);
}

/* a line source over a NULL-terminated array; "+text" is a partial piece */
struct lines {
	const char *const *v;
	size_t i;
};

/* lines_next - mbox_next_fn over struct lines */
static int lines_next(void *ctx, const char **line_r, size_t *len_r, bool *partial_r, struct buf *why)
{
	struct lines *l = ctx;
	const char *s = l->v[l->i];

	(void)why;
	if (s == NULL)
		return 0;
	l->i++;
	*partial_r = s[0] == '+';
	*line_r = s + (*partial_r ? 1 : 0);
	*len_r = strlen(*line_r);
	return 1;
}

/* read_all - a file's contents */
static char *read_all(const char *path)
{
	struct buf *b = buf_new(256);
	char chunk[512];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	while (fd >= 0 && (n = read(fd, chunk, sizeof(chunk))) > 0)
		buf_add(b, chunk, (size_t)n);
	if (fd >= 0)
		close(fd);
	return buf_steal(&b);
}

/* test_mbox_count - mbox_write's count is what the file holds */
static void test_mbox_count(void)
{
	static const char *const text[] = { "Subject: x\r", "", "+long ", "+line\r", "\r", "end", NULL };
	struct lines l = { .v = text };
	struct mbox_copy c = { .next = lines_next, .ctx = &l, .sender = "s@example.org",
			       .delivered_to = "joe@example.com" };
	struct buf *path = buf_new(64), *why = buf_new(0);
	struct mail_vsize v = { 0 };
	struct stat st;
	off_t vsize = -1;
	int fd;

	test_begin("mbox: mbox_write counts bytes and vsize of what it wrote");
	buf_printf(path, "%s/mbox-count", test_datadir());
	fd = open(buf_str(path), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	test_assert(fd >= 0 && mbox_write(fd, &c, &v, why) == 0);
	test_assert(fstat(fd, &st) == 0 && v.size == st.st_size);
	test_assert(mail_vsize_fd(fd, 0, &vsize) == 0 && v.vsize == vsize && vsize > v.size);
	if (fd >= 0)
		close(fd);
	buf_free(&path);
	buf_free(&why);
	test_end();
}

/* test_mbox - the copy, open checks, locks, restore */
static void test_mbox(void)
{
	static const char *const text[] = { "Subject: x", "", "From here", ">From there",
					    "+From a ", "From b", "end", NULL };
	struct lines src = { .v = text };
	struct mbox_copy c = { .next = lines_next, .ctx = &src, .sender = "", .delivered_to = "joe@example.com",
			       .original_to = "alias@example.com", .flags = MBOX_COPY_MBOX };
	struct buf *path = buf_new(64), *why = buf_new(0);
	int fd = scratch("mbox", path);
	struct mbox *mb;
	struct stat st;
	char *file = sub(path, "joe"), *data;

	test_begin("mbox: bad lock names are refused; fcntl, dotlock parse");
	test_assert(mbox_lock_flags("fcntl, dotlock") == (MBOX_LOCK_FCNTL | MBOX_LOCK_DOTLOCK));
	test_assert(mbox_lock_flags("fcntl, nfs") == -1);
	test_end();

	test_begin("mbox: a symlink and a file of another owner are refused");
	{
		char *target = sub(path, "target"), *link_name = sub(path, "linked");

		close(open(target, O_WRONLY | O_CREAT, 0600));
		test_assert(symlink(target, link_name) == 0);
		test_assert(mbox_open(fd, "linked", (uid_t)-1, 0, 0, why) == NULL && errno == ELOOP);
		buf_reset(why);
		test_assert(mbox_open(fd, "target", getuid() + 1, 0, 0, why) == NULL);
		test_assert(strstr(buf_str(why), "wrong owner") != NULL);
		free(target);
		free(link_name);
	}
	test_end();

	test_begin("mbox: created 0600; From_ line, headers, >From quoting, partial lines, blank line");
	mb = mbox_open(fd, "joe", getuid(), getgid(), MBOX_LOCK_FCNTL | MBOX_LOCK_DOTLOCK, why);
	test_assert(mb != NULL);
	if (mb) {
		char *lock = sub(path, "joe.lock");

		test_assert(stat(lock, &st) == 0);
		test_assert(mbox_write(mbox_fd(mb), &c, NULL, why) == 0);
		mbox_close(&mb);
		test_assert(stat(lock, &st) < 0 && errno == ENOENT);
		free(lock);
	}
	test_assert(stat(file, &st) == 0 && (st.st_mode & 07777) == 0600);
	data = read_all(file);
	test_assert(strncmp(data, "From MAILER-DAEMON  ", 20) == 0);
	test_assert(strstr(data, "\nReturn-Path: <>\nX-Original-To: alias@example.com\n"
			   "Delivered-To: joe@example.com\nSubject: x\n\n>From here\n>From there\n"
			   ">From a From b\nend\n\n") != NULL);
	test_assert((size_t)st.st_size == strlen(data));
	free(data);
	test_end();

	test_begin("mbox: a stale dotlock is removed; a failed write is cut back");
	{
		char *lock = sub(path, "joe.lock");
		struct timespec old[2] = { { .tv_sec = 1000000 }, { .tv_sec = 1000000 } };
		off_t before;

		close(open(lock, O_WRONLY | O_CREAT, 0600));
		utimensat(AT_FDCWD, lock, old, 0);
		mb = mbox_open(fd, "joe", getuid(), getgid(), MBOX_LOCK_DOTLOCK, why);
		test_assert(mb != NULL);
		if (mb) {
			before = mbox_size(mb);
			test_assert(before == st.st_size);
			test_assert(write(mbox_fd(mb), "partial", 7) == 7);
			test_assert(mbox_restore(mb) == 0);
			mbox_close(&mb);
			test_assert(stat(file, &st) == 0 && st.st_size == before);
		}
		free(lock);
	}
	test_end();
	free(file);
	close(fd);
	buf_free(&path);
	buf_free(&why);
}

/* test_maildir - every case above */
void test_maildir(void)
{
	test_hostile();
	test_names();
	test_commit();
	test_keys();
	test_vsize();
	test_mbox_count();
	test_mbox();
}
