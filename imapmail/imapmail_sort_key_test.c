/* imapmail_sort_key_test - RFC 5256's base subject (section 2.1: every
 * step, with RFC 2047 words, blobs, nesting and the reply flag), the
 * address keys of SORT FROM and DISPLAYFROM, message ids, and the two
 * THREAD algorithms on small sets (RFC 5256's own shapes: missing
 * parents, dummies at the root, merging by subject, a loop, a duplicate
 * Message-ID, a chain 5000 deep written without recursion). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imapmail_sort.h"
#include "test.h"

/* base - the base subject of s; *reply set */
static const char *base(const char *s, bool *reply)
{
	static struct buf *out;

	if (out == NULL)
		out = buf_new(64);
	buf_reset(out);
	imapmail_sort_base_subject(s, strlen(s), out, reply);
	return buf_str(out);
}

/* addr - the sort key of an address field */
static const char *addr(const char *s, bool display)
{
	static struct buf *out;

	if (out == NULL)
		out = buf_new(64);
	buf_reset(out);
	imapmail_sort_address(s, strlen(s), display, out);
	return buf_str(out);
}

static void test_base_subject(void)
{
	bool r;

	test_begin("base subject: plain, folded, white space");
	test_assert_str(base("hello world", &r), "HELLO WORLD");
	test_assert(!r);
	test_assert_str(base("  hello \t  world  ", &r), "HELLO WORLD");
	test_assert(!r);
	test_assert_str(base("", &r), "");
	test_end();

	test_begin("base subject: Re:, Fwd:, Fw:, blobs, (fwd) trailers");
	test_assert_str(base("Re: hello", &r), "HELLO");
	test_assert(r);
	test_assert_str(base("RE: re: Fwd: FW: hello", &r), "HELLO");
	test_assert_str(base("Re [list]: hello", &r), "HELLO");
	test_assert(r);
	test_assert_str(base("[list] Re: hello", &r), "HELLO");
	test_assert_str(base("[list] [x] Re: [y] hello", &r), "HELLO");
	test_assert_str(base("[list] hello", &r), "HELLO");
	test_assert(!r);
	test_assert_str(base("hello (fwd)", &r), "HELLO");
	test_assert(r);
	test_assert_str(base("hello (fwd) (FWD)  ", &r), "HELLO");
	test_assert_str(base("Re:hello", &r), "HELLO");
	test_assert_str(base("Reply: hello", &r), "REPLY: HELLO");
	test_assert(!r);
	test_assert_str(base("Re : hello", &r), "HELLO");
	test_end();

	test_begin("base subject: a blob alone stays; [fwd: ...] unwrapped");
	test_assert_str(base("[list]", &r), "[LIST]");
	test_assert_str(base("[a] [b]", &r), "[B]");
	test_assert_str(base("[Fwd: hello]", &r), "HELLO");
	test_assert(r);
	test_assert_str(base("Re: [fwd: Re: hello (fwd)]", &r), "HELLO");
	test_assert_str(base("[fwd: hello", &r), "[FWD: HELLO");
	test_assert_str(base("Re: [unclosed hello", &r), "[UNCLOSED HELLO");
	test_end();

	test_begin("base subject: RFC 2047 words decoded before the steps");
	test_assert_str(base("=?UTF-8?Q?Re:_gr=C3=BC=C3=9Fe?=", &r), "GRU\xcc\x88\xc3\x9f" "E");
	test_assert(r);
	test_assert_str(base("=?ISO-8859-1?Q?caf=E9?= (fwd)", &r), "CAFE\xcc\x81");
	test_end();
}

static void test_address(void)
{
	test_begin("address keys: the first mailbox, the display name");
	test_assert_str(addr("Alice <alice@example.org>, bob@x", false), "ALICE");
	test_assert_str(addr("Alice <alice@example.org>", true), "ALICE");
	test_assert_str(addr("bob@example.org (Bobby)", false), "BOB");
	test_assert_str(addr("bob@example.org", true), "BOB@EXAMPLE.ORG");
	test_assert_str(addr("bob@example.org (Bobby)", true), "BOBBY");
	test_assert_str(addr("\"Zed, Z\" <z@x>", true), "ZED, Z");
	test_assert_str(addr("=?UTF-8?Q?J=C3=BCrgen?= <j@x>", true), "JU\xcc\x88RGEN");
	test_assert_str(addr("<@route:r@x>", false), "R");
	test_assert_str(addr("undisclosed-recipients:;", false), "UNDISCLOSED-RECIPIENTS");
	test_assert_str(addr("", false), "");
	test_assert_str(addr("<>", false), "MISSING_MAILBOX");
	test_assert_str(addr("<>", true), "MISSING_MAILBOX@MISSING_DOMAIN");
	test_assert_str(addr("Name Only", false), "MISSING_MAILBOX");
	test_assert_str(addr("Name Only", true), "NAME ONLY");
	test_assert_str(addr("=?UTF-8?Q?Last=2C_First?= <lf@x>", true), "LAST, FIRST");
	test_end();
}

static void test_msgids(void)
{
	struct strv *v = strv_new();

	test_begin("message ids: angle brackets, white space, junk");
	test_assert(imapmail_sort_msgids("<a@b> junk <c @ d>\n <nope> <e@f", 30, v) == 2);
	test_assert(v->len == 2 && strcmp(v->items[0], "a@b") == 0 && strcmp(v->items[1], "c@d") == 0);
	test_end();
	strv_free(&v);
}

/* thread - the THREAD answer of n messages given as "msgid|refs|subject|date" */
static const char *thread(const char *const *spec, size_t n, bool refs)
{
	static struct buf *out;
	struct imapmail_thread_msg m[16];
	struct strv *r[16];
	char id[16][32], subj[16][32];
	bool reply;

	if (out == NULL)
		out = buf_new(64);
	buf_reset(out);
	for (size_t i = 0; i < n; i++) {
		struct strv *f = strv_new();
		const char *p = spec[i], *q;
		struct buf *b = buf_new(32);

		for (int k = 0; k < 4; k++, p = *q ? q + 1 : q) {
			q = strchr(p, '|') ? strchr(p, '|') : p + strlen(p);
			strv_addn(f, p, (size_t)(q - p));
		}
		snprintf(id[i], sizeof(id[i]), "%s", f->items[0]);
		r[i] = strv_new();
		imapmail_sort_msgids(f->items[1], strlen(f->items[1]), r[i]);
		imapmail_sort_base_subject(f->items[2], strlen(f->items[2]), b, &reply);
		snprintf(subj[i], sizeof(subj[i]), "%s", buf_str(b));
		m[i] = (struct imapmail_thread_msg){ .seq = (uint32_t)i + 1, .id = (uint32_t)i + 1,
			.sent = atol(f->items[3]), .subject = subj[i], .reply = reply,
			.msgid = id[i], .refs = r[i] };
		buf_free(&b);
		strv_free(&f);
	}
	imapmail_thread_write(m, n, refs, out);
	for (size_t i = 0; i < n; i++)
		strv_free(&r[i]);
	return buf_str(out);
}

static void test_threads(void)
{
	static const char *const a[] = {
		"a@x||hello|10", "b@x|<a@x>|Re: hello|20", "c@x|<a@x>|Re: hello|15",
		"d@x|<a@x> <c@x>|Re: hello|30", "e@x||other|5", "f@x|<gone@x>|Re: other|40",
		"g@x|<gone2@x>|third|50", "h@x|<gone2@x>|third|45" };
	static const char *const loop[] = { "a@x|<b@x>|s|1", "b@x|<a@x>|s|2" };
	static const char *const dup[] = { "a@x||p|1", "a@x||q|2", "b@x|<a@x>|r|3" };

	test_begin("THREAD ORDEREDSUBJECT: by base subject, first the parent");
	test_assert_str(thread(a, 8, false), "(5 6)(1 (3)(2)(4))(8 7)");
	test_end();

	test_begin("THREAD REFERENCES: chains, missing parents, subjects merged");
	test_assert_str(thread(a, 8, true), "(5 6)(1 (3 4)(2))((8)(7))");
	test_assert_str(thread(loop, 2, true), "(2 1)");
	test_assert_str(thread(dup, 3, true), "(1 3)(2)");
	test_end();
}

/* test_deep - a chain 5000 deep, written without recursion */
static void test_deep(void)
{
	enum { N = 5000 };
	struct imapmail_thread_msg *m = calloc(N, sizeof(*m));
	struct strv **r = calloc(N, sizeof(*r));
	char (*id)[24] = calloc(N, sizeof(*id));
	struct buf *out = buf_new(N * 6);
	bool ok = true;

	for (size_t i = 0; i < N; i++) {
		snprintf(id[i], sizeof(id[i]), "m%zu@x", i);
		r[i] = strv_new();
		if (i > 0)
			strv_add(r[i], id[i - 1]);
		m[i] = (struct imapmail_thread_msg){ .seq = (uint32_t)i + 1, .id = (uint32_t)i + 1,
			.sent = (time_t)(N - i), .subject = "S", .msgid = id[i], .refs = r[i] };
	}
	test_begin("THREAD REFERENCES: a chain 5000 deep is one thread in order");
	imapmail_thread_write(m, N, true, out);
	for (size_t i = 0, at = 1; i < N && ok; i++) {
		char want[16];
		size_t len = (size_t)snprintf(want, sizeof(want), "%zu", i + 1);

		ok = strncmp(buf_str(out) + at, want, len) == 0;
		at += len + 1;
	}
	test_assert(ok && buf_str(out)[0] == '(' && buf_str(out)[buf_len(out) - 1] == ')');
	test_end();
	for (size_t i = 0; i < N; i++)
		strv_free(&r[i]);
	free(m);
	free(r);
	free(id);
	buf_free(&out);
}

/* test_imapmail_sort_key - the unit test (see the header) */
void test_imapmail_sort_key(void)
{
	test_base_subject();
	test_address();
	test_msgids();
	test_threads();
	test_deep();
}
