/* fuzz_metrics_render - libFuzzer target for the renderer over a hostile
 * region: the input, cut into slot-sized pieces, is written raw over the
 * first slots (state, value, key: whatever a writer with the mapping could
 * put there); both formats are rendered.  The output must be printable
 * ASCII lines, each a comment or a sample of a hato_ family, and the
 * OpenMetrics one must end with "# EOF". */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "metricsd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { SLOT = 128, SLOTS_USED = 64 };

static struct shm_counters *region;

/* check_output - printable lines, comments or hato_ samples */
static void check_output(const struct buf *out, bool openmetrics)
{
	const char *s = buf_str(out), *line = s;

	for (size_t i = 0; i < buf_len(out); i++)
		if (s[i] != '\n' && (s[i] < 0x20 || s[i] > 0x7e))
			abort();
	for (; *line; line = strchr(line, '\n') + 1)
		if (line[0] != '#' && strncmp(line, "hato_", 5) != 0)
			abort();
	if (openmetrics && (buf_len(out) < 6 || strcmp(s + buf_len(out) - 6, "# EOF\n") != 0))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t zero[SLOT];
	const char *err = NULL;
	struct buf *out;

	if (region == NULL && (region = shm_counters_attach(shm_counters_create("fuzz"), &err)) == NULL)
		abort();
	for (size_t i = 0; i < SLOTS_USED; i++)
		shm_counters_poke(region, i, i * SLOT < size ? data + i * SLOT : zero,
				  i * SLOT < size ? size - i * SLOT : SLOT);
	for (int fmt = RENDER_TEXT; fmt <= RENDER_OPENMETRICS; fmt++) {
		out = buf_new(0);
		metricsd_render(region, (enum render_format)fmt, out);
		check_output(out, fmt == RENDER_OPENMETRICS);
		buf_free(&out);
	}
	return 0;
}
