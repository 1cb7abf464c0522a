/* dovecot_keywords_test - dovecot-keywords as Dovecot writes it ("0 name"
 * lines) and broken ones (index past 25, twice, no name, a name that is
 * not an atom, a control byte), each refused as a whole with the line;
 * then reading it from a folder. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dovecot_keywords.h"
#include "test.h"

static const struct keywords_case {
	const char *text;
	const char *want_why;	/* NULL: parses */
	const char *want;	/* "index=name," */
} cases[] = {
	{ "0 $Junk\n26 x\n", "kw, line 2: index above 25", NULL },
	{ "0 a\n0 b\n", "kw, line 2: index given twice", NULL },
	{ "0\n", "kw, line 1: not \"INDEX NAME\"", NULL },
	{ "0 \n", "kw, line 1: keyword name is not an IMAP atom", NULL },
	{ "x a\n", "kw, line 1: not \"INDEX NAME\"", NULL },
	{ "-1 a\n", "kw, line 1: not \"INDEX NAME\"", NULL },
	{ "1 a b\n", "kw, line 1: keyword name is not an IMAP atom", NULL },
	{ "1 a(b\n", "kw, line 1: keyword name is not an IMAP atom", NULL },
	{ "1 a\033b\n", "kw, line 1: keyword name is not an IMAP atom", NULL },
	{ "99999999999999999999 a\n", "kw, line 1: index above 25", NULL },
	{ "", NULL, "" },
	{ "0 $Junk\n1 $NotJunk\n25 last\n", NULL, "0=$Junk,1=$NotJunk,25=last," },
	{ "3 NonJunk\n0 $Forwarded\n", NULL, "0=$Forwarded,3=NonJunk," },
	{ "0 a\n1 unfinished", NULL, "0=a," },
};

/* run_case - one entry through dovecot_keywords_parse */
static void run_case(const struct keywords_case *c)
{
	struct dovecot_keywords kw = { 0 };
	struct buf *why = buf_new(0), *got = buf_new(0), *name = buf_new(0);
	int rc = dovecot_keywords_parse(c->text, strlen(c->text), "kw", &kw, why);

	buf_printf(name, "dovecot_keywords: \"%.20s\"", c->text);
	for (char *p = name->data; *p; p++)
		if (*p == '\n' || *p == '\033')
			*p = '|';
	test_begin(buf_str(name));
	for (int i = 0; i < DOVECOT_KEYWORDS_MAX; i++)
		if (kw.name[i])
			buf_printf(got, "%d=%s,", i, kw.name[i]);
	if (c->want_why) {
		test_assert(rc == -1);
		test_assert_str(buf_str(got), "");	/* nothing kept */
		if (strstr(buf_str(why), c->want_why) == NULL)
			test_assert_str(buf_str(why), c->want_why);
	} else {
		test_assert(rc == 0);
		test_assert_str(buf_str(got), c->want);
	}
	test_end();
	dovecot_keywords_clear(&kw);
	buf_free(&why);
	buf_free(&got);
	buf_free(&name);
}

/* reading - from a folder: absent, present */
static void reading(void)
{
	struct dovecot_keywords kw = { 0 };
	struct buf *path = buf_new(64), *why = buf_new(0);
	FILE *fp;
	int fd;

	test_begin("dovecot_keywords: read from a folder; absent is 0");
	buf_printf(path, "%s/kw-read", test_datadir());
	mkdir(buf_str(path), 0700);
	fd = open(buf_str(path), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	test_assert(dovecot_keywords_read(fd, &kw, why) == 0);
	buf_cat(path, "/dovecot-keywords");
	fp = fopen(buf_str(path), "w");
	test_assert(fp && fputs("0 $label1\n1 work\n", fp) >= 0 && fclose(fp) == 0);
	test_assert(dovecot_keywords_read(fd, &kw, why) == 1);
	test_assert(kw.name[0] && strcmp(kw.name[0], "$label1") == 0);
	test_assert(kw.name[1] && strcmp(kw.name[1], "work") == 0 && kw.name[2] == NULL);
	dovecot_keywords_clear(&kw);
	test_assert(kw.name[0] == NULL);
	close(fd);
	test_end();
	buf_free(&path);
	buf_free(&why);
}

void test_dovecot_keywords(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
	reading();
}
