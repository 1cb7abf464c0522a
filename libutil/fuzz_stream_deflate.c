/* fuzz_stream_deflate - libFuzzer target for stream_deflate's inflate
 * side: any bytes from the peer, read as lines through the layer, end in
 * an EOF or an error (never a crash, never a hang), no read hands back
 * more than the stream's buffer, and a line never passes its limit. */
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "stream_deflate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { LINE_MAX_FUZZ = 1000 };

/* check - abort (a finding) unless cond */
static void check(int cond)
{
	if (!cond)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int sv[2];
	struct stream *s;
	struct stream_deflate *z;
	struct buf *why = buf_new(0), *line = buf_new(0);
	int rc;

	signal(SIGPIPE, SIG_IGN);
	if (size > 65536 || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
		buf_free(&why);
		buf_free(&line);
		return 0;
	}
	(void)!write(sv[1], data, size);	/* fits the socket's buffer */
	close(sv[1]);
	s = stream_new(sv[0], 2000);
	z = stream_deflate_start(s, why);
	check(z != NULL);
	while ((rc = stream_getline(s, line, LINE_MAX_FUZZ)) > 0) {
		check(buf_len(line) <= LINE_MAX_FUZZ);
		stream_write(s, buf_str(line), buf_len(line));	/* the deflate side too */
		(void)stream_flush(s);
	}
	check(s->state == STREAM_EOF || s->state == STREAM_ERROR);
	stream_free(&s);
	stream_deflate_free(&z);
	close(sv[0]);
	buf_free(&why);
	buf_free(&line);
	return 0;
}
