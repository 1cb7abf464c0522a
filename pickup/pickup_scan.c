/* pickup_scan - one walk over all of maildrop/, PICKUP_BATCH names at a
 * time (Postfix's pickup too reads the whole directory on every run).
 *
 * Per entry, without following anything: "tmp.*" is postdrop still
 * writing (left alone; removed when older than PICKUP_TMP_MAX_AGE, a
 * postdrop that died).  Anything else must have a queue-ID name and be a
 * regular file with one link, no larger than the size limit; it is opened
 * O_NOFOLLOW|O_NONBLOCK and must still be the same file.  A file that
 * fails a check or the validating pass is moved to corrupt/ (under a new
 * queue ID if its name is not one) and logged
 *   pickup: warning: maildrop/NAME: REASON; moved to corrupt/ID
 * so it is never retried and never blocks the files after it.  A good
 * file goes to cleanup, under its own name as the queue ID (so that a file
 * offered again after a pickup crash is queued once: cleanup_maildrop.c);
 * the maildrop file is removed only after cleanup's 250 (then the
 * directory is fsync'ed).  4xx: the file stays, unless it
 * is older than maximal_queue_lifetime, and is not tried again before its
 * backoff time (pickup_backoff.c), so a pile of deferred files never
 * stands in front of new ones.  5xx (or too old): the sender gets a notice
 * (pickup_bounce.c), then the file is removed.  When cleanup cannot be
 * reached the run stops: the next wakeup retries.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "mem.h"
#include "pickup.h"
#include "queue_id.h"
#include "strv.h"

enum { NAME_LOG_MAX = 64, RENAME_TRIES = 10 };

struct run {
	struct pickup_global *g;
	int dirfd;			/* maildrop/ */
	bool stop;			/* cleanup is not there: end this run */
};

/* safe_name - a directory entry's name fit for a log line */
static const char *safe_name(const char *name)
{
	static char out[NAME_LOG_MAX + 4];
	size_t i;

	for (i = 0; name[i] && i < NAME_LOG_MAX; i++)
		out[i] = name[i] > 0x20 && name[i] < 0x7f ? name[i] : '?';
	strcpy(out + i, name[i] ? "..." : "");
	return out;
}

/* size_bound - the largest file postdrop can make under the current limit */
static off_t size_bound(const struct params *cf)
{
	if (cf->message_size_limit == 0)
		return LLONG_MAX;
	/* content records cost at most twice the "\n"-counted size (empty lines) */
	return (off_t)cf->message_size_limit * 2 + PICKUP_ENVELOPE_MAX + 4096;
}

/* sync_fd - fsync a directory; a failure is worth a warning only */
static void sync_fd(int fd, const char *what)
{
	if (fsync(fd) < 0)
		log_warn("fsync %s: %m", what);
}

/* move_corrupt - out of maildrop/ into corrupt/, never to be retried */
static void move_corrupt(struct run *run, const char *name, const char *reason)
{
	int cfd = open("corrupt", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	char id[QUEUE_ID_SIZE];
	int rc = -1;

	snprintf(id, sizeof(id), "%s", queue_id_valid(name) ? name : "");
	for (int i = 0; cfd >= 0 && i < RENAME_TRIES; i++) {
		if (!*id || i > 0)
			queue_id_new(id);
		if ((rc = renameat2(run->dirfd, name, cfd, id, RENAME_NOREPLACE)) == 0 || errno != EEXIST)
			break;
	}
	if (rc == 0) {
		sync_fd(cfd, "corrupt/");
		sync_fd(run->dirfd, "maildrop/");
		log_warn("maildrop/%s: %s; moved to corrupt/%s", safe_name(name), reason, id);
	} else if (unlinkat(run->dirfd, name, 0) == 0 || errno == ENOENT) {
		log_warn("maildrop/%s: %s; cannot move it to corrupt/ (%m); removed", safe_name(name),
			 reason);
	} else {
		log_error("maildrop/%s: %s; cannot move or remove it: %m", safe_name(name), reason);
	}
	if (cfd >= 0)
		close(cfd);
}

/* remove_file - the message is safe elsewhere (queued, or refused and told) */
static void remove_file(struct run *run, const char *name)
{
	if (unlinkat(run->dirfd, name, 0) < 0 && errno != ENOENT)
		log_error("remove maildrop/%s: %m (the message may be queued twice)", name);
	sync_fd(run->dirfd, "maildrop/");
}

/* retry_later - the file stays in maildrop/: when to try it again */
static long retry_later(struct run *run, const char *name)
{
	return pickup_backoff_failed(run->g, name, time(NULL));
}

/* answered - act on cleanup's answer for a file it has seen */
static void answered(struct run *run, const char *name, int fd, const struct stat *st,
		     const struct pickup_info *info, const char *id, const struct cleanup_result *res)
{
	long lifetime = run->g->cf->maximal_queue_lifetime;
	bool too_old = time(NULL) - st->st_mtime > lifetime;

	if (res->code == 250) {
		remove_file(run, name);
		return;
	}
	if (res->code < 500 && !too_old) {
		log_warn("maildrop/%s: %s: cleanup said %d %s %s; will try again in %ld s", name, id,
			 res->code, res->dsn, res->text, retry_later(run, name));
		return;
	}
	log_warn("maildrop/%s: %s: %s %d %s %s", name, id,
		 res->code < 500 ? "still refused after maximal_queue_lifetime:" : "refused:",
		 res->code, res->dsn, res->text);
	if (pickup_bounce(run->g->cf, fd, info, id, res) == 0)
		remove_file(run, name);
}

/* take - a checked, open file: validate it and hand it to cleanup */
static void take(struct run *run, const char *name, int fd, const struct stat *st)
{
	struct pickup_info info = { .uid = st->st_uid };
	struct cleanup_result res;
	struct buf *why = buf_new(0), *id = buf_new(32);
	int rc = pickup_file_check(fd, &info, why);

	if (rc == -1) {
		move_corrupt(run, name, buf_str(why));
	} else if (rc == -2) {
		log_warn("maildrop/%s: read: %s; will try again in %ld s", name, buf_str(why),
			 retry_later(run, name));
	} else if (pickup_file_send(fd, name, &info, &res, id, why) == 0) {
		answered(run, name, fd, st, &info, buf_str(id), &res);
	} else if (buf_len(id) == 0) {
		log_warn("maildrop/%s: %s; will try again", name, buf_str(why));
		run->stop = true;	/* no cleanup at all: not this file's fault */
	} else {
		log_warn("maildrop/%s: %s: %s; will try again in %ld s", name, buf_str(id),
			 buf_str(why), retry_later(run, name));
	}
	pickup_file_info_free(&info);
	buf_free(&why);
	buf_free(&id);
}

/* is_tmp - postdrop's unfinished file; remove it when it is old */
static bool is_tmp(struct run *run, const char *name, const struct stat *st)
{
	if (strncmp(name, "tmp.", 4) != 0 || !queue_id_valid(name + 4))
		return false;
	if (S_ISREG(st->st_mode) && time(NULL) - st->st_mtime > PICKUP_TMP_MAX_AGE) {
		if (unlinkat(run->dirfd, name, 0) == 0)
			log_warn("maildrop/%s: removed: left unfinished by postdrop", name);
	}
	return true;
}

/* reason_to_refuse - why an entry cannot be a maildrop file, or NULL */
static const char *reason_to_refuse(const struct run *run, const char *name,
				    const struct stat *st, char *text, size_t size)
{
	if (!queue_id_valid(name))
		return "bad file name";
	if (S_ISLNK(st->st_mode))
		return "symbolic link (not followed)";
	if (!S_ISREG(st->st_mode))
		return "not a regular file";
	if (st->st_nlink != 1) {
		snprintf(text, size, "%lu hard links", (unsigned long)st->st_nlink);
		return text;
	}
	if (st->st_size > size_bound(run->g->cf)) {
		snprintf(text, size, "file size %lld exceeds what message_size_limit allows",
			 (long long)st->st_size);
		return text;
	}
	return NULL;
}

/* one_entry - look at one directory entry */
static void one_entry(struct run *run, const char *name)
{
	struct stat st, fst;
	const char *reason;
	char text[128];
	int fd;

	if (!pickup_backoff_due(run->g, name, time(NULL)))
		return;		/* deferred recently: not yet */
	if (fstatat(run->dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || is_tmp(run, name, &st))
		return;		/* gone meanwhile, or being written */
	if ((reason = reason_to_refuse(run, name, &st, text, sizeof(text))) != NULL) {
		move_corrupt(run, name, reason);
		return;
	}
	fd = openat(run->dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == EMFILE || errno == ENFILE || errno == ENOMEM)
			log_warn("maildrop/%s: open: %m; will try again", name);
		else if (errno != ENOENT) {
			snprintf(text, sizeof(text), "open: %s", strerror(errno));
			move_corrupt(run, name, text);
		}
		return;
	}
	if (fstat(fd, &fst) < 0 || fst.st_dev != st.st_dev || fst.st_ino != st.st_ino ||
	    !S_ISREG(fst.st_mode) || fst.st_nlink != 1)
		move_corrupt(run, name, "the file changed while it was opened");
	else
		take(run, name, fd, &fst);
	close(fd);
}

/* next_batch - up to PICKUP_BATCH more names of maildrop/; false at the end */
static bool next_batch(DIR *d, struct strv *names, bool *failed_r)
{
	struct dirent *e = NULL;

	strv_clear(names);
	while (names->len < PICKUP_BATCH) {
		errno = 0;	/* readdir's NULL is the end or, with errno, a failure */
		if ((e = readdir(d)) == NULL)
			break;
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			strv_add(names, e->d_name);
	}
	if (e == NULL && errno != 0) {
		log_warn("read maildrop/: %m");
		*failed_r = true;
	}
	return names->len > 0;
}

/* walk - every entry of maildrop/; true when the walk saw them all */
static bool walk(struct run *run)
{
	struct strv *names = strv_new();
	int fd = dup(run->dirfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	bool failed = false;

	if (d == NULL) {
		log_warn("read maildrop/: %m");
		if (fd >= 0)
			close(fd);
		strv_free(&names);
		return false;
	}
	/* names are read a batch at a time: a file removed meanwhile is
	 * skipped by one_entry (ENOENT), one added may or may not be seen */
	while (!run->stop && next_batch(d, names, &failed))
		for (size_t i = 0; i < names->len && !run->stop; i++)
			one_entry(run, names->items[i]);
	closedir(d);
	strv_free(&names);
	return !run->stop && !failed;
}

/* pickup_scan - one walk over maildrop/ */
void pickup_scan(struct pickup_global *g)
{
	struct run run = { .g = g };

	run.dirfd = open("maildrop", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (run.dirfd < 0) {
		log_warn("open maildrop/: %m");
		return;
	}
	g->walk++;
	if (walk(&run))
		pickup_backoff_sweep(g);
	close(run.dirfd);
}
