/* postsuper_fix - postsuper -s: check the queue tree and repair it.
 *
 * In the message queues (incoming active deferred hold, and corrupt/ for
 * names only: what is there stays there for the administrator):
 *  - a subdirectory (a Postfix queue with hash_queue_depth restored here):
 *    its queue files move up into the queue, then it is removed;
 *  - anything that is not a regular file (symlink, FIFO, socket): removed;
 *  - a regular file whose name is not a queue ID: renamed to a new queue
 *    ID when it is a valid queue file, otherwise moved to corrupt/ under a
 *    new ID (an incomplete one older than a day is removed instead);
 *  - an incomplete file (no owner-execute bit: cleanup never marked it
 *    complete) older than a day: removed (a cleanup that crashed; its
 *    client never got a 250); a complete one with another mode than 0700
 *    gets 0700 back;
 *  - a complete file the validating reader refuses: moved to corrupt/;
 *  - the same queue ID in two queues: reported, both kept (which copy is
 *    right is the administrator's call: postsuper -d ID QUEUE).
 * In defer/ and bounce/: files with bad names and logs whose message is in
 * no queue (looked for twice, qmgr may be moving it) are removed.
 * Every problem is one warning line; a summary follows.  Safe while the
 * mail system runs, though Postfix's advice stands: run it before start.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"
#include "htable.h"
#include "log.h"
#include "postsuper.h"
#include "qfile.h"
#include "queue_id.h"
#include "queue_scan.h"

static const char *const msg_queues[] = { "incoming", "active", "deferred", "hold", "corrupt", NULL };
static const char *const log_dirs[] = { "defer", "bounce", NULL };

struct fix {
	unsigned found, fixed;
	struct htable *seen;		/* queue ID -> queue name, for duplicates */
};

/* problem - one line about a problem; fixed: whether it was repaired */
static void problem(struct fix *f, bool fixed, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void problem(struct fix *f, bool fixed, const char *fmt, ...)
{
	va_list ap;

	f->found++;
	f->fixed += fixed;
	va_start(ap, fmt);
	log_vmsg(LOG_LEVEL_WARN, fmt, ap);
	va_end(ap);
}

/* is_old - older than the age of incomplete leftovers */
static bool is_old(const struct stat *st)
{
	return time(NULL) - st->st_mtime > POSTSUPER_MAX_TEMP_AGE;
}

/* rename_new - queue/name to dest/NEWID, never replacing; the new ID or NULL */
static const char *rename_new(const char *queue, const char *name, const char *dest,
			      char id[QUEUE_ID_SIZE])
{
	struct buf *from = buf_new(64), *to = buf_new(64);
	int rc = -1;

	buf_printf(from, "%s/%s", queue, name);
	for (int i = 0; rc < 0 && i < 10; i++) {
		queue_id_new(id);
		buf_reset(to);
		buf_printf(to, "%s/%s", dest, id);
		rc = renameat2(AT_FDCWD, buf_str(from), AT_FDCWD, buf_str(to), RENAME_NOREPLACE);
		if (rc < 0 && errno != EEXIST)
			break;
	}
	if (rc == 0 && (fsutil_fsync_dir_of(buf_str(to)) < 0 || fsutil_fsync_dir_of(buf_str(from)) < 0))
		log_warn("fsync the directories of %s and %s: %m", buf_str(from), buf_str(to));
	buf_free(&from);
	buf_free(&to);
	return rc == 0 ? id : NULL;
}

/* check_file - validate queue/name; QFILE status, 0 when it is a good file */
static int check_file(const char *queue, const char *name, struct buf *why)
{
	struct buf *path = buf_new(64);
	int status = 0;
	struct qfile *qf;

	buf_printf(path, "%s/%s", queue, name);
	if ((qf = qfile_open(buf_str(path), 0, &status, why)) != NULL)
		status = 0;
	qfile_close(&qf);
	buf_free(&path);
	return status;
}

/* bad_name - a regular file in a message queue whose name is no queue ID */
static void bad_name(struct fix *f, const char *queue, const char *name, const struct stat *st)
{
	struct buf *why = buf_new(0), *path = buf_new(64);
	int status = check_file(queue, name, why);
	char id[QUEUE_ID_SIZE];
	const char *new_id;

	buf_printf(path, "%s/%s", queue, name);
	if (strcmp(queue, "corrupt") == 0) {		/* kept for inspection, whatever it is */
		new_id = rename_new(queue, name, queue, id);
		problem(f, new_id != NULL, "%s: not a queue ID: renamed to corrupt/%s", buf_str(path),
			new_id ? new_id : "(failed)");
	} else if (status == QFILE_INCOMPLETE && !is_old(st)) {
		problem(f, false, "%s: not a queue ID; incomplete, left alone for now", buf_str(path));
	} else if (status == QFILE_INCOMPLETE) {
		bool gone = unlink(buf_str(path)) == 0;

		problem(f, gone, "%s: not a queue ID, an incomplete leftover: %s", buf_str(path),
			gone ? "removed" : strerror(errno));
	} else if (status == QFILE_TEMPFAIL) {
		if (access(buf_str(path), F_OK) == 0)
			problem(f, false, "%s: not a queue ID, and unreadable: %s", buf_str(path), buf_str(why));
	} else if (status == 0) {
		new_id = rename_new(queue, name, queue, id);
		problem(f, new_id != NULL, "%s: not a queue ID: renamed to %s/%s", buf_str(path), queue,
			new_id ? new_id : "(failed)");
	} else {
		new_id = rename_new(queue, name, "corrupt", id);
		problem(f, new_id != NULL, "%s: not a queue ID: moved to corrupt/%s", buf_str(path),
			new_id ? new_id : "(failed)");
	}
	buf_free(&why);
	buf_free(&path);
}

/* good_name - a queue file with a proper name: complete, valid, unique */
static void good_name(struct fix *f, const char *queue, const char *id, const struct stat *st)
{
	struct buf *why = buf_new(0), *path = buf_new(64);
	const char *other = htable_get(f->seen, id);
	int status;

	buf_printf(path, "%s/%s", queue, id);
	if (other && strcmp(other, queue) != 0)
		problem(f, false, "%s: also in %s/: both kept; remove one with postsuper -d %s QUEUE",
			buf_str(path), other, id);
	else
		htable_put(f->seen, id, (void *)queue);
	if (strcmp(queue, "corrupt") != 0 && (st->st_mode & 07777) != 0700
	    && (st->st_mode & S_IXUSR)) {
		bool fixed = chmod(buf_str(path), 0700) == 0;	/* complete, odd mode */

		problem(f, fixed, "%s: mode %04o: %s", buf_str(path), (unsigned)(st->st_mode & 07777),
			fixed ? "changed to 0700" : strerror(errno));
	}
	if (strcmp(queue, "corrupt") != 0 && !(st->st_mode & S_IXUSR)) {
		if (qfile_recover(buf_str(path)) == 1) {
			problem(f, true, "%s: complete but unmarked: marked complete", buf_str(path));
		} else if (is_old(st)) {
			bool gone = unlink(buf_str(path)) == 0;

			problem(f, gone, "%s: incomplete queue file older than a day: %s", buf_str(path),
				gone ? "removed" : strerror(errno));
		}
	} else if (strcmp(queue, "corrupt") == 0) {
		/* corrupt by definition: nothing to check */
	} else if ((status = check_file(queue, id, why)) == QFILE_TEMPFAIL) {
		if (access(buf_str(path), F_OK) == 0)
			problem(f, false, "%s: unreadable: %s", buf_str(path), buf_str(why));
	} else if (status == QFILE_CORRUPT) {
		struct buf *err = buf_new(0);
		bool moved = qfile_move(".", id, queue, "corrupt", QFILE_MOVE_DURABLE, err) == 0;

		problem(f, moved, "%s: corrupt (%s): %s%s", buf_str(path), buf_str(why),
			moved ? "moved to corrupt/" : "not moved: ", buf_str(err));
		if (moved)
			htable_put(f->seen, id, "corrupt");	/* met again there */
		buf_free(&err);
	}
	buf_free(&why);
	buf_free(&path);
}

static void check_dir(struct fix *f, const char *queue, const char *dir);

/* subdir - a directory inside a queue: its files move up, then it goes */
static void subdir(struct fix *f, const char *queue, const char *path)
{
	check_dir(f, queue, path);
	if (rmdir(path) == 0)
		problem(f, true, "%s: a subdirectory in a queue: files moved up, removed", path);
	else
		problem(f, false, "%s: a subdirectory in a queue: cannot remove it: %m", path);
}

/* move_up - a file found in a subdirectory of queue goes into queue */
static void move_up(struct fix *f, const char *queue, const char *path, const char *name,
		    const struct stat *st)
{
	struct buf *to = buf_new(64);

	buf_printf(to, "%s/%s", queue, name);
	if (!queue_id_valid(name))
		problem(f, false, "%s: not a queue ID: left in place", path);
	else if (renameat2(AT_FDCWD, path, AT_FDCWD, buf_str(to), RENAME_NOREPLACE) < 0)
		problem(f, false, "%s: cannot move it into %s/: %m", path, queue);
	else if (fsutil_fsync_dir_of(buf_str(to)) < 0 || fsutil_fsync_dir_of(path) < 0)
		problem(f, false, "%s: moved into %s/, but fsync failed: %m", path, queue);
	else
		good_name(f, queue, name, st);
	buf_free(&to);
}

/* entry - one entry of dir, which is queue or a directory below it */
static void entry(struct fix *f, const char *queue, const char *dir, const char *name)
{
	struct buf *path = buf_new(64);
	bool top = strcmp(dir, queue) == 0;
	struct stat st;

	buf_printf(path, "%s/%s", dir, name);
	if (lstat(buf_str(path), &st) < 0) {
		/* gone meanwhile */
	} else if (S_ISDIR(st.st_mode)) {
		subdir(f, queue, buf_str(path));
	} else if (!S_ISREG(st.st_mode)) {
		bool gone = unlink(buf_str(path)) == 0;

		problem(f, gone, "%s: not a regular file: %s", buf_str(path), gone ? "removed" : strerror(errno));
	} else if (!top) {
		move_up(f, queue, buf_str(path), name, &st);
	} else if (!queue_id_valid(name)) {
		bad_name(f, queue, name, &st);
	} else {
		good_name(f, queue, name, &st);
	}
	buf_free(&path);
}

/* check_dir - every entry of dir (the queue, or a directory below it) */
static void check_dir(struct fix *f, const char *queue, const char *dir)
{
	struct queue_scan qs;
	struct strv *names;
	const char *name;

	if (queue_scan_open(&qs, dir, 0, 0) < 0) {
		problem(f, false, "%s: cannot open: %m", dir);
		return;
	}
	names = strv_new();
	while ((name = queue_scan_next(&qs)) != NULL)
		strv_add(names, name);
	queue_scan_close(&qs);
	for (size_t i = 0; i < names->len; i++)
		entry(f, queue, dir, names->items[i]);
	strv_free(&names);
}

/* check_logs - defer/ and bounce/: bad names and orphans */
static void check_logs(struct fix *f, const char *dir)
{
	struct strv *names = strv_new();
	struct buf *path = buf_new(64);
	struct queue_scan qs;
	const char *entry_name;

	if (queue_scan_open(&qs, dir, 0, 0) < 0)
		problem(f, false, "%s: cannot open: %m", dir);
	while ((entry_name = queue_scan_next(&qs)) != NULL)
		strv_add(names, entry_name);
	queue_scan_close(&qs);
	for (size_t i = 0; i < names->len; i++) {
		const char *name = names->items[i];
		bool bad = !queue_id_valid(name);

		/* twice: a rename by qmgr may hide it from one pass */
		if (!bad && (postsuper_exists(name) || postsuper_exists(name)))
			continue;
		buf_reset(path);
		buf_printf(path, "%s/%s", dir, name);
		if (unlink(buf_str(path)) == 0)
			problem(f, true, "%s: %s: removed", buf_str(path),
				bad ? "not a queue ID" : "its message is in no queue");
		else if (errno != ENOENT)
			problem(f, false, "%s: cannot remove: %m", buf_str(path));
	}
	strv_free(&names);
	buf_free(&path);
}

/* postsuper_fix - the whole check */
void postsuper_fix(struct postsuper *ps)
{
	struct fix f = { .seen = htable_new(256) };

	for (size_t i = 0; msg_queues[i]; i++)
		check_dir(&f, msg_queues[i], msg_queues[i]);
	for (size_t i = 0; log_dirs[i]; i++)
		check_logs(&f, log_dirs[i]);
	if (f.found)
		log_info("Structure check: %u problem%s found, %u fixed", f.found, f.found == 1 ? "" : "s",
			 f.fixed);
	if (f.fixed < f.found)
		ps->status = 1;
	htable_free(&f.seen, NULL);
}
