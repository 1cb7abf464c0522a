/* postsuper_ops - delete, hold, release and requeue, by ID or ALL.
 *
 * A message is acted on only in the queues its operation applies to
 * (-d: any; -r: hold incoming active deferred; -h: incoming active
 * deferred; -H: hold) and only when it is ready: a regular file, and in
 * the message queues complete (mode 0700), so a file cleanup is still
 * writing is never deleted under it.  By ID, the queues are searched
 * twice: qmgr may move the file between two of them while we look.
 *   delete:  unlink the file (then defer/ID and bounce/ID), fsync the dir
 *   hold:    rename to hold/ (qmgr never looks there)
 *   release: rename hold/ to deferred/, retry time (mtime) now: qmgr takes
 *            it at its next deferred scan, or at once after postqueue -f
 * Each message done is logged "ID: removed" ("placed on hold", "released
 * from hold"), on stderr and in the mail log, as Postfix does.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "fsutil.h"
#include "log.h"
#include "qfile.h"
#include "queue_scan.h"
#include "postsuper.h"

static const char *const known[] = { "incoming", "active", "deferred", "hold", "corrupt",
				     "maildrop", NULL };
static const char *const defaults[OP_COUNT][5] = {
	[OP_DELETE] = { "hold", "incoming", "active", "deferred", NULL },
	[OP_REQUEUE] = { "hold", "incoming", "active", "deferred", NULL },
	[OP_HOLD] = { "incoming", "active", "deferred", NULL },
	[OP_RELEASE] = { "hold", NULL },
};

/* in_list - s is one of list */
static bool in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (strcmp(*list, s) == 0)
			return true;
	return false;
}

/* postsuper_default_queues - where an operation looks without queue names */
const char *const *postsuper_default_queues(enum postsuper_op op)
{
	return defaults[op];
}

/* postsuper_queue_known - a queue name postsuper accepts */
bool postsuper_queue_known(const char *queue)
{
	return in_list(known, queue);
}

/* applies - op acts on messages in queue */
static bool applies(enum postsuper_op op, const char *queue)
{
	return op == OP_DELETE ? postsuper_queue_known(queue) : in_list(defaults[op], queue);
}

/* path_of - "queue/id" (id already checked by the caller) */
static void path_of(struct buf *out, const char *queue, const char *id)
{
	buf_reset(out);
	buf_printf(out, "%s/%s", queue, id);
}

/* postsuper_is_ready - queue/id may be acted on now */
bool postsuper_is_ready(const char *queue, const char *id)
{
	struct buf *path = buf_new(64);
	struct stat st;
	bool ok;

	path_of(path, queue, id);
	ok = lstat(buf_str(path), &st) == 0 && S_ISREG(st.st_mode)
	     && (strcmp(queue, "maildrop") == 0 || strcmp(queue, "corrupt") == 0
		 || (st.st_mode & 07777) == 0700);
	buf_free(&path);
	return ok;
}

/* exists_in - queue/id exists, ready or not */
static bool exists_in(const char *queue, const char *id)
{
	struct buf *path = buf_new(64);
	struct stat st;
	bool found;

	path_of(path, queue, id);
	found = lstat(buf_str(path), &st) == 0;
	buf_free(&path);
	return found;
}

/* postsuper_exists - id is in one of the message queues */
bool postsuper_exists(const char *id)
{
	bool found = false;

	for (size_t i = 0; !found && known[i]; i++)
		found = strcmp(known[i], "maildrop") != 0 && exists_in(known[i], id);
	return found;
}

/* remove_logs - defer/ID and bounce/ID of a removed message */
static void remove_logs(const char *id)
{
	static const char *const logs[] = { "defer", "bounce" };
	struct buf *path = buf_new(64);

	for (size_t i = 0; i < sizeof(logs) / sizeof(logs[0]); i++) {
		path_of(path, logs[i], id);
		if (unlink(buf_str(path)) < 0 && errno != ENOENT)
			log_warn("%s: remove %s: %m", id, buf_str(path));
	}
	buf_free(&path);
}

/* delete - unlink queue/id; 1, 0 gone, -1 failed */
static int delete(const char *queue, const char *id)
{
	struct buf *path = buf_new(64);
	int rc = 1;

	path_of(path, queue, id);
	if (strcmp(queue, "maildrop") != 0 && qfile_maildrop_release(".", id) < 0)
		log_warn("%s: remove maildrop/%s: %m (pickup may queue it again)", id, id);
	if (unlink(buf_str(path)) < 0) {
		rc = errno == ENOENT ? 0 : -1;
		if (rc < 0)
			log_error("%s: remove %s: %m", id, buf_str(path));
	} else {
		if (fsutil_fsync_dir_of(buf_str(path)) < 0)
			log_warn("%s: fsync the directory of %s: %m", id, buf_str(path));
		if (strcmp(queue, "maildrop") != 0)
			remove_logs(id);
		log_info("%s: removed", id);
	}
	buf_free(&path);
	return rc;
}

/* move - rename queue/id to dest; 1, 0 gone, -1 failed */
static int move(const char *queue, const char *id, const char *dest, const char *what)
{
	struct buf *why = buf_new(0), *path = buf_new(64);
	int rc = 1;

	if (qfile_move(".", id, queue, dest, QFILE_MOVE_DURABLE, why) < 0) {
		path_of(path, queue, id);
		rc = access(buf_str(path), F_OK) < 0 && errno == ENOENT ? 0 : -1;
		if (rc < 0)
			log_error("%s: %s", id, buf_str(why));
	} else {
		log_info("%s: %s", id, what);
	}
	buf_free(&why);
	buf_free(&path);
	return rc;
}

/* release - hold/id to deferred/, due now */
static int release(const char *id)
{
	struct buf *path = buf_new(64);
	int rc = move("hold", id, "deferred", "released from hold");

	path_of(path, "deferred", id);
	if (rc == 1 && utimes(buf_str(path), NULL) < 0 && errno != ENOENT)
		log_warn("%s: set the retry time of %s: %m", id, buf_str(path));
	buf_free(&path);
	return rc;
}

/* act - one operation on queue/id; 1 done, 0 gone, -1 failed */
static int act(struct postsuper *ps, enum postsuper_op op, const char *queue, const char *id)
{
	switch (op) {
	case OP_DELETE: return delete(queue, id);
	case OP_HOLD: return move(queue, id, "hold", "placed on hold");
	case OP_RELEASE: return release(id);
	case OP_REQUEUE: return postsuper_requeue(ps, queue, id);
	default: log_panic("postsuper act: operation %d", op);
	}
}

/* postsuper_by_id - find id in queues and act on it */
void postsuper_by_id(struct postsuper *ps, enum postsuper_op op, const char *const *queues,
		     const char *id)
{
	struct buf *where = buf_new(64);
	bool incomplete = false;

	for (int tries = 0; tries < 2; tries++) {
		for (size_t i = 0; queues[i]; i++) {
			int rc;

			if (!applies(op, queues[i]))
				continue;
			if (!postsuper_is_ready(queues[i], id)) {
				incomplete |= exists_in(queues[i], id);
				continue;
			}
			if ((rc = act(ps, op, queues[i], id)) != 0) {
				ps->done[op] += rc > 0;
				ps->status |= rc < 0;
				buf_free(&where);
				return;
			}
		}
	}
	for (size_t i = 0; queues[i]; i++)
		if (applies(op, queues[i]))
			buf_printf(where, "%s%s", buf_len(where) ? ", " : "", queues[i]);
	if (incomplete)
		log_warn("%s: the queue file is not complete yet (cleanup may still be writing it); left alone", id);
	else
		log_warn("%s: no such message in %s", id, buf_len(where) ? buf_str(where) : "the named queues");
	ps->status = 1;
	buf_free(&where);
}

/* postsuper_list - the queue IDs in queue, sorted */
struct strv *postsuper_list(const char *queue)
{
	struct strv *ids = queue_scan_ids(queue);

	if (ids == NULL) {
		log_warn("open %s: %m", queue);
		return strv_new();
	}
	return ids;
}

/* postsuper_all - op on every ready message of the applicable queues.
 * The queues are listed first, then acted on: a message that a requeue
 * creates, or that qmgr moves into a queue still to come, is not taken
 * twice; one that qmgr moved meanwhile is followed to its new queue. */
void postsuper_all(struct postsuper *ps, enum postsuper_op op, const char *const *queues)
{
	struct strv *where = strv_new(), *what = strv_new();

	for (size_t q = 0; queues[q]; q++) {
		struct strv *ids;

		if (!applies(op, queues[q]))
			continue;
		ids = postsuper_list(queues[q]);
		for (size_t i = 0; i < ids->len; i++) {
			strv_add(where, queues[q]);
			strv_add(what, ids->items[i]);
		}
		strv_free(&ids);
	}
	for (size_t i = 0; i < what->len; i++) {
		const char *queue = where->items[i], *id = what->items[i];
		int rc = 0;

		if (postsuper_is_ready(queue, id))
			rc = act(ps, op, queue, id);
		for (size_t q = 0; rc == 0 && queues[q]; q++)
			if (strcmp(queues[q], queue) != 0 && applies(op, queues[q])
			    && postsuper_is_ready(queues[q], id))
				rc = act(ps, op, queues[q], id);
		ps->done[op] += rc > 0;
		ps->status |= rc < 0;
	}
	strv_free(&where);
	strv_free(&what);
}
