/* fuzz_dict_cidr - libFuzzer target for cidr: tables.
 * Input: "TABLE TEXT \0 KEY" (fuzz_table.h).  The text is loaded as a
 * cidr: table and the key, plus a few fixed addresses, is looked up. */
#include <stddef.h>
#include <stdint.h>

#include "dict.h"
#include "fuzz_table.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const fixed_keys[] = {
	"", "1.2.3.4", "10.0.0.1", "::1", "[2001:db8::1]", "::ffff:192.0.2.1", "garbage",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf *path = buf_new(32), *key = buf_new(64), *spec = buf_new(64), *why = buf_new(0);
	struct dict *d;
	const char *v;

	fuzz_table_split(data, size, path, key);
	buf_printf(spec, "cidr:%s", buf_str(path));
	if ((d = dict_open(buf_str(spec), 0, why)) != NULL) {
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
