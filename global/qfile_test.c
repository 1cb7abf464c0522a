/* qfile_test - queue files: hostile files first (crafted from a small
 * record language), every truncation of a valid file, modes, symlinks and
 * links; then the writer: round trip with 100 KB lines and binary bytes,
 * commit mode, abort, refused records, write errors, done marks, moves. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "mem.h"
#include "qfile.h"
#include "queue_id.h"
#include "strv.h"
#include "test.h"

/* default_payload - what a type letter stands for without "=..." */
static const char *default_payload(int type)
{
	switch (type) {
	case 'V': return QREC_VERSION_TEXT;
	case 'T': return "1700000000.000001";
	case 'F': return "0";
	case 'S': return "sender@example.org";
	case 'A': return "client_address=192.0.2.1";
	case 'O': return "rfc822;rcpt@example.com";
	case 'N': return "SUCCESS,FAILURE";
	case 'R': case 'r': return "rcpt@example.com";
	case 'L': return "line";
	case 'P': return "part";
	case 'W': return "note";
	default: return "";
	}
}

/* unescape - "%XX" hex escapes into bytes */
static void unescape(struct buf *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned v;

		if (s[i] == '%' && i + 2 < n && sscanf(s + i + 1, "%2x", &v) == 1) {
			buf_putc(out, (int)v);
			i += 2;
		} else {
			buf_putc(out, s[i]);
		}
	}
}

/* craft - a queue file from "V C T S R M L X Z" (TYPE[=payload] words,
 * %XX escapes); the 'C' record gets the right sizes unless written "C!" */
static struct buf *craft(const char *spec)
{
	struct strv *words = strv_split(spec, " ");
	struct buf *f = buf_new(256), *p = buf_new(64), *why = buf_new(0);
	struct qrec_check c;
	long size_at = -1;
	bool fix = true;

	qrec_check_init(&c, QREC_CHECK_FILE);
	for (size_t i = 0; i < words->len; i++) {
		const char *w = words->items[i];
		long at = (long)buf_len(f);

		buf_reset(p);
		if (w[1] == '=')
			unescape(p, w + 2, strlen(w + 2));
		else
			buf_cat(p, default_payload(w[0]));
		if (w[0] == 'C' && w[1] != '=') {
			struct qrec_sizes zero = { 0, 0, 0, 0 };

			fix = w[1] != '!';
			size_at = at;
			qrec_put_sizes(f, &zero);
		} else {
			qrec_put(f, w[0], buf_str(p), buf_len(p));
		}
		qrec_check_record(&c, (unsigned char)w[0], buf_str(f) + at + 2, buf_len(f) - (size_t)at - 2,
				  at, why);	/* only the sizes matter here */
	}
	if (fix && size_at >= 0) {
		struct buf *rec = buf_new(80);

		qrec_put_sizes(rec, &c.sizes);
		memcpy(f->data + size_at, buf_str(rec), buf_len(rec));
		buf_free(&rec);
	}
	qrec_check_free(&c);
	strv_free(&words);
	buf_free(&p);
	buf_free(&why);
	return f;
}

/* write_file - bytes into path with the given mode */
static void write_file(const char *path, const void *p, size_t len, mode_t mode)
{
	FILE *fp;

	unlink(path);
	fp = fopen(path, "w");
	if (fp == NULL || (len && fwrite(p, 1, len, fp) != len) || fclose(fp) != 0
	    || chmod(path, mode) < 0)
		log_panic("write %s: %m", path);
}

/* try_open - open path; the status, with the reason in why */
static int try_open(const char *path, int flags, struct buf *why)
{
	int status = 1;
	struct qfile *qf;

	buf_reset(why);
	qf = qfile_open(path, flags, &status, why);
	if (qf) {
		test_assert(status == 0);
		qfile_close(&qf);
		return 0;
	}
	test_assert(status < 0 && buf_len(why) > 0);
	return status;
}

/* hostile files: spec for craft() and a piece of the expected reason */
static const struct {
	const char *spec, *err;
} bad_files[] = {
	{ "V C T S R M L X", "incomplete: no end record" },
	{ "V C T S R M L X Z Z", "data after the end record" },
	{ "V C T S R M L X Z W", "data after the end record" },
	{ "V C T S S=x@example.net R M L X Z", "second sender record" },
	{ "V C T R M L X Z", "no sender record before the content" },
	{ "V C T S M L X Z", "no recipients" },
	{ "V C T S M L X E W Z", "no recipients" },
	{ "V C T S R q=x M L X Z", "unknown record type 0x71" },
	{ "V C T S R D=x M L X Z", "unknown record type 0x44" },
	{ "V C T S R M L R X Z", "recipient record out of order (in the content)" },
	{ "V C T S R M L X S Z", "sender record out of order" },
	{ "V C T S R M L X W Z", "warning record out of order" },
	{ "V C T S R M L X E A Z", "attribute record out of order" },
	{ "V C T S R M M L X Z", "content start record out of order" },
	{ "C V T S R M L X Z", "no version record" },
	{ "V=hato-queue%202 C T S R M L X Z", "unsupported format version \"2\"" },
	{ "V=postfix C T S R M L X Z", "bad version record" },
	{ "V T S R M L X Z", "arrival time record out of order (in the sizes)" },
	{ "V C S R M L X Z", "no arrival time record" },
	{ "V C T T S R M L X Z", "second arrival time" },
	{ "V C T F F S R M L X Z", "second flags" },
	{ "V C T=12 S R M L X Z", "malformed arrival time" },
	{ "V C T=1.5 S R M L X Z", "malformed arrival time" },
	{ "V C T F=-1 S R M L X Z", "malformed flags" },
	{ "V C T S=a%01b R M L X Z", "malformed sender" },
	{ "V C T S=a%00b R M L X Z", "malformed sender" },
	{ "V C T S R=a%0ab M L X Z", "malformed recipient" },
	{ "V C T S O=nosemicolon R M L X Z", "malformed original recipient" },
	{ "V C T S O M L X Z", "without a recipient" },
	{ "V C T S R M L X E N Z", "without a recipient" },
	{ "V C T S N=BOGUS R M L X Z", "malformed notify" },
	{ "V C T S A=Bad=1 R M L X Z", "malformed attribute" },
	{ "V C T S A=x=1 A=x=2 R M L X Z", "duplicate attribute \"x\"" },
	{ "V C T S W=a%00 R M L X Z", "NUL byte in warning" },
	{ "V C T S R M=x L X Z", "content start record with a payload" },
	{ "V C T S R M L X Z=x", "end record with a payload" },
	{ "V C! T S R M L X Z", "sizes record says 0 0 0 0" },
	{ "V C=garbage T S R M L X Z", "malformed sizes record" },
};

/* test_crafted - hostile files: each must be refused with its reason */
static void test_crafted(const char *path)
{
	struct buf *why = buf_new(0);

	test_begin("qfile: hostile files refused as corrupt, saying why and where");
	for (size_t i = 0; i < sizeof(bad_files) / sizeof(bad_files[0]); i++) {
		struct buf *f = craft(bad_files[i].spec);
		int status;

		write_file(path, buf_str(f), buf_len(f), 0700);
		status = try_open(path, 0, why);
		if (status != QFILE_CORRUPT || strstr(buf_str(why), bad_files[i].err) == NULL) {
			printf("#   \"%s\": status %d: %s\n", bad_files[i].spec, status, buf_str(why));
			test_assert(!"crafted case");
		}
		buf_free(&f);
	}
	test_end();

	test_begin("qfile: bytes after the end record and bad lengths say where");
	{
		struct buf *f = craft("V C T S R M L X Z");

		buf_putc(f, 'q');
		write_file(path, buf_str(f), buf_len(f), 0700);
		test_assert(try_open(path, 0, why) == QFILE_CORRUPT);
		test_assert(strstr(buf_str(why), ", offset ") && strstr(buf_str(why), "data after the end"));
		buf_truncate(f, buf_len(f) - 3);	/* cut Z, then "X\x05" claims 5 bytes */
		buf_add(f, "X\x05", 2);
		write_file(path, buf_str(f), buf_len(f), 0700);
		test_assert(try_open(path, 0, why) == QFILE_CORRUPT);
		test_assert(strstr(buf_str(why), "truncated record") != NULL);
		buf_free(&f);
	}
	test_end();

	buf_free(&why);
}

/* test_crafted_valid - files the writer would not make but which are valid */
static void test_crafted_valid(const char *path)
{
	static const char *const ok[] = {
		"V C T S R M L X Z",
		"V C T S=  M X E O N R Z",
		"V C T F=3 S A A=helo_name=x%3dy W O N=NEVER R r M P L P X E W R Z",
		"V C T S R M L=%00%0d%ff P= L= X Z",
	};
	struct buf *why = buf_new(0);

	test_begin("qfile: valid crafted files: extracted recipients, partial lines, done marks");
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct buf *f = craft(ok[i]);

		write_file(path, buf_str(f), buf_len(f), 0700);
		if (try_open(path, 0, why) != 0) {
			printf("#   \"%s\": %s\n", ok[i], buf_str(why));
			test_assert(!"valid crafted file");
		}
		buf_free(&f);
	}
	test_end();
	buf_free(&why);
}

/* make_queue - queue_dir with the subdirectories these tests use */
static char *make_queue(const char *name)
{
	static const char *const subs[] = { "incoming", "active", "deferred", "corrupt" };
	struct buf *b = buf_new(64);

	buf_printf(b, "%s/%s", test_datadir(), name);
	mkdir(buf_str(b), 0755);
	for (size_t i = 0; i < 4; i++) {
		struct buf *s = buf_new(64);

		buf_printf(s, "%s/%s", buf_str(b), subs[i]);
		mkdir(buf_str(s), 0700);
		buf_free(&s);
	}
	return buf_steal(&b);
}

/* count_files - entries in queue_dir/queue */
static int count_files(const char *queue_dir, const char *queue)
{
	struct buf *cmd = buf_new(64);
	char line[64] = "";
	FILE *fp;

	buf_printf(cmd, "ls -A '%s/%s' | wc -l", queue_dir, queue);
	fp = popen(buf_str(cmd), "r");
	if (fp == NULL || fgets(line, sizeof(line), fp) == NULL)
		line[0] = '\0';
	if (fp)
		pclose(fp);
	buf_free(&cmd);
	return atoi(line);
}

/* write_message - a small valid message; its ID into id */
static int write_message(const char *qdir, char *id, struct buf *why)
{
	struct qfile_out *qf = qfile_create(qdir, "incoming", why);
	int rc;

	if (qf == NULL)
		return -1;
	qfile_out_put(qf, QREC_TIME, "1700000000.000001", 17);
	qfile_out_put(qf, QREC_SENDER, "a@example.org", 13);
	qfile_out_put(qf, QREC_RCPT, "b@example.com", 13);
	qfile_out_put(qf, QREC_RCPT, "c@example.com", 13);
	qfile_out_put(qf, QREC_MESG, "", 0);
	qfile_out_line(qf, "Subject: x", 10, false);
	qfile_out_line(qf, "", 0, false);
	qfile_out_line(qf, "body", 4, false);
	qfile_out_put(qf, QREC_XTRA, "", 0);
	qfile_out_put(qf, QREC_END, "", 0);
	rc = qfile_commit(qf, why);
	strcpy(id, qfile_out_id(qf));
	qfile_abort(&qf);
	return rc;
}

/* test_recover - a complete file that lost its mark is marked again; one
 * a writer still holds, or an uncommitted one, is left alone */
static void test_recover(const char *qdir)
{
	struct buf *why = buf_new(0), *p = buf_new(0);
	char id[QUEUE_ID_SIZE];
	struct qfile_out *qf;
	struct stat st;

	test_begin("qfile: qfile_recover marks a complete unmarked file, never a busy or partial one");
	test_assert(write_message(qdir, id, why) == 0);
	qfile_make_path(p, qdir, "incoming", id, why);
	chmod(buf_str(p), 0600);			/* the mark lost in a crash */
	test_assert(qfile_recover(buf_str(p)) == 1);
	test_expect_log("complete but not marked so");
	test_assert(stat(buf_str(p), &st) == 0 && (st.st_mode & 07777) == 0700);
	unlink(buf_str(p));
	qf = qfile_create(qdir, "incoming", why);	/* a writer at work */
	test_assert(qf != NULL);
	qfile_out_put(qf, QREC_TIME, "1700000000.000001", 17);
	buf_reset(p);
	qfile_make_path(p, qdir, "incoming", qfile_out_id(qf), why);
	test_assert(qfile_recover(buf_str(p)) == 0);
	test_assert(stat(buf_str(p), &st) == 0 && (st.st_mode & 07777) == 0600);
	qfile_abort(&qf);				/* and it is gone */
	test_assert(qfile_recover(buf_str(p)) == 0);
	test_assert(write_message(qdir, id, why) == 0);	/* cut short by a crash */
	buf_reset(p);
	qfile_make_path(p, qdir, "incoming", id, why);
	test_assert(stat(buf_str(p), &st) == 0 && truncate(buf_str(p), st.st_size / 2) == 0);
	chmod(buf_str(p), 0600);
	test_assert(qfile_recover(buf_str(p)) == 0);
	test_assert(stat(buf_str(p), &st) == 0 && (st.st_mode & 07777) == 0600);
	unlink(buf_str(p));
	buf_free(&why);
	buf_free(&p);
	test_end();
}

/* test_truncation - every prefix of a valid file is refused */
static void test_truncation(const char *qdir, const char *path)
{
	struct buf *why = buf_new(0), *p = buf_new(0), *data = buf_new(0);
	char id[QUEUE_ID_SIZE];
	FILE *fp;
	size_t bad = 0;

	test_begin("qfile: every truncation of a valid file is refused as corrupt");
	test_assert(write_message(qdir, id, why) == 0);
	qfile_make_path(p, qdir, "incoming", id, why);
	fp = fopen(buf_str(p), "r");
	for (int ch; fp && (ch = getc(fp)) != EOF;)
		buf_putc(data, ch);
	if (fp)
		fclose(fp);
	test_assert(buf_len(data) > 50);
	test_assert(try_open(buf_str(p), 0, why) == 0);
	for (size_t n = 0; n < buf_len(data); n++) {
		write_file(path, buf_str(data), n, 0700);
		if (try_open(path, 0, why) != QFILE_CORRUPT) {
			printf("#   prefix of %zu bytes: %s\n", n, buf_str(why));
			bad++;
		}
	}
	test_assert(bad == 0);
	unlink(buf_str(p));
	test_end();
	buf_free(&why);
	buf_free(&p);
	buf_free(&data);
}

/* test_file_kinds - modes, symlinks, links, FIFOs, missing files */
static void test_file_kinds(const char *path)
{
	struct buf *why = buf_new(0), *f = craft("V C T S R M L X Z"), *other = buf_new(64);

	test_begin("qfile: not 0700 is incomplete; odd modes, symlinks, links, FIFOs refused");
	write_file(path, buf_str(f), buf_len(f), 0600);
	test_assert(try_open(path, 0, why) == QFILE_INCOMPLETE);
	test_assert(strstr(buf_str(why), "not complete yet (mode 0600)") != NULL);
	test_assert(try_open(path, QFILE_ANY_MODE, why) == 0);
	write_file(path, buf_str(f), buf_len(f), 0755);
	test_assert(try_open(path, 0, why) == QFILE_CORRUPT);
	test_assert(strstr(buf_str(why), "unexpected mode") != NULL);
	write_file(path, buf_str(f), buf_len(f), 0700);
	test_assert(try_open(path, 0, why) == 0);
	buf_printf(other, "%s.link", path);
	unlink(buf_str(other));
	test_assert(symlink(path, buf_str(other)) == 0);
	test_assert(try_open(buf_str(other), 0, why) == QFILE_CORRUPT);
	test_assert(strstr(buf_str(why), "symbolic link") != NULL);
	unlink(buf_str(other));
	test_assert(link(path, buf_str(other)) == 0);
	test_assert(try_open(path, 0, why) == QFILE_CORRUPT);
	test_assert(strstr(buf_str(why), "has 2 links") != NULL);
	unlink(buf_str(other));
	test_assert(mkfifo(buf_str(other), 0700) == 0);
	test_assert(try_open(buf_str(other), 0, why) == QFILE_CORRUPT);
	test_assert(strstr(buf_str(why), "not a regular file") != NULL);
	unlink(buf_str(other));
	test_assert(try_open(buf_str(other), 0, why) == QFILE_TEMPFAIL);
	test_end();
	buf_free(&why);
	buf_free(&f);
	buf_free(&other);
}

/* round_trip_write - the round-trip message; its ID into id */
static int round_trip_write(const char *qdir, const struct strv *lines, char *id, struct buf *why)
{
	struct qfile_out *qf = qfile_create(qdir, "incoming", why);
	int rc;

	if (qf == NULL)
		return -1;
	qfile_out_put(qf, QREC_TIME, "1700000001.250000", 17);
	qfile_out_put(qf, QREC_FLAGS, "5", 1);
	qfile_out_put(qf, QREC_ATTR, "client_address=192.0.2.7", 24);
	qfile_out_put(qf, QREC_ATTR, "future_thing=kept", 17);
	qfile_out_put(qf, QREC_SENDER, "", 0);
	qfile_out_put(qf, QREC_ORCPT, "rfc822;One@example.com", 22);
	qfile_out_put(qf, QREC_NOTIFY, "SUCCESS,DELAY", 13);
	qfile_out_put(qf, QREC_RCPT, "one@example.com", 15);
	qfile_out_put(qf, QREC_RCPT, "two@example.com", 15);
	qfile_out_put(qf, QREC_MESG, "", 0);
	for (size_t i = 0; i < lines->len; i++)
		qfile_out_line(qf, lines->items[i] + 1, strlen(lines->items[i] + 1), false);
	qfile_out_line(qf, "a\0b\rc", 5, false);	/* NUL and bare CR */
	qfile_out_line(qf, "no newline", 10, true);
	qfile_out_put(qf, QREC_XTRA, "", 0);
	qfile_out_put(qf, QREC_EXTRACT, "", 0);
	qfile_out_put(qf, QREC_RCPT, "three@example.com", 17);
	qfile_out_put(qf, QREC_WARN, "extracted from To:", 18);
	qfile_out_put(qf, QREC_END, "", 0);
	rc = qfile_commit(qf, why);
	strcpy(id, qfile_out_id(qf));
	qfile_abort(&qf);
	return rc;
}

/* read_content - every content line of qf joined by "\n" (partials joined) */
static struct buf *read_content(struct qfile *qf, int *rc_r)
{
	struct buf *all = buf_new(0), *why = buf_new(0);
	const char *line;
	size_t len;
	bool partial;

	*rc_r = qfile_content_begin(qf, why);
	while (*rc_r == 0 && (*rc_r = qfile_content_next(qf, &line, &len, &partial, why)) == 1) {
		buf_add(all, line, len);
		if (!partial)
			buf_putc(all, '\n');
		*rc_r = 0;
	}
	buf_free(&why);
	return all;
}

/* check_envelope - what round_trip_write wrote */
static void check_envelope(const struct qfile *qf)
{
	const struct qfile_rcpt *r;
	size_t n = 0;

	test_assert_str(qfile_sender(qf), "");
	test_assert(qfile_arrival(qf).tv_sec == 1700000001 && qfile_arrival(qf).tv_usec == 250000);
	test_assert(qfile_flags(qf) == 5);
	test_assert_str(qfile_attr(qf, "client_address"), "192.0.2.7");
	test_assert_str(qfile_attr(qf, "future_thing"), "kept");
	test_assert(qfile_attr(qf, "helo_name") == NULL);
	test_assert(qfile_attrs(qf, &n) != NULL && n == 2);
	r = qfile_rcpts(qf, &n);
	test_assert(n == 3 && qfile_sizes(qf)->rcpt_count == 3);
	if (n != 3)
		return;
	test_assert_str(r[0].address, "one@example.com");
	test_assert_str(r[0].orcpt, "rfc822;One@example.com");
	test_assert_str(r[0].notify, "SUCCESS,DELAY");
	test_assert(r[1].orcpt == NULL && r[1].notify == NULL && !r[1].extracted);
	test_assert_str(r[2].address, "three@example.com");
	test_assert(r[2].extracted && !r[2].done);
	test_assert(qfile_warnings(qf)->len == 1);
	test_assert_str(qfile_id(qf), qfile_path(qf) + strlen(qfile_path(qf)) - QUEUE_ID_LEN);
}

/* test_mark_done_at - recipient 0 of path (pending) marked by offset, as a
 * delivery agent does, while another handle (qmgr's) still sees it pending */
static void test_mark_done_at(const char *path, struct buf *why)
{
	int status;
	struct qfile *agent = qfile_open(path, QFILE_RDWR, &status, why);
	struct qfile *qmgr = qfile_open(path, QFILE_RDWR, &status, why);
	struct qfile *ro = qfile_open(path, 0, &status, why);
	const struct qfile_rcpt *r;
	size_t n;

	test_assert(agent && qmgr && ro);
	if (!agent || !qmgr || !ro)
		goto out;
	r = qfile_rcpts(agent, &n);
	test_assert(n == 3 && !r[0].done);
	test_assert(qfile_mark_done_at(ro, r[0].offset, why) == QFILE_TEMPFAIL);
	test_assert(qfile_mark_done_at(agent, r[0].offset + 1, why) == QFILE_CORRUPT);
	test_assert(qfile_mark_done_at(agent, r[0].offset, why) == 0 && r[0].done);
	test_assert(qfile_mark_done(qmgr, 0, why) == 0 && qfile_rcpts_pending(qmgr) == 0);
	fchmod(qfile_fd(agent), 0600);		/* what qfile_spare_put does first */
	test_assert(qfile_mark_done_at(agent, r[1].offset, why) == QFILE_TEMPFAIL);
	fchmod(qfile_fd(agent), 0700);
out:
	qfile_close(&agent);
	qfile_close(&qmgr);
	qfile_close(&ro);
}

/* test_round_trip - write, commit, reopen, compare; then done marks */
static void test_round_trip(const char *qdir)
{
	struct buf *why = buf_new(0), *path = buf_new(64), *want = buf_new(0), *got;
	struct strv *lines = strv_new();
	char *longline = xmalloc(100 * 1024 + 2), id[QUEUE_ID_SIZE];
	struct qfile *qf;
	struct stat st;
	int status = 0, rc;

	memset(longline, 'y', 100 * 1024 + 1);
	longline[0] = '.';	/* strv items: "." + line */
	strv_add(lines, ".From: a@example.org");
	strv_add(lines, ".");
	strv_add(lines, longline);
	strv_add(lines, ".\xc3\xa9t\xc3\xa9");
	for (size_t i = 0; i < lines->len; i++)
		buf_printf(want, "%s\n", lines->items[i] + 1);
	buf_add(want, "a\0b\rc\nno newline", 16);

	test_begin("qfile: round trip: envelope, 100 KB line, NUL and bare CR; commit makes 0700");
	if (round_trip_write(qdir, lines, id, why) != 0)
		test_assert_str(buf_str(why), "(committed)");
	test_assert(queue_id_valid(id));
	qfile_make_path(path, qdir, "incoming", id, why);
	test_assert(stat(buf_str(path), &st) == 0 && (st.st_mode & 07777) == 0700);
	qf = qfile_open(buf_str(path), 0, &status, why);
	test_assert(qf != NULL && status == 0);
	if (qf) {
		check_envelope(qf);
		got = read_content(qf, &rc);
		test_assert(rc == 0);
		test_assert(buf_len(got) == buf_len(want)
			    && memcmp(buf_str(got), buf_str(want), buf_len(got)) == 0);
		test_assert(qfile_sizes(qf)->content_size == (long)buf_len(want));
		buf_free(&got);
		got = read_content(qf, &rc);	/* a second pass reads the same */
		test_assert(rc == 0 && buf_len(got) == buf_len(want));
		buf_free(&got);
	}
	qfile_close(&qf);
	test_end();

	test_begin("qfile: mark_done persists across reopen and keeps the file valid");
	qf = qfile_open(buf_str(path), QFILE_RDWR, &status, why);
	test_assert(qf != NULL);
	if (qf) {
		test_assert(qfile_rcpts_pending(qf) == 3);
		test_assert(qfile_mark_done(qf, 1, why) == 0);
		test_assert(qfile_mark_done(qf, 1, why) == 0);
		test_assert(qfile_mark_done(qf, 2, why) == 0);
		test_assert(qfile_rcpts_pending(qf) == 1);
	}
	qfile_close(&qf);
	qf = qfile_open(buf_str(path), 0, &status, why);
	test_assert(qf != NULL);
	if (qf) {
		size_t n;
		const struct qfile_rcpt *r = qfile_rcpts(qf, &n);

		test_assert(n == 3 && !r[0].done && r[1].done && r[2].done);
		test_assert(qfile_rcpts_pending(qf) == 1);
	}
	qfile_close(&qf);
	test_end();

	test_begin("qfile: an agent's mark by offset; qmgr's older view takes it as done; never in a read-only or retired file");
	test_mark_done_at(buf_str(path), why);
	test_end();
	unlink(buf_str(path));
	strv_free(&lines);
	free(longline);
	buf_free(&why);
	buf_free(&path);
	buf_free(&want);
}

/* test_writer_errors - abort, refused records, missing end, write errors */
static void test_writer_errors(const char *qdir)
{
	struct buf *why = buf_new(0);
	struct qfile_out *qf;
	struct rlimit old, small;
	char *big = xmalloc(4000);
	int rc;

	test_begin("qfile: abort leaves nothing; a bad record or no end record fails commit");
	qf = qfile_create(qdir, "incoming", why);
	test_assert(qf != NULL && count_files(qdir, "incoming") == 1);
	qfile_abort(&qf);
	test_assert(qf == NULL && count_files(qdir, "incoming") == 0);
	qf = qfile_create(qdir, "incoming", why);
	test_assert(qfile_out_put(qf, QREC_MESG, "", 0) == -1);	/* no sender yet */
	test_assert(qfile_out_put(qf, QREC_SENDER, "", 0) == -1);	/* sticky */
	test_assert(qfile_commit(qf, why) == -1);
	test_assert(strstr(buf_str(why), "refusing to write a bad record") != NULL);
	test_assert(strstr(buf_str(why), "no sender record") != NULL);
	qfile_abort(&qf);
	buf_reset(why);
	qf = qfile_create(qdir, "incoming", why);
	qfile_out_put(qf, QREC_TIME, "1.000000", 8);
	qfile_out_put(qf, QREC_SENDER, "", 0);
	test_assert(qfile_commit(qf, why) == -1);
	test_assert(strstr(buf_str(why), "not finished") != NULL);
	qfile_abort(&qf);
	test_assert(count_files(qdir, "incoming") == 0);
	test_assert(qfile_create(qdir, "../etc", why) == NULL);
	test_assert(qfile_create("/nonexistent", "incoming", why) == NULL);
	test_end();

	test_begin("qfile: a write error (file size limit) is reported by commit");
	memset(big, 'z', 4000);
	getrlimit(RLIMIT_FSIZE, &old);
	small = (struct rlimit){ 1000, old.rlim_max };	/* soft limit only */
	signal(SIGXFSZ, SIG_IGN);
	qf = qfile_create(qdir, "incoming", why);
	test_assert(setrlimit(RLIMIT_FSIZE, &small) == 0);
	qfile_out_put(qf, QREC_TIME, "1.000000", 8);
	qfile_out_put(qf, QREC_SENDER, "", 0);
	qfile_out_put(qf, QREC_RCPT, "x@example.com", 13);
	qfile_out_put(qf, QREC_MESG, "", 0);
	for (int i = 0; i < 40; i++)
		qfile_out_line(qf, big, 4000, false);
	qfile_out_put(qf, QREC_XTRA, "", 0);
	qfile_out_put(qf, QREC_END, "", 0);
	buf_reset(why);
	rc = qfile_commit(qf, why);
	setrlimit(RLIMIT_FSIZE, &old);	/* before anything is printed */
	signal(SIGXFSZ, SIG_DFL);
	test_assert(rc == -1);
	test_assert(strstr(buf_str(why), "write") != NULL);
	test_assert(strstr(buf_str(why), strerror(EFBIG)) != NULL);
	qfile_abort(&qf);
	test_assert(count_files(qdir, "incoming") == 0);
	test_end();
	free(big);
	buf_free(&why);
}

/* test_moves - paths refuse bad IDs; moves never replace; corrupt/ */
static void test_moves(const char *qdir)
{
	struct buf *why = buf_new(0), *p = buf_new(0);
	char id[QUEUE_ID_SIZE];
	struct qfile *qf;
	int status;

	test_begin("qfile: paths refuse bad IDs and queue names");
	test_assert(qfile_make_path(p, qdir, "incoming", "../../etc/passwd", why) == -1);
	test_assert(strstr(buf_str(why), "invalid queue ID") != NULL);
	test_assert(qfile_make_path(p, qdir, "../incoming", "ABCDEFGHIJKL", why) == -1);
	test_assert(qfile_make_path(p, qdir, "", "ABCDEFGHIJKL", why) == -1);
	test_assert(qfile_make_path(p, "/q", "active", "ABCDEFGHIJKL", why) == 0);
	test_assert_str(buf_str(p), "/q/active/ABCDEFGHIJKL");
	test_assert(qfile_move(qdir, "../x/ABCDEFGHIJ", "incoming", "active", QFILE_MOVE_DURABLE, why) == -1);
	test_end();

	test_begin("qfile: move between queues; never over an existing file; corrupt/");
	test_assert(write_message(qdir, id, why) == 0);
	test_assert(qfile_move(qdir, id, "incoming", "active", QFILE_MOVE_DURABLE, why) == 0);
	test_assert(count_files(qdir, "incoming") == 0 && count_files(qdir, "active") == 1);
	qfile_make_path(p, qdir, "deferred", id, why);
	write_file(buf_str(p), "x", 1, 0600);
	buf_reset(why);
	test_assert(qfile_move(qdir, id, "active", "deferred", QFILE_MOVE_DURABLE, why) == -1);
	test_assert(strstr(buf_str(why), "File exists") != NULL);
	test_assert(count_files(qdir, "active") == 1);
	unlink(buf_str(p));
	test_assert(qfile_move(qdir, id, "incoming", "active", QFILE_MOVE_DURABLE, why) == -1);	/* gone */
	qfile_make_path(p, qdir, "active", id, why);
	qf = qfile_open(buf_str(p), 0, &status, why);
	test_assert(qf != NULL);
	qfile_close(&qf);
	test_assert(qfile_corrupt(qdir, id, "active", "test reason") == 0);
	test_expect_log(": corrupt queue file moved to corrupt/: test reason");
	test_assert(test_logged(id));
	test_assert(count_files(qdir, "active") == 0 && count_files(qdir, "corrupt") == 1);
	test_assert(qfile_corrupt(qdir, id, "active", "again") == -1);
	test_expect_log("not moved to corrupt/");
	test_end();
	buf_free(&why);
	buf_free(&p);
}

/* test_qfile - every case of this file */
void test_qfile(void)
{
	char *qdir = make_queue("qfile");
	struct buf *path = buf_new(64);

	buf_printf(path, "%s/crafted", test_datadir());
	test_crafted(buf_str(path));
	test_crafted_valid(buf_str(path));
	test_truncation(qdir, buf_str(path));
	test_file_kinds(buf_str(path));
	test_round_trip(qdir);
	test_writer_errors(qdir);
	test_moves(qdir);
	test_recover(qdir);
	buf_free(&path);
	free(qdir);
}
