/* dovecot_uidlist_test - dovecot-uidlist as Dovecot writes it, table-
 * driven: broken files first (each refused as a whole, with the line and
 * the problem in the reason), then version 3 and version 1 files, the
 * extensions, lines appended after the header, a duplicate name, an
 * unterminated last line; then the limits (a 1 MB line, entries, size)
 * and reading the file from a folder (absent, a symlink, a directory).
 * A parsed list is compared as "V<uidvalidity> N<nextuid>|uid=base,...". */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dovecot_uidlist.h"
#include "mem.h"
#include "test.h"

#define HDR "3 V1700000000 N5 G0123456789abcdef0123456789ABCDEF\n"
#define NAME1 "1700000001.M1P2.host,S=120,W=124"

static const struct uidlist_case {
	const char *name;
	const char *text;
	size_t len;		/* 0: strlen(text) */
	const char *want_why;	/* NULL: must parse */
	const char *want;	/* the list, when it parses */
} cases[] = {
	/* refused */
	{ "empty file", "", 0, "dovecot-uidlist: empty, no header line", NULL },
	{ "unknown version", "2 1 2\n", 0, "line 1: not a dovecot-uidlist header", NULL },
	{ "garbage header", "hello\n1 :a\n", 0, "line 1: not a dovecot-uidlist header", NULL },
	{ "v3 header without V", "3 N5 Gx\n", 0, "line 1: header field G: not a 128-bit", NULL },
	{ "v3 header V zero", "3 V0 N5\n", 0, "line 1: UIDVALIDITY or NEXTUID missing", NULL },
	{ "v3 header N missing", "3 V7\n", 0, "line 1: UIDVALIDITY or NEXTUID missing", NULL },
	{ "v3 header V over 32 bits", "3 V4294967296 N5\n", 0,
	  "line 1: header field V: not a 32-bit number", NULL },
	{ "v3 header V with junk", "3 V12x N5\n", 0, "line 1: header field V: not a 32-bit", NULL },
	{ "v3 header control byte", "3 V1 N5 X\x01\n", 0, "line 1: header field with a control", NULL },
	{ "v1 header with three numbers", "1 5 6 7\n", 0, "line 1: version 1 header is not", NULL },
	{ "v1 header signed", "1 -5 6\n", 0, "line 1: version 1 header is not", NULL },
	{ "uids out of order", HDR "3 :a\n2 :b\n", 0, "line 3: uid 2 not above the previous 3", NULL },
	{ "uid repeated", HDR "3 :a\n3 :b\n", 0, "line 3: uid 3 not above the previous 3", NULL },
	{ "uid zero", HDR "0 :a\n", 0, "line 2: uid 0 out of range", NULL },
	{ "uid 2^32-1", HDR "4294967295 :a\n", 0, "line 2: uid 4294967295 out of range", NULL },
	{ "uid not a number", HDR "x1 :a\n", 0, "line 2: not \"UID ...\"", NULL },
	{ "uid without anything", HDR "1\n", 0, "line 2: not \"UID ...\"", NULL },
	{ "v1: uid at NEXTUID", "1 9 3\n1 a\n3 b\n", 0, "line 3: uid 3 not below NEXTUID 3", NULL },
	{ "v3 line without ':'", HDR "1 W12 name\n", 0, "line 2: bad extension field", NULL },
	{ "v3 line ends before ':'", HDR "1 W12\n", 0, "line 2: no \":\" before the file name", NULL },
	{ "v3 empty name", HDR "1 :\n", 0, "line 2: empty file name", NULL },
	{ "v3 name is only flags", HDR "1 ::2,S\n", 0, "line 2: empty file name", NULL },
	{ "name with '/'", HDR "1 :../../etc/passwd\n", 0, "line 2: file name with '/'", NULL },
	{ "v1 name with '/'", "1 9 10\n1 cur/x\n", 0, "line 2: file name with '/'", NULL },
	{ "name with a control byte", HDR "1 :a\033[2Jb\n", 0,
	  "line 2: file name with control byte 0x1b", NULL },
	{ "name with CR", HDR "1 :ab\r\n", 0, "line 2: file name with control byte 0x0d", NULL },
	{ "name with a NUL byte", HDR "1 :a\0b\n", sizeof(HDR) - 1 + 7, "line 2: NUL byte", NULL },
	{ "name \"..\"", HDR "1 :..\n", 0, "line 2: file name \"..\"", NULL },
	{ "extension key not A-Z", HDR "1 w12 :a\n", 0, "line 2: bad extension field", NULL },
	{ "extension S not a number", HDR "1 S1k :a\n", 0, "line 2: extension S: not a number", NULL },
	{ "extension with a control byte", HDR "1 P\x7f :a\n", 0, "line 2: bad extension field", NULL },
	/* parsed */
	{ "v3 header only", HDR, 0, NULL, "V1700000000 N5|" },
	{ "v3 as Dovecot writes it", HDR "1 :" NAME1 "\n3 W2048 S2000 :b,S=2000\n", 0, NULL,
	  "V1700000000 N5|1=" NAME1 ",3=b,S=2000," },
	{ "v3 other header fields are skipped", "3 V9 N2 Pformat Xsomething G" "0123456789abcdef0123456789abcdef\n1 :a\n",
	  0, NULL, "V9 N2|1=a," },
	{ "v3 several spaces between fields", "3  V9   N4\n1   W5  :a\n", 0, NULL, "V9 N4|1=a," },
	{ "v3 flags after the base are dropped", HDR "2 :a:2,FS\n", 0, NULL, "V1700000000 N5|2=a," },
	{ "v3 appended lines raise NEXTUID", HDR "4 :a\n5 :b\n9 :c\n", 0, NULL,
	  "V1700000000 N10|4=a,5=b,9=c," },
	{ "v3 a name seen twice keeps its later uid", HDR "1 :a\n2 :b\n3 :a\n", 0, NULL,
	  "V1700000000 N5|2=b,3=a," },
	{ "v3 unterminated last line is ignored", HDR "1 :a\n2 :b", 0, NULL, "V1700000000 N5|1=a," },
	{ "v3 name with a space", HDR "1 :a b\n", 0, NULL, "V1700000000 N5|1=a b," },
	{ "v1 as Courier writes it", "1 1234 4\n1 " NAME1 ":2,S\n3 c\n", 0, NULL,
	  "V1234 N4|1=" NAME1 ",3=c," },
};

/* show - the list as "V.. N..|uid=base,..." */
static void show(const struct dovecot_uidlist *ul, struct buf *out)
{
	buf_printf(out, "V%u N%u|", ul->uidvalidity, ul->nextuid);
	for (size_t i = 0; i < ul->count; i++)
		buf_printf(out, "%u=%s,", ul->entries[i].uid, ul->entries[i].base);
}

/* run_case - one table entry through dovecot_uidlist_parse */
static void run_case(const struct uidlist_case *c)
{
	struct buf *name = buf_new(64), *why = buf_new(0), *got = buf_new(64);
	struct dovecot_uidlist *ul = (void *)1;
	int rc;

	buf_printf(name, "dovecot_uidlist: %s", c->name);
	test_begin(buf_str(name));
	rc = dovecot_uidlist_parse(c->text, c->len ? c->len : strlen(c->text), "dovecot-uidlist",
				   NULL, &ul, why);
	if (c->want_why) {
		test_assert(rc == -1 && ul == NULL);
		if (strstr(buf_str(why), c->want_why) == NULL)
			test_assert_str(buf_str(why), c->want_why);
	} else {
		test_assert(rc == 0 && ul != NULL);
		if (ul)
			show(ul, got);
		test_assert_str(buf_str(got), c->want);
		if (rc != 0)
			printf("#   %s\n", buf_str(why));
	}
	test_end();
	dovecot_uidlist_free(&ul);
	buf_free(&name);
	buf_free(&why);
	buf_free(&got);
}

/* extensions - the values kept from a version 3 line */
static void extensions(void)
{
	const char *text = HDR "1 :a\n2 S2000 W2048 P0000beef GXYZ O7 :b\n3 P :c\n";
	struct buf *why = buf_new(0);
	struct dovecot_uidlist *ul;

	test_begin("dovecot_uidlist: extensions S, W, P, G kept, and all as written; saved UIDLs; header G and version");
	test_assert(dovecot_uidlist_parse(text, strlen(text), "u", NULL, &ul, why) == 0);
	test_assert(ul && ul->count == 3 && ul->version == 3);
	test_assert_str(ul->guid, "0123456789abcdef0123456789ABCDEF");
	test_assert(ul->entries[0].size == 0 && ul->entries[0].pop3_uidl == NULL);
	test_assert(ul->entries[1].size == 2000 && ul->entries[1].vsize == 2048);
	test_assert_str(ul->entries[1].pop3_uidl, "0000beef");
	test_assert_str(ul->entries[1].guid, "XYZ");
	test_assert(dovecot_uidlist_saved_uidl(&ul->entries[0]) == NULL);
	test_assert_str(dovecot_uidlist_saved_uidl(&ul->entries[1]), "0000beef");
	test_assert_str(dovecot_uidlist_saved_uidl(&ul->entries[2]), "c");	/* P empty: base */
	test_assert(ul->entries[0].ext == NULL && ul->hdr_ext == NULL);	/* as written */
	test_assert_str(ul->entries[1].ext, "S2000 W2048 P0000beef GXYZ O7");
	test_assert_str(ul->entries[2].ext, "P");
	dovecot_uidlist_free(&ul);
	text = "3 V9 Pformat N2 Xsome G0123456789abcdef0123456789abcdef\n1 :a\n";
	test_assert(dovecot_uidlist_parse(text, strlen(text), "u", NULL, &ul, why) == 0);
	test_assert_str(ul ? ul->hdr_ext : NULL, "Pformat Xsome");
	dovecot_uidlist_free(&ul);
	text = "3  V9   N4  Xa   Yb\n1   W5    X6  :a\n";
	test_assert(dovecot_uidlist_parse(text, strlen(text), "u", NULL, &ul, why) == 0);
	test_assert_str(ul ? ul->hdr_ext : NULL, "Xa Yb");
	test_assert_str(ul && ul->count ? ul->entries[0].ext : NULL, "W5 X6");	/* one space apart */
	dovecot_uidlist_free(&ul);
	test_assert(ul == NULL);
	test_end();
	buf_free(&why);
}

/* limits - a 1 MB line, too many entries, too many bytes */
static void limits(void)
{
	struct dovecot_uidlist_limits lim = { .max_size = 1 << 30, .max_line = 4096,
					      .max_entries = 2 };
	struct buf *text = buf_new(1 << 20), *why = buf_new(0);
	struct dovecot_uidlist *ul;

	test_begin("dovecot_uidlist: a line of 1 MB is refused");
	buf_cat(text, HDR "1 :");
	for (int i = 0; i < 1 << 20; i++)
		buf_putc(text, 'x');
	buf_cat(text, "\n");
	test_assert(dovecot_uidlist_parse(buf_str(text), buf_len(text), "u", NULL, &ul, why) < 0);
	test_assert(strstr(buf_str(why), "u, line 2: longer than 4096 bytes") != NULL);
	test_end();

	test_begin("dovecot_uidlist: a name of 256 bytes is refused");
	buf_truncate(text, strlen(HDR "1 :") + 256);
	buf_cat(text, "\n");
	buf_reset(why);
	test_assert(dovecot_uidlist_parse(buf_str(text), buf_len(text), "u", NULL, &ul, why) < 0);
	test_assert(strstr(buf_str(why), "line 2: file name longer than 255") != NULL);
	test_end();

	test_begin("dovecot_uidlist: more entries than the limit are refused");
	buf_set(text, HDR "1 :a\n2 :b\n3 :c\n");
	buf_reset(why);
	test_assert(dovecot_uidlist_parse(buf_str(text), buf_len(text), "u", &lim, &ul, why) < 0);
	test_assert(strstr(buf_str(why), "u, line 4: more than 2 messages") != NULL);
	lim.max_size = 10;
	buf_reset(why);
	test_assert(dovecot_uidlist_parse(buf_str(text), buf_len(text), "u", &lim, &ul, why) < 0);
	test_assert(strstr(buf_str(why), "u: longer than 10 bytes") != NULL);
	test_end();
	buf_free(&text);
	buf_free(&why);
}

/* folder - a fresh directory in the run's scratch space; its fd */
static int folder(const char *name, struct buf *path)
{
	buf_reset(path);
	buf_printf(path, "%s/dc-%s", test_datadir(), name);
	mkdir(buf_str(path), 0700);
	return open(buf_str(path), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* put - write text into dir/name */
static void put(const struct buf *dir, const char *name, const char *text)
{
	struct buf *p = buf_new(64);
	FILE *fp;

	buf_printf(p, "%s/%s", buf_str(dir), name);
	fp = fopen(buf_str(p), "w");
	if (fp == NULL || fputs(text, fp) < 0 || fclose(fp) != 0)
		test_assert(!"cannot write the sample file");
	buf_free(&p);
}

/* reading - dovecot_uidlist_read on real folders */
static void reading(void)
{
	struct buf *path = buf_new(64), *why = buf_new(0), *target = buf_new(64);
	struct dovecot_uidlist *ul;
	int fd;

	test_begin("dovecot_uidlist: read from a folder; absent is 0");
	fd = folder("read", path);
	test_assert(dovecot_uidlist_read(fd, NULL, &ul, why) == 0 && ul == NULL);
	put(path, "dovecot-uidlist", HDR "1 :" NAME1 "\n");
	test_assert(dovecot_uidlist_read(fd, NULL, &ul, why) == 1);
	test_assert(ul && ul->count == 1 && strcmp(ul->entries[0].base, NAME1) == 0);
	dovecot_uidlist_free(&ul);
	close(fd);
	test_end();

	test_begin("dovecot_uidlist: a symlink or a directory is not read");
	fd = folder("link", path);
	put(path, "elsewhere", HDR "1 :a\n");
	buf_printf(target, "%s/dovecot-uidlist", buf_str(path));
	test_assert(symlink("elsewhere", buf_str(target)) == 0);
	test_assert(dovecot_uidlist_read(fd, NULL, &ul, why) == -1 && ul == NULL);
	close(fd);
	fd = folder("dir", path);
	buf_reset(target);
	buf_printf(target, "%s/dovecot-uidlist", buf_str(path));
	test_assert(mkdir(buf_str(target), 0700) == 0);
	buf_reset(why);
	test_assert(dovecot_uidlist_read(fd, NULL, &ul, why) == -1);
	test_assert(strstr(buf_str(why), "dovecot-uidlist: not a regular file") != NULL);
	close(fd);
	test_end();
	buf_free(&path);
	buf_free(&why);
	buf_free(&target);
}

void test_dovecot_uidlist(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
	extensions();
	limits();
	reading();
}
