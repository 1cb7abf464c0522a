/* imapmail_envelope_test - ENVELOPE from field text: plain addresses,
 * display names (quoted, with escapes, encoded words left alone),
 * comments as names, groups (empty, several, with a mailbox after),
 * routes, fields given twice, a missing domain or local part, broken angle addresses and
 * routes, words without "@" taken as a name, 8-bit names (literals),
 * Sender and Reply-To defaulting to From (also when empty), the Subject
 * made readable, absent fields as NIL. */
#include <stdio.h>
#include <string.h>

#include "imapmail_render.h"
#include "test.h"

/* env - the ENVELOPE of fields (a static buffer, valid until the next) */
static const char *env(const char *fields)
{
	static struct buf *out;

	if (out == NULL)
		out = buf_new(256);
	buf_reset(out);
	imapmail_envelope_write(fields, strlen(fields), out);
	return buf_str(out);
}

/* from - the From list alone: the envelope's third member */
static const char *from(const char *value)
{
	static char fields[32768];
	const char *e, *p;
	static char list[2048];
	int depth = 0;

	snprintf(fields, sizeof(fields), "From: %s\n", value);
	e = env(fields);
	p = strstr(e, "NIL NIL ") + 8;	/* after date and subject */
	if (strncmp(p, "NIL", 3) == 0)
		return "NIL";
	for (size_t i = 0; p[i] && i + 1 < sizeof(list); i++) {
		list[i] = p[i];
		list[i + 1] = '\0';
		depth += p[i] == '(' ? 1 : p[i] == ')' ? -1 : 0;
		if (depth == 0)
			break;
	}
	return list;
}

/* test_fields - the envelope's members, defaults and the Subject */
static void test_fields(void)
{
	test_begin("envelope: all NIL without fields; the members in order");
	test_assert_str(env(""), "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)");
	test_assert_str(env("Message-ID: <a@b>\nIn-Reply-To: <c@d>\nDate: Mon, 1 Jan 2024\n"
			    "Subject: hi\nTo: t@x.test\nCc: c@x.test\nBcc: b@x.test\n"),
			"(\"Mon, 1 Jan 2024\" \"hi\" NIL NIL NIL ((NIL NIL \"t\" \"x.test\")) "
			"((NIL NIL \"c\" \"x.test\")) ((NIL NIL \"b\" \"x.test\")) \"<c@d>\" \"<a@b>\")");
	test_end();

	test_begin("envelope: Sender and Reply-To default to From, even when empty");
	test_assert_str(env("From: a@b.test\nReply-To:   \n"),
			"(NIL NIL ((NIL NIL \"a\" \"b.test\")) ((NIL NIL \"a\" \"b.test\")) "
			"((NIL NIL \"a\" \"b.test\")) NIL NIL NIL NIL NIL)");
	test_assert_str(env("From: a@b.test\nSender: s@b.test\n"),
			"(NIL NIL ((NIL NIL \"a\" \"b.test\")) ((NIL NIL \"s\" \"b.test\")) "
			"((NIL NIL \"a\" \"b.test\")) NIL NIL NIL NIL NIL)");
	test_end();

	test_begin("envelope: fields given twice: the last text, all the addresses");
	test_assert_str(env("Subject: one\nFrom: a@x\nSubject: two\nFrom: b@x\nMessage-ID: <1@x>\n"
			    "Message-ID: <2@x>\n"),
			"(NIL \"two\" ((NIL NIL \"a\" \"x\")(NIL NIL \"b\" \"x\")) "
			"((NIL NIL \"a\" \"x\")(NIL NIL \"b\" \"x\")) ((NIL NIL \"a\" \"x\")(NIL NIL \"b\" \"x\")) "
			"NIL NIL NIL NIL \"<2@x>\")");
	test_end();

	test_begin("envelope: the Subject's white space made one space");
	test_assert_str(env("Subject:   a\tb  c   \n"), "(NIL \"a b c\" NIL NIL NIL NIL NIL NIL NIL NIL)");
	test_assert_str(env("Subject: \n"), "(NIL \"\" NIL NIL NIL NIL NIL NIL NIL NIL)");
	test_assert_str(env("Subject: =?utf-8?q?caf=C3=A9?=\n"),
			"(NIL \"=?utf-8?q?caf=C3=A9?=\" NIL NIL NIL NIL NIL NIL NIL NIL)");
	test_end();
}

/* test_addresses - address lists as Dovecot parses them */
static void test_addresses(void)
{
	test_begin("envelope: names, comments, quoting");
	test_assert_str(from("\"Joe Q. Public\" <john@example.com>"),
			"((\"Joe Q. Public\" NIL \"john\" \"example.com\"))");
	test_assert_str(from("\"a \\\"b\\\" c\" <x@y>"), "((\"a \\\"b\\\" c\" NIL \"x\" \"y\"))");
	test_assert_str(from("x@y (Comment Name)"), "((\"Comment Name\" NIL \"x\" \"y\"))");
	test_assert_str(from("Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>"),
			"((\"Pete\" NIL \"pete\" \"silly.test\"))");
	test_assert_str(from("=?UTF-8?B?SsO2cmc=?= <j@x.de>"),
			"((\"=?UTF-8?B?SsO2cmc=?=\" NIL \"j\" \"x.de\"))");
	test_assert_str(from("\"quoted local\"@x.test"), "((NIL NIL \"quoted local\" \"x.test\"))");
	test_assert_str(from("J\xf6rg <j@x.de>"), "(({4}\r\nJ\xf6rg NIL \"j\" \"x.de\"))");
	test_assert_str(from("x@[127.0.0.1]"), "((NIL NIL \"x\" \"[127.0.0.1]\"))");
	test_assert_str(from("a . b <m@d>"), "((\"a . b\" NIL \"m\" \"d\"))");
	test_end();

	test_begin("envelope: groups");
	test_assert_str(from("undisclosed-recipients:;"),
			"((NIL NIL \"undisclosed-recipients\" NIL)(NIL NIL NIL NIL))");
	test_assert_str(from("G: a@b, <c@d>;, e@f"),
			"((NIL NIL \"G\" NIL)(NIL NIL \"a\" \"b\")(NIL NIL \"c\" \"d\")(NIL NIL NIL NIL)"
			"(NIL NIL \"e\" \"f\"))");
	test_assert_str(from("G1: a@b;, G2: c@d;"),
			"((NIL NIL \"G1\" NIL)(NIL NIL \"a\" \"b\")(NIL NIL NIL NIL)"
			"(NIL NIL \"G2\" NIL)(NIL NIL \"c\" \"d\")(NIL NIL NIL NIL))");
	test_end();

	test_begin("envelope: routes and broken addresses as Dovecot gives them");
	test_assert_str(from("<@r1.test,@r2.test:u@d.test>"),
			"((NIL \"@r1.test,@r2.test\" \"u\" \"d.test\"))");
	test_assert_str(from("<@r1.test u@d.test>"),
			"((NIL \"INVALID_ROUTE\" \"MISSING_MAILBOX\" \"SYNTAX_ERROR\"))");
	test_assert_str(from("localonly"), "((NIL NIL \"localonly\" \"MISSING_DOMAIN\"))");
	test_assert_str(from("user@"), "((NIL NIL \"user\" \"MISSING_DOMAIN\"))");
	test_assert_str(from("@nodomain.test"), "((NIL NIL \"MISSING_MAILBOX\" \"nodomain.test\"))");
	test_assert_str(from("Broken <x@y.test"), "((\"Broken\" NIL \"x\" \"SYNTAX_ERROR\"))");
	test_assert_str(from("no angle name x@y.test"),
			"((\"no angle name x\" NIL \"MISSING_MAILBOX\" \"MISSING_DOMAIN\"))");
	test_assert_str(from("<>"), "((NIL NIL \"MISSING_MAILBOX\" \"MISSING_DOMAIN\"))");
	test_assert_str(from("\"unbalanced <x@y>"),
			"((NIL NIL \"MISSING_MAILBOX\" \"MISSING_DOMAIN\"))");
	test_assert_str(from("G1: a@b; G2: c@d;"),	/* no comma: the rest dropped */
			"((NIL NIL \"G1\" NIL)(NIL NIL \"a\" \"b\")(NIL NIL NIL NIL))");
	test_assert_str(from(", , a@b"),
			"((NIL NIL \"MISSING_MAILBOX\" \"MISSING_DOMAIN\")"
			"(NIL NIL \"MISSING_MAILBOX\" \"MISSING_DOMAIN\")(NIL NIL \"a\" \"b\"))");
	test_assert_str(from("(only a comment)"), "NIL");
	test_end();
}

/* test_hostile - long and deep input stays bounded */
static void test_hostile(void)
{
	test_begin("envelope: hostile input stays bounded");
	{
		static char big[20000];

		memset(big, '(', sizeof(big) - 1);
		test_assert(strcmp(from(big), "NIL") == 0 || from(big)[0] == '(');
		for (size_t i = 0; i + 2 < sizeof(big); i += 2) {
			big[i] = 'a';
			big[i + 1] = ',';
		}
		test_assert(from(big)[0] == '(');
	}
	test_end();
}

/* test_imapmail_envelope - the unit test (see the header) */
void test_imapmail_envelope(void)
{
	test_fields();
	test_addresses();
	test_hostile();
}
