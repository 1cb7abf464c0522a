/* fuzz_imap_date - libFuzzer target for the IMAP date, date-time and
 * RFC 5322 Date: parsers: whatever parses formats back and parses
 * again to the same instant, and no input reads out of bounds. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "imap_date.h"
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
	struct buf *b = buf_new(0);
	int64_t day;
	time_t t, t2;
	int zone, zone2;

	if (imap_date_parse(s, &day) == 0)
		check(day > -800000 && day < 3000000);
	if (imap_date_time_parse(s, &t, &zone) == 0) {
		imap_date_time_format(t, zone, b);
		check(imap_date_time_parse(buf_str(b), &t2, &zone2) == 0 && t2 == t && zone2 == zone);
	}
	if (imap_date_rfc5322((const char *)data, size, &t, &zone) == 0) {
		buf_reset(b);
		imap_date_time_format(t, zone, b);
		check(imap_date_time_parse(buf_str(b), &t2, &zone2) == 0 && t2 == t);
	}
	buf_free(&b);
	free(s);
	return 0;
}
