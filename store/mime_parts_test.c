/* mime_parts_test - reading parts and fields from message files: CRLF
 * line ends (vsize equal to size, CRs not in the fields), a message
 * with no header, a header that never ends, folded fields, a
 * part with no header, a line longer than the read chunk in the body
 * and in a header (the envelope then over its limit, never cut), too
 * many parts and message/rfc822 nested past the depth limit (flagged,
 * the envelope still whole), the encoding read back unchanged, and the
 * structure as IMAP reads it (line ends counted, top-level and digest
 * messages, boundaries that end a nested header, also right after its
 * empty line); the header's bytes kept as read, up to a limit. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mime_parts.h"
#include "test.h"

/* parts_of - mime_parts_read of a file holding text (NULL on error) */
static struct mime_parts *parts_of(const char *text)
{
	char *path = test_tmpfile(text);
	struct buf *why = buf_new(0);
	struct mime_parts *p = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	test_assert(fd >= 0 && mime_parts_read(fd, &p, why) == 0);
	if (fd >= 0)
		close(fd);
	unlink(path);
	free(path);
	buf_free(&why);
	return p;
}

/* sizes - "hdr_size/hdr_vsize body_size/body_vsize lines" of part i */
static const char *sizes(const struct mime_parts *p, size_t i, struct buf *out)
{
	const struct mime_part *m = p && i < p->len ? &p->parts[i] : NULL;

	buf_reset(out);
	if (m)
		buf_printf(out, "%lu/%lu %lu/%lu %lu", (unsigned long)m->hdr_size,
			   (unsigned long)m->hdr_vsize, (unsigned long)m->body_size,
			   (unsigned long)m->body_vsize, (unsigned long)m->body_lines);
	return buf_str(out);
}

/* test_shapes - line ends and header shapes */
static void test_shapes(struct buf *t)
{
	struct mime_parts *p;

	test_begin("mime_parts: CRLF line ends");
	p = parts_of("Subject: a\r\n b\r\nContent-Type: text/plain\r\n\r\nline1\r\nline2\r\n");
	test_assert_str(sizes(p, 0, t), "44/44 14/14 2");
	test_assert_str(buf_str(p->envelope), "Subject: a b\n");
	test_assert_str(buf_str(p->parts[0].fields), "Content-Type: text/plain\n");
	mime_parts_free(&p);
	test_end();

	test_begin("mime_parts: a message whose first line is no header");
	p = parts_of("no header at all\nmore\n");
	test_assert_str(sizes(p, 0, t), "0/0 22/24 2");
	test_assert_str(buf_str(p->envelope), "");
	mime_parts_free(&p);
	test_end();

	test_begin("mime_parts: a header that never ends, no last line end");
	p = parts_of("Subject: a\n\tb\nFrom: b");
	test_assert_str(sizes(p, 0, t), "21/23 0/0 0");
	test_assert_str(buf_str(p->envelope), "Subject: a\tb\nFrom: b\n");
	mime_parts_free(&p);
	test_end();

	test_begin("mime_parts: a part without header lines");
	p = parts_of("Content-Type: multipart/mixed; boundary=b\n\n--b\n\nx\n--b--\n");
	test_assert(p->len == 2 && p->parts[1].type[0] == '\0');
	test_assert_str(sizes(p, 1, t), "1/2 1/1 0");	/* lines are line ends */
	mime_parts_free(&p);
	test_end();
}

/* test_imap_shapes - the structure as IMAP (Dovecot) reads it: lines
 * are line ends, a top-level message/rfc822 and a digest's parts nest a
 * message, a closing boundary's line end stays with the parts, a
 * boundary ends a nested header that never ended */
static void test_imap_shapes(struct buf *t)
{
	struct mime_parts *p;

	test_begin("mime_parts: IMAP's structure");
	p = parts_of("Subject: x\n\nno last line end");
	test_assert_str(sizes(p, 0, t), "12/14 16/16 0");
	mime_parts_free(&p);
	p = parts_of("Content-Type: message/rfc822\n\nSubject: in\n\nx\n");
	test_assert(p->len == 2 && p->parts[1].kind == MIME_PART_NESTED);
	mime_parts_free(&p);
	p = parts_of("Content-Type: multipart/digest; boundary=d\n\n--d\n\nSubject: s\n\nx\n--d--\n");
	test_assert(p->len == 3 && p->parts[2].kind == MIME_PART_NESTED);
	test_assert_str(sizes(p, 1, t), "1/2 13/15 2");
	mime_parts_free(&p);
	p = parts_of("Content-Type: multipart/mixed; boundary=o\n\n--o\nContent-Type: message/rfc822\n\n"
		     "Content-Type: multipart/mixed; boundary=i\n\n--i\n\nx\n--i--\n--o--\n");
	test_assert(p->len == 4);
	test_assert_str(sizes(p, 1, t), "30/32 56/62 6");	/* "--i--\n" is the part's */
	mime_parts_free(&p);
	p = parts_of("Content-Type: multipart/mixed; boundary=g\n\n--g\nContent-Type: message/rfc822\n\n"
		     "no header\n--g\n\nnext\n--g--\n");
	test_assert(p->len == 4);
	test_assert_str(sizes(p, 1, t), "30/32 10/11 1");	/* the line end is the part's */
	test_assert_str(sizes(p, 2, t), "9/9 0/0 0");	/* the header never ended */
	mime_parts_free(&p);
	p = parts_of("Content-Type: multipart/mixed; boundary=o\n\n--o\nContent-Type: message/rfc822\n\n"
		     "Subject: x\n\n--o--\n");
	test_assert(p->len == 3);
	test_assert_str(sizes(p, 1, t), "30/32 12/14 2");	/* the empty line is the part's */
	test_assert_str(sizes(p, 2, t), "11/12 0/0 0");	/* ...not the nested header's */
	mime_parts_free(&p);
	test_end();
}

/* test_long_lines - lines longer than a read chunk */
static void test_long_lines(struct buf *t)
{
	struct buf *msg = buf_new(300000);
	struct mime_parts *p;

	test_begin("mime_parts: a body line longer than the read chunk");
	buf_cat(msg, "Subject: a\n\n");
	for (int i = 0; i < 200000; i++)
		buf_putc(msg, 'x');
	buf_cat(msg, "\r\nend\n");
	p = parts_of(buf_str(msg));
	test_assert_str(sizes(p, 0, t), "12/14 200006/200007 2");
	mime_parts_free(&p);
	test_end();

	test_begin("mime_parts: a header over the limit flags the envelope, not cut");
	buf_reset(msg);
	buf_cat(msg, "From: a\nSubject: ");
	for (int i = 0; i < 100000; i++)
		buf_putc(msg, 'y');
	buf_cat(msg, "\nContent-Type: text/plain\n\nbody\n");
	p = parts_of(buf_str(msg));
	test_assert(p->envelope_over && !p->parts_over);
	test_assert_str(buf_str(p->parts[0].fields), "Content-Type: text/plain\n");
	test_assert(p->parts[0].body_size == 5);
	mime_parts_free(&p);
	test_end();

	test_begin("mime_parts: read with a size too small (the buffer's): the same parts");
	buf_reset(msg);
	buf_cat(msg, "Subject: b\nX-Long: ");
	for (int i = 0; i < 9000; i++)
		buf_putc(msg, 'z');
	buf_cat(msg, "\n\nline one\nline two\n");
	{
		char *path = test_tmpfile(buf_str(msg));
		struct buf *why = buf_new(0), *want = buf_new(64);
		struct mime_parts *q = NULL;
		int fd = open(path, O_RDONLY | O_CLOEXEC);

		p = parts_of(buf_str(msg));
		buf_cat(want, sizes(p, 0, t));
		test_assert(fd >= 0 && mime_parts_read_sized(fd, 10, false, &q, why) == 0);
		test_assert_str(sizes(q, 0, t), buf_str(want));
		test_assert(q && strcmp(buf_str(q->envelope), buf_str(p->envelope)) == 0);
		mime_parts_free(&q);
		mime_parts_free(&p);
		if (fd >= 0)
			close(fd);
		unlink(path);
		free(path);
		buf_free(&why);
		buf_free(&want);
	}
	test_end();
	buf_free(&msg);
}

/* test_limits - too many parts, nested too deep */
static void test_limits(void)
{
	struct buf *msg = buf_new(30000);
	struct mime_parts *p;

	test_begin("mime_parts: more parts than the limit");
	buf_cat(msg, "Subject: many\nContent-Type: multipart/mixed; boundary=b\n\n");
	for (int i = 0; i <= MIME_PARTS_MAX; i++)
		buf_cat(msg, "--b\n\nx\n");
	p = parts_of(buf_str(msg));
	test_assert(p->parts_over && !p->envelope_over);
	test_assert_str(buf_str(p->envelope), "Subject: many\n");
	mime_parts_free(&p);
	test_end();

	test_begin("mime_parts: message/rfc822 nested past the depth limit");
	buf_reset(msg);
	buf_cat(msg, "Subject: deep\nContent-Type: multipart/mixed; boundary=b\n\n--b\n");
	for (int i = 0; i < 3 * MIME_PARTS_DEPTH_MAX; i++)
		buf_cat(msg, "Content-Type: message/rfc822\n\n");
	buf_cat(msg, "\nx\n--b--\n");
	p = parts_of(buf_str(msg));
	test_assert(p->parts_over && !p->envelope_over);
	mime_parts_free(&p);
	test_end();
	buf_free(&msg);
}

/* test_round_trip - encode, decode: the same parts */
static void test_round_trip(void)
{
	struct mime_parts *p = parts_of("Content-Type: multipart/mixed; boundary=b\n\n--b\n"
					"Content-Type: text/plain\n\nx\n--b\n"
					"Content-Type: message/rfc822\n\nSubject: in\n\ny\n--b--\n");
	struct mime_parts *q = NULL;
	struct buf *a = buf_new(64), *b = buf_new(64);

	test_begin("mime_parts: encode and decode give the same parts");
	test_assert(p->len == 4 && p->parts[3].kind == MIME_PART_NESTED);
	mime_parts_encode(p, a);
	test_assert(mime_parts_decode(buf_str(a), buf_len(a), &q) == 0);
	test_assert(q && q->len == 4 && strcmp(buf_str(q->parts[3].fields), "Subject: in\n") == 0);
	if (q)
		mime_parts_encode(q, b);
	test_assert(buf_len(a) == buf_len(b) && memcmp(buf_str(a), buf_str(b), buf_len(a)) == 0);
	mime_parts_free(&p);
	mime_parts_free(&q);
	buf_free(&a);
	buf_free(&b);
	test_end();
}

/* test_head - the message's header bytes as read, kept: LF and CRLF
 * lines, a folded field, the empty line; none past MIME_PARTS_HEAD_MAX */
static void test_head(void)
{
	static const char *const texts[] = {
		"Subject: a\nFrom: b@c\n\nbody\n",
		"Subject: a\r\n folded\r\nTo: d@e\r\n\r\nbody\r\n",
		"Subject: nothing after\n" };
	static const size_t head_len[] = { 22, 32, 23 };
	struct buf *big = buf_new(MIME_PARTS_HEAD_MAX + 64);
	struct mime_parts *p;

	test_begin("mime_parts: the header as read is kept for the caller");
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		p = parts_of(texts[i]);
		test_assert(p && p->head && p->len && buf_len(p->head) == p->parts[0].hdr_size);
		test_assert(p && p->head && memcmp(buf_str(p->head), texts[i], buf_len(p->head)) == 0);
		test_assert(p && p->head && buf_len(p->head) == head_len[i]);
		mime_parts_free(&p);
	}
	while (buf_len(big) < MIME_PARTS_HEAD_MAX)
		buf_cat(big, "X-Long: 0123456789012345678901234567890123456789\n");
	buf_cat(big, "\nbody\n");
	p = parts_of(buf_str(big));
	test_assert(p && p->head == NULL);
	mime_parts_free(&p);
	buf_free(&big);
	test_end();
}

void test_mime_parts(void)
{
	struct buf *t = buf_new(64);

	test_shapes(t);
	test_imap_shapes(t);
	test_long_lines(t);
	test_limits();
	test_round_trip();
	test_head();
	buf_free(&t);
}
