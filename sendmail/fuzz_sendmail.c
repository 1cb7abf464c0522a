/* fuzz_sendmail - libFuzzer target for what sendmail parses from its
 * caller: the command line (sendmail_args_parse), the From: line built
 * from -F/-f, and the message on stdin through the content pass
 * (sendmail_msg: line ends, the lone ".", long lines, the held-back
 * header block and the To:/Cc:/Bcc: scan for -t).  Input: arguments
 * separated by NUL bytes, then a double NUL, then the message, fed in
 * chunks whose sizes come from the message bytes themselves.  Without a
 * double NUL the whole input is the message of "sendmail -t". */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "mem.h"
#include "qrec.h"
#include "sendmail.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { MAX_ARGS = 64 };

/* sink - the record stream to postdrop; checks record sanity */
static void sink(void *ctx, int type, const char *p, size_t len)
{
	(void)ctx;
	if (len > QREC_MAX_LEN || (len && p == NULL) || (type != QREC_LINE && type != QREC_PART))
		abort();
}

/* split_args - "a\0b\0\0msg" into argv (after "sendmail"); the message offset */
static size_t split_args(const char *d, size_t size, char **argv, int *argc)
{
	const char *dd = memmem(d, size, "\0\0", 2);

	*argc = 0;
	argv[(*argc)++] = xstrdup("sendmail");
	if (dd == NULL) {
		argv[(*argc)++] = xstrdup("-t");
		argv[*argc] = NULL;
		return 0;
	}
	for (const char *p = d; p < dd && *argc < MAX_ARGS; p += strlen(p) + 1)
		argv[(*argc)++] = xstrdup(p);
	argv[*argc] = NULL;
	return (size_t)(dd - d) + 2;
}

/* run_msg - the content pass over msg, in chunks */
static void run_msg(const struct sendmail_opts *o, const char *msg, size_t len)
{
	struct buf *from = buf_new(64);
	struct sendmail_msg *m;
	size_t off = 0;

	sendmail_from_line(o->full_name, o->sender ? o->sender : "joe", "example.test", from);
	if (strchr(buf_str(from), '\n') || strchr(buf_str(from), '\r'))
		abort();	/* -F or -f must not inject a header line */
	m = sendmail_msg_new(&(struct sendmail_msg_opts){ .ignore_dots = o->ignore_dots,
		.from_line = buf_str(from), .size_limit = 100000 }, sink, NULL);
	while (off < len) {
		size_t n = 1 + (unsigned char)msg[off] % 97;

		if (n > len - off)
			n = len - off;
		if (sendmail_msg_input(m, msg + off, n) != SENDMAIL_MSG_MORE)
			break;
		off += n;
	}
	sendmail_msg_end(m);
	(void)sendmail_msg_header_rcpts(m);
	sendmail_msg_free(&m);
	buf_free(&from);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool started;
	char *argv[MAX_ARGS + 2];
	struct sendmail_opts o;
	struct buf *why = buf_new(0);
	size_t off;
	int argc;

	if (!started) {
		log_open(0, NULL, LOG_FORMAT_TEXT, NULL, NULL);
		started = true;
	}
	off = split_args((const char *)data, size, argv, &argc);
	if (sendmail_args_parse(argc, argv, &o, why) == 0)
		run_msg(&o, (const char *)data + off, size - off);
	sendmail_args_free(&o);
	for (int i = 0; i < argc; i++)
		free(argv[i]);
	buf_free(&why);
	return 0;
}
