/* fuzz_smtp_session - libFuzzer target for the client side of SMTP: the
 * input is everything a server says (greeting, EHLO reply, replies to
 * MAIL, RCPT, DATA and the content), run through the real session and
 * transaction code over a socketpair, with three recipients and a small
 * queue file made once.  Whatever the replies, every recipient must end
 * with a status, and nothing may crash or hang (EOF ends every wait). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "mem.h"
#include "smtp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char main_cf[] = "myhostname = mx.example.test\nmydomain = example.test\n";
static char qdir[] = "/tmp/fuzz_smtp.XXXXXX";
static char *qpath;
static struct config *config;

/* remove_qfile - the queue file and its directories, at exit */
static void remove_qfile(void)
{
	char sub[64];

	snprintf(sub, sizeof(sub), "%s/incoming", qdir);
	if (qpath)
		unlink(qpath);
	rmdir(sub);
	rmdir(qdir);
}

/* make_qfile - a queue file under a fresh directory; its path */
static char *make_qfile(void)
{
	char sub[64];
	struct buf *why = buf_new(0);
	struct qfile_out *qf;
	char *path;

	if (mkdtemp(qdir) == NULL)
		abort();
	atexit(remove_qfile);
	snprintf(sub, sizeof(sub), "%s/incoming", qdir);
	mkdir(sub, 0700);
	if ((qf = qfile_create(qdir, "incoming", why)) == NULL)
		abort();
	qfile_out_put(qf, QREC_TIME, "1700000000.000001", 17);
	qfile_out_put(qf, QREC_SENDER, "a@example.org", 13);
	qfile_out_put(qf, QREC_RCPT, "b@example.com", 13);
	qfile_out_put(qf, QREC_MESG, "", 0);
	qfile_out_line(qf, "Subject: x", 10, false);
	qfile_out_line(qf, "", 0, false);
	qfile_out_line(qf, ".body \xe9", 7, false);
	qfile_out_put(qf, QREC_XTRA, "", 0);
	qfile_out_put(qf, QREC_END, "", 0);
	if (qfile_commit(qf, why) < 0)
		abort();
	path = xstrdup(qfile_out_path(qf));
	qfile_abort(&qf);
	buf_free(&why);
	return path;
}

/* setup - parameters and the queue file, once */
static void setup(struct smtp_global *g, char **path_r)
{
	struct buf *why = buf_new(0);

	log_open(0, NULL, LOG_FORMAT_TEXT, NULL, NULL);
	config = config_read_text("fuzz/main.cf", main_cf, sizeof(main_cf) - 1, CONFIG_QUIET, why);
	if (config == NULL || (g->cf = config_params(config, why)) == NULL)
		abort();
	*path_r = qpath = make_qfile();
	buf_free(&why);
}

/* run - one delivery of three recipients against the server's bytes */
static void run(struct smtp_global *g, const char *path, int fd)
{
	struct smtp_addr a = { .host = "mx.test", .addr = "192.0.2.1", .family = AF_INET, .port = 25 };
	struct smtp_deliv d = { .g = g, .eightbit = -1, .last = { .text = buf_new(0) } };
	struct smtp_session *ss = smtp_session_new(g->cf, fd, &a, "[mx.test]");
	struct buf *why = buf_new(0);
	int st;

	d.rq = deliver_request_new("FUZZ", "incoming/FUZZ", "[mx.test]", "a@example.org");
	deliver_request_add(d.rq, "r1@example.com", "rfc822;r1@example.com", "SUCCESS", 0);
	deliver_request_add(d.rq, "r2@example.com", NULL, NULL, 0);
	deliver_request_add(d.rq, "r3@example.com", NULL, "NEVER", 0);
	d.state = xcalloc(d.rq->nrcpt, sizeof(*d.state));
	d.pending = d.rq->nrcpt;
	if ((d.qf = qfile_open(path, QFILE_ANY_OWNER, &st, why)) == NULL)
		abort();
	d.size = qfile_sizes(d.qf)->content_size;
	if (smtp_session_start(g, ss, false, &d.last) == 0) {
		smtp_transaction(&d, ss, false);
		if (!ss->broken)
			smtp_transaction(&d, ss, true);	/* what the first left pending */
	}
	for (size_t i = 0; i < d.rq->nrcpt; i++)
		if (d.state[i] == SMTP_RCPT_FINAL && d.rq->rcpt[i].text == NULL)
			abort();
	ss->fd = -1;		/* the caller closes it */
	smtp_session_close(&ss, false);
	qfile_close(&d.qf);
	deliver_request_free(&d.rq);
	free(d.state);
	buf_free(&d.last.text);
	buf_free(&why);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct smtp_global g;
	static char *path;
	int sv[2], big = 1 << 20;

	if (path == NULL)
		setup(&g, &path);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		abort();
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	setsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	if (write(sv[0], data, size) != (ssize_t)size)
		abort();
	shutdown(sv[0], SHUT_WR);
	run(&g, path, sv[1]);
	close(sv[0]);
	close(sv[1]);
	return 0;
}
