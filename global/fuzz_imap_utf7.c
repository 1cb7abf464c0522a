/* fuzz_imap_utf7 - libFuzzer target for modified UTF-7: a name that
 * decodes encodes back to the same bytes, and any UTF-8 that encodes
 * decodes back to itself. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "imap_utf7.h"
#include "mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* check - abort (a finding) unless cond */
static void check(int cond)
{
	if (!cond)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = xstrndup((const char *)data, size);
	struct buf *a = buf_new(0), *b = buf_new(0);

	if (imap_utf7_to_utf8(s, a) == 0) {
		check(imap_utf7_from_utf8(buf_str(a), b) == 0 && strcmp(buf_str(b), s) == 0);
	}
	buf_reset(a);
	buf_reset(b);
	if (imap_utf7_from_utf8(s, a) == 0) {
		check(imap_utf7_to_utf8(buf_str(a), b) == 0 && strcmp(buf_str(b), s) == 0);
	}
	buf_free(&a);
	buf_free(&b);
	free(s);
	return 0;
}
