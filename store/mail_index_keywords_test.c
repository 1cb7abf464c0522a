/* mail_index_keywords_test - keyword letters per folder: taken from a
 * dovecot-keywords on first use (and kept when the file changes or goes
 * away), matched without regard to case, new ones given the lowest free
 * letter and written back in Dovecot's format (read back with
 * dovecot_keywords_read), letters another program added to the file
 * adopted, the 27th refused, names that are no atoms refused, a
 * symbolic link planted as the file neither read nor written through,
 * and a deleted index taking the file again.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dovecot_keywords.h"
#include "mail_index.h"
#include "mail_index_keywords.h"
#include "test.h"

/* folder - a fresh Maildir folder with cur/ new/ tmp/; fd, path */
static int folder(const char *name, struct buf *path)
{
	char sub[4096];

	buf_reset(path);
	buf_printf(path, "%s/kw-%s", test_datadir(), name);
	mkdir(buf_str(path), 0700);
	for (const char *const *s = (const char *const[]){ "cur", "new", "tmp", NULL }; *s; s++) {
		snprintf(sub, sizeof(sub), "%s/%s", buf_str(path), *s);
		mkdir(sub, 0700);
	}
	return open(buf_str(path), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* put_file - dir/name holding text */
static void put_file(const struct buf *dir, const char *name, const char *text)
{
	char p[4096];
	FILE *fp;

	snprintf(p, sizeof(p), "%s/%s", buf_str(dir), name);
	fp = fopen(p, "w");
	test_assert(fp != NULL);
	if (fp) {
		fputs(text, fp);
		fclose(fp);
	}
}

/* file_text - dir/name's text, "" when unreadable */
static const char *file_text(const struct buf *dir, const char *name, struct buf *out)
{
	char p[4096], chunk[512];
	FILE *fp;
	size_t n;

	buf_reset(out);
	snprintf(p, sizeof(p), "%s/%s", buf_str(dir), name);
	if ((fp = fopen(p, "r")) == NULL)
		return "";
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_add(out, chunk, n);
	fclose(fp);
	return buf_str(out);
}

/* drop_index - remove <folder>/hato-index.lmdb */
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

/* joined - the folder's names, "," after each */
static const char *joined(struct mail_index *idx, int fd, struct buf *out)
{
	struct buf *why = buf_new(0);
	struct strv *names = NULL;

	buf_reset(out);
	if (mail_index_keywords(idx, "INBOX", fd, &names, why) != 0)
		buf_printf(out, "error: %s", buf_str(why));
	for (size_t i = 0; names && i < names->len; i++)
		buf_printf(out, "%s,", names->items[i]);
	strv_free(&names);
	buf_free(&why);
	return buf_str(out);
}

/* letter - mail_index_keyword_letter as a char: '0' none, '-' error,
 * '+' full */
static char letter(struct mail_index *idx, int fd, const char *name, bool create)
{
	struct buf *why = buf_new(0);
	char l = '?';
	int rc = mail_index_keyword_letter(idx, "INBOX", fd, name, create, &l, why);

	buf_free(&why);
	return rc == 1 ? l : rc == 0 ? '0' : rc == MAIL_INDEX_KEYWORDS_FULL ? '+' : '-';
}

/* test_migrate - the file's table, kept after the file changes */
static void test_migrate(void)
{
	struct buf *dir = buf_new(64), *out = buf_new(64), *why = buf_new(0);
	int fd = folder("migrate", dir);
	struct mail_index *idx = NULL;

	test_begin("mail_index_keywords: dovecot-keywords taken on first use, kept after");
	put_file(dir, "dovecot-keywords", "0 $Junk\n1 $NotJunk\n3 Work\n");
	test_assert(mail_index_open(fd, buf_str(dir), &idx, why) == 0);
	test_assert_str(joined(idx, fd, out), "$Junk,$NotJunk,,Work,");
	put_file(dir, "dovecot-keywords", "0 Other\n");
	test_assert_str(joined(idx, fd, out), "$Junk,$NotJunk,,Work,");
	test_assert(letter(idx, fd, "work", false) == 'd');
	test_assert(letter(idx, fd, "$JUNK", false) == 'a');
	test_assert(letter(idx, fd, "Absent", false) == '0');
	mail_index_close(&idx);
	test_end();
	close(fd);
	buf_free(&dir);
	buf_free(&out);
	buf_free(&why);
}

/* test_create - lowest free letter, the file in Dovecot's format, the
 * first case kept, the file's own additions adopted, a new index */
static void test_create(void)
{
	struct buf *dir = buf_new(64), *out = buf_new(64), *why = buf_new(0);
	int fd = folder("create", dir);
	struct mail_index *idx = NULL;
	struct dovecot_keywords kw = { 0 };

	test_begin("mail_index_keywords: a new name, written back as Dovecot writes it");
	put_file(dir, "dovecot-keywords", "0 $Junk\n1 $NotJunk\n3 Work\n");
	test_assert(mail_index_open(fd, buf_str(dir), &idx, why) == 0);
	test_assert(letter(idx, fd, "New", true) == 'c');
	test_assert(letter(idx, fd, "NEW", true) == 'c');
	test_assert_str(file_text(dir, "dovecot-keywords", out),
			"0 $Junk\n1 $NotJunk\n2 New\n3 Work\n");
	test_assert(dovecot_keywords_read(fd, &kw, why) == 1);
	test_assert(kw.name[2] && strcmp(kw.name[2], "New") == 0);
	dovecot_keywords_clear(&kw);
	test_assert(letter(idx, fd, "Fifth", true) == 'e');
	test_assert_str(joined(idx, fd, out), "$Junk,$NotJunk,New,Work,Fifth,");
	test_end();

	test_begin("mail_index_keywords: letters another program added are adopted");
	put_file(dir, "dovecot-keywords", "0 $Junk\n1 $NotJunk\n2 New\n3 Work\n4 Fifth\n5 Mutt\n");
	test_assert(letter(idx, fd, "Mutt", false) == '0');	/* the index rules */
	test_assert(letter(idx, fd, "Seventh", true) == 'g');
	test_assert(letter(idx, fd, "mutt", false) == 'f');
	test_assert_str(file_text(dir, "dovecot-keywords", out),
			"0 $Junk\n1 $NotJunk\n2 New\n3 Work\n4 Fifth\n5 Mutt\n6 Seventh\n");
	test_end();

	test_begin("mail_index_keywords: a deleted index takes the file again");
	mail_index_close(&idx);
	drop_index(dir);
	test_assert(mail_index_open(fd, buf_str(dir), &idx, why) == 0);
	test_assert_str(joined(idx, fd, out), "$Junk,$NotJunk,New,Work,Fifth,Mutt,Seventh,");
	mail_index_close(&idx);
	test_end();
	close(fd);
	buf_free(&dir);
	buf_free(&out);
	buf_free(&why);
}

/* test_full - 26 letters, then NO; bad names refused */
static void test_full(void)
{
	struct buf *dir = buf_new(64), *why = buf_new(0);
	int fd = folder("full", dir);
	struct mail_index *idx = NULL;
	char name[16], long_name[130], l = 0;
	bool all = true;

	test_begin("mail_index_keywords: the 27th keyword is refused");
	test_assert(mail_index_open(fd, buf_str(dir), &idx, why) == 0);
	for (int i = 0; i < 26; i++) {
		snprintf(name, sizeof(name), "kw%d", i);
		all = all && letter(idx, fd, name, true) == 'a' + i;
	}
	test_assert(all);
	test_assert(mail_index_keyword_letter(idx, "INBOX", fd, "kw26", true, &l, why)
		    == MAIL_INDEX_KEYWORDS_FULL);
	test_assert(strstr(buf_str(why), "26 keywords") != NULL);
	test_assert(letter(idx, fd, "KW25", true) == 'z');
	test_end();

	test_begin("mail_index_keywords: names that are not IMAP atoms");
	memset(long_name, 'x', 129);
	long_name[129] = '\0';
	for (const char *const *s = (const char *const[]){ "", "a b", "a(b", "\\Seen", "a]",
							   "a\"b", "a%", long_name, NULL }; *s; s++)
		test_assert(letter(idx, fd, *s, true) == '-');
	long_name[128] = '\0';
	test_assert(letter(idx, fd, long_name, false) == '0');
	mail_index_close(&idx);
	test_end();
	close(fd);
	buf_free(&dir);
	buf_free(&why);
}

/* test_symlink - a link planted as dovecot-keywords */
static void test_symlink(void)
{
	struct buf *dir = buf_new(64), *out = buf_new(64), *why = buf_new(0), *p = buf_new(64);
	int fd = folder("link", dir);
	struct mail_index *idx = NULL;
	struct stat st;

	test_begin("mail_index_keywords: a symbolic link as dovecot-keywords is not followed");
	put_file(dir, "secret", "0 Secret\n");
	buf_printf(p, "%s/dovecot-keywords", buf_str(dir));
	test_assert(symlink("secret", buf_str(p)) == 0);
	test_assert(mail_index_open(fd, buf_str(dir), &idx, why) == 0);
	test_assert_str(joined(idx, fd, out), "");
	test_expect_log("dovecot-keywords not used");
	test_assert(letter(idx, fd, "Mine", true) == 'a');
	test_assert(lstat(buf_str(p), &st) == 0 && S_ISREG(st.st_mode));
	test_assert_str(file_text(dir, "secret", out), "0 Secret\n");
	test_assert_str(file_text(dir, "dovecot-keywords", out), "0 Mine\n");
	mail_index_close(&idx);
	test_end();
	close(fd);
	buf_free(&dir);
	buf_free(&out);
	buf_free(&why);
	buf_free(&p);
}

void test_mail_index_keywords(void)
{
	test_migrate();
	test_create();
	test_full();
	test_symlink();
}
