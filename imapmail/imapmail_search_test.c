/* imapmail_search_test - the SEARCH program: refusals with Dovecot's
 * words first, then evaluation (cheap keys decide without the file),
 * text keys on MIME-decoded messages, the SEARCH/ESEARCH writer, and
 * the decoders.  Arguments are built by a small reader here (the real
 * one is global/imap_parse). */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base64.h"
#include "imapmail_search.h"
#include "mime_parts.h"
#include "imapmail_search_decode.h"
#include "imapmail_search_int.h"
#include "mem.h"
#include "test.h"

/* args - s split into atoms, "strings" and (lists); *n_r members */
static struct imap_arg *args(const char **sp, size_t *n_r, int depth)
{
	struct imap_arg *a = NULL;
	const char *s = *sp;
	size_t n = 0, cap = 0;

	for (;;) {
		struct imap_arg x = { 0 };

		while (*s == ' ')
			s++;
		if (*s == '\0' || *s == ')') {
			s += *s == ')' && depth > 0;
			break;
		}
		if (*s == '(') {
			s++;
			x.type = IMAP_ARG_LIST;
			x.list = args(&s, &x.list_len, depth + 1);
		} else if (*s == '"') {
			size_t len = strcspn(++s, "\"");

			x.type = IMAP_ARG_STRING;
			x.str = xstrndup(s, len);
			x.len = len;
			s += len + (s[len] == '"');
		} else {
			size_t len = strcspn(s, " ()");

			x.type = IMAP_ARG_ATOM;
			x.str = xstrndup(s, len);
			x.len = len;
			s += len;
		}
		if (n == cap) {	/* doubling: one realloc per member is quadratic */
			cap = cap ? cap * 2 : 8;
			a = xrealloc(a, cap * sizeof(*a));
		}
		a[n++] = x;
	}
	*sp = s;
	*n_r = n;
	return a;
}

/* args_free - what args made */
static void args_free(struct imap_arg *a, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(a[i].str);
		if (a[i].type == IMAP_ARG_LIST)
			args_free(a[i].list, a[i].list_len);
	}
	free(a);
}

/* parse - text as a program: the parser's return code, why filled */
static int parse(const char *text, struct imapmail_search **sp, struct buf *why)
{
	size_t n;
	struct imap_arg *a = args(&text, &n, 0);
	int rc = imapmail_search_parse(a, n, sp, why);

	args_free(a, n);
	return rc;
}

static void test_refused(void)
{
	static const struct { const char *in; int rc; const char *why; } cases[] = {
		{ "", -1, "Missing argument" },
		{ "FOO", -1, "Unknown argument FOO" },
		{ "SUBJECT", -1, "Missing parameter for search key (for search key: SUBJECT)" },
		{ "HEADER X-Foo", -1, "Missing parameter for search key (for search key: HEADER)" },
		{ "BEFORE x", -1, "Invalid search date parameter" },
		{ "BEFORE 32-Jan-2020", -1, "Invalid search date parameter" },
		{ "LARGER x", -1, "Invalid search size parameter" },
		{ "LARGER 99999999999999999999", -1, "Invalid search size parameter" },
		{ "()", -1, "No search parameters inside list" },
		{ "OR SEEN", -1, "Missing argument" },
		{ "NOT", -1, "Missing argument" },
		{ "1:x", -1, "Invalid messageset" },
		{ "UID 0:5", -1, "Invalid UID messageset" },
		{ "MODSEQ x", -1, "Invalid MODSEQ value" },
		{ "MODSEQ \"/flags/x\" bogus 1", -1, "Invalid MODSEQ type" },
		{ "CHARSET", -1, "Invalid charset argument" },
		{ "CHARSET KOI8-R BODY x", -2, "[BADCHARSET (UTF-8 US-ASCII)] Unknown charset" },
		{ "RETURN ALL", -1, "Unknown argument RETURN" },
		{ "RETURN (FOO) ALL", -1, "Unknown SEARCH return option" },
		{ "\"SEEN\"", -1, "Unknown argument SEEN" },
	};
	struct buf *why = buf_new(0);
	struct imapmail_search *s = NULL;

	test_begin("imapmail_search_parse: refusals, with Dovecot's words");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		test_assert(parse(cases[i].in, &s, why) == cases[i].rc);
		test_assert_str(buf_str(why), cases[i].why);
		test_assert(s == NULL);
	}
	test_end();
	buf_free(&why);
}

static void test_depth(void)
{
	struct buf *why = buf_new(0), *q = buf_new(0);
	struct imapmail_search *s = NULL;

	test_begin("imapmail_search_parse: nesting and NOT chains bounded, long flat lists taken");
	for (int i = 0; i < 5000; i++)
		buf_cat(q, "NOT ");
	buf_cat(q, "SEEN");
	test_assert(parse(buf_str(q), &s, why) == -1 && s == NULL);
	test_assert_str(buf_str(why), "Search arguments nested too deep");
	buf_reset(q);
	for (int i = 0; i < 5000; i++)
		buf_cat(q, "(");
	test_assert(parse(buf_str(q), &s, why) == -1 && s == NULL);
	buf_reset(q);
	for (int i = 0; i < 50; i++)
		buf_cat(q, "(NOT ");
	buf_cat(q, "SEEN");
	for (int i = 0; i < 50; i++)
		buf_cat(q, ")");
	test_assert(parse(buf_str(q), &s, why) == 0);
	imapmail_search_free(&s);
	buf_reset(q);
	for (int i = 0; i < 100000; i++)
		buf_cat(q, "SEEN ");
	test_assert(parse(buf_str(q), &s, why) == 0);
	imapmail_search_free(&s);
	test_end();
	buf_free(&why);
	buf_free(&q);
}

/* msg - a message with these flags and size, no file */
static struct imapmail_search_msg msg(uint32_t seq, const char *flags, off_t size)
{
	static const char *const kw[] = { "$Label1", "work" };

	return (struct imapmail_search_msg){
		.seq = seq, .uid = seq * 10, .modseq = seq, .flags = flags, .keywords = kw,
		.n_keywords = seq % 2 ? 2 : 0, .size = size, .internal_date = 1700000000, .fd = -1,
	};
}

/* match - parse text and match m (no file): 1, 0, -1; -9 if it does not parse */
static int match(const char *text, const struct imapmail_search_msg *m)
{
	struct buf *why = buf_new(0);
	struct imapmail_search *s;
	int rc = -9;

	if (parse(text, &s, why) == 0) {
		rc = imapmail_search_match(s, m, 5, 50);
		imapmail_search_free(&s);
	}
	buf_free(&why);
	return rc;
}

static void test_cheap(void)
{
	struct imapmail_search_msg a = msg(1, "FS", 1000), b = msg(2, "RT", 5000);

	test_begin("imapmail_search_match: flags, keywords, sets, sizes, dates, MODSEQ, OR/NOT");
	test_assert(match("ALL", &a) == 1 && match("SEEN FLAGGED", &a) == 1);
	test_assert(match("UNSEEN SUBJECT NIL", &a) == 0);	/* NIL is an astring here */
	test_assert(match("UNSEEN", &a) == 0 && match("ANSWERED DELETED", &b) == 1);
	test_assert(match("KEYWORD work", &a) == 1 && match("KEYWORD WORK", &a) == 1);
	test_assert(match("KEYWORD work", &b) == 0 && match("UNKEYWORD work", &b) == 1);
	test_assert(match("1,3:4", &a) == 1 && match("1,3:4", &b) == 0 && match("*", &b) == 0);
	test_assert(match("UID 10", &a) == 1 && match("UID 20:*", &b) == 1);
	test_assert(match("LARGER 999", &a) == 1 && match("LARGER 1000", &a) == 0);
	test_assert(match("SMALLER 1001", &a) == 1 && match("SMALLER 1000", &a) == 0);
	test_assert(match("MODSEQ 2", &a) == 0 && match("MODSEQ 2", &b) == 1);
	test_assert(match("OR SEEN DELETED", &b) == 1 && match("NOT (SEEN OR DRAFT FLAGGED)", &b) == 1);
	test_assert(match("NEW", &a) == 0 && match("OLD", &a) == 1 && match("RECENT", &a) == 0);
	test_assert(match("SINCE 1-Jan-2023 BEFORE 1-Jan-2024", &a) == 1);
	test_assert(match("ON 14-Nov-2023", &a) + match("ON 15-Nov-2023", &a) == 1);
	test_end();

	test_begin("imapmail_search_match: cheap keys decide first; the file only when needed");
	/* fd -1: a text key would need it (-1), unless flags settle it */
	test_assert(match("SUBJECT x", &a) == -1);
	test_assert(match("UNSEEN SUBJECT x", &a) == 0);
	test_assert(match("OR SEEN SUBJECT x", &a) == 1);
	test_assert(match("NOT (SEEN BODY x)", &b) == 1);
	test_assert(match("SENTBEFORE 1-Jan-2000 DRAFT", &a) == 0);
	test_end();
}

/* text_match - program text on message (a temporary file); the same
 * program given the message's envelope fields as the index caches them
 * (mime_parts) must answer the same, and without the file too unless a
 * key still needs it (-1) */
static int text_match(const char *text, const char *message)
{
	char *path = test_tmpfile(message);
	struct imapmail_search_msg m = msg(1, "", (off_t)strlen(message));
	struct mime_parts *p = NULL;
	struct buf *why = buf_new(0);
	int rc, env_rc;

	m.fd = open(path, O_RDONLY);
	rc = match(text, &m);
	if (mime_parts_read(m.fd, &p, why) == 0 && !p->envelope_over) {
		m.envelope = buf_str(p->envelope);
		m.envelope_len = buf_len(p->envelope);
		test_assert(match(text, &m) == rc);
		close(m.fd);
		m.fd = -1;
		env_rc = match(text, &m);
		test_assert(env_rc == rc || env_rc == -1);
	} else {
		close(m.fd);
	}
	mime_parts_free(&p);
	buf_free(&why);
	unlink(path);
	free(path);
	return rc;
}

/* env_only - program text answered from message's envelope fields alone */
static int env_only(const char *text, const char *message)
{
	char *path = test_tmpfile(message);
	struct imapmail_search_msg m = msg(1, "", (off_t)strlen(message));
	struct mime_parts *p = NULL;
	struct buf *why = buf_new(0);
	int fd = open(path, O_RDONLY), rc = -9;

	if (mime_parts_read(fd, &p, why) == 0) {
		m.envelope = buf_str(p->envelope);
		m.envelope_len = buf_len(p->envelope);
		rc = match(text, &m);
	}
	close(fd);
	mime_parts_free(&p);
	buf_free(&why);
	unlink(path);
	free(path);
	return rc;
}

static const char mime_msg[] =
	"Date: Wed, 17 Jul 1996 23:44:25 -0700 (PDT)\r\n"
	"From: =?ISO-8859-1?Q?J=FCrgen?= Wei\xc3\x9f <j@example.org>\r\n"
	"Subject: =?utf-8?B?R3LDvMOfZQ==?=\r\n"
	"  =?utf-8?q?_aus_M=C3=BCnchen?= folded\r\n"
	"X-Empty:\r\n"
	"Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
	"\r\n"
	"preamble prewordonly\r\n"
	"--b1\r\n"
	"Content-Type: text/plain; charset=iso-8859-1\r\n"
	"Content-Transfer-Encoding: quoted-printable\r\n"
	"\r\n"
	"caf=E9 cr=E8me, soft=\r\n"
	"break\r\n"
	"--b1\r\n"
	"Content-Type: text/plain; charset=utf-8\r\n"
	"Content-Transfer-Encoding: base64\r\n"
	"\r\n"
	"zrPPgc6szrzOvM6xz4TOsQ==\r\n"
	"--b1\r\n"
	"Content-Type: application/octet-stream\r\n"
	"Content-Transfer-Encoding: base64\r\n"
	"\r\n"
	"emVicmFjb2Rl\r\n"
	"--b1\r\n"
	"Content-Type: message/rfc822\r\n"
	"\r\n"
	"Subject: inner subject\r\n"
	"\r\n"
	"innerword\r\n"
	"--b1--\r\n"
	"epilogue\r\n";

static void test_text(void)
{
	test_begin("imapmail_search: header keys on decoded, unfolded, folded values");
	test_assert(text_match("SUBJECT \"grüsse\"", mime_msg) == 0);
	test_assert(text_match("SUBJECT \"GRÜSSE\"", mime_msg) == 0);
	test_assert(text_match("SUBJECT \"grüße aus münchen\"", mime_msg) == 1);
	test_assert(text_match("SUBJECT \"MÜNCHEN FOLDED\"", mime_msg) == 1);
	test_assert(text_match("SUBJECT \"aus  München\"", "Subject: aus \t München\n\nx\n") == 0);
	test_assert(text_match("SUBJECT \"aus München\"", "Subject: aus \t München\n\nx\n") == 1);
	test_assert(text_match("FROM \"(Jane\"", "From: j@x (Jane  Roe)\n\nx\n") == 0);
	test_assert(text_match("FROM \"Jane Roe\"", "From: j@x (Jane  Roe)\n\nx\n") == 1);
	test_assert(text_match("HEADER From \"(Jane\"", "From: j@x (Jane  Roe)\n\nx\n") == 1);
	/* accents decomposed: "MU" + U+0308 + "NCHEN" holds "AUS MU", not "MUNCHEN" */
	test_assert(text_match("SUBJECT \"aus mu\"", mime_msg) == 1);
	test_assert(text_match("SUBJECT \"munchen\"", mime_msg) == 0);
	test_assert(text_match("FROM \"jürgen weiß\"", mime_msg) == 1);
	test_assert(text_match("SUBJECT inner", mime_msg) == 0);	/* the top header only */
	test_assert(text_match("HEADER X-Empty \"\"", mime_msg) == 1);
	test_assert(text_match("HEADER X-Other \"\"", mime_msg) == 0);
	test_assert(text_match("NOT HEADER Content-Type multipart/MIXED", mime_msg) == 0);
	test_end();

	test_begin("imapmail_search: BODY and TEXT on decoded text parts only");
	test_assert(text_match("BODY \"café crème\"", mime_msg) == 1);
	test_assert(text_match("BODY softbreak", mime_msg) == 1);
	test_assert(text_match("BODY \"ΓΡΆΜΜΑΤΑ\"", mime_msg) == 1);
	test_assert(text_match("BODY zebracode", mime_msg) == 0);	/* an attachment */
	test_assert(text_match("BODY prewordonly", mime_msg) == 0);	/* preamble */
	test_assert(text_match("BODY epilogue", mime_msg) == 0);
	test_assert(text_match("BODY innerword", mime_msg) == 1);	/* message/rfc822 */
	test_assert(text_match("BODY \"inner subject\"", mime_msg) == 0);
	test_assert(text_match("TEXT \"inner subject\"", mime_msg) == 1);
	test_assert(text_match("TEXT \"subject: grüße\"", mime_msg) == 1);
	test_assert(text_match("TEXT \"x-empty\" BODY cafe SUBJECT aus", mime_msg) == 1);
	test_assert(text_match("BODY \"\"", mime_msg) == 1);
	test_end();

	test_begin("imapmail_search: SENT* by the Date: field's own zone; none is 1-Jan-1970");
	test_assert(text_match("SENTON 17-Jul-1996", mime_msg) == 1);
	test_assert(text_match("SENTSINCE 18-Jul-1996", mime_msg) == 0);
	test_assert(text_match("SENTBEFORE 18-Jul-1996", mime_msg) == 1);
	test_assert(text_match("SENTON 1-Jan-1970", "Subject: x\r\n\r\nbody\r\n") == 1);
	test_assert(text_match("SENTON 1-Jan-1970", "Date: bogus\r\n\r\nbody\r\n") == 1);
	test_end();
}

static void test_envelope(void)
{
	test_begin("imapmail_search: header keys and SENT* from the cached envelope, no file");
	test_assert(env_only("SUBJECT \"grüße aus münchen\"", mime_msg) == 1);
	test_assert(env_only("SUBJECT inner", mime_msg) == 0);
	test_assert(env_only("FROM \"jürgen weiß\" SENTON 17-Jul-1996", mime_msg) == 1);
	test_assert(env_only("HEADER MESSAGE-ID \"\"", mime_msg) == 0);
	test_assert(env_only("HEADER Date \"\"", mime_msg) == 1);
	test_assert(env_only("OR SUBJECT nothere BODY cafe", mime_msg) == -1);
	test_assert(env_only("SUBJECT nothere BODY cafe", mime_msg) == 0);
	test_assert(env_only("HEADER X-Empty \"\"", mime_msg) == -1);
	test_assert(env_only("SENTON 1-Jan-1970", "Subject: x\r\n\r\nbody\r\n") == 1);
	test_assert(env_only("TO b CC c", "To: a,\r\n b\r\nCc: c\r\nTo: z\r\n\r\nx\r\n") == 1);
	test_assert(env_only("HEADER \"Subject\" x", "Subject : x\r\n\r\nbody\r\n") == 0);
	test_end();
}

static void test_chunks(void)
{
	struct buf *m = buf_new(0);

	test_begin("imapmail_search: read in chunks: lines across chunk ends, no final line end");
	buf_cat(m, "Subject: big\n\n");
	for (int i = 0; i < 9000; i++)
		buf_cat(m, "filler ");
	buf_cat(m, "acrosschunks\n");
	for (int i = 0; i < 20000; i++)
		buf_cat(m, "line\n");
	buf_cat(m, "lastword");
	test_assert(text_match("BODY acrosschunks", buf_str(m)) == 1);
	test_assert(text_match("BODY lastword", buf_str(m)) == 1);
	test_assert(text_match("SUBJECT big BODY nothere", buf_str(m)) == 0);
	test_assert(text_match("SUBJECT big", buf_str(m)) == 1);
	test_assert(text_match("SUBJECT x", "Subject: x") == 1);
	test_end();
	buf_free(&m);
}

/* result - the writer's answer for program text */
static const char *result(struct buf *out, const char *text, bool uid, bool esearch,
			  const uint32_t *hits, size_t n)
{
	struct buf *why = buf_new(0);
	struct imapmail_search *s;

	buf_reset(out);
	if (parse(text, &s, why) == 0) {
		imapmail_search_result(s, "A\"1", uid, esearch, hits, n, 77, out);
		imapmail_search_free(&s);
	}
	buf_free(&why);
	return buf_str(out);
}

static void test_result(void)
{
	static const uint32_t hits[] = { 2, 5, 6, 7, 9 };
	struct buf *out = buf_new(0);

	test_begin("imapmail_search_result: SEARCH, ESEARCH (RFC 4731), MODSEQ, SAVE");
	test_assert_str(result(out, "ALL", false, false, hits, 5), "* SEARCH 2 5 6 7 9\r\n");
	test_assert_str(result(out, "ALL", false, false, hits, 0), "* SEARCH\r\n");
	test_assert_str(result(out, "ALL", true, true, hits, 5),
			"* ESEARCH (TAG \"A\\\"1\") UID ALL 2,5:7,9\r\n");
	test_assert_str(result(out, "RETURN (MIN MAX COUNT ALL) ALL", false, false, hits, 5),
			"* ESEARCH (TAG \"A\\\"1\") MIN 2 MAX 9 ALL 2,5:7,9 COUNT 5\r\n");
	test_assert_str(result(out, "RETURN (MIN COUNT) ALL", true, false, hits, 0),
			"* ESEARCH (TAG \"A\\\"1\") UID COUNT 0\r\n");
	test_assert_str(result(out, "RETURN () ALL", false, false, hits, 1),
			"* ESEARCH (TAG \"A\\\"1\") ALL 2\r\n");
	test_assert_str(result(out, "RETURN (SAVE) ALL", false, false, hits, 5), "");
	test_assert_str(result(out, "MODSEQ 1", false, false, hits, 2), "* SEARCH 2 5 (MODSEQ 77)\r\n");
	test_assert_str(result(out, "MODSEQ 1", false, false, hits, 0), "* SEARCH\r\n");
	test_assert_str(result(out, "RETURN (COUNT) MODSEQ 1", false, false, hits, 2),
			"* ESEARCH (TAG \"A\\\"1\") COUNT 2 MODSEQ 77\r\n");
	test_end();
	buf_free(&out);
}

static void test_saved(void)
{
	static const uint32_t saved[] = { 10, 30 };
	struct buf *why = buf_new(0);
	struct imapmail_search *s;
	struct imapmail_search_msg a = msg(1, "", 1), c = msg(3, "", 1), b = msg(2, "", 1);

	test_begin("imapmail_search: '$' is the saved result (RFC 5182)");
	test_assert(parse("$ UNSEEN", &s, why) == 0 && imapmail_search_uses_saved(s));
	imapmail_search_set_saved(s, saved, 2);
	test_assert(imapmail_search_match(s, &a, 5, 50) == 1);
	test_assert(imapmail_search_match(s, &b, 5, 50) == 0);
	test_assert(imapmail_search_match(s, &c, 5, 50) == 1);
	test_assert(!imapmail_search_needs_file(s) && !imapmail_search_needs_size(s));
	imapmail_search_free(&s);
	test_assert(parse("NOT (OR SMALLER 5 SEEN)", &s, why) == 0 && imapmail_search_needs_size(s));
	imapmail_search_free(&s);
	test_end();
	buf_free(&why);
}

static void test_decoders(void)
{
	struct buf *b = buf_new(0);
	char cs[SEARCH_CHARSET_MAX + 1];

	test_begin("imapmail_search_decode: RFC 2047, QP, base64, charsets, bad input kept");
	search_decode_header("=?iso-8859-1?q?a=E9?= =?utf-8?b?w6k=?= x =?bogus",
			     strlen("=?iso-8859-1?q?a=E9?= =?utf-8?b?w6k=?= x =?bogus"), b);
	test_assert_str(buf_str(b), "a\xc3\xa9\xc3\xa9 x =?bogus");
	buf_reset(b);
	search_decode_header("=?x-unknown?q?abc?= d", 21, b);
	test_assert_str(buf_str(b), " d");
	buf_reset(b);
	search_qp("a=3Db=\nc=ZZ=", 12, false, b);
	test_assert_str(buf_str(b), "a=bc=ZZ");
	buf_reset(b);
	(void)base64_decode_mime("aGVs\nbG8=!!", 11, b, true);
	test_assert_str(buf_str(b), "hello");
	buf_reset(b);
	search_to_utf8("utf-16", "\xff", 1, b);
	test_assert_str(buf_str(b), "\xef\xbf\xbd");
	buf_reset(b);
	search_address_text("a@b (Jane  (x) Roe),\r\n \"B  \\\"Bee\\\"\" <c@d>", 41, b);
	test_assert_str(buf_str(b), "a@b Jane x Roe , \"B  \\\"Bee\\\"\" <c@d>");
	buf_set(b, "a \t  b\t\tc");
	search_compress_lwsp(b);
	test_assert_str(buf_str(b), "a b c");
	search_charset_param("text/plain; format=flowed; CHARSET = \"ISO-8859-2\"", cs);
	test_assert_str(cs, "ISO-8859-2");
	search_charset_param("text/plain", cs);
	test_assert_str(cs, "");
	buf_reset(b);
	search_fold("Stra\xc3\x9f" "e \xc3\xa9\xce\xb1\xff", 13, b);
	test_assert_str(buf_str(b), "STRA\xc3\x9f" "E E\xcc\x81\xce\x91\xff");
	test_end();
	buf_free(&b);
}

void test_imapmail_search(void)
{
	test_refused();
	test_depth();
	test_cheap();
	test_text();
	test_envelope();
	test_chunks();
	test_result();
	test_saved();
	test_decoders();
}
