/* cleanup_message_test - the header/body pass: the guide's header_checks
 * and body_checks, MIME parts, actions, limits, added headers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup_message.h"
#include "mem.h"
#include "test.h"

struct out {
	struct buf *text;	/* records as "L:line\n" / "P:piece\n" */
};

/* collect - emit callback */
static void collect(void *ctx, int type, const char *p, size_t len)
{
	struct out *o = ctx;

	buf_printf(o->text, "%c:", type);
	buf_add(o->text, p, len);
	buf_putc(o->text, '\n');
}

/* run - feed lines ("\n"-separated) through a pass with the given tables */
static enum msg_verdict run(struct msg_opts *opts, const char *input, struct buf *result,
			    struct buf *reply)
{
	struct out o = { .text = result };
	struct msg *m;
	enum msg_verdict v;
	const char *p = input;

	buf_reset(result);
	opts->queue_id = "TESTID";
	m = msg_new(opts, collect, &o);
	while (*p) {
		size_t n = strcspn(p, "\n");

		msg_line(m, p, n, false);
		p += n + (p[n] == '\n');
	}
	msg_end(m);
	v = m->verdict;
	if (reply)
		buf_set(reply, buf_str(m->reply));
	msg_free(&m);
	return v;
}

/* guide_maps - the guide's header_checks or body_checks */
static struct maps *guide_maps(const char *file)
{
	struct buf *spec = buf_new(0);
	struct maps *m;
	const char *top = getenv("HATO_TOP");

	buf_printf(spec, "regexp:%s/tests/examples/vps-guide/%s", top ? top : ".", file);
	m = maps_open(file, buf_str(spec), 0);
	buf_free(&spec);
	return m;
}

static struct msg_opts base_opts(void)
{
	return (struct msg_opts){ .header_size_limit = 102400, .body_checks_size_limit = 51200,
				  .hopcount_limit = 50 };
}

/* test_cleanup_message - run every case */
void test_cleanup_message(void)
{
	struct buf *out = buf_new(0), *reply = buf_new(0);
	struct msg_opts o = base_opts();

	struct maps *guide_h = guide_maps("header_checks"), *guide_b = guide_maps("body_checks");

	o.header_checks = o.mime_header_checks = o.nested_header_checks = guide_h;
	o.body_checks = guide_b;

	test_begin("cleanup_message: guide header_checks reject From: <#x@example.org>");
	test_assert(run(&o, "From: <#x@example.org>\nSubject: a\n\nbody\n", out, reply) == MSG_REJECT);
	test_assert_str(buf_str(reply), "550 5.7.1 Message content rejected");
	test_assert(run(&o, "From: Foo <#bar@example.org>\n\nbody\n", out, NULL) == MSG_REJECT);
	test_assert(run(&o, "From: <bar@example.org>\n\nbody\n", out, NULL) == MSG_OK);
	test_end();

	test_begin("cleanup_message: guide body_checks: example.com, not > quoted");
	test_assert(run(&o, "Subject: a\n\nsee example.com now\n", out, NULL) == MSG_REJECT);
	test_assert(run(&o, "Subject: a\n\n> quoted example.com\n", out, NULL) == MSG_OK);
	test_assert(run(&o, "Subject: a\n\nexample.com\n", out, NULL) == MSG_REJECT);
	test_end();

	test_begin("cleanup_message: folded header is one logical header, output unchanged");
	test_assert(run(&o, "From: x\n <#a@example.org>\n\nb\n", out, NULL) == MSG_REJECT);
	test_assert(run(&o, "Subject: a\n\tb\n\nbody\n", out, NULL) == MSG_OK);
	test_assert_str(buf_str(out), "L:Subject: a\nL:\tb\nL:\nL:body\n");
	test_end();

	test_begin("cleanup_message: body_checks inside a MIME part, not in part headers");
	test_assert(run(&o, "Content-Type: multipart/mixed; boundary=\"XX\"\n\n--XX\n"
			"Content-Type: text/plain\n\nhello example.com\n--XX--\n", out, NULL) == MSG_REJECT);
	test_assert(run(&o, "Content-Type: multipart/mixed; boundary=XX\n\n--XX\n"
			"X-Note: example.com\n\nclean\n--XX--\n", out, NULL) == MSG_OK);
	test_end();

	test_begin("cleanup_message: nested message headers go through nested_header_checks");
	test_assert(run(&o, "Content-Type: multipart/mixed; boundary=B\n\n--B\n"
			"Content-Type: message/rfc822\n\nFrom: <#n@example.org>\n\nx\n--B--\n",
			out, NULL) == MSG_REJECT);
	test_end();

	char *f = test_tmpfile("/^X-Drop:/ IGNORE\n/^X-Old: (.*)/ REPLACE X-New: $1\n"
			       "/^X-Hold:/ HOLD\n/^X-Bye:/ DISCARD\n/^X-Pre:/ PREPEND X-Added: yes\n"
			       "/^X-Code:/ REJECT 554 5.7.0 go away\n");
	struct buf *spec = buf_new(0);

	buf_printf(spec, "regexp:%s", f);
	struct maps *acts = maps_open("header_checks", buf_str(spec), 0);

	o = base_opts();
	o.header_checks = acts;
	test_begin("cleanup_message: IGNORE, REPLACE, PREPEND, HOLD, DISCARD, REJECT with code");
	test_assert(run(&o, "X-Drop: 1\nX-Old: v\nX-Pre: p\n\nb\n", out, NULL) == MSG_OK);
	test_assert_str(buf_str(out), "L:X-New: v\nL:X-Added: yes\nL:X-Pre: p\nL:\nL:b\n");
	test_assert(run(&o, "X-Hold: 1\n\nb\n", out, NULL) == MSG_HOLD);
	test_assert(run(&o, "X-Bye: 1\n\nb\n", out, NULL) == MSG_DISCARD);
	test_assert(run(&o, "X-Code: 1\n\nb\n", out, reply) == MSG_REJECT);
	test_assert_str(buf_str(reply), "554 5.7.0 go away");
	test_end();

	test_begin("cleanup_message: missing headers added, present ones kept, Bcc stripped");
	struct strv *add = strv_new();
	strv_add(add, "Date: Sun, 29 Nov 2026 07:00:00 +0000");
	strv_add(add, "Message-ID: <id@host>");
	o = base_opts();
	o.add_if_missing = add;
	o.strip_bcc = true;
	run(&o, "Subject: s\nBcc: secret@x\n\nb\n", out, NULL);
	test_assert_str(buf_str(out), "L:Subject: s\nL:Date: Sun, 29 Nov 2026 07:00:00 +0000\n"
			"L:Message-ID: <id@host>\nL:\nL:b\n");
	run(&o, "Date: x\nMessage-ID: <a@b>\n\nb\n", out, NULL);
	test_assert_str(buf_str(out), "L:Date: x\nL:Message-ID: <a@b>\nL:\nL:b\n");
	test_end();

	test_begin("cleanup_message: hop count, header size limit, headers-only message");
	struct buf *many = buf_new(0);
	for (int i = 0; i < 51; i++)
		buf_cat(many, "Received: from x\n");
	buf_cat(many, "\nb\n");
	o = base_opts();
	test_assert(run(&o, buf_str(many), out, reply) == MSG_REJECT);
	test_assert_str(buf_str(reply), "554 5.4.6 Too many hops");
	o.header_size_limit = 1024;
	buf_reset(many);
	buf_cat(many, "X-Long: ");
	for (int i = 0; i < 3000; i++)
		buf_putc(many, 'a');
	buf_cat(many, "\n\nb\n");
	test_assert(run(&o, buf_str(many), out, NULL) == MSG_OK);
	test_assert(buf_len(out) < 1100);
	test_expect_log("header_size_limit");
	run(&o, "Subject: only\n", out, NULL);
	test_assert_str(buf_str(out), "L:Subject: only\nL:\n");
	test_end();

	maps_free(&guide_h);
	maps_free(&guide_b);
	buf_free(&many);
	strv_free(&add);
	buf_free(&spec);
	free(f);
	maps_free(&acts);
	buf_free(&out);
	buf_free(&reply);
}
