/* mail_quota_test - the administrator's rule over maildirsize in a
 * scratch Maildir: no rule and no file (no quota, none made), "*" making
 * and rewriting the first line (sums kept), "?" leaving a file's limits,
 * a broken first line replaced, the over test for several messages,
 * updates with and without a warning crossing, and
 * quota_warning_percent's bad values. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mail_quota.h"
#include "mail_quota_int.h"
#include "test.h"

/* maildir - a fresh Maildir NAME with n messages of 1000 bytes: its fd */
static int maildir(const char *name, int n)
{
	char path[512], file[600];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", test_datadir(), name);
	mkdir(path, 0700);
	for (const char *sub = "tmp\0new\0cur\0"; *sub; sub += strlen(sub) + 1) {
		snprintf(file, sizeof(file), "%s/%s", path, sub);
		mkdir(file, 0700);
	}
	for (int i = 0; i < n; i++) {
		FILE *fp;

		snprintf(file, sizeof(file), "%s/cur/100%d.M1P1.test,S=1000:2,S", path, i);
		if ((fp = fopen(file, "w")) != NULL) {
			for (int k = 0; k < 1000; k++)
				fputc(k % 50 == 49 ? '\n' : 'x', fp);
			fclose(fp);
		}
	}
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd;
}

/* file - maildirsize's text ("" when absent) */
static const char *file(int fd)
{
	static char text[256];
	int f = openat(fd, "maildirsize", O_RDONLY);
	ssize_t n = f >= 0 ? read(f, text, sizeof(text) - 1) : 0;

	text[n > 0 ? n : 0] = '\0';
	if (f >= 0)
		close(f);
	return text;
}

/* put - maildirsize := text */
static void put(int fd, const char *text)
{
	int f = openat(fd, "maildirsize", O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (f >= 0) {
		test_assert(write(f, text, strlen(text)) == (ssize_t)strlen(text));
		close(f);
	}
}

/* cfg - a configuration from a rule and warnings */
static void cfg(struct mail_quota_cfg *c, const char *rule, const char *warn)
{
	struct buf *why = buf_new(0);

	memset(c, 0, sizeof(*c));
	test_assert(quota_rule_parse(rule, "quota_rule", &c->rule, why) == 0);
	test_assert(mail_quota_warn_parse(c, warn, "quota_warning_percent", why) == 0);
	buf_free(&why);
}

/* rules - load with none, "*" and "?" */
static void rules(void)
{
	struct mail_quota_cfg c;
	struct maildir_quota q;
	struct buf *why = buf_new(0);
	int fd = maildir("mq-rules", 2);

	test_begin("mail_quota: no rule, no maildirsize: no quota, no file made");
	cfg(&c, "", "");
	test_assert(mail_quota_check(fd, &c, 100, 1, &q, why) == MAILDIR_QUOTA_NONE);
	test_assert_str(file(fd), "");
	test_end();

	test_begin("mail_quota: \"*\" makes maildirsize from the messages");
	cfg(&c, "*:storage=10k", "");
	test_assert(mail_quota_load(fd, &c, &q, why) == 1);
	test_assert_str(file(fd), "10240S,0C\n2000 2\n");
	test_end();

	test_begin("mail_quota: \"*\" rewrites the first line, sums kept");
	put(fd, "5000S,3C\n1500 2\n100 1\n");
	cfg(&c, "*:storage=10k:messages=4", "");
	test_assert(mail_quota_load(fd, &c, &q, why) == 1);
	test_assert_str(file(fd), "10240S,4C\n1600 3\n");
	test_assert(q.bytes == 1600 && q.count == 3 && q.bytes_limit == 10240 && q.count_limit == 4);
	test_assert(!mail_quota_over(&q, 8640, 1) && mail_quota_over(&q, 8641, 1));
	test_assert(mail_quota_over(&q, 0, 2) && !mail_quota_over(&q, 0, 1));
	test_end();

	test_begin("mail_quota: \"?\" leaves a file's limits");
	put(fd, "5000S,3C\n2000 2\n");
	cfg(&c, "?:storage=10k", "");
	test_assert(mail_quota_check(fd, &c, 3001, 1, &q, why) == MAILDIR_QUOTA_OVER);
	test_assert_str(file(fd), "5000S,3C\n2000 2\n");
	test_end();

	test_begin("mail_quota: \"?\" without a file makes one with its limits");
	unlinkat(fd, "maildirsize", 0);
	test_assert(mail_quota_check(fd, &c, 3001, 1, &q, why) == MAILDIR_QUOTA_FITS);
	test_assert_str(file(fd), "10240S,0C\n2000 2\n");
	test_end();

	test_begin("mail_quota: a broken first line is replaced by the rule's");
	put(fd, "garbage\n1 1\n");
	cfg(&c, "*:messages=9", "");
	test_assert(mail_quota_load(fd, &c, &q, why) == 1);
	test_assert_str(file(fd), "0S,9C\n2000 2\n");
	test_end();

	test_begin("mail_quota: \"*:storage=0\" and no file: no quota, none made");
	unlinkat(fd, "maildirsize", 0);
	cfg(&c, "*:storage=0", "");
	test_assert(mail_quota_load(fd, &c, &q, why) == 0);
	test_assert_str(file(fd), "");
	test_end();
	close(fd);
	buf_free(&why);
}

/* warnings - an update crossing 80 % warns once */
static void warnings(void)
{
	struct mail_quota_cfg c;
	struct maildir_quota q;
	struct buf *why = buf_new(0);
	int fd = maildir("mq-warn", 2), nfd;
	char line[64];

	test_begin("mail_quota: an update crossing 80 % puts one warning into new/");
	cfg(&c, "*:storage=10k", "95, 80");
	test_assert(c.n_warn == 2 && c.warn[0] == 80 && c.warn[1] == 95);
	test_assert(mail_quota_check(fd, &c, 7000, 1, &q, why) == MAILDIR_QUOTA_FITS);
	test_assert(mail_quota_update(fd, &c, &q, 7000, 1, why) == 0);
	nfd = openat(fd, "new", O_RDONLY | O_DIRECTORY);
	test_assert(nfd >= 0);
	{
		char cmd[700];
		FILE *p;

		snprintf(cmd, sizeof(cmd), "grep -l '^Subject: Mailbox quota warning: 80%% full' %s/mq-warn/new/* | wc -l",
			 test_datadir());
		p = popen(cmd, "r");
		test_assert(p && fgets(line, sizeof(line), p) && strcmp(line, "1\n") == 0);
		if (p)
			pclose(p);
	}
	test_assert(strncmp(file(fd), "10240S,0C\n2000 2\n7000 1\n", 24) == 0);
	test_end();

	test_begin("mail_quota: above 80 % already, or going down: no warning");
	test_assert(mail_quota_load(fd, &c, &q, why) == 1);
	test_assert(mail_quota_update(fd, &c, &q, 10, 1, why) == 0);
	test_assert(mail_quota_update(fd, &c, NULL, -7000, -1, why) == 0);
	test_assert(mail_quota_crossed(&c, &q, 10, 1) == 0);
	q.bytes = 1000;
	test_assert(mail_quota_crossed(&c, &q, 9000, 1) == 95);
	test_end();
	if (nfd >= 0)
		close(nfd);
	close(fd);
	buf_free(&why);
}

/* bad_warn - quota_warning_percent refused */
static void bad_warn(void)
{
	static const char *const bad[] = { "0", "101", "abc", "80x", "-5", "1 2 3 4 5 6 7 8 9" };
	struct mail_quota_cfg c;
	struct buf *why = buf_new(0);

	test_begin("mail_quota: bad quota_warning_percent values, the parameter named");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		buf_reset(why);
		test_assert(mail_quota_warn_parse(&c, bad[i], "quota_warning_percent", why) == -1);
		test_assert(c.n_warn == 0 && strncmp(buf_str(why), "quota_warning_percent: ", 23) == 0);
	}
	test_assert(mail_quota_warn_parse(&c, "80% 95", "quota_warning_percent", why) == 0 && c.n_warn == 2);
	test_end();
	buf_free(&why);
}

void test_mail_quota(void)
{
	rules();
	warnings();
	bad_warn();
}
