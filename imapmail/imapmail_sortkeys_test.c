/* imapmail_sortkeys_test - a message's sort keys as the index's cache
 * keeps them: computed from the envelope fields and the header (every
 * key as imapmail_sort_key.c makes it, the sent date or none, the
 * reply flag, References else In-Reply-To's first id), decoded back to
 * the same, and every cut or damaged entry refused (an entry in the
 * cache is data: decode never reads past it). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "imapmail_sort.h"
#include "mem.h"
#include "test.h"

static const char env1[] =
	"Date: Tue, 14 Nov 2023 22:13:20 +0100\n"
	"Subject: Re: [list] =?utf-8?q?caf=C3=A9?= plans (fwd)\n"
	"From: \"Zed Q\" <zed@example.org>\n"
	"To: Alice <alice@example.test>, bob@example.test\n"
	"Cc: carol@example.net\n"
	"Message-ID: <m1@example.org>\n"
	"In-Reply-To: <parent@example.org>\n";
static const char hdr1[] =
	"Received: from x\r\n"
	"References: <a@x>\r\n"
	"  <b@y>\r\n"
	"Subject: whatever\r\n"
	"\r\n"
	"References: <not@body>\r\n";

/* key - the key a lone field gives, as imapmail_sort_key.c computes it */
static char *key(const char *v, int kind)
{
	struct buf *b = buf_new(64);
	bool reply;
	char *s;

	if (kind == IMAPMAIL_SORT_SUBJECT)
		imapmail_sort_base_subject(v, strlen(v), b, &reply);
	else
		imapmail_sort_address(v, strlen(v), kind >= IMAPMAIL_SORT_DISPLAYFROM, b);
	s = xstrdup(buf_str(b));
	buf_free(&b);
	return s;
}

static void test_compute(void)
{
	struct buf *e = buf_new(256);
	struct imapmail_sortkeys k;
	char *want;
	bool ok;

	test_begin("imapmail_sortkeys: computed, decoded");
	imapmail_sortkeys_compute(env1, strlen(env1), hdr1, e);
	ok = imapmail_sortkeys_decode(buf_str(e), buf_len(e), &k);
	test_assert(ok);
	test_assert(ok && k.sent == 1699996400);
	test_assert(ok && k.reply);
	want = key("Re: [list] =?utf-8?q?caf=C3=A9?= plans (fwd)", IMAPMAIL_SORT_SUBJECT);
	test_assert_str(ok ? k.str[IMAPMAIL_SORT_SUBJECT] : "", want);
	free(want);
	test_assert_str(ok ? k.str[IMAPMAIL_SORT_FROM] : "", "ZED");
	test_assert_str(ok ? k.str[IMAPMAIL_SORT_DISPLAYFROM] : "", "ZED Q");
	test_assert_str(ok ? k.str[IMAPMAIL_SORT_TO] : "", "ALICE");
	test_assert_str(ok ? k.str[IMAPMAIL_SORT_DISPLAYTO] : "", "ALICE");
	test_assert_str(ok ? k.str[IMAPMAIL_SORT_CC] : "", "CAROL");
	test_assert_str(ok ? k.msgid : "", "m1@example.org");
	test_assert(ok && k.n_refs == 2);
	test_assert_str(ok ? k.refs : "", "a@x");
	test_assert_str(ok ? k.refs + 4 : "", "b@y");
	test_end();

	test_begin("imapmail_sortkeys: no Date, no References: In-Reply-To");
	buf_reset(e);
	imapmail_sortkeys_compute("Date: someday\nIn-Reply-To: x <p@q> <r@s>\n", 41, "", e);
	ok = imapmail_sortkeys_decode(buf_str(e), buf_len(e), &k);
	test_assert(ok && k.sent == INT64_MIN && !k.reply);
	test_assert(ok && k.n_refs == 1);
	test_assert_str(ok ? k.refs : "", "p@q");
	test_assert_str(ok ? k.msgid : "x", "");
	test_assert_str(ok ? k.str[IMAPMAIL_SORT_SUBJECT] : "x", "");
	test_end();

	test_begin("imapmail_sortkeys: empty envelope");
	buf_reset(e);
	imapmail_sortkeys_compute("", 0, "", e);
	ok = imapmail_sortkeys_decode(buf_str(e), buf_len(e), &k);
	test_assert(ok && k.sent == INT64_MIN && k.n_refs == 0);
	for (int i = 0; ok && i < IMAPMAIL_SORT_STRS; i++)
		test_assert_str(k.str[i], "");
	test_end();
	buf_free(&e);
}

static void test_damaged(void)
{
	struct buf *e = buf_new(256);
	struct imapmail_sortkeys k;
	char *copy;
	bool all = true;

	test_begin("imapmail_sortkeys: every cut entry refused");
	imapmail_sortkeys_compute(env1, strlen(env1), hdr1, e);
	for (size_t n = 0; n < buf_len(e); n++) {
		copy = xmalloc(n + 1);
		memcpy(copy, buf_str(e), n);
		all = all && !imapmail_sortkeys_decode(copy, n, &k);
		free(copy);
	}
	test_assert(all);
	test_end();

	test_begin("imapmail_sortkeys: damage refused");
	copy = xmalloc(buf_len(e) + 2);
	memcpy(copy, buf_str(e), buf_len(e));
	copy[0] = 'x';				/* magic */
	test_assert(!imapmail_sortkeys_decode(copy, buf_len(e), &k));
	memcpy(copy, buf_str(e), buf_len(e));
	copy[10] = 7;				/* reply flag */
	test_assert(!imapmail_sortkeys_decode(copy, buf_len(e), &k));
	memcpy(copy, buf_str(e), buf_len(e));
	copy[11] = (char)0xff;			/* count of references */
	test_assert(!imapmail_sortkeys_decode(copy, buf_len(e), &k));
	memcpy(copy, buf_str(e), buf_len(e));
	copy[buf_len(e)] = 'x';			/* a byte after the end */
	test_assert(!imapmail_sortkeys_decode(copy, buf_len(e) + 1, &k));
	free(copy);
	test_end();
	buf_free(&e);
}

static void test_header_refs(void)
{
	struct strv *ids = strv_new();

	test_begin("imapmail_sort_header_refs: the first field, folded, not the body's");
	imapmail_sort_header_refs("References: <1@a>\n\t<2@b>\nReferences: <3@c>\n", ids);
	test_assert(ids->len == 2);
	test_assert_str(ids->len > 1 ? ids->items[1] : "", "2@b");
	strv_clear(ids);
	imapmail_sort_header_refs("Subject: x\n\nReferences: <1@a>\n", ids);
	test_assert(ids->len == 0);
	imapmail_sort_header_refs("", ids);
	test_assert(ids->len == 0);
	test_end();
	strv_free(&ids);
}

/* test_imapmail_sortkeys - the unit test (see the header) */
void test_imapmail_sortkeys(void)
{
	test_compute();
	test_damaged();
	test_header_refs();
}
