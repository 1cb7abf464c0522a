/* qmgr_job_test - qmgr's scheduler without a master: real queue files in
 * a queue directory below the run's scratch directory (qmgr's working
 * directory while a case runs), qmgr_msg_load making the jobs,
 * qmgr_job_start_ready and qmgr_job_step running them, and the test as
 * the delivery agents, accepting qmgr's connections on private/smtp and
 * private/local and answering each request itself.  Checked: no more
 * jobs in flight per destination than its concurrency limit (per
 * recipient for local), nor in all than default_process_limit; a freed
 * slot goes to the destination that has waited longest; recipients go
 * in jobs of at most the recipient limit; a deferred message goes to
 * deferred/ with its retry time (its age, within minimal_backoff_time
 * and maximal_backoff_time) as mtime, the reasons in defer/ID and its
 * delivered recipients marked; loaded again its request says it is a
 * retry, after an agent that died with it an interrupted one, and holds
 * only the recipients still pending; a finished message leaves the queue
 * and qmgr forgets its destinations. */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "mem.h"
#include "ev.h"
#include "qmgr.h"
#include "queue_id.h"
#include "test.h"

enum { IO_MS = 10000 };

struct fixture {
	struct qmgr_global g;
	struct params *cf;
	int cwd;			/* to go back to */
	int smtp, local;		/* the agents' listening sockets */
};

/* an accepted connection and its request */
struct agent_conn {
	int fd;
	struct deliver_request *rq;
};

static const char main_cf[] =
	"myhostname = mx.example.test\nmydestination = localhost\n"
	"default_destination_concurrency_limit = 2\ndefault_destination_recipient_limit = 2\n"
	"local_destination_concurrency_limit = 1\ndefault_process_limit = 3\n"
	"minimal_backoff_time = 300s\nmaximal_backoff_time = 4000s\n";

/* listen_at - a listening socket at private/NAME (relative: we are in
 * the queue directory) */
static int listen_at(const char *name)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "private/%s", name);
	unlink(sa.sun_path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 64) < 0)
		log_panic("listen %s: %m", sa.sun_path);
	return fd;
}

/* setup - a queue directory as qmgr's cwd, the parameters, the agents */
static bool setup(struct fixture *fx, const char *name)
{
	static const char *const dirs[] = { "incoming", "active", "deferred", "defer", "bounce", "private" };
	struct buf *why = buf_new(0), *dir = buf_new(64);
	struct config *c;

	memset(fx, 0, sizeof(*fx));
	buf_printf(dir, "%s/%s", test_datadir(), name);
	fx->cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (mkdir(buf_str(dir), 0755) < 0 || chdir(buf_str(dir)) < 0)
		log_panic("%s: %m", buf_str(dir));
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		mkdir(dirs[i], 0700);
	c = config_read_text("main.cf", main_cf, strlen(main_cf), CONFIG_QUIET, why);
	if (c == NULL || config_validate(c, why) < 0 || (fx->cf = config_params(c, why)) == NULL)
		printf("#   main.cf: %s\n", buf_str(why));
	fx->g.cf = fx->cf;
	fx->g.config = c;
	fx->g.ev = ev_new();
	fx->g.trigger_fd = -1;
	if (fx->cf)
		qmgr_resolve_init(&fx->g);
	fx->smtp = listen_at("smtp");
	fx->local = listen_at("local");
	buf_free(&why);
	buf_free(&dir);
	return fx->cf != NULL;
}

/* teardown - back to the old cwd; everything released */
static void teardown(struct fixture *fx)
{
	if (fchdir(fx->cwd) < 0)
		log_panic("fchdir: %m");
	close(fx->cwd);
	close(fx->smtp);
	close(fx->local);
	strv_free(&fx->g.mydestination);
	strv_free(&fx->g.virtual_mailbox_domains);
	strv_free(&fx->g.relay_domains);
	htable_free(&fx->g.dests, free);
	htable_free(&fx->g.interrupted, NULL);
	config_free(&fx->g.config);
	ev_free(&fx->g.ev);
	params_free(&fx->cf);
}

/* enqueue - a complete message of age seconds to the recipients
 * (NULL-ended) in active/, loaded as if found in incoming/; its ID */
static void enqueue(struct fixture *fx, long age, const char *const *rcpts, char *id)
{
	struct buf *why = buf_new(0), *t = buf_new(32);
	struct qfile_out *qf = qfile_create(".", "incoming", why);

	if (qf == NULL)
		log_panic("qfile_create: %s", buf_str(why));
	buf_printf(t, "%ld.000000", (long)time(NULL) - age);
	qfile_out_put(qf, QREC_TIME, buf_str(t), buf_len(t));
	qfile_out_put(qf, QREC_FLAGS, "0", 1);
	qfile_out_put(qf, QREC_SENDER, "s@example.org", 13);
	for (; *rcpts; rcpts++)
		qfile_out_put(qf, QREC_RCPT, *rcpts, strlen(*rcpts));
	qfile_out_put(qf, QREC_MESG, "", 0);
	qfile_out_line(qf, "Subject: x", 10, false);
	qfile_out_put(qf, QREC_XTRA, "", 0);
	qfile_out_put(qf, QREC_END, "", 0);
	if (qfile_commit(qf, why) < 0)
		log_panic("qfile_commit: %s", buf_str(why));
	strcpy(id, qfile_out_id(qf));
	qfile_abort(&qf);
	if (qfile_move(".", id, "incoming", "active", 0, why) < 0)
		log_panic("qfile_move: %s", buf_str(why));
	qmgr_msg_load(&fx->g, id, "incoming");
	buf_free(&why);
	buf_free(&t);
}

/* reload - a deferred message back into active/, as a queue run does */
static void reload(struct fixture *fx, const char *id)
{
	struct buf *why = buf_new(0);

	if (qfile_move(".", id, "deferred", "active", 0, why) < 0)
		printf("#   reload: %s\n", buf_str(why));
	else
		qmgr_msg_load(&fx->g, id, "deferred");
	buf_free(&why);
}

/* pending - a connection waits on lfd */
static bool pending(int lfd, int ms)
{
	struct pollfd pfd = { .fd = lfd, .events = POLLIN };

	return poll(&pfd, 1, ms) > 0;
}

/* take - the next connection qmgr made to lfd, as its agent: hello,
 * then the request; false when there is none */
static bool take(int lfd, struct agent_conn *a)
{
	struct buf *why = buf_new(0);

	a->rq = NULL;
	a->fd = pending(lfd, IO_MS) ? accept4(lfd, NULL, NULL, SOCK_CLOEXEC) : -1;
	if (a->fd >= 0 && (a->rq = deliver_request_read(a->fd, why)) == NULL)
		printf("#   request: %s\n", buf_str(why));
	buf_free(&why);
	return a->rq != NULL;
}

/* reply - every recipient of a's request gets st; the connection ends */
static void reply(struct agent_conn *a, enum deliver_status st)
{
	struct buf *why = buf_new(0);

	for (size_t i = 0; a->rq && i < a->rq->nrcpt; i++)
		deliver_status(a->rq, i, st, st == DELIVER_SENT ? "2.0.0" : "4.4.1", "test", "%s",
			       st == DELIVER_SENT ? "sent" : "connection timed out");
	if (a->rq && deliver_reply(a->fd, a->rq, why) < 0)
		printf("#   reply: %s\n", buf_str(why));
	deliver_request_free(&a->rq);
	if (a->fd >= 0)
		close(a->fd);
	a->fd = -1;
	buf_free(&why);
}

/* drive - qmgr's event loop until a new connection waits on lfd or no
 * more than stop_at jobs are in flight (at most IO_MS) */
static void drive(struct fixture *fx, int lfd, int stop_at)
{
	for (int i = 0; i < IO_MS / 20 && !pending(lfd, 0) && fx->g.nrunning > stop_at; i++)
		qmgr_job_step(&fx->g, -1, 20);
}

/* rcpts_are - the request's recipients, comma-separated, are want */
static bool rcpts_are(const struct deliver_request *rq, const char *want)
{
	struct buf *b = buf_new(64);
	bool same;

	for (size_t i = 0; rq && i < rq->nrcpt; i++)
		buf_printf(b, "%s%s", i ? "," : "", rq->rcpt[i].address);
	same = strcmp(buf_str(b), want) == 0;
	if (!same)
		printf("#   recipients \"%s\", want \"%s\"\n", buf_str(b), want);
	buf_free(&b);
	return same;
}

/* busy_of - jobs in flight for dest, -1 when qmgr does not know it */
static long busy_of(struct fixture *fx, const char *dest)
{
	struct qmgr_dest *d = htable_get(fx->g.dests, dest);

	return d ? d->busy : -1;
}

static const char *const spread[] = {
	"b1@example.net", "c1@example.org", "a1@example.com", "a2@example.com", "a3@example.com",
	"a4@example.com", "a5@example.com", "a6@example.com", NULL };

/* test_limits - per destination, in all, and who gets a freed slot */
static void test_limits(struct fixture *fx, char *id)
{
	static const char *const edu[] = { "x@example.edu", NULL };
	struct agent_conn net, org, com1, com2, com3, late;
	char id2[QUEUE_ID_SIZE];

	test_begin("qmgr: 3 jobs in all, 2 per destination, 2 recipients per job, freed slots in turn");
	enqueue(fx, 0, spread, id);
	qmgr_job_start_ready(&fx->g);
	test_assert(fx->g.nrunning == 3);
	test_assert(take(fx->smtp, &net) && rcpts_are(net.rq, "b1@example.net"));
	test_assert(take(fx->smtp, &org) && rcpts_are(org.rq, "c1@example.org"));
	test_assert(take(fx->smtp, &com1) && rcpts_are(com1.rq, "a1@example.com,a2@example.com"));
	test_assert(!pending(fx->smtp, 100));	/* 3 in all */
	test_assert(com1.rq && strcmp(com1.rq->nexthop, "example.com") == 0 && com1.rq->retry == DELIVER_FIRST);
	enqueue(fx, 0, edu, id2);		/* example.edu waits after example.com */
	reply(&net, DELIVER_SENT);
	drive(fx, fx->smtp, 0);
	test_assert(take(fx->smtp, &com2) && rcpts_are(com2.rq, "a3@example.com,a4@example.com"));
	test_assert(busy_of(fx, "smtp:example.com") == 2);
	reply(&org, DELIVER_SENT);
	drive(fx, fx->smtp, 0);		/* example.com is at its limit: example.edu */
	test_assert(take(fx->smtp, &late) && rcpts_are(late.rq, "x@example.edu"));
	reply(&late, DELIVER_SENT);
	drive(fx, fx->smtp, 2);
	test_assert(!pending(fx->smtp, 100) && fx->g.nrunning == 2 && fx->g.waiting != NULL);
	reply(&com1, DELIVER_SENT);
	drive(fx, fx->smtp, 0);
	test_assert(take(fx->smtp, &com3) && rcpts_are(com3.rq, "a5@example.com,a6@example.com"));
	reply(&com2, DELIVER_DEFERRED);
	reply(&com3, DELIVER_SENT);
	drive(fx, fx->smtp, 0);
	test_assert(fx->g.nrunning == 0 && fx->g.waiting == NULL);
	test_assert(fx->g.dests->len == 0);	/* forgotten */
	test_end();
}

/* retry_in - seconds from now to the retry time of deferred/ID, or -1e6 */
static long retry_in(const char *id)
{
	struct stat st;
	char path[64];

	snprintf(path, sizeof(path), "deferred/%s", id);
	return stat(path, &st) == 0 ? (long)(st.st_mtime - time(NULL)) : -1000000;
}

/* about - seconds to a retry time are want, give or take the seconds a
 * busy machine takes between the deferral and the look (the message's
 * age, the backoff, grows with them too) */
static bool about(long in, long want)
{
	if (in < want - 30 || in > want + 30)
		printf("#   retry in %lds, want %lds\n", in, want);
	return in >= want - 30 && in <= want + 30;
}

/* in_file - the file at path contains text */
static bool in_file(const char *path, const char *text)
{
	char data[4096] = "";
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, data, sizeof(data) - 1) : -1;

	if (fd >= 0)
		close(fd);
	return n > 0 && strstr(data, text) != NULL;
}

/* pending_rcpts - the recipients of deferred/ID not marked done */
static size_t pending_rcpts(const char *id)
{
	char path[64];
	struct buf *why = buf_new(0);
	int status;
	struct qfile *qf;
	size_t n;

	snprintf(path, sizeof(path), "deferred/%s", id);
	qf = qfile_open(path, 0, &status, why);
	n = qf ? qfile_rcpts_pending(qf) : 99;
	qfile_close(&qf);
	buf_free(&why);
	return n;
}

/* test_deferred - the message of test_limits: deferred/, retry time,
 * reasons, marks */
static void test_deferred(const char *id)
{
	char path[64];
	long in = retry_in(id);

	test_begin("qmgr: a message with a deferred job goes to deferred/, retried after minimal_backoff_time");
	test_assert(about(in, 300));
	snprintf(path, sizeof(path), "defer/%s", id);
	test_assert(in_file(path, "a3@example.com\t4.4.1\tconnection timed out"));
	test_assert(in_file(path, "a4@example.com\t4.4.1\t"));
	test_assert(!in_file(path, "a1@example.com"));
	test_assert(pending_rcpts(id) == 2);
	snprintf(path, sizeof(path), "active/%s", id);
	test_assert(access(path, F_OK) < 0);
	test_end();
}

/* test_retry - loaded again: a retry, then interrupted, then done */
static void test_retry(struct fixture *fx, const char *id)
{
	struct agent_conn a;
	char path[64];

	test_begin("qmgr: a retry says so and holds the pending recipients; after a dead agent, interrupted");
	reload(fx, id);
	qmgr_job_start_ready(&fx->g);
	test_assert(take(fx->smtp, &a) && rcpts_are(a.rq, "a3@example.com,a4@example.com"));
	test_assert(a.rq && a.rq->retry == DELIVER_RETRY);
	deliver_request_free(&a.rq);
	close(a.fd);		/* the agent dies with the request */
	drive(fx, fx->smtp, 0);
	test_assert(about(retry_in(id), 300));
	reload(fx, id);
	qmgr_job_start_ready(&fx->g);
	test_assert(take(fx->smtp, &a) && a.rq && a.rq->retry == DELIVER_INTERRUPTED);
	reply(&a, DELIVER_SENT);
	drive(fx, fx->smtp, 0);
	test_assert(fx->g.nrunning == 0);
	snprintf(path, sizeof(path), "deferred/%s", id);
	test_assert(access(path, F_OK) < 0);
	snprintf(path, sizeof(path), "active/%s", id);
	test_assert(access(path, F_OK) < 0);
	test_end();
}

/* deferred_after - a one-recipient message of age seconds, deferred
 * once: seconds to its retry time */
static long deferred_after(struct fixture *fx, long age)
{
	static const char *const one[] = { "z@example.net", NULL };
	char id[QUEUE_ID_SIZE];
	struct agent_conn a;

	enqueue(fx, age, one, id);
	qmgr_job_start_ready(&fx->g);
	if (!take(fx->smtp, &a))
		return -1000000;
	reply(&a, DELIVER_DEFERRED);
	drive(fx, fx->smtp, 0);
	return retry_in(id);
}

/* test_backoff - the retry time is the message's age, within limits */
static void test_backoff(struct fixture *fx)
{
	long in;

	test_begin("qmgr: the next retry after the message's age, at least 300s, at most 4000s");
	in = deferred_after(fx, 1000);
	test_assert(about(in, 1000));
	in = deferred_after(fx, 100000);
	test_assert(about(in, 4000));
	in = deferred_after(fx, 10);
	test_assert(about(in, 300));
	test_end();
}

/* test_local - local: one job per recipient, the limit per recipient */
static void test_local(struct fixture *fx)
{
	static const char *const joe[] = { "joe@localhost", "ann@localhost", NULL };
	char id1[QUEUE_ID_SIZE], id2[QUEUE_ID_SIZE];
	struct agent_conn a, b, c;

	test_begin("qmgr: local gets one recipient per job, one job per recipient at a time");
	enqueue(fx, 0, joe, id1);
	enqueue(fx, 0, joe, id2);
	qmgr_job_start_ready(&fx->g);
	test_assert(fx->g.nrunning == 2);
	test_assert(take(fx->local, &a) && rcpts_are(a.rq, "joe@localhost"));
	test_assert(take(fx->local, &b) && rcpts_are(b.rq, "ann@localhost"));
	test_assert(!pending(fx->local, 100));	/* the second message waits for both */
	test_assert(busy_of(fx, "local:joe@localhost") == 1);
	reply(&a, DELIVER_SENT);
	drive(fx, fx->local, 0);
	test_assert(take(fx->local, &c) && rcpts_are(c.rq, "joe@localhost"));
	test_assert(c.rq && a.rq == NULL && strcmp(c.rq->queue_id, id2) == 0);
	reply(&b, DELIVER_SENT);
	reply(&c, DELIVER_SENT);
	drive(fx, fx->local, 0);
	test_assert(take(fx->local, &a) && rcpts_are(a.rq, "ann@localhost"));
	reply(&a, DELIVER_SENT);
	drive(fx, fx->local, 0);
	test_assert(fx->g.nrunning == 0 && fx->g.dests->len == 0);
	test_end();
}

/* test_qmgr_job - every case of this file, on one queue; SIGPIPE
 * ignored, as in qmgr (server_main) */
void test_qmgr_job(void)
{
	void (*old)(int) = signal(SIGPIPE, SIG_IGN);
	struct fixture fx;
	char id[QUEUE_ID_SIZE];

	test_begin("qmgr: a queue directory and main.cf");
	test_assert(setup(&fx, "qmgr-queue"));
	if (test_end()) {
		test_limits(&fx, id);
		test_deferred(id);
		test_retry(&fx, id);
		test_backoff(&fx);
		test_local(&fx);
	}
	teardown(&fx);
	signal(SIGPIPE, old);
}
