/* fuzz_message - libFuzzer target for cleanup's header/MIME/body pass.
 * The input is a message (lines split at "\n", a few marked as pieces of
 * longer lines); header_checks and body_checks are small regexp tables so
 * the action paths run too. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup_message.h"
#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* sink - the queue file writer's place */
static void sink(void *ctx, int type, const char *p, size_t len)
{
	(void)ctx, (void)type, (void)p, (void)len;
}

/* table - a regexp table in a temporary file */
static struct maps *table(const char *rules)
{
	char path[] = "/tmp/fuzz_message.XXXXXX", spec[64];
	int fd = mkstemp(path);

	if (fd < 0 || write(fd, rules, strlen(rules)) != (ssize_t)strlen(rules))
		abort();
	close(fd);
	snprintf(spec, sizeof(spec), "regexp:%s", path);
	return maps_open("checks", spec, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct maps *hdr, *body;
	static struct msg_opts o;
	struct msg *m;
	size_t i = 0;

	if (hdr == NULL) {
		log_open(0, NULL, LOG_FORMAT_TEXT, NULL, NULL);
		hdr = table("/^Subject: hold/ HOLD\n/^X-Drop:/ IGNORE\n/^X-R: (.*)/ REPLACE X-S: $1\n"
			    "/^X-P:/ PREPEND X-Q: 1\n/^From:.*<#/ REJECT\n/^X-D:/ DISCARD\n");
		body = table("/^(|[^>].*)example.com/ REJECT\n/^warn/ WARN\n/^drop/ IGNORE\n");
		o = (struct msg_opts){ .header_checks = hdr, .mime_header_checks = hdr,
				       .nested_header_checks = hdr, .body_checks = body,
				       .header_size_limit = 1024, .body_checks_size_limit = 512,
				       .hopcount_limit = 5, .queue_id = "FUZZ" };
	}
	m = msg_new(&o, sink, NULL);
	while (i < size) {
		const uint8_t *nl = memchr(data + i, '\n', size - i);
		size_t len = nl ? (size_t)(nl - (data + i)) : size - i;
		bool partial = len > 0 && data[i] == 0x01;	/* a marker byte: a piece */

		msg_line(m, (const char *)data + i, len, partial);
		i += len + (nl != NULL);
	}
	msg_end(m);
	msg_free(&m);
	return 0;
}
