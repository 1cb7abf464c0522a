/* fuzz_mapfile - libFuzzer target for the postmap and postalias source
 * syntax (mapfile.c, over tablefile.c and lline.c).
 * The input is a source file; it is parsed once as "key whitespace value"
 * and once as "name: value".  Besides ASan/UBSan, every entry is checked
 * for what the callers rely on: a non-empty key (for postmap without
 * blanks) and a non-empty value without surrounding blanks, no NUL bytes
 * (the lengths agree with the input's), line numbers that never go back. */
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dict.h"
#include "log.h"
#include "mapfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct check {
	enum mapfile_syntax syntax;
	int last_line;
};

/* check_entry - mapfile callback: trap on an entry the callers could not use */
static void check_entry(void *ctx, const char *key, const char *value, int lineno)
{
	struct check *c = ctx;
	size_t vlen = strlen(value);

	if (*key == '\0' || vlen == 0 || lineno < 1 || lineno < c->last_line)
		__builtin_trap();
	if (isspace((unsigned char)value[0]) || isspace((unsigned char)value[vlen - 1]))
		__builtin_trap();
	if (c->syntax == MAPFILE_MAP && key[strcspn(key, " \t\r\n")] != '\0')
		__builtin_trap();
	c->last_line = lineno;
}

/* LLVMFuzzerTestOneInput - parse data in both syntaxes */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int quiet;
	static const enum mapfile_syntax syntaxes[] = { MAPFILE_MAP, MAPFILE_ALIASES };

	if (!quiet++)
		log_open(0, NULL, LOG_FORMAT_TEXT, NULL, NULL);
	for (size_t i = 0; i < sizeof(syntaxes) / sizeof(syntaxes[0]); i++) {
		struct dict *d = dict_alloc("fuzz", "fuzz/source", 0);
		struct check c = { syntaxes[i], 0 };

		mapfile_parse_text(d, "fuzz/source", (const char *)data, size, syntaxes[i],
				   check_entry, &c);
		dict_close(&d);
	}
	return 0;
}
