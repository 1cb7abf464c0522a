/* deliver_agent_test - the delivery-agent frame local and virtual run on:
 * a request from a (fake) qmgr over a socketpair, naming a real queue file
 * made by qfile_create, served by deliver_agent_serve with a recipient
 * function that writes a Maildir in a child (deliver_agent_run), as
 * local's file and mailbox steps do.  Bad input first: a queue file name
 * that climbs out of the queue directory defers without opening it.
 * Then: two recipients, two files in Maildir/new with the message, both
 * marked done in the queue file before the reply, every status in the
 * reply; a retried request (qmgr never got the reply) finds the earlier
 * delivery instead of writing it again, in new/ and, after a reader moved
 * it, in cur/; the names carry ",S=size,W=vsize".  Then the Maildir++
 * quota through deliver_agent_maildir: no maildirsize (none made), a
 * byte limit (the first message fits and its line is appended, the next
 * would go over: 5.2.2, not in new/ nor tmp/, maildirsize unchanged), a
 * count limit, a file due for recalculation, a keyed delivery found
 * again though over the quota (an earlier attempt took the room), a bad
 * definition line (deferred). */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "deliver_agent.h"
#include "log.h"
#include "mail_vsize.h"
#include "maildir_scan.h"
#include "mem.h"
#include "queue_id.h"
#include "test.h"

struct fixture {
	char qdir[96];			/* the queue directory (the agent's cwd) */
	char home[96];			/* holds Maildir/ */
	char id[QUEUE_ID_SIZE];
};

/* a recipient's delivery, for the child */
struct md_arg {
	const struct fixture *fx;
	struct agent_msg *m;
	struct maildir_key key;
};

/* setup - the queue directory and the home, below the run's scratch dir */
static void setup(struct fixture *fx)
{
	char path[128];

	snprintf(fx->qdir, sizeof(fx->qdir), "%s/da-queue", test_datadir());
	snprintf(fx->home, sizeof(fx->home), "%s/da-home", test_datadir());
	mkdir(fx->qdir, 0755);
	mkdir(fx->home, 0700);
	snprintf(path, sizeof(path), "%s/incoming", fx->qdir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/active", fx->qdir);
	mkdir(path, 0700);
}

/* queue_message - a complete message to a@ and b@example.com in active/ */
static bool queue_message(struct fixture *fx)
{
	static const char *const lines[] = { "Subject: once", "", "only once, please" };
	struct buf *why = buf_new(0);
	struct qfile_out *qf = qfile_create(fx->qdir, "incoming", why);
	bool ok = qf != NULL;

	if (ok) {
		qfile_out_put(qf, QREC_TIME, "1700000001.250000", 17);
		qfile_out_put(qf, QREC_FLAGS, "0", 1);
		qfile_out_put(qf, QREC_SENDER, "s@example.org", 13);
		qfile_out_put(qf, QREC_RCPT, "a@example.com", 13);
		qfile_out_put(qf, QREC_RCPT, "b@example.com", 13);
		qfile_out_put(qf, QREC_MESG, "", 0);
		for (size_t i = 0; i < 3; i++)
			qfile_out_line(qf, lines[i], strlen(lines[i]), false);
		qfile_out_put(qf, QREC_XTRA, "", 0);
		qfile_out_put(qf, QREC_END, "", 0);
		ok = qfile_commit(qf, why) == 0;
		snprintf(fx->id, sizeof(fx->id), "%s", qfile_out_id(qf));
	}
	qfile_abort(&qf);
	ok = ok && qfile_move(fx->qdir, fx->id, "incoming", "active", 0, why) == 0;
	if (!ok)
		printf("#   queue_message: %s\n", buf_str(why));
	buf_free(&why);
	return ok;
}

/* request - what qmgr sends for the queue file's recipients (in the
 * queue directory), marked retry; NULL when the file cannot be read */
static struct deliver_request *request(const char *file, int retry)
{
	struct buf *why = buf_new(0);
	int status;
	struct qfile *qf = qfile_open(file, 0, &status, why);
	struct deliver_request *rq = NULL;
	const struct qfile_rcpt *r;
	size_t n;

	if (qf != NULL) {
		rq = deliver_request_new(qfile_id(qf), file, "example.com", qfile_sender(qf));
		rq->arrival_time = (long)qfile_arrival(qf).tv_sec;
		rq->arrival_usec = (long)qfile_arrival(qf).tv_usec;
		rq->retry = retry;
		r = qfile_rcpts(qf, &n);
		for (size_t i = 0; i < n; i++)
			deliver_request_add(rq, r[i].address, NULL, NULL, r[i].offset);
	}
	qfile_close(&qf);
	buf_free(&why);
	return rq;
}

/* maildir_child - in the child, as the recipient: home/Maildir/ */
static void maildir_child(void *arg, struct agent_result *res)
{
	struct md_arg *a = arg;
	struct mbox_copy c;
	int dir_fd = open(a->fx->home, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	deliver_agent_copy(&c, a->m, 0, "x@example.com", NULL);
	if (dir_fd < 0) {
		deliver_agent_result_set(res, "4.3.0", "open %s failed", a->fx->home);
		return;
	}
	deliver_agent_maildir(dir_fd, "Maildir/", &c, &a->key, res);
	close(dir_fd);
}

/* to_maildir - the agent's recipient function: recipient i delivered by
 * a child with our own rights, keyed as local keys it */
static void to_maildir(void *ctx, struct agent_msg *m, size_t i)
{
	struct md_arg a = { .fx = ctx, .m = m };
	struct agent_privs p;
	struct agent_result res;

	deliver_agent_privs(&p, geteuid(), getegid(), "test");
	deliver_agent_key(&a.key, m, i, "Maildir/");
	deliver_agent_result_init(&res);
	deliver_agent_run(&p, 60, maildir_child, &a, &res);
	deliver_status(m->rq, i, deliver_agent_result_status(&res), res.dsn, "local", "%s", buf_str(res.text));
	deliver_agent_log(m, m->rq->rcpt[i].address, deliver_agent_orig_to(m, i), "local", res.dsn,
			  buf_str(res.text));
	deliver_agent_result_free(&res);
}

/* serve - rq through deliver_agent_serve in the queue directory; the
 * reply's statuses into rq; false when the exchange failed */
static bool serve(struct fixture *fx, struct deliver_request *rq)
{
	struct attr_in *in = attr_in_new(0, 0);
	struct buf *why = buf_new(0);
	int sv[2], cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	bool ok = socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0 && chdir(fx->qdir) == 0;

	ok = ok && deliver_send_early(sv[0], rq, why) == 1;
	if (ok)
		deliver_agent_serve(sv[1], to_maildir, fx, "local");
	ok = ok && fchdir(cwd) == 0;
	ok = ok && deliver_read_hello(in, sv[0], 10000, why) == 0 && deliver_read_reply(in, sv[0], rq, why) == 0;
	if (!ok)
		printf("#   serve: %s\n", buf_str(why));
	close(sv[0]);
	close(sv[1]);
	close(cwd);
	attr_in_free(&in);
	buf_free(&why);
	return ok;
}

/* in_queue - request() for active/ID, run from the queue directory */
static struct deliver_request *in_queue(const struct fixture *fx, int retry)
{
	char file[64];
	int cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct deliver_request *rq = NULL;

	snprintf(file, sizeof(file), "active/%s", fx->id);
	if (chdir(fx->qdir) == 0)
		rq = request(file, retry);
	if (fchdir(cwd) < 0)
		log_panic("fchdir: %m");
	close(cwd);
	return rq;
}

/* files_in - the names in home/Maildir/SUB, one per line; their count */
static int files_in(const struct fixture *fx, const char *sub, struct buf *names)
{
	char path[160];
	DIR *d;
	struct dirent *e;
	int n = 0;

	snprintf(path, sizeof(path), "%s/Maildir/%s", fx->home, sub);
	buf_reset(names);
	for (d = opendir(path); d && (e = readdir(d)) != NULL;)
		if (e->d_name[0] != '.') {
			buf_printf(names, "%s\n", e->d_name);
			n++;
		}
	if (d)
		closedir(d);
	return n;
}

/* has_text - the file home/Maildir/SUB/NAME contains text */
static bool has_text(const struct fixture *fx, const char *sub, const char *name, const char *text)
{
	char path[256], data[4096] = "";
	int fd;
	ssize_t n = -1;

	snprintf(path, sizeof(path), "%s/Maildir/%s/%.*s", fx->home, sub, (int)strcspn(name, "\n"), name);
	if ((fd = open(path, O_RDONLY)) >= 0) {
		n = read(fd, data, sizeof(data) - 1);
		close(fd);
	}
	return n > 0 && strstr(data, text) != NULL;
}

/* has_vsize - the first name of names (in new/) ends in ",S=size,W=vsize",
 * both right for the file */
static bool has_vsize(const struct fixture *fx, const char *names)
{
	char name[256], path[512];
	off_t size = -1, vsize = -1, real = -1;
	struct stat st;
	int fd;

	snprintf(name, sizeof(name), "%.*s", (int)strcspn(names, "\n"), names);
	snprintf(path, sizeof(path), "%s/Maildir/new/%s", fx->home, name);
	if ((fd = open(path, O_RDONLY)) >= 0) {
		if (fstat(fd, &st) < 0 || mail_vsize_fd(fd, 0, &real) < 0)
			real = -1;
		close(fd);
	}
	const char *s_at = strstr(name, ",S="), *w_at = strstr(name, ",W=");

	return maildir_name_size(name, &size) && maildir_name_vsize(name, &vsize) && fd >= 0
	       && size == st.st_size && vsize == real && vsize == size + 5	/* five lines */
	       && s_at && w_at > s_at;
}

/* all_done - every recipient of the queue file is marked done */
static bool all_done(const struct fixture *fx)
{
	char path[160];
	struct buf *why = buf_new(0);
	int status;
	struct qfile *qf;
	bool done;

	snprintf(path, sizeof(path), "%s/active/%s", fx->qdir, fx->id);
	qf = qfile_open(path, 0, &status, why);
	done = qf != NULL && qfile_rcpts_pending(qf) == 0;
	qfile_close(&qf);
	buf_free(&why);
	return done;
}

/* test_bad_name - a queue file outside QUEUE/ID: deferred, nothing opened */
static void test_bad_name(struct fixture *fx, struct buf *names)
{
	static const char *const bad[] = { "../da-queue/active/%s", "active/../active/%s", "%s", "/etc/%s" };
	char file[128];

	test_begin("deliver_agent: a queue file name that is not QUEUE/ID defers every recipient");
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		struct deliver_request *rq = in_queue(fx, DELIVER_FIRST);

		test_assert(rq != NULL);
		if (rq == NULL)
			break;
		snprintf(file, sizeof(file), bad[k], fx->id);
		free(rq->queue_file);
		rq->queue_file = xstrdup(file);
		test_assert(serve(fx, rq));
		test_assert(rq->rcpt[0].status == DELIVER_DEFERRED && rq->rcpt[1].status == DELIVER_DEFERRED);
		test_assert(strstr(rq->rcpt[1].text, "bad queue file name") != NULL);
		deliver_request_free(&rq);
	}
	test_assert(files_in(fx, "new", names) == 0);
	test_expect_log("bad queue file name");
	test_end();
}

/* test_first - both recipients delivered, marked, replied */
static void test_first(struct fixture *fx, struct buf *names)
{
	struct deliver_request *rq = in_queue(fx, DELIVER_FIRST);
	char line[96];

	test_begin("deliver_agent: a request over a socket, two recipients into Maildir/new, marked done");
	test_assert(rq != NULL && serve(fx, rq));
	for (size_t i = 0; rq && i < rq->nrcpt; i++) {
		test_assert(rq->rcpt[i].status == DELIVER_SENT);
		test_assert_str(rq->rcpt[i].dsn, "2.0.0");
		test_assert_str(rq->rcpt[i].text, "delivered to maildir");
	}
	test_assert(files_in(fx, "new", names) == 2);
	test_assert(has_text(fx, "new", buf_str(names), "only once, please"));
	test_assert(has_vsize(fx, buf_str(names)));
	test_assert(all_done(fx));
	snprintf(line, sizeof(line), "%s: to=<b@example.com>, relay=local, delay=", fx->id);
	test_expect_log(line);
	test_expect_log(", dsn=2.0.0, status=sent (delivered to maildir)");
	deliver_request_free(&rq);
	test_end();
}

/* test_retry - the same request again: found, not written twice */
static void test_retry(struct fixture *fx, struct buf *names)
{
	struct buf *before = buf_new(0);
	struct deliver_request *rq = in_queue(fx, DELIVER_INTERRUPTED);

	test_begin("deliver_agent: a retried request finds the earlier delivery in new/ (exactly once)");
	files_in(fx, "new", before);
	test_assert(rq != NULL && serve(fx, rq));
	for (size_t i = 0; rq && i < rq->nrcpt; i++) {
		test_assert(rq->rcpt[i].status == DELIVER_SENT);
		test_assert(strstr(rq->rcpt[i].text, "by an earlier attempt") != NULL);
	}
	test_assert(files_in(fx, "new", names) == 2);
	test_assert_str(buf_str(names), buf_str(before));
	deliver_request_free(&rq);
	buf_free(&before);
	test_end();
}

/* test_retry_cur - a reader moved the files to cur/ with flags: found there */
static void test_retry_cur(struct fixture *fx, struct buf *names)
{
	char from[256], to[300];
	struct deliver_request *rq;
	int moved = 0;

	test_begin("deliver_agent: a retried request finds the earlier delivery a reader moved to cur/");
	files_in(fx, "new", names);
	for (char *p = names->data, *nl; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
		*nl = '\0';
		snprintf(from, sizeof(from), "%s/Maildir/new/%s", fx->home, p);
		snprintf(to, sizeof(to), "%s/Maildir/cur/%s:2,S", fx->home, p);
		moved += rename(from, to) == 0;
	}
	test_assert(moved == 2);
	rq = in_queue(fx, DELIVER_RETRY);
	test_assert(rq != NULL && serve(fx, rq));
	for (size_t i = 0; rq && i < rq->nrcpt; i++)
		test_assert(strstr(rq->rcpt[i].text, "by an earlier attempt") != NULL);
	test_assert(files_in(fx, "new", names) == 0);
	test_assert(files_in(fx, "cur", names) == 2);
	deliver_request_free(&rq);
	test_end();
}

/* a line source for deliver_agent_maildir: body lines */
struct body {
	const char *const *lines;
	size_t i;
};

/* body_next - mbox_next_fn over struct body */
static int body_next(void *ctx, const char **line_r, size_t *len_r, bool *partial_r, struct buf *why)
{
	struct body *b = ctx;

	(void)why;
	if (b->lines[b->i] == NULL)
		return 0;
	*line_r = b->lines[b->i++];
	*len_r = strlen(*line_r);
	*partial_r = false;
	return 1;
}

/* quota_home - a fresh home/Maildir with maildirsize text (NULL: none);
 * the home's fd */
static int quota_home(const char *name, const char *text, char *home, size_t size)
{
	char path[256];
	int fd;

	snprintf(home, size, "%s/q-%s", test_datadir(), name);
	snprintf(path, sizeof(path), "%s/Maildir", home);
	mkdir(home, 0700);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/Maildir/maildirsize", home);
	if (text && (fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) >= 0) {
		if (write(fd, text, strlen(text)) < 0)
			printf("#   quota_home: write failed\n");
		close(fd);
	}
	return open(home, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* put_keyed - one message of lines into home_fd's Maildir/ (under key's
 * name when not NULL): its DSN into dsn, its text into text (may be NULL) */
static void put_keyed(int home_fd, const char *const *lines, const struct maildir_key *key, char *dsn,
		      struct buf *text)
{
	struct body b = { .lines = lines };
	struct mbox_copy c = { .next = body_next, .ctx = &b, .sender = "s@example.org" };
	struct agent_result res;

	deliver_agent_result_init(&res);
	deliver_agent_maildir(home_fd, "Maildir/", &c, key, &res);
	snprintf(dsn, 16, "%s", res.dsn);
	if (text)
		buf_set(text, buf_str(res.text));
	deliver_agent_result_free(&res);
}

/* put_body - put_keyed without a key */
static void put_body(int home_fd, const char *const *lines, char *dsn, struct buf *text)
{
	put_keyed(home_fd, lines, NULL, dsn, text);
}

/* file_text - the contents of home/rel, "" when unreadable */
static void file_text(const char *home, const char *rel, char *out, size_t size)
{
	char path[256];
	int fd;
	ssize_t n = 0;

	snprintf(path, sizeof(path), "%s/%s", home, rel);
	if ((fd = open(path, O_RDONLY)) >= 0) {
		n = read(fd, out, size - 1);
		close(fd);
	}
	out[n > 0 ? n : 0] = '\0';
}

/* count_in - entries in home/Maildir/sub */
static int count_in(const char *home, const char *sub)
{
	struct fixture fx;
	struct buf *names = buf_new(0);
	int n;

	snprintf(fx.home, sizeof(fx.home), "%s", home);
	n = files_in(&fx, sub, names);
	buf_free(&names);
	return n;
}

/* test_quota - Maildir++ quota on delivery */
static void test_quota(void)
{
	static const char *const small[] = { "Subject: s", "", "hi", NULL };	/* 44 bytes in all */
	static const char *const big[] = { "Subject: b", "", "0123456789012345678901234567890123456789", NULL };
	struct buf *text = buf_new(0);
	char home[128], got[512], dsn[16];
	int fd;

	test_begin("deliver_agent: no maildirsize: delivered, none made");
	fd = quota_home("none", NULL, home, sizeof(home));
	put_body(fd, small, dsn, NULL);
	test_assert_str(dsn, "2.0.0");
	file_text(home, "Maildir/maildirsize", got, sizeof(got));
	test_assert_str(got, "");
	close(fd);
	test_end();

	test_begin("deliver_agent: maildirsize with a byte limit: the line appended, then 5.2.2 and nothing in the Maildir");
	fd = quota_home("bytes", "100S\n0 0\n", home, sizeof(home));
	put_body(fd, small, dsn, NULL);
	test_assert_str(dsn, "2.0.0");
	file_text(home, "Maildir/maildirsize", got, sizeof(got));
	test_assert_str(got, "100S\n0 0\n44 1\n");
	put_body(fd, big, dsn, text);
	test_assert_str(dsn, "5.2.2");
	test_assert(strstr(buf_str(text), "Quota exceeded") != NULL);
	test_assert(count_in(home, "new") == 1 && count_in(home, "tmp") == 0);
	file_text(home, "Maildir/maildirsize", got, sizeof(got));
	test_assert_str(got, "100S\n0 0\n44 1\n");
	put_body(fd, small, dsn, NULL);	/* 88 of 100: still fits */
	test_assert_str(dsn, "2.0.0");
	test_assert(count_in(home, "new") == 2);
	close(fd);
	test_end();

	test_begin("deliver_agent: maildirsize with a count limit; one due for recalculation is recalculated");
	fd = quota_home("count", "0S,1C\n", home, sizeof(home));
	put_body(fd, small, dsn, NULL);
	test_assert_str(dsn, "2.0.0");
	put_body(fd, small, dsn, NULL);
	test_assert_str(dsn, "5.2.2");
	test_assert(count_in(home, "new") == 1);
	close(fd);
	fd = quota_home("recalc", "1000S\n-5000 -3\n", home, sizeof(home));	/* a negative sum */
	put_body(fd, small, dsn, NULL);
	test_assert_str(dsn, "2.0.0");
	file_text(home, "Maildir/maildirsize", got, sizeof(got));
	test_assert_str(got, "1000S,0C\n0 0\n44 1\n");
	close(fd);
	test_end();

	buf_free(&text);
}

/* test_quota_more - keyed deliveries over the quota, a broken maildirsize */
static void test_quota_more(void)
{
	static const char *const small[] = { "Subject: s", "", "hi", NULL };	/* 44 bytes in all */
	struct buf *text = buf_new(0);
	char home[128], got[512], dsn[16];
	int fd;

	test_begin("deliver_agent: over the quota, but an earlier attempt of the same keyed delivery is there: delivered");
	fd = quota_home("keyed", "0S,1C\n", home, sizeof(home));
	{
		struct timeval arrival = { .tv_sec = 1700000002 };
		struct maildir_key k;

		test_assert(maildir_key_make(&k, &arrival, "1nQd3A0fUq00Gx01Kz", "0:q@example.com\nq", false));
		put_keyed(fd, small, &k, dsn, NULL);
		test_assert_str(dsn, "2.0.0");
		put_keyed(fd, small, &k, dsn, text);
		test_assert_str(dsn, "2.0.0");
		test_assert(strstr(buf_str(text), "by an earlier attempt") != NULL);
		k.unique[0]++;	/* another delivery: over */
		put_keyed(fd, small, &k, dsn, NULL);
		test_assert_str(dsn, "5.2.2");
	}
	test_assert(count_in(home, "new") == 1 && count_in(home, "tmp") == 0);
	file_text(home, "Maildir/maildirsize", got, sizeof(got));
	test_assert_str(got, "0S,1C\n44 1\n");
	close(fd);
	test_end();

	test_begin("deliver_agent: a maildirsize with a bad definition line defers");
	fd = quota_home("bad", "lots\n", home, sizeof(home));
	put_body(fd, small, dsn, text);
	test_assert(dsn[0] == '4' && strstr(buf_str(text), "maildirsize") != NULL);
	test_assert(count_in(home, "new") == 0 && count_in(home, "tmp") == 0);
	close(fd);
	test_end();
	buf_free(&text);
}

/* test_deliver_agent - every case of this file, in order */
void test_deliver_agent(void)
{
	struct fixture fx;
	struct buf *names = buf_new(256);

	setup(&fx);
	test_begin("deliver_agent: a queue file made by qfile_create");
	test_assert(queue_message(&fx));
	if (!test_end())
		return;
	test_bad_name(&fx, names);
	test_first(&fx, names);
	test_retry(&fx, names);
	test_retry_cur(&fx, names);
	test_quota();
	test_quota_more();
	buf_free(&names);
}
