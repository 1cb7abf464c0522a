/* fuzz_config - libFuzzer target for the main.cf parser and $ expansion.
 * The input is a main.cf; every parameter it sets is expanded and the
 * typed struct params is built, so every path through config*.c runs. */
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "log.h"
#include "strv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int quiet;
	struct buf *why = buf_new(0);
	struct config *c;

	if (!quiet++)
		log_open(0, NULL, LOG_FORMAT_TEXT, NULL, NULL);
	c = config_read_text("fuzz/main.cf", (const char *)data, size, CONFIG_STRICT, why);
	if (c) {
		struct strv *names = config_set_names(c);
		struct params *p;

		for (size_t i = 0; i < names->len; i++)
			(void)config_get(c, names->items[i]);
		p = config_params(c, why);
		params_free(&p);
		strv_free(&names);
	}
	config_free(&c);
	buf_free(&why);
	return 0;
}
