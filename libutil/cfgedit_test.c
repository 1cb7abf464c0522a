/* cfgedit_test - main.cf-syntax line editing: set, remove, comment out,
 * iterate, multi-line values; comments and other lines kept byte for
 * byte. */
#include <string.h>

#include "cfgedit.h"
#include "test.h"

static const char sample[] =
	"# a comment\n"
	"a = 1\n"
	"b =\n"
	"    x,\n"
	"# inside\n"
	"    y\n"
	"\n"
	"a = 2\n";

/* text_of - e as it would be written (static buffer) */
static const char *text_of(const struct cfgedit *e)
{
	static char out[512];
	struct buf *b = buf_new(256);

	cfgedit_text(e, b);
	strncpy(out, buf_str(b), sizeof(out) - 1);
	buf_free(&b);
	return out;
}

void test_cfgedit(void)
{
	struct cfgedit *e = cfgedit_from_text(sample, strlen(sample));
	struct buf *name = buf_new(16), *text = buf_new(64);
	size_t pos = 0;
	int line;

	test_begin("cfgedit: iterate definitions with their lines");
	test_assert(cfgedit_next(e, &pos, name, text, &line));
	test_assert_str(buf_str(name), "a");
	test_assert(line == 2);
	test_assert(cfgedit_next(e, &pos, name, text, &line));
	test_assert_str(buf_str(text), "b =\n    x,\n    y");
	test_assert(line == 3);
	test_assert(cfgedit_next(e, &pos, name, text, &line) && line == 8);
	test_assert(!cfgedit_next(e, &pos, name, text, &line));
	test_assert(cfgedit_has(e, "b") && !cfgedit_has(e, "c"));
	cfgedit_comments_before(e, 2, text);
	test_assert_str(buf_str(text), "# a comment");
	cfgedit_comments_before(e, 3, text);
	test_assert_str(buf_str(text), "");
	cfgedit_comments_before(e, 1, text);
	test_assert_str(buf_str(text), "");
	test_end();

	test_begin("cfgedit: set replaces the first definition, drops the others, appends a new one");
	cfgedit_set(e, "a", "a = 3");
	test_assert_str(text_of(e), "# a comment\na = 3\nb =\n    x,\n# inside\n    y\n\n");
	cfgedit_set(e, "b", "b = p,\n    q");
	test_assert_str(text_of(e), "# a comment\na = 3\nb = p,\n    q\n# inside\n\n");
	cfgedit_set(e, "c", "c = 4");
	cfgedit_append(e, "# end");
	test_assert_str(text_of(e), "# a comment\na = 3\nb = p,\n    q\n# inside\n\nc = 4\n# end\n");
	test_end();

	test_begin("cfgedit: comment out and remove every line of a definition");
	cfgedit_comment_out(e, "b");
	test_assert_str(text_of(e), "# a comment\na = 3\n#b = p,\n#    q\n# inside\n\nc = 4\n# end\n");
	test_assert(!cfgedit_has(e, "b"));
	cfgedit_remove(e, "a");
	cfgedit_remove(e, "nothing");
	test_assert_str(text_of(e), "# a comment\n#b = p,\n#    q\n# inside\n\nc = 4\n# end\n");
	test_end();
	cfgedit_free(&e);
	buf_free(&name);
	buf_free(&text);
}
