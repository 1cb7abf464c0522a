/* imapmail_bodystructure_test - BODY and BODYSTRUCTURE of message files:
 * no Content-Type (text/plain us-ascii), a text part's default charset,
 * parameters quoted and RFC 2231 continued (joined, extended with the
 * charset prefix, a gap left apart), broken Content-Types ("garbage",
 * "video; x=y"), the encoding's case kept, id, description, MD5,
 * disposition, language and location, a multipart with its extension
 * data, one without parts, message/rfc822 with its envelope and body
 * (also at the top, and a digest's default parts), CRLF sizes and line
 * counts. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imapmail_render.h"
#include "test.h"

/* bs - BODYSTRUCTURE (ext) or BODY of a message text (static buffer) */
static const char *bs(const char *text, bool ext)
{
	static struct buf *out;
	char *path = test_tmpfile(text);
	struct buf *why = buf_new(0);
	struct mime_parts *p = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (out == NULL)
		out = buf_new(256);
	buf_reset(out);
	test_assert(fd >= 0 && mime_parts_read(fd, &p, why) == 0);
	if (p)
		imapmail_bodystructure_write(p, 0, ext, out);
	mime_parts_free(&p);
	if (fd >= 0)
		close(fd);
	unlink(path);
	free(path);
	buf_free(&why);
	return buf_str(out);
}

/* test_imapmail_bodystructure - the unit test (see the header) */
void test_imapmail_bodystructure(void)
{
	test_begin("bodystructure: no Content-Type is text/plain us-ascii; CRLF sizes, line ends");
	test_assert_str(bs("Subject: x\n\nab\ncd\n", false),
			"(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 8 2)");
	test_assert_str(bs("Subject: x\n\nno last line end", true),
			"(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 16 0 NIL NIL NIL NIL)");
	test_end();

	test_begin("bodystructure: parameters, the default charset, case kept");
	test_assert_str(bs("Content-Type: TEXT/HTML; Format=flowed\n"
			   "Content-Transfer-Encoding: Base64\n\naGk=\n", false),
			"(\"TEXT\" \"HTML\" (\"Format\" \"flowed\" \"charset\" \"us-ascii\") NIL NIL \"Base64\" 6 1)");
	test_assert_str(bs("Content-Type: text/plain; charset=\"utf-8\" (c)\n\nx\n", false),
			"(\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" 3 1)");
	test_assert_str(bs("Content-Type: image/png; name=\"a \\\"b\\\".png\"\n\nx\n", false),
			"(\"image\" \"png\" (\"name\" \"a \\\"b\\\".png\") NIL NIL \"7bit\" 3)");
	test_end();

	test_begin("bodystructure: RFC 2231 continuations as Dovecot joins them");
	test_assert_str(bs("Content-Type: application/x; name*1=\"b.txt\"; name*0=\"a\"\n\nx\n", false),
			"(\"application\" \"x\" (\"name\" \"ab.txt\") NIL NIL \"7bit\" 3)");
	test_assert_str(bs("Content-Type: application/x; name*0*=UTF-8''%E2%82%AC; name*1=\" 5%\"\n\nx\n",
			   false),
			"(\"application\" \"x\" (\"name*\" \"UTF-8''%E2%82%AC 5%25\") NIL NIL \"7bit\" 3)");
	test_assert_str(bs("Content-Type: application/x; name*=utf-8''a%20b\n\nx\n", false),
			"(\"application\" \"x\" (\"name*\" \"utf-8''a%20b\") NIL NIL \"7bit\" 3)");
	test_assert_str(bs("Content-Type: application/x; name*0=a; name*2=c\n\nx\n", false),
			"(\"application\" \"x\" (\"name*0\" \"a\" \"name*2\" \"c\") NIL NIL \"7bit\" 3)");
	test_end();

	test_begin("bodystructure: broken Content-Types");
	test_assert_str(bs("Content-Type: garbage\n\nx\n", false),
			"(\"garbage\" \"\" NIL NIL NIL \"7bit\" 3)");
	test_assert_str(bs("Content-Type: video; name=a\n\nx\n", false), "(\"\" \"\" NIL NIL NIL \"7bit\" 3)");
	test_assert_str(bs("Content-Type: text/plain; charset\n\nx\n", false),
			"(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 3 1)");
	test_end();

	test_begin("bodystructure: the extension fields of a part");
	test_assert_str(bs("Content-Type: text/plain\nContent-ID: <i@x>\nContent-Description: d\n"
			   "Content-MD5: Q2hl\nContent-Disposition: attachment; filename=\"f.txt\"\n"
			   "Content-Language: en, fr (c)\nContent-Location: http://x/\n\nx\n", true),
			"(\"text\" \"plain\" (\"charset\" \"us-ascii\") \"<i@x>\" \"d\" \"7bit\" 3 1 \"Q2hl\" "
			"(\"attachment\" (\"filename\" \"f.txt\")) (\"en\" \"fr\") \"http://x/\")");
	test_end();

	test_begin("bodystructure: multiparts, with and without parts");
	test_assert_str(bs("Content-Type: multipart/mixed; boundary=b\n\npre\n--b\n\nx\n--b\n"
			   "Content-Type: text/html\n\n<p>\ny\n--b--\nepi\n", true),
			"((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 1 0 NIL NIL NIL NIL)"
			"(\"text\" \"html\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 6 1 NIL NIL NIL NIL) "
			"\"mixed\" (\"boundary\" \"b\") NIL NIL NIL)");
	test_assert_str(bs("Content-Type: multipart/mixed\n\nno parts\n", false),
			"((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 0 0) \"mixed\")");
	test_assert_str(bs("Content-Type: multipart/alternative; boundary=q\n\nnone\n", true),
			"((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 0 0 NIL NIL NIL NIL) "
			"\"alternative\" (\"boundary\" \"q\") NIL NIL NIL)");
	test_end();

	test_begin("bodystructure: message/rfc822 with its envelope and body");
	test_assert_str(bs("Content-Type: multipart/mixed; boundary=b\n\n--b\n"
			   "Content-Type: message/rfc822\n\nSubject: in\nFrom: a@b\n\nbody\n--b--\n", false),
			"((\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 30 (NIL \"in\" ((NIL NIL \"a\" \"b\")) "
			"((NIL NIL \"a\" \"b\")) ((NIL NIL \"a\" \"b\")) NIL NIL NIL NIL NIL) "
			"(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 4 0) 3) \"mixed\")");
	test_assert_str(bs("Content-Type: message/rfc822\n\nSubject: top\n\nx\n", false),
			"(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 19 (NIL \"top\" NIL NIL NIL NIL NIL NIL NIL NIL) "
			"(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 3 1) 3)");
	test_assert_str(bs("Content-Type: multipart/digest; boundary=d\n\n--d\n\nSubject: s\n\nx\n--d--\n",
			   false),
			"((\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 15 (NIL \"s\" NIL NIL NIL NIL NIL NIL NIL NIL) "
			"(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 1 0) 2) \"digest\")");
	test_end();
}
