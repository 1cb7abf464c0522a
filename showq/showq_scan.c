/* showq_scan - read the queue for a listing: which messages, and per
 * message its sender, size, arrival time, pending recipients and their
 * deferral reasons.
 *
 * Queues are listed in the order incoming, active, deferred, hold, each
 * in queue ID order (IDs sort by creation time).  A name that is not a
 * queue ID is not looked at.  Each file goes through the validating reader
 * (qfile_open): an incomplete file (cleanup is writing it) or one that
 * vanished (qmgr moved it) is skipped silently, a corrupt one with a
 * warning; moving it to corrupt/ is qmgr's job.  Reasons come from
 * defer/ID, lines "address<TAB>dsn<TAB>text" written by qmgr; at most
 * DEFER_LOG_MAX bytes of it are read.  Recipients with a reason come first
 * in the log's order, then the other pending ones in file order, each
 * address once (Postfix's order).  Done recipients are not shown.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "htable.h"
#include "log.h"
#include "mem.h"
#include "qfile.h"
#include "queue_scan.h"
#include "showq.h"
#include "strv.h"

enum { DEFER_LOG_MAX = 1024 * 1024 };

const char *const showq_queues[] = { "incoming", "active", "deferred", "hold", NULL };

/* list_ids - the queue IDs in queue, sorted; NULL if it cannot be read */
static struct strv *list_ids(const char *queue)
{
	struct strv *ids = queue_scan_ids(queue);

	if (ids == NULL)
		log_warn("open %s: %m", queue);
	return ids;
}

/* read_defer_log - defer/ID as text, "" when there is none */
static char *read_defer_log(const char *id)
{
	struct buf *path = buf_new(64), *text = buf_new(256);
	struct stat st;
	char chunk[8192];
	ssize_t n = 0;
	int fd;

	buf_printf(path, "defer/%s", id);
	fd = open(buf_str(path), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		while (buf_len(text) < DEFER_LOG_MAX && (n = read(fd, chunk, sizeof(chunk))) > 0)
			buf_add(text, chunk, (size_t)n);
	if (fd < 0 && errno != ENOENT)
		log_warn("%s: open %s: %m", id, buf_str(path));
	if (fd >= 0)
		close(fd);
	buf_free(&path);
	if (buf_len(text) > DEFER_LOG_MAX)
		buf_truncate(text, DEFER_LOG_MAX);
	return buf_steal(&text);
}

/* take - append a recipient to m */
static void take(struct showq_msg *m, const char *address, const char *reason)
{
	struct showq_rcpt *r = &m->rcpts[m->nrcpts++];

	r->address = xstrdup(address);
	r->reason = reason ? xstrdup(reason) : NULL;
}

/* order_rcpts - pending recipients, those with a logged reason first */
static void order_rcpts(struct showq_msg *m, const struct qfile *qf)
{
	size_t n, pending = 0;
	const struct qfile_rcpt *r = qfile_rcpts(qf, &n);
	struct htable *left = htable_new(n + 1);	/* pending and not shown yet */
	char *log = read_defer_log(m->id), *save = NULL;

	for (size_t i = 0; i < n; i++)
		if (!r[i].done && htable_put(left, r[i].address, m) == NULL)
			pending++;
	m->rcpts = xcalloc(pending + 1, sizeof(*m->rcpts));
	for (char *line = strtok_r(log, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *dsn = strchr(line, '\t'), *text = dsn ? strchr(dsn + 1, '\t') : NULL;

		if (text == NULL)
			continue;
		*dsn = '\0';
		if (htable_remove(left, line) != NULL)
			take(m, line, text + 1);
	}
	for (size_t i = 0; i < n; i++)
		if (!r[i].done && htable_remove(left, r[i].address) != NULL)
			take(m, r[i].address, NULL);
	htable_free(&left, NULL);
	free(log);
}

/* showq_load - one message of a listing; -1 when it is to be skipped */
int showq_load(const char *queue, const char *id, struct showq_msg *m)
{
	struct buf *path = buf_new(64), *why = buf_new(0);
	struct qfile *qf;
	int status = 0;

	*m = (struct showq_msg){ .queue = queue };
	if (qfile_make_path(path, ".", queue, id, why) < 0
	    || (qf = qfile_open(buf_str(path), 0, &status, why)) == NULL) {
		if (status == QFILE_CORRUPT)
			log_warn("%s: not listed: %s", id, buf_str(why));
		buf_free(&path);
		buf_free(&why);
		return -1;
	}
	snprintf(m->id, sizeof(m->id), "%s", id);
	m->arrival = (long)qfile_arrival(qf).tv_sec;
	m->size = qfile_sizes(qf)->content_size;
	m->sender = xstrdup(qfile_sender(qf));
	order_rcpts(m, qf);
	qfile_close(&qf);
	buf_free(&path);
	buf_free(&why);
	return 0;
}

/* showq_msg_clear - release what showq_load filled in */
void showq_msg_clear(struct showq_msg *m)
{
	for (size_t i = 0; i < m->nrcpts; i++) {
		free(m->rcpts[i].address);
		free(m->rcpts[i].reason);
	}
	free(m->rcpts);
	free(m->sender);
	*m = (struct showq_msg){ 0 };
}

/* showq_scan - every listed message, queue by queue */
int showq_scan(showq_msg_fn *fn, void *ctx)
{
	int rc = 0;

	for (size_t q = 0; rc == 0 && showq_queues[q]; q++) {
		struct strv *ids = list_ids(showq_queues[q]);

		for (size_t i = 0; rc == 0 && ids && i < ids->len; i++) {
			struct showq_msg m;

			if (showq_load(showq_queues[q], ids->items[i], &m) < 0)
				continue;
			rc = fn(&m, ctx);
			showq_msg_clear(&m);
		}
		strv_free(&ids);
	}
	return rc;
}

/* showq_rcpt_at - address's domain is site (case-insensitive; a trailing
 * dot on either side is ignored; "[192.0.2.1]" matches the literal) */
bool showq_rcpt_at(const char *address, const char *site)
{
	const char *at = strrchr(address, '@');
	size_t a, s = strlen(site);

	if (at == NULL)
		return false;
	at++;
	a = strlen(at);
	if (a && at[a - 1] == '.')
		a--;
	if (s && site[s - 1] == '.')
		s--;
	return a == s && a > 0 && strncasecmp(at, site, a) == 0;
}
