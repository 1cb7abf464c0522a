/* fuzz_master_cf - libFuzzer target for the master.cf parser: parse the
 * input as a master.cf and format every entry as postconf -M would. */
#include <stddef.h>
#include <stdint.h>

#include "log.h"
#include "master_cf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int quiet;
	struct buf *why = buf_new(0), *line = buf_new(128);
	struct master_cf *m;

	if (!quiet++)
		log_open(0, NULL, LOG_FORMAT_TEXT, NULL, NULL);
	m = master_cf_parse_text("fuzz/master.cf", (const char *)data, size, why);
	for (size_t i = 0; m && i < m->len; i++) {
		buf_reset(line);
		master_cf_format(&m->entries[i], line);
	}
	master_cf_free(&m);
	buf_free(&why);
	buf_free(&line);
	return 0;
}
