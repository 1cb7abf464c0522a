/* mail_header_lean_test - the lean header keeps every field but the
 * traces and signatures byte for byte (folded lines, CRLF, a blank
 * before the colon, a line that is no field, the empty line), drops
 * those whole with their continuation lines, and says which names it
 * keeps in any case. */
#include <string.h>

#include "mail_header_lean.h"
#include "test.h"

/* lean - mail_header_lean of a string */
static void lean(const char *h, struct buf *out)
{
	buf_reset(out);
	mail_header_lean(h, strlen(h), out);
}

void test_mail_header_lean(void)
{
	struct buf *out = buf_new(0);

	test_begin("mail_header_lean: traces and signatures go, the rest stays byte for byte");
	lean("Received: from a\n\tby b; Mon\nSubject: hi\n  there\nDKIM-Signature: v=1;\n b=xyz\n"
	     "From: a@b\nreceived : late\nnot a field\nX-Keep: 1\n\n", out);
	test_assert_str(buf_str(out), "Subject: hi\n  there\nFrom: a@b\nnot a field\nX-Keep: 1\n\n");
	lean("Return-Path: <a@b>\r\nTo: c@d\r\nARC-Seal: i=1;\r\n\tcv=none\r\n\r\n", out);
	test_assert_str(buf_str(out), "To: c@d\r\n\r\n");
	lean("Subject: no end", out);
	test_assert_str(buf_str(out), "Subject: no end");
	lean("", out);
	test_assert(buf_len(out) == 0);
	test_assert(mail_header_lean_keeps("subject", 7) && mail_header_lean_keeps("REFERENCES", 10));
	test_assert(!mail_header_lean_keeps("RECEIVED", 8) && !mail_header_lean_keeps("Dkim-Signature", 14));
	test_assert(mail_header_lean_keeps("Received-X", 10));
	test_end();
	buf_free(&out);
}
