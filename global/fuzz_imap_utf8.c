/* fuzz_imap_utf8 - libFuzzer target for the UTF-8 checks of UTF8=ACCEPT:
 * imap_utf8_valid agrees with the modified UTF-7 encoder's own UTF-8
 * decoder (a string without NUL is valid exactly when it encodes), a
 * name imap_utf8_name_ok takes is valid, and with imap_quote_utf8 on a
 * quoted string never carries CR, LF, NUL or bytes that are not UTF-8. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "imap_quote.h"
#include "imap_utf7.h"
#include "imap_utf8.h"
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
	size_t len = strlen(s);
	struct buf *a = buf_new(0);
	bool valid = imap_utf8_valid(s, len);

	check(valid == (imap_utf7_from_utf8(s, a) == 0));
	if (memchr(data, 0, size) == NULL)
		check(imap_utf8_valid((const char *)data, size) == valid);
	if (imap_utf8_name_ok(s))
		check(valid && len > 0);
	buf_reset(a);
	imap_quote_utf8(true);
	imap_quote_string(a, (const char *)data, size);
	if (buf_str(a)[0] == '"') {
		check(imap_utf8_valid(buf_str(a), buf_len(a)));
		check(strcspn(buf_str(a), "\r\n") == buf_len(a));
	}
	imap_quote_utf8(false);
	buf_free(&a);
	free(s);
	return 0;
}
