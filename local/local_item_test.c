/* local_item_test - the aliases(5) / .forward item syntax and the
 * forward_path expansion, table-driven, awkward input first. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "local.h"
#include "mem.h"
#include "test.h"

static const struct split_case {
	const char *name, *in, *want;	/* want: items joined with " | " */
} split_cases[] = {
	{ "nothing but separators", " , ,\n,", "" },
	{ "a comment line, a '#' inside a line is text", "# x, y\njoe, a#b\n", "joe | a#b" },
	{ "an unterminated quote drops the rest of its line", "\"|cmd, x\njoe", "joe" },
	{ "a NUL byte is a blank", "jo\0e, bob", "jo e | bob" },
	{ "quoted command keeps its commas and spaces", "\"|/bin/prog -a x, y\", joe",
	  "|/bin/prog -a x, y | joe" },
	{ "escaped quote inside a quoted item", "\"|echo \\\"hi\\\"\"", "|echo \"hi\"" },
	{ "quoted local part stays quoted", "\"joe smith\"@example.com", "\"joe smith\"@example.com" },
	{ "Name <addr> is addr", "Joe User <joe@example.com>, bob", "joe@example.com | bob" },
	{ "unquoted command in a .forward line", "|/usr/bin/procmail -f-\n", "|/usr/bin/procmail -f-" },
	{ "kinds side by side", "\\joe, /var/log/x, :include:/etc/list, joe@x",
	  "\\joe | /var/log/x | :include:/etc/list | joe@x" },
	{ "CRLF lines", "a\r\nb\r\n", "a | b" },
};

/* test_local_item - the splitter, then local_dotforward_expand */
void test_local_item(void)
{
	for (size_t i = 0; i < sizeof(split_cases) / sizeof(split_cases[0]); i++) {
		const struct split_case *c = &split_cases[i];
		size_t len = strcmp(c->name, "a NUL byte is a blank") == 0 ? 10 : strlen(c->in);
		struct strv *v = strv_new();
		char *got, name[128];

		snprintf(name, sizeof(name), "local items: %s", c->name);
		test_begin(name);
		local_item_split(c->in, len, v);
		got = strv_join(v, " | ");
		test_assert_str(got, c->want);
		free(got);
		strv_free(&v);
		test_end();
	}

	test_begin("local items: at most LOCAL_MAX_ITEMS");
	{
		struct buf *b = buf_new(8192);
		struct strv *v = strv_new();

		for (int i = 0; i < LOCAL_MAX_ITEMS + 50; i++)
			buf_printf(b, "u%d,", i);
		local_item_split(buf_str(b), buf_len(b), v);
		test_assert(v->len == LOCAL_MAX_ITEMS);
		strv_free(&v);
		buf_free(&b);
	}
	test_end();

	test_begin("forward_path: $name, ${name}, ${name?x}, ${name:x}, $$, undefined names");
	{
		const char *vars[] = { "home", "/home/joe", "extension", "", "recipient_delimiter", "+",
				       "user", "joe", NULL };
		struct buf *out = buf_new(64), *why = buf_new(0);

		test_assert(local_dotforward_expand(out, "$home/.forward${recipient_delimiter}${extension}",
						    vars, why) == 0);
		test_assert_str(buf_str(out), "/home/joe/.forward+");
		buf_reset(out);
		test_assert(local_dotforward_expand(out, "${extension?x}${extension:none}$$$(user)$nosuch.",
						    vars, why) == 0);
		test_assert_str(buf_str(out), "none$joe.");
		buf_reset(out);
		test_assert(local_dotforward_expand(out, "${home", vars, why) < 0);
		test_assert(strstr(buf_str(why), "missing '}'") != NULL);
		buf_free(&out);
		buf_free(&why);
	}
	test_end();
}
