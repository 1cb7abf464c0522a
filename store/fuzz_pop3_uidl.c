/* fuzz_pop3_uidl - libFuzzer target for pop3_uidl_format: the input is
 * the template.  What it gives must be 1-70 bytes of 0x21-0x7e, and a
 * template pop3_uidl_check refuses must be refused for a message too. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "mem.h"
#include "pop3_uidl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int quiet;
	static const struct pop3_uidl_vars v = {
		.uid = 4242, .uidvalidity = 1700000000,
		.filename = "1700000001.M1P2.host,S=120", .guid = "0123456789abcdef",
	};
	char *format = xstrndup((const char *)data, size);
	struct buf *out = buf_new(0), *why = buf_new(0);
	int checked;

	if (!quiet++)
		log_open(0, NULL, LOG_FORMAT_TEXT, NULL, NULL);
	checked = pop3_uidl_check(format, why);
	if (pop3_uidl_format(out, format, &v, why) == 0) {
		if (checked != 0 || buf_len(out) == 0 || buf_len(out) > POP3_UIDL_MAX)
			abort();
		for (size_t i = 0; i < buf_len(out); i++)
			if ((unsigned char)buf_str(out)[i] < 0x21 || (unsigned char)buf_str(out)[i] > 0x7e)
				abort();
	}
	free(format);
	buf_free(&out);
	buf_free(&why);
	return 0;
}
