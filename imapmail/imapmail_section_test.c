/* imapmail_section_test - FETCH sections: the attribute parser (every
 * form, the answer's name, bad specs refused), then the bytes: BODY[],
 * HEADER, TEXT, MIME, HEADER.FIELDS(.NOT), part numbers in multiparts
 * and message/rfc822, a part that is not there, partials at the edges,
 * CRLF counting, RFC822.*, BINARY decoding (base64, quoted-printable,
 * a multipart's parts), BINARY.SIZE, an unknown encoding and base64
 * that does not decode; and the decoders alone. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base64.h"
#include "imapmail_decode.h"
#include "imapmail_render.h"
#include "test.h"

static const char msg[] =
	"From: a@b\n"
	"Subject: s\n"
	"Content-Type: multipart/mixed; boundary=b\n"
	"\n"
	"pre\n"
	"--b\n"
	"Content-Type: text/plain\n"
	"Content-Transfer-Encoding: quoted-printable\n"
	"\n"
	"caf=C3=A9 =\n"
	"soft\n"
	"--b\n"
	"Content-Type: message/rfc822\n"
	"\n"
	"Subject: in\n"
	"X-A: 1\n"
	"\n"
	"inner\n"
	"--b\n"
	"Content-Type: application/octet-stream\n"
	"Content-Transfer-Encoding: base64\n"
	"\n"
	"AGhp\n"
	"--b\n"
	"Content-Transfer-Encoding: x-uuencode\n"
	"\n"
	"begin\n"
	"--b--\n";

/* parse - the attribute's name as answered, or "BAD" */
static const char *parse(const char *att)
{
	static char name[256];
	struct imapmail_section sec;
	struct buf *why = buf_new(0);

	if (imapmail_section_parse(att, &sec, why) < 0) {
		test_assert(buf_len(why) > 0);
		buf_free(&why);
		return "BAD";
	}
	snprintf(name, sizeof(name), "%s%s", buf_str(sec.name), sec.seen ? " seen" : "");
	imapmail_section_clear(&sec);
	buf_free(&why);
	return name;
}

/* fetch - the answer to att for msg (static buffer), or "BAD", "UNKNOWN-CTE", "PARSE" */
static const char *fetch(const char *att)
{
	static struct buf *out;
	static struct mime_parts *p;
	static int fd = -1;
	struct imapmail_section sec;
	struct buf *why = buf_new(0);
	int rc;

	if (fd < 0) {
		char *path = test_tmpfile(msg);

		fd = open(path, O_RDONLY | O_CLOEXEC);
		test_assert(fd >= 0 && mime_parts_read(fd, &p, why) == 0);
		out = buf_new(256);
		free(path);
	}
	buf_reset(out);
	if (imapmail_section_parse(att, &sec, why) < 0) {
		buf_free(&why);
		return "BAD";
	}
	rc = imapmail_section_write(fd, p, &sec, out, why);
	imapmail_section_clear(&sec);
	buf_free(&why);
	return rc == IMAPMAIL_RENDER_UNKNOWN_CTE ? "UNKNOWN-CTE" : rc == IMAPMAIL_RENDER_PARSE ? "PARSE"
	       : rc < 0 ? "ERROR" : buf_str(out);
}

/* test_parse - the attribute forms */
static void test_parse(void)
{
	test_begin("section: attributes parse to the answer's names");
	test_assert_str(parse("BODY[]"), "BODY[] seen");
	test_assert_str(parse("body.peek[]"), "BODY[]");
	test_assert_str(parse("BODY.PEEK[header.fields (from \"To\" x-a)]<0.100>"),
			"BODY[HEADER.FIELDS (FROM \"TO\" X-A)]<0>");
	test_assert_str(parse("BODY[HEADER.FIELDS.NOT (Subject)]"), "BODY[HEADER.FIELDS.NOT (SUBJECT)] seen");
	test_assert_str(parse("BODY[1.2.3.MIME]<5>"), "BODY[1.2.3.MIME]<5> seen");
	test_assert_str(parse("BODY[2.TEXT]"), "BODY[2.TEXT] seen");
	test_assert_str(parse("BINARY[1.2]<0.1>"), "BINARY[1.2]<0> seen");
	test_assert_str(parse("BINARY.PEEK[]"), "BINARY[]");
	test_assert_str(parse("BINARY.SIZE[3]"), "BINARY.SIZE[3]");
	test_assert_str(parse("RFC822"), "RFC822 seen");
	test_assert_str(parse("rfc822.header"), "RFC822.HEADER");
	test_assert_str(parse("RFC822.TEXT"), "RFC822.TEXT seen");
	test_end();

	test_begin("section: bad attributes refused");
	static const char *const bad[] = {
		"BODY", "BODY[", "BODY[0]", "BODY[1.]", "BODY[.1]", "BODY[MIME]", "BODY[1.FOO]",
		"BODY[HEADER.FIELDS]", "BODY[HEADER.FIELDS ()]", "BODY[HEADER.FIELDS (a]",
		"BODY[HEADER.FIELDS (\"a)]", "BODY[]<", "BODY[]<1", "BODY[]<a>", "BODY[]<1.>",
		"BODY[]<1>x", "BODY[]x", "BODY[]<99999999999999999999>", "BINARY[HEADER]",
		"BINARY[1.MIME]", "BINARY.SIZE[1]<0.1>", "BODY.PEEKX[]", "RFC822.SIZEX", "FOO[]",
		"BODY[4294967296]", "BODY[TEXT ]",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (strcmp(parse(bad[i]), "BAD") != 0)
			test_fail_str(__FILE__, __LINE__, bad[i], parse(bad[i]), "BAD");
	test_end();
}

/* test_body - BODY[...] of msg */
static void test_body(void)
{
	test_begin("section: HEADER, TEXT, the whole message, CRLF counted");
	test_assert_str(fetch("BODY.PEEK[HEADER]"),
			"BODY[HEADER] {68}\r\nFrom: a@b\r\nSubject: s\r\n"
			"Content-Type: multipart/mixed; boundary=b\r\n\r\n");
	test_assert(strncmp(fetch("BODY[]"), "BODY[] {385}\r\nFrom: a@b\r\n", 25) == 0);
	test_assert(strncmp(fetch("RFC822"), "RFC822 {385}\r\n", 14) == 0);
	test_assert(strncmp(fetch("RFC822.TEXT"), "RFC822.TEXT {317}\r\npre\r\n--b\r\n", 28) == 0);
	test_assert_str(fetch("RFC822.HEADER"), "RFC822.HEADER {68}\r\nFrom: a@b\r\nSubject: s\r\n"
			"Content-Type: multipart/mixed; boundary=b\r\n\r\n");
	test_end();

	test_begin("section: HEADER.FIELDS and HEADER.FIELDS.NOT");
	test_assert_str(fetch("BODY[HEADER.FIELDS (subject FROM nope)]"),
			"BODY[HEADER.FIELDS (SUBJECT FROM NOPE)] {25}\r\nFrom: a@b\r\nSubject: s\r\n\r\n");
	test_assert_str(fetch("BODY[HEADER.FIELDS.NOT (content-type from)]"),
			"BODY[HEADER.FIELDS.NOT (CONTENT-TYPE FROM)] {14}\r\nSubject: s\r\n\r\n");
	test_assert_str(fetch("BODY[HEADER.FIELDS (nope)]"), "BODY[HEADER.FIELDS (NOPE)] {2}\r\n\r\n");
	test_assert_str(fetch("BODY[2.HEADER.FIELDS (x-a)]"), "BODY[2.HEADER.FIELDS (X-A)] {10}\r\nX-A: 1\r\n\r\n");
	test_end();

	test_begin("section: parts, MIME, message/rfc822 parts");
	test_assert_str(fetch("BODY[1]"), "BODY[1] {17}\r\ncaf=C3=A9 =\r\nsoft");
	test_assert_str(fetch("BODY[1.MIME]"), "BODY[1.MIME] {73}\r\nContent-Type: text/plain\r\n"
			"Content-Transfer-Encoding: quoted-printable\r\n\r\n");
	test_assert_str(fetch("BODY[2]"), "BODY[2] {28}\r\nSubject: in\r\nX-A: 1\r\n\r\ninner");
	test_assert_str(fetch("BODY[2.HEADER]"), "BODY[2.HEADER] {23}\r\nSubject: in\r\nX-A: 1\r\n\r\n");
	test_assert_str(fetch("BODY[2.TEXT]"), "BODY[2.TEXT] {5}\r\ninner");
	test_assert_str(fetch("BODY[2.1]"), "BODY[2.1] {5}\r\ninner");
	test_assert_str(fetch("BODY[2.1.MIME]"), "BODY[2.1.MIME] {23}\r\nSubject: in\r\nX-A: 1\r\n\r\n");
	test_end();

	test_begin("section: parts that are not there are empty");
	test_assert_str(fetch("BODY[9]"), "BODY[9] {0}\r\n");
	test_assert_str(fetch("BODY[1.1]"), "BODY[1.1] {17}\r\ncaf=C3=A9 =\r\nsoft");	/* 1 of a
											 * non-multipart is itself */
	test_assert_str(fetch("BODY[1.2]"), "BODY[1.2] {0}\r\n");
	test_assert_str(fetch("BODY[1.HEADER]"), "BODY[1.HEADER] {0}\r\n");
	test_assert_str(fetch("BODY[2.2]"), "BODY[2.2] {0}\r\n");
	test_end();

	test_begin("section: partials at the edges");
	test_assert_str(fetch("BODY[1]<0.4>"), "BODY[1]<0> {4}\r\ncaf=");
	test_assert_str(fetch("BODY[1]<10.3>"), "BODY[1]<10> {3}\r\n=\r\n");	/* a CRLF counted */
	test_assert_str(fetch("BODY[1]<16>"), "BODY[1]<16> {1}\r\nt");
	test_assert_str(fetch("BODY[1]<17>"), "BODY[1]<17> {0}\r\n");
	test_assert_str(fetch("BODY[1]<999.5>"), "BODY[1]<999> {0}\r\n");
	test_assert_str(fetch("BODY[1]<0.0>"), "BODY[1]<0> {0}\r\n");
	test_end();
}

/* test_binary - BINARY and BINARY.SIZE of msg */
static void test_binary(void)
{
	test_begin("section: BINARY decodes quoted-printable and base64");
	test_assert_str(fetch("BINARY[1]"), "BINARY[1] {10}\r\ncaf\xc3\xa9 soft");
	test_assert_str(fetch("BINARY.SIZE[1]"), "BINARY.SIZE[1] 10");
	test_assert(memcmp(fetch("BINARY[3]"), "BINARY[3] ~{3}\r\n\0hi", 19) == 0);
	test_assert_str(fetch("BINARY.SIZE[3]"), "BINARY.SIZE[3] 3");
	test_assert_str(fetch("BINARY[3]<1.5>"), "BINARY[3]<1> {2}\r\nhi");
	test_assert_str(fetch("BINARY[2]"), "BINARY[2] {28}\r\nSubject: in\r\nX-A: 1\r\n\r\ninner");
	test_end();

	test_begin("section: BINARY of an unknown encoding is UNKNOWN-CTE");
	test_assert_str(fetch("BINARY[4]"), "UNKNOWN-CTE");
	test_assert_str(fetch("BINARY.SIZE[4]"), "UNKNOWN-CTE");
	test_assert_str(fetch("BINARY[]"), "UNKNOWN-CTE");
	test_assert_str(fetch("BODY[4]"), "BODY[4] {5}\r\nbegin");
	test_end();
}

/* test_decoders - the decoders alone */
static void test_decoders(void)
{
	struct buf *b = buf_new(0);

	test_begin("decode: CRLF, NUL, base64, quoted-printable");
	imapmail_decode_crlf("a\nb\r\nc\0", 7, false, b);
	test_assert(buf_len(b) == 8 && memcmp(buf_str(b), "a\r\nb\r\nc\x80", 8) == 0);
	buf_reset(b);
	imapmail_decode_crlf("c\0\n", 3, true, b);
	test_assert(buf_len(b) == 4 && memcmp(buf_str(b), "c\0\r\n", 4) == 0);
	buf_reset(b);
	test_assert(base64_decode_mime("aGVs\r\nbG8=\nignored", 18, b, false) == 0);
	test_assert_str(buf_str(b), "hello");
	buf_reset(b);
	test_assert(base64_decode_mime("aGV!", 4, b, false) < 0);
	buf_reset(b);
	imapmail_decode_qp("a=3Db=\nc  \n=ZZ=4\nd=  \ne", 23, b);
	test_assert_str(buf_str(b), "a=bc\r\n=ZZ=4\r\nde");
	test_end();
	buf_free(&b);
}

/* test_imapmail_section - the unit test (see the header) */
void test_imapmail_section(void)
{
	test_parse();
	test_body();
	test_binary();
	test_decoders();
}
