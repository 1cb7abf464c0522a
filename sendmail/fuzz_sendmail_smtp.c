/* fuzz_sendmail_smtp - libFuzzer target for "sendmail -bs"'s dialog
 * (sendmail_smtp_session): the input is what the client sends, read
 * from a pipe; the replies go to /dev/null; the queue is a counter here
 * (the real one is postdrop).  Checks: a message begun is ended once,
 * only after MAIL and at least one RCPT, with at most RCPT_MAX (1000)
 * recipients and a sender and recipients without CR, LF or NUL; the
 * session ends (no hang) at the end of the input. */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "params.h"
#include "sendmail.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fake {
	int open;	/* messages begun and not ended */
	size_t bytes;
};

static void check(int cond)
{
	if (!cond)
		abort();
}

static bool clean(const char *s)
{
	return strpbrk(s, "\r\n") == NULL;
}

static void *fake_begin(void *ctx, const char *sender, const struct strv *rcpts)
{
	struct fake *f = ctx;

	check(f->open == 0 && rcpts->len > 0 && rcpts->len <= 1000 && clean(sender));
	for (size_t i = 0; i < rcpts->len; i++)
		check(clean(rcpts->items[i]));
	f->open++;
	return f;
}

static bool fake_write(void *tx, const char *p, size_t len)
{
	struct fake *f = tx;

	check(f->open == 1 && (len == 0 || p != NULL));
	f->bytes += len;
	return true;
}

static int fake_end(void *tx, bool commit)
{
	struct fake *f = tx;

	(void)commit;
	check(f->open == 1);
	f->open--;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct params cf = { .myhostname = "mx.example.test", .smtpd_banner = "mx ESMTP",
				    .message_size_limit = 10240000 };
	struct fake f = { 0 };
	const struct sendmail_smtp_queue q = { fake_begin, fake_write, fake_end, &f };
	int p[2], out = open("/dev/null", O_WRONLY | O_CLOEXEC);

	if (size > 60000 || out < 0 || pipe(p) < 0)
		abort();	/* the pipe holds 64 KB: the whole input fits */
	log_open(0, NULL, LOG_FORMAT_TEXT, NULL, NULL);
	check(write(p[1], data, size) == (ssize_t)size);
	close(p[1]);
	sendmail_smtp_session(&cf, p[0], out, &q);
	check(f.open == 0);
	close(p[0]);
	close(out);
	return 0;
}
