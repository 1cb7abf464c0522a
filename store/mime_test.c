/* mime_test - the MIME walker: nested multiparts, boundaries that are
 * prefixes of others, trailing white space, closing, the depth limit, a
 * missing closing boundary, folded headers, quoted boundaries, message/
 * rfc822 parts, pieces of long lines, offsets.  Each message is fed line
 * by line and traced one token per line (see trace_one). */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "mime.h"
#include "test.h"

/* trace_one - T/P/N a header line of the message, a part, a nested
 * message (lowercase: continued); E the end of a header block with
 * {type/subtype enc} when known, e when nested headers follow; Bn a part
 * at depth n starts; Cn a multipart closes, back at depth n; . a body
 * line, ! a body line that ended the top-level headers */
static void trace_one(struct buf *t, const struct mime_line *l)
{
	static const char sec[] = "TPN";
	const struct mime_fields *f = l->fields;

	switch (l->kind) {
	case MIME_HEADER:
		buf_putc(t, l->continued ? sec[l->section] + 32 : sec[l->section]);
		break;
	case MIME_HEADER_END:
		buf_putc(t, l->nested_follows ? 'e' : 'E');
		if (f && f->type[0])
			buf_printf(t, "{%s/%s%s%s}", f->type, f->subtype, f->encoding[0] ? " " : "",
				   f->encoding);
		break;
	case MIME_BOUNDARY:
		buf_printf(t, "B%d", l->depth);
		break;
	case MIME_CLOSE:
		buf_printf(t, "C%d", l->depth);
		break;
	case MIME_BODY:
		buf_putc(t, l->headers_ended ? '!' : '.');
		break;
	}
}

/* trace - feed a "\n"-separated message, return its trace */
static const char *trace(struct buf *t, const char *msg)
{
	struct mime *w = mime_new(&(struct mime_opts){ .header_limit = 1024, .eol_len = 1 });

	buf_reset(t);
	while (*msg) {
		size_t n = strcspn(msg, "\n");

		trace_one(t, mime_feed(w, msg, n, false));
		msg += n + (msg[n] == '\n');
	}
	mime_free(&w);
	return buf_str(t);
}

#define MP(b) "Content-Type: multipart/mixed; boundary=" b "\n"

/* test_structure - nesting, prefixes, white space, closing, no close */
static void test_structure(struct buf *t)
{
	test_begin("mime: nested multiparts, preamble and epilogues");
	test_assert_str(trace(t, MP("\"out\"") "\npre\n--out\n" MP("in") "\n--in\n"
			      "Content-Type: text/plain\n\ntext\n--in--\nepi-in\n--out--\nepi\n"),
			"TE{multipart/mixed}.B1PE{multipart/mixed}B2PE{text/plain}.C1.C0.");
	test_end();

	test_begin("mime: a boundary that is a prefix of another, innermost first");
	test_assert_str(trace(t, MP("a") "\n--a\n" MP("ab") "\n--ab\n\nx\n--ab--\n--a\n\n--a--\n"),
			"TE{multipart/mixed}B1PE{multipart/mixed}B2E.C1B1EC0");
	/* matched as a prefix, as Postfix does: "--ab" starts a part of "a" */
	test_assert_str(trace(t, MP("ab") "\n--ab\n" MP("a") "\n--ab\n\n--abc\n\n--a--\n--ab--\n"),
			"TE{multipart/mixed}B1PE{multipart/mixed}B2EB2EC1C0");
	test_end();

	test_begin("mime: trailing white space after a boundary; --b-- closes");
	test_assert_str(trace(t, MP("b") "\n--b \t\n\nx\n--b--\t \n--b\nafter\n"),
			"TE{multipart/mixed}B1E.C0..");
	test_end();

	test_begin("mime: closing an outer boundary closes the inner ones");
	test_assert_str(trace(t, MP("o") "\n--o\n" MP("i") "\n--i\n\n--o--\n--i\n"),
			"TE{multipart/mixed}B1PE{multipart/mixed}B2EC0.");
	test_end();

	test_begin("mime: a missing closing boundary: the walk just ends");
	test_assert_str(trace(t, MP("m") "\n--m\n" MP("n") "\n--n\n\nbody\n"),
			"TE{multipart/mixed}B1PE{multipart/mixed}B2E.");
	test_end();

	test_begin("mime: no multipart: boundaries are body; no header: body at once");
	test_assert_str(trace(t, "Subject: x\n\n--b\n--b--\n"), "TE..");
	test_assert_str(trace(t, "not a header\nSubject: x\n"), "!.");
	test_assert_str(trace(t, "Content-Type: multipart/mixed\n\n--\n--x\n"),
			"TE{multipart/mixed}..");
	test_end();
}

/* test_headers - folding, quoting, other parameters, nested messages */
static void test_headers(struct buf *t)
{
	test_begin("mime: Content-Type folded over several lines");
	test_assert_str(trace(t, "Content-Type:\n multipart/Alternative;\n\tcharset=x;\n"
			      " BOUNDARY=\"f\"\n\n--f\nX: 1\n y\n\n--f--\n"),
			"TtttE{multipart/alternative}B1PpEC0");
	test_end();

	test_begin("mime: quoted boundary among other parameters");
	test_assert_str(trace(t, "Content-Type: multipart/related; type=\"text/html\";"
			      " boundary=\"=_x y:z\"; start=<a>\n\n--=_x y:z\n"
			      "Content-Transfer-Encoding: Base64\nContent-Type: image/png; name=p\n\n"
			      "QUJD\n--=_x y:z--\n"),
			"TE{multipart/related}B1PPE{image/png base64}.C0");
	test_assert_str(trace(t, "Content-Type: multipart/mixed;boundary=q;x=1\n\n--q\n\n--q--\n"),
			"TE{multipart/mixed}B1EC0");
	test_assert_str(trace(t, "Content-Type: multipart/mixed; boundary=\"\"\n\n--\n"),
			"TE{multipart/mixed}.");
	test_end();

	test_begin("mime: message/rfc822 part: the nested message's headers follow");
	test_assert_str(trace(t, MP("B") "\n--B\nContent-Type: message/rfc822\n\nFrom: a\n"
			      MP("C") "\n--C\n\nx\n--C--\n--B--\n"),
			"TE{multipart/mixed}B1Pe{message/rfc822}NNE{multipart/mixed}B2E.C1C0");
	/* at the top, message/rfc822 is a body like any other */
	test_assert_str(trace(t, "Content-Type: message/rfc822\n\nFrom: a\n"),
			"TE{message/rfc822}.");
	test_end();
}

/* test_depth - MIME_MAX_DEPTH multiparts nest; a deeper one is body */
static void test_depth(struct buf *t)
{
	struct buf *msg = buf_new(0);

	test_begin("mime: nesting deeper than MIME_MAX_DEPTH is body");
	buf_cat(msg, MP("b00") "\n");	/* same length: none is a prefix of another */
	for (int i = 1; i <= MIME_MAX_DEPTH; i++)
		buf_printf(msg, "--b%02d\n" MP("b%02d") "\n", i - 1, i);
	buf_printf(msg, "--b%02d\n--b%02d\n", MIME_MAX_DEPTH, MIME_MAX_DEPTH - 1);
	trace(t, buf_str(msg));
	test_assert(strstr(buf_str(t), "B20PE{multipart/mixed}.B20") != NULL);
	test_assert(strstr(buf_str(t), "B21") == NULL);
	test_end();
	buf_free(&msg);
}

/* test_pieces - partial lines, offsets and line numbers */
static void test_pieces(void)
{
	struct mime *w = mime_new(&(struct mime_opts){ .header_limit = 1024, .eol_len = 2 });
	const struct mime_line *l;

	test_begin("mime: pieces of long lines; offsets count the line ends");
	l = mime_feed(w, MP("p"), strlen(MP("p")) - 1, false);
	test_assert(l->kind == MIME_HEADER && l->offset == 0 && l->line == 0);
	l = mime_feed(w, "X-Long: aaa", 11, true);
	test_assert(l->kind == MIME_HEADER && !l->continued && l->offset == 43 && l->line == 1);
	l = mime_feed(w, "", 0, false);		/* the end of that line, not an empty line */
	test_assert(l->kind == MIME_HEADER && l->continued && l->piece && l->offset == 54);
	l = mime_feed(w, "", 0, false);
	test_assert(l->kind == MIME_HEADER_END && l->offset == 56 && l->line == 2);
	test_assert(l->fields && l->fields->has_boundary);
	l = mime_feed(w, "body --p", 8, true);
	test_assert(l->kind == MIME_BODY);
	l = mime_feed(w, "--p", 3, false);		/* a piece: never a boundary */
	test_assert(l->kind == MIME_BODY && l->piece && l->line == 3);
	l = mime_feed(w, "--p", 3, true);
	test_assert(l->kind == MIME_BOUNDARY && l->depth == 1 && l->offset == 71 && l->line == 4);
	l = mime_feed(w, "--p--", 5, false);	/* the rest of the boundary line */
	test_assert(l->kind == MIME_HEADER && l->section == MIME_PART);
	test_end();
	mime_free(&w);
}

/* test_limit - a header past header_limit is cut, its boundary with it */
static void test_limit(void)
{
	struct mime *w = mime_new(&(struct mime_opts){ .header_limit = 40, .eol_len = 1 });
	const struct mime_line *l;

	test_begin("mime: header_limit cuts the header kept for parsing");
	mime_feed(w, "Content-Type: multipart/mixed; boundary=abcdefghij", 50, false);
	l = mime_feed(w, "", 0, false);
	test_assert(l->kind == MIME_HEADER_END && !l->fields->has_boundary);
	test_assert_str(l->fields->type, "multipart");
	l = mime_feed(w, "--a", 3, false);
	test_assert(l->kind == MIME_BODY);
	test_end();
	mime_free(&w);
}

/* test_mime - run every case */
void test_mime(void)
{
	struct buf *t = buf_new(0);

	test_structure(t);
	test_headers(t);
	test_depth(t);
	test_pieces();
	test_limit();
	buf_free(&t);
}
