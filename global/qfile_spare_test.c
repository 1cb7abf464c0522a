/* qfile_spare_test - spare queue files: a finished file's inode (and, when
 * it is small, its blocks) comes back as the next new file, cut to the new
 * message's length, and a retired file never validates as a queue file;
 * anything in spare/ that is not a small 0600 file of ours (too large, a
 * symlink, a second link, another mode) is removed, never written to;
 * spare/ stops growing at QFILE_SPARE_MAX; a missing spare/ means plain
 * unlink and create; a taker takes its own slice of names first. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mem.h"
#include "qfile.h"
#include "qfile_spare.h"
#include "queue_id.h"
#include "test.h"

/* make_queue - a queue directory with incoming, active and (maybe) spare */
static char *make_queue(const char *name, bool spare)
{
	struct buf *b = buf_new(64), *s = buf_new(64);

	buf_printf(b, "%s/%s", test_datadir(), name);
	mkdir(buf_str(b), 0755);
	for (int i = 0; i < 3; i++) {
		if (i == 2 && !spare)
			break;
		buf_reset(s);
		buf_printf(s, "%s/%s", buf_str(b), (const char *[]){ "incoming", "active", "spare" }[i]);
		mkdir(buf_str(s), 0700);
	}
	buf_free(&s);
	return buf_steal(&b);
}

/* write_active - a complete one-recipient message moved to active/; its
 * inode number, and its ID into id */
static ino_t write_active(const char *qdir, const char *body, char *id)
{
	struct buf *why = buf_new(0), *path = buf_new(64);
	struct qfile_out *qf = qfile_create(qdir, "incoming", why);
	struct stat st = { 0 };

	test_assert(qf != NULL);
	if (qf == NULL)
		goto out;
	qfile_out_put(qf, QREC_TIME, "1700000001.250000", 17);
	qfile_out_put(qf, QREC_FLAGS, "0", 1);
	qfile_out_put(qf, QREC_SENDER, "s@example.org", 13);
	qfile_out_put(qf, QREC_RCPT, "r@example.com", 13);
	qfile_out_put(qf, QREC_MESG, "", 0);
	qfile_out_line(qf, body, strlen(body), false);
	qfile_out_put(qf, QREC_XTRA, "", 0);
	qfile_out_put(qf, QREC_END, "", 0);
	test_assert(qfile_commit(qf, why) == 0);
	strcpy(id, qfile_out_id(qf));
	qfile_abort(&qf);
	test_assert(qfile_move(qdir, id, "incoming", "active", 0, why) == 0);
	qfile_make_path(path, qdir, "active", id, why);
	test_assert(stat(buf_str(path), &st) == 0 && (st.st_mode & 07777) == 0700);
out:
	buf_free(&why);
	buf_free(&path);
	return st.st_ino;
}

/* body_of - the one content line of active/id */
static char *body_of(const char *qdir, const char *id)
{
	struct buf *why = buf_new(0), *path = buf_new(64);
	const char *line;
	size_t len;
	bool partial;
	char *out = NULL;
	struct qfile *qf;
	int status;

	qfile_make_path(path, qdir, "active", id, why);
	if ((qf = qfile_open(buf_str(path), 0, &status, why)) != NULL && qfile_content_begin(qf, why) == 0
	    && qfile_content_next(qf, &line, &len, &partial, why) == 1)
		out = xstrndup(line, len);
	qfile_close(&qf);
	buf_free(&why);
	buf_free(&path);
	return out;
}

/* entries - files in qdir/sub */
static int entries(const char *qdir, const char *sub)
{
	struct buf *b = buf_new(64);
	int n;

	buf_printf(b, "%s/%s", qdir, sub);
	if (strcmp(sub, "spare") == 0) {
		n = qfile_spare_count(qdir);
	} else {
		struct buf *cmd = buf_new(64);
		FILE *fp;
		char line[32] = "";

		buf_printf(cmd, "ls -A '%s' | wc -l", buf_str(b));
		if ((fp = popen(buf_str(cmd), "r")) != NULL) {
			if (fgets(line, sizeof(line), fp) == NULL)
				line[0] = '\0';
			pclose(fp);
		}
		n = atoi(line);
		buf_free(&cmd);
	}
	buf_free(&b);
	return n;
}

/* plant - a file named by a fresh queue ID in qdir/spare: mode, content */
static void plant(const char *qdir, mode_t mode, const char *content, char *path, size_t size)
{
	char id[QUEUE_ID_SIZE];
	int fd;

	queue_id_new(id);
	snprintf(path, size, "%s/spare/%s", qdir, id);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);
	test_assert(fd >= 0);
	if (fd >= 0) {
		test_assert(write(fd, content, strlen(content)) == (ssize_t)strlen(content));
		fchmod(fd, mode);
		close(fd);
	}
}

/* first_byte - the first byte of the file at path, or -1 */
static int first_byte(const char *path)
{
	unsigned char c;
	int fd = open(path, O_RDONLY), rc = -1;

	if (fd >= 0 && read(fd, &c, 1) == 1)
		rc = c;
	if (fd >= 0)
		close(fd);
	return rc;
}

/* all_zero - is the file at path all NUL bytes (and readable)? */
static bool all_zero(const char *path)
{
	char data[4096];
	int fd = open(path, O_RDONLY);
	ssize_t n;
	bool zero = fd >= 0;

	while (zero && (n = read(fd, data, sizeof(data))) > 0)
		for (ssize_t i = 0; i < n; i++)
			zero = zero && data[i] == 0;
	if (fd >= 0)
		close(fd);
	return zero;
}

/* test_big - a large finished file is emptied, not kept with its blocks */
static void test_big(void)
{
	char *qdir = make_queue("qfile_spare-big", true);
	char id[QUEUE_ID_SIZE], *big = xmalloc(QFILE_SPARE_KEEP + 1);
	struct buf *p = buf_new(64);
	struct stat st;

	test_begin("qfile_spare: a file over QFILE_SPARE_KEEP bytes goes to spare/ empty");
	qfile_spare_forget();
	memset(big, 'x', QFILE_SPARE_KEEP);
	write_active(qdir, big, id);
	test_assert(qfile_spare_put(qdir, "active", id, -1) == 0);
	buf_printf(p, "%s/spare/%s", qdir, id);
	test_assert(lstat(buf_str(p), &st) == 0 && st.st_size == 0 && (st.st_mode & 07777) == 0600);
	test_end();
	buf_free(&p);
	free(big);
	free(qdir);
}

/* plant_big - a 0600 file of QFILE_SPARE_KEEP + 1 bytes in qdir/spare */
static void plant_big(const char *qdir, char *path, size_t size)
{
	char *big = xmalloc(QFILE_SPARE_KEEP + 2);

	memset(big, 'x', QFILE_SPARE_KEEP + 1);
	plant(qdir, 0600, big, path, size);
	free(big);
}

/* test_low_space - below the free-space mark spares are emptied, also
 * those already in spare/ */
static void test_low_space(void)
{
	char *qdir = make_queue("qfile_spare-low", true);
	char id1[QUEUE_ID_SIZE], id2[QUEUE_ID_SIZE], path[4096];
	struct buf *p = buf_new(64);
	struct stat st;
	int fd;

	test_begin("qfile_spare: with little free space spares are emptied, the kept ones too");
	qfile_spare_forget();
	write_active(qdir, "kept while there is room", id1);
	test_assert(qfile_spare_put(qdir, "active", id1, -1) == 0);
	buf_printf(p, "%s/spare/%s", qdir, id1);
	test_assert(lstat(buf_str(p), &st) == 0 && st.st_size > 0);
	qfile_spare_set_keep_free(~0ULL);	/* no file system has that much free */
	write_active(qdir, "finished when space is short", id2);
	test_assert(qfile_spare_put(qdir, "active", id2, -1) == 0);
	test_expect_log("spare queue files emptied");
	test_assert(lstat(buf_str(p), &st) == 0 && st.st_size == 0);
	buf_reset(p);
	buf_printf(p, "%s/spare/%s", qdir, id2);
	test_assert(lstat(buf_str(p), &st) == 0 && st.st_size == 0 && (st.st_mode & 07777) == 0600);
	qfile_spare_set_keep_free(QFILE_SPARE_KEEP_FREE);
	test_end();

	test_begin("qfile_spare: emptying for space leaves a spare alone while a writer holds its lock");
	qfile_spare_forget();
	write_active(qdir, "another", id2);	/* before the locked spare: it must not take that one */
	plant(qdir, 0600, "a spare a cleanup has just taken", path, sizeof(path));
	fd = open(path, O_RDWR);
	test_assert(fd >= 0 && flock(fd, LOCK_EX) == 0);
	qfile_spare_set_keep_free(~0ULL);
	test_assert(qfile_spare_put(qdir, "active", id2, -1) == 0);
	test_assert(lstat(path, &st) == 0 && st.st_size == 32);	/* not cut under its writer */
	qfile_spare_set_keep_free(QFILE_SPARE_KEEP_FREE);
	if (fd >= 0)
		close(fd);
	test_end();
	buf_free(&p);
	free(qdir);
}

/* test_reuse - the finished file's inode is the next new file */
static void test_reuse(void)
{
	char *qdir = make_queue("qfile_spare-reuse", true);
	char id1[QUEUE_ID_SIZE], id2[QUEUE_ID_SIZE];
	struct stat st;
	struct buf *p = buf_new(64);
	ino_t first, second;
	off_t old_size;
	char *body;

	test_begin("qfile_spare: a finished file's inode and blocks come back as the next new file");
	qfile_spare_forget();
	first = write_active(qdir, "first message, rather longer than the second one", id1);
	buf_printf(p, "%s/active/%s", qdir, id1);
	test_assert(lstat(buf_str(p), &st) == 0);
	old_size = st.st_size;
	test_assert(qfile_spare_put(qdir, "active", id1, -1) == 0);
	test_assert(entries(qdir, "active") == 0 && entries(qdir, "spare") == 1);
	buf_reset(p);
	buf_printf(p, "%s/spare/%s", qdir, id1);
	test_assert(lstat(buf_str(p), &st) == 0 && st.st_size == old_size && (st.st_mode & 07777) == 0600);
	test_assert(first_byte(buf_str(p)) == 0);	/* no longer a queue file */
	test_assert(all_zero(buf_str(p)));	/* nor the message: zeros only */
	qfile_spare_forget();	/* the first create found spare/ empty: not read again for a second */
	second = write_active(qdir, "second", id2);
	test_assert(second == first && strcmp(id1, id2) != 0);
	test_assert(entries(qdir, "spare") == 0 && entries(qdir, "incoming") == 0);
	body = body_of(qdir, id2);
	test_assert(body != NULL && strcmp(body, "second") == 0);
	free(body);
	buf_reset(p);
	buf_printf(p, "%s/active/%s", qdir, id2);
	test_assert(lstat(buf_str(p), &st) == 0 && st.st_size == old_size - 42);	/* cut to its length */
	test_assert(first_byte(buf_str(p)) == 'V');
	test_assert(qfile_spare_put(qdir, "active", "../../etc", -1) == -1 && errno == EINVAL);
	test_assert(qfile_spare_put(qdir, "active", id2, -1) == 0 && entries(qdir, "spare") == 1);
	test_end();
	buf_free(&p);
	free(qdir);
}

/* test_agent_open - a file a delivery agent still has open to mark its
 * recipients (qfile_open with QFILE_RDWR: a shared lock) is removed, not
 * reused: the agent of an interrupted attempt would write its marks into
 * the next message; qmgr's own open (the fd it passes) does not count */
static void test_agent_open(void)
{
	char *qdir = make_queue("qfile_spare-agent", true);
	char id[QUEUE_ID_SIZE];
	struct buf *why = buf_new(0), *p = buf_new(64);
	struct qfile *agent, *mine, *late;
	int status;

	test_begin("qfile_spare: a file an agent still holds is removed, not made spare");
	qfile_spare_forget();
	write_active(qdir, "held by an agent", id);
	buf_printf(p, "%s/active/%s", qdir, id);
	agent = qfile_open(buf_str(p), QFILE_RDWR, &status, why);
	mine = qfile_open(buf_str(p), QFILE_RDWR, &status, why);
	test_assert(agent != NULL && mine != NULL);
	test_assert(qfile_spare_put(qdir, "active", id, mine ? qfile_fd(mine) : -1) == 0);
	test_assert(entries(qdir, "active") == 0 && entries(qdir, "spare") == 0);
	qfile_close(&agent);
	qfile_close(&mine);

	write_active(qdir, "no agent left", id);
	buf_reset(p);
	buf_printf(p, "%s/active/%s", qdir, id);
	mine = qfile_open(buf_str(p), QFILE_RDWR, &status, why);
	test_assert(mine != NULL);
	test_assert(qfile_spare_put(qdir, "active", id, mine ? qfile_fd(mine) : -1) == 0);
	test_assert(entries(qdir, "spare") == 1);
	/* an agent that comes after the retirement began gets no writable file */
	buf_reset(p);
	buf_printf(p, "%s/spare/%s", qdir, id);
	late = qfile_open(buf_str(p), QFILE_RDWR | QFILE_ANY_MODE, &status, why);
	test_assert(late == NULL && status == QFILE_TEMPFAIL);
	qfile_close(&late);
	qfile_close(&mine);
	test_end();
	buf_free(&why);
	buf_free(&p);
	free(qdir);
}

/* test_hostile - what is not a small 0600 file of ours is never used */
static void test_hostile(void)
{
	char *qdir = make_queue("qfile_spare-hostile", true);
	char path[4096], target[4096], id[QUEUE_ID_SIZE];
	struct stat st;
	int fd;

	test_begin("qfile_spare: a large file, a symlink or a second link in spare/ is removed, not written");
	qfile_spare_forget();
	plant_big(qdir, path, sizeof(path));
	write_active(qdir, "new", id);
	test_expect_log("not a spare queue file (mode 0600, size 32769, links 1)");
	test_assert(entries(qdir, "spare") == 0);

	snprintf(target, sizeof(target), "%s/target", qdir);
	fd = open(target, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	test_assert(fd >= 0 && write(fd, "keep", 4) == 4);
	close(fd);
	queue_id_new(id);
	snprintf(path, sizeof(path), "%s/spare/%s", qdir, id);
	test_assert(symlink(target, path) == 0);
	qfile_spare_forget();
	write_active(qdir, "new", id);
	test_assert(stat(target, &st) == 0 && st.st_size == 4 && entries(qdir, "spare") == 0);

	plant(qdir, 0600, "", path, sizeof(path));
	snprintf(target, sizeof(target), "%s/hardlink", qdir);
	test_assert(link(path, target) == 0);
	qfile_spare_forget();
	write_active(qdir, "new", id);
	test_expect_log("size 0, links 2");
	test_assert(lstat(target, &st) == 0 && st.st_nlink == 1 && st.st_size == 0);

	plant(qdir, 0700, "", path, sizeof(path));
	qfile_spare_forget();
	write_active(qdir, "new", id);
	test_expect_log("mode 0700");
	test_assert(entries(qdir, "spare") == 0);
	test_end();
	free(qdir);
}

/* test_limits - spare/ stops at QFILE_SPARE_MAX; without spare/ plain unlink */
static void test_limits(void)
{
	char *qdir = make_queue("qfile_spare-limits", true), *bare = make_queue("qfile_spare-bare", false);
	char path[4096], id[QUEUE_ID_SIZE];

	test_begin("qfile_spare: at most QFILE_SPARE_MAX spares; no spare/ means unlink and create");
	qfile_spare_forget();
	for (int i = 0; i < QFILE_SPARE_MAX; i++)
		plant(qdir, 0600, "", path, sizeof(path));
	write_active(qdir, "x", id);	/* takes one: QFILE_SPARE_MAX - 1 left */
	test_assert(entries(qdir, "spare") == QFILE_SPARE_MAX - 1);
	test_assert(qfile_spare_put(qdir, "active", id, -1) == 0);
	test_assert(entries(qdir, "spare") == QFILE_SPARE_MAX);
	qfile_spare_forget();
	write_active(qdir, "y", id);
	qfile_spare_forget();
	plant(qdir, 0600, "", path, sizeof(path));	/* now QFILE_SPARE_MAX again */
	test_assert(qfile_spare_put(qdir, "active", id, -1) == 0);
	test_assert(entries(qdir, "active") == 0 && entries(qdir, "spare") == QFILE_SPARE_MAX);

	qfile_spare_forget();
	write_active(bare, "z", id);
	test_assert(qfile_spare_put(bare, "active", id, -1) == 0 && entries(bare, "active") == 0);
	test_assert(qfile_spare_count(bare) == -1);
	test_end();
	free(qdir);
	free(bare);
}

/* test_slices - this process takes the spares of its own slice first */
static void test_slices(void)
{
	char *qdir = make_queue("qfile_spare-slices", true);
	char names[160][QUEUE_ID_SIZE], path[4096], id[QUEUE_ID_SIZE];
	unsigned mine = (unsigned)getpid() % QFILE_SPARE_SLICES;
	int n = 0, own = 0, foreign_gone = 0, own_gone = 0;
	off_t old;

	test_begin("qfile_spare: a taker takes its own slice of spare names first");
	qfile_spare_forget();
	while (n < 160 && (n < 80 || own < 3)) {
		plant(qdir, 0600, "", path, sizeof(path));
		strcpy(names[n], strrchr(path, '/') + 1);
		own += qfile_spare_slice(names[n++]) == mine;
	}
	test_assert(own >= 3);
	for (int i = 0; i < own; i++) {
		int fd;

		queue_id_new(id);
		fd = qfile_spare_take(qdir, "incoming", id, &old);
		test_assert(fd >= 0);
		if (fd >= 0)
			close(fd);
	}
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/spare/%s", qdir, names[i]);
		if (access(path, F_OK) != 0 && qfile_spare_slice(names[i]) == mine)
			own_gone++;
		else if (access(path, F_OK) != 0)
			foreign_gone++;
	}
	test_assert(own_gone == own && foreign_gone == 0);
	queue_id_new(id);
	test_assert(qfile_spare_take(qdir, "incoming", id, &old) >= 0);	/* then another slice's */
	test_assert(entries(qdir, "spare") == n - own - 1);
	test_end();
	free(qdir);
}

/* test_qfile_spare - every case of this file */
void test_qfile_spare(void)
{
	test_reuse();
	test_agent_open();
	test_hostile();
	test_big();
	test_low_space();
	test_limits();
	test_slices();
	qfile_spare_forget();
}
