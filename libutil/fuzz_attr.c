/* fuzz_attr - libFuzzer target for the attribute codec reader.
 * The input is parsed as one message with the default limits and again
 * with small ones (so every limit is reached).  Whatever parses is written
 * back: the encoding must equal the input byte for byte, parse again to
 * the same pairs, and every value must be found by name. */
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attr.h"
#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* round_trip - re-encode a parsed message and check it against the input */
static void round_trip(struct attr_in *in, const uint8_t *data, size_t size)
{
	struct attr_out *o = attr_out_new();
	struct attr_in *again = attr_in_new(0, 0);
	struct buf *why = buf_new(0);
	long long v;

	for (size_t i = 0; i < attr_count(in); i++) {
		if (attr_put_str(o, attr_name(in, i), attr_value(in, i)) < 0)
			abort();
		if (attr_get(in, attr_name(in, i)) != attr_value(in, i))
			abort();
		(void)attr_get_int(in, attr_name(in, i), LLONG_MIN, LLONG_MAX, &v, why);
	}
	attr_end(o);
	if (buf_len(attr_out_buf(o)) != size || memcmp(buf_str(attr_out_buf(o)), data, size) != 0)
		abort();
	if (attr_parse_mem(again, buf_str(attr_out_buf(o)), size, why) != 0
	    || attr_count(again) != attr_count(in))
		abort();
	for (size_t i = 0; i < attr_count(in); i++)
		if (strcmp(attr_name(again, i), attr_name(in, i)) != 0
		    || strcmp(attr_value(again, i), attr_value(in, i)) != 0)
			abort();
	attr_in_free(&again);
	attr_out_free(&o);
	buf_free(&why);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int quiet;
	struct attr_in *big = attr_in_new(0, 0), *small = attr_in_new(8, 64);
	struct buf *why = buf_new(0);

	if (!quiet++)
		log_open(0, NULL, LOG_FORMAT_TEXT, NULL, NULL);
	if (attr_parse_mem(big, data, size, why) == 0) {
		round_trip(big, data, size);
		(void)attr_require(big, why, "protocol", "version", (char *)NULL);
	}
	if (attr_parse_mem(small, data, size, why) == 0)
		round_trip(small, data, size);
	attr_in_free(&big);
	attr_in_free(&small);
	buf_free(&why);
	return 0;
}
