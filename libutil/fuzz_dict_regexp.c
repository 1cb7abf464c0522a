/* fuzz_dict_regexp - libFuzzer target for regexp: and pcre: tables.
 * Input: "TABLE TEXT \0 KEY" (fuzz_table.h).  The text is loaded as both
 * table types and the key, plus a few fixed keys, is looked up in each:
 * parsing, substitution and the per-lookup limits all run. */
#include <stddef.h>
#include <stdint.h>

#include "dict.h"
#include "fuzz_table.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const fixed_keys[] = {
	"", "a", "From: Foo <#bar@example.org>", "joe@example.com", "aaaaaaaaaaaaaaaaaaaaaaaaaaaa!",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const types[] = { "regexp:", "pcre:" };
	struct buf *path = buf_new(32), *key = buf_new(64), *spec = buf_new(64), *why = buf_new(0);

	fuzz_table_split(data, size, path, key);
	for (size_t t = 0; t < 2; t++) {
		struct dict *d;
		const char *v;

		buf_set(spec, types[t]);
		buf_cat(spec, buf_str(path));
		if ((d = dict_open(buf_str(spec), DICT_FLAG_FOLD_KEY, why)) == NULL)
			continue;
		(void)dict_lookup(d, buf_str(key), &v);
		for (size_t i = 0; i < sizeof(fixed_keys) / sizeof(fixed_keys[0]); i++)
			(void)dict_lookup(d, fixed_keys[i], &v);
		dict_close(&d);
	}
	buf_free(&path);
	buf_free(&key);
	buf_free(&spec);
	buf_free(&why);
	return 0;
}
