/* authd_worker_test - password checks on the worker threads: jobs end on
 * the loop thread with the right verdicts, many at once, in the order
 * they were submitted; a forgotten
 * job's done is never called; without workers a job runs inline; and the
 * synchronous authd_passdb_verify still answers. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "authd.h"
#include "ev.h"
#include "mem.h"
#include "pwhash.h"
#include "test.h"

enum { NJOBS = 48 };

struct outcome {
	int calls;
	int seq;		/* the how-manieth job to end */
	bool async;
	bool on_loop;		/* called on the test's own thread */
	enum authd_result res;
	char user[64], why[128];
};

static pthread_t loop_thread;
static int finished;

/* done - record the verdict of one job */
static void done(struct authd_check *chk, void *ctx, bool async)
{
	struct outcome *o = ctx;
	struct buf *user = buf_new(0), *why = buf_new(0);

	o->calls++;
	o->seq = finished;
	o->async = async;
	o->on_loop = pthread_equal(pthread_self(), loop_thread);
	o->res = authd_passdb_verdict(chk, user, why);
	snprintf(o->user, sizeof(o->user), "%s", buf_str(user));
	snprintf(o->why, sizeof(o->why), "%s", buf_str(why));
	buf_free(&user);
	buf_free(&why);
	finished++;
}

/* submit - a check of login/password, ending in o */
static struct authd_job *submit(const char *login, const char *password, struct outcome *o)
{
	struct authd_name n;
	struct authd_job *job;

	authd_name_init(&n);
	(void)authd_name_normalize(login, "%u", "", &n);
	job = authd_worker_job(authd_passdb_lookup(&n, password), done, o);
	authd_worker_submit(job);
	authd_name_free(&n);
	return job;
}

/* run_until - run the loop until want jobs finished or 30 s passed */
static void run_until(struct ev *ev, int want)
{
	time_t end = time(NULL) + 30;

	while (finished < want && time(NULL) < end)
		ev_once(ev, 100);
}

/* passwd_file - a passwd-file with a SHA512-CRYPT user and a PLAIN one */
static char *passwd_file(void)
{
	struct buf *h = buf_new(0), *why = buf_new(0), *text = buf_new(0);
	char *path;

	(void)pwhash_make("SHA512-CRYPT", "secret", h, why);
	buf_printf(text, "ann:%s:1:1::/a::\nbob:{PLAIN}bobpw:2:2::/b::\n", buf_str(h));
	path = test_tmpfile(buf_str(text));
	buf_free(&h);
	buf_free(&why);
	buf_free(&text);
	return path;
}

/* test_inline - no workers: done before submit returns */
static void test_inline(void)
{
	struct outcome o = { 0 };
	struct buf *user = buf_new(0), *why = buf_new(0);
	struct authd_name n;

	test_begin("authd worker: without threads a job runs inline");
	test_assert(authd_worker_threads() == 0);
	submit("ann", "secret", &o);
	test_assert(o.calls == 1 && !o.async && o.on_loop && o.res == AUTHD_OK);
	test_assert(strcmp(o.user, "ann") == 0 && strncmp(o.why, "passwd-file:", 12) == 0);
	authd_name_init(&n);
	(void)authd_name_normalize("bob", "%u", "", &n);
	test_assert(authd_passdb_verify(&n, "nope", user, why) == AUTHD_FAIL &&
		    strcmp(buf_str(why), "password mismatch") == 0);
	buf_reset(why);
	test_assert(authd_passdb_verify(&n, "bobpw", user, why) == AUTHD_OK &&
		    strcmp(buf_str(user), "bob") == 0);
	authd_name_free(&n);
	test_end();
	buf_free(&user);
	buf_free(&why);
}

/* want - the expected verdict of job i */
static bool want(int i, const struct outcome *o)
{
	switch (i % 4) {
	case 0:
		return o->res == AUTHD_OK && strcmp(o->user, "ann") == 0;
	case 1:
		return o->res == AUTHD_FAIL && strcmp(o->why, "password mismatch") == 0;
	case 2:
		return o->res == AUTHD_FAIL && strcmp(o->why, "unknown user") == 0;
	default:
		return o->res == AUTHD_OK && strcmp(o->user, "bob") == 0;
	}
}

/* test_pool - many jobs at once, and forgotten ones */
static void test_pool(struct ev *ev)
{
	static const char *const login[4] = { "ann", "ann", "nobody", "bob" };
	static const char *const pass[4] = { "secret", "wrong", "secret", "bobpw" };
	struct outcome *o = xcalloc(NJOBS, sizeof(*o));
	struct authd_job *jobs[NJOBS];
	int ok = 0, good = 0, in_order = 0, forgotten_calls = 0;

	test_begin("authd worker: many jobs end on the loop thread with their verdicts");
	test_assert(authd_worker_start(ev, 3) == 3 && authd_worker_threads() == 3);
	finished = 0;
	for (int i = 0; i < NJOBS; i++)
		jobs[i] = submit(login[i % 4], pass[i % 4], &o[i]);
	test_assert(finished == 0);	/* nothing inline */
	run_until(ev, NJOBS);
	for (int i = 0; i < NJOBS; i++)
		ok += o[i].calls == 1 && o[i].async && o[i].on_loop && want(i, &o[i]);
	for (int i = 0; i < NJOBS; i++)
		in_order += o[i].seq == i;
	test_assert(finished == NJOBS && ok == NJOBS);
	test_assert(in_order == NJOBS);		/* they end as they were submitted */
	test_end();

	test_begin("authd worker: a forgotten job's done is never called");
	memset(o, 0, NJOBS * sizeof(*o));
	finished = 0;
	for (int i = 0; i < NJOBS; i++)
		jobs[i] = submit(login[i % 4], pass[i % 4], &o[i]);
	for (int i = 0; i < NJOBS; i += 2)
		authd_worker_forget(jobs[i]);	/* some queued, some perhaps running */
	run_until(ev, NJOBS / 2);
	for (int i = 0; i < 10; i++)		/* stragglers */
		ev_once(ev, 20);
	for (int i = 0; i < NJOBS; i++)
		if (i % 2 == 0)
			forgotten_calls += o[i].calls;
		else
			good += o[i].calls == 1 && want(i, &o[i]);
	test_assert(forgotten_calls == 0 && finished == NJOBS / 2 && good == NJOBS / 2);
	test_end();

	test_begin("authd worker: stop joins the threads, then jobs run inline again");
	memset(o, 0, NJOBS * sizeof(*o));
	jobs[0] = submit("ann", "secret", &o[0]);
	jobs[1] = submit("ann", "secret", &o[1]);
	authd_worker_forget(jobs[1]);
	authd_worker_stop();		/* pending jobs freed without done */
	test_assert(authd_worker_threads() == 0 && o[1].calls == 0 && o[0].calls <= 1);
	submit("bob", "bobpw", &o[2]);
	test_assert(o[2].calls == 1 && !o[2].async && o[2].res == AUTHD_OK);
	test_end();
	free(o);
}

/* test_authd_worker - every group */
void test_authd_worker(void)
{
	char *path = passwd_file(), spec[512];
	struct buf *why = buf_new(0);
	struct ev *ev = ev_new();
	struct authd_db *saved = authd.passdbs;

	loop_thread = pthread_self();
	snprintf(spec, sizeof(spec), "passwd-file:%s", path);
	authd.passdbs = authd_db_list(spec, why);
	test_inline();
	test_pool(ev);
	authd_db_list_free(&authd.passdbs);
	authd.passdbs = saved;
	ev_free(&ev);
	unlink(path);
	free(path);
	buf_free(&why);
}
