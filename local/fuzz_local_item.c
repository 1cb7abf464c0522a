/* fuzz_local_item - libFuzzer target for local's item parsers: the
 * aliases(5) / .forward / :include: item splitter (local_item_split) and
 * the forward_path expansion (local_dotforward_expand).  The input up to
 * the first NUL is a forward_path pattern; all of it is an item list.
 * Items come from users' .forward files: untrusted. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "local.h"
#include "log.h"
#include "mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const vars[] = { "user", "joe", "home", "/home/joe", "shell", "/bin/sh",
					    "recipient", "joe+x@example.test", "extension", "x",
					    "domain", "example.test", "local", "joe+x",
					    "recipient_delimiter", "+", NULL };
	struct strv *items = strv_new();
	struct buf *out = buf_new(0), *why = buf_new(0);
	char *pattern = xstrndup((const char *)data, size);
	static bool started;

	if (!started) {
		log_open(0, NULL, LOG_FORMAT_TEXT, NULL, NULL);
		started = true;
	}
	local_item_split((const char *)data, size, items);
	if (items->len > LOCAL_MAX_ITEMS)
		abort();
	for (size_t i = 0; i < items->len; i++)
		if (items->items[i][0] == '\0')
			abort();	/* empty items are dropped */
	(void)local_dotforward_expand(out, pattern, vars, why);
	free(pattern);
	strv_free(&items);
	buf_free(&out);
	buf_free(&why);
	return 0;
}
