/* fuzz_http_request - libFuzzer target for metricsd's request head parser:
 * the input is what a client sends, parsed whole and at every shorter
 * length (as a read loop sees it grow).  The answer must be complete (0),
 * "read more" or one of the statuses the parser documents; a complete
 * head's method and path are NUL-terminated tokens within their limits; a
 * prefix of a complete head is never refused for being too long where
 * the whole was accepted. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "metricsd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* check - one parse and the invariants of its answer */
static int check(const char *p, size_t len)
{
	struct http_request req;
	int rc = metricsd_http_parse(p, len, &req);

	if (rc != 0 && rc != HTTP_INCOMPLETE && rc != 400 && rc != 414 && rc != 431 && rc != 505)
		abort();
	if (rc == 0 && (strlen(req.method) == 0 || strlen(req.method) >= HTTP_METHOD_MAX ||
			strlen(req.path) == 0 || strlen(req.path) >= HTTP_PATH_MAX ||
			strchr(req.path, ' ') || req.minor < 0 || req.minor > 9))
		abort();
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	int whole;

	if (size > 2 * HTTP_HEAD_MAX)
		return 0;
	whole = check(p, size);
	for (size_t n = 0; n < size && n < 512; n++) {
		int part = check(p, n);

		if (whole == 0 && (part == 414 || part == 431))
			abort();
	}
	return 0;
}
