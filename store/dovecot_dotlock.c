/* dovecot_dotlock - take and release Dovecot's dot-lock of a folder file
 * (the rules are in dovecot_dotlock.h).  The lock is ours while the name
 * still points at the inode we created, with its mtime (an inode number
 * is soon reused): release checks that, so a lock another process broke
 * as stale is not removed from under its new owner.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "deadline.h"
#include "dovecot_dotlock.h"
#include "mem.h"

enum {
	PID_CHECK_AFTER = 2,		/* seconds: a younger lock is not checked */
	RETRY_MS = 25,			/* between two attempts */
	LOCK_NAME_MAX = 256,
};

struct dovecot_dotlock {
	int dir_fd;
	char name[LOCK_NAME_MAX];
	dev_t dev;
	ino_t ino;
	struct timespec mtime;		/* with dev and ino: still our file */
};

/* create - the lock file with our "PID:HOST": 1, 0 exists, -1 */
static int create(struct dovecot_dotlock *lk)
{
	char text[64 + 256], host[256] = "";
	struct stat st;
	int fd = openat(lk->dir_fd, lk->name,
			O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	int len, err;

	if (fd < 0)
		return errno == EEXIST ? 0 : -1;
	gethostname(host, sizeof(host) - 1);
	len = snprintf(text, sizeof(text), "%ld:%s", (long)getpid(), host);
	if (write(fd, text, (size_t)len) != len || fstat(fd, &st) != 0) {
		err = errno;
		unlinkat(lk->dir_fd, lk->name, 0);
		close(fd);
		errno = err;
		return -1;
	}
	lk->dev = st.st_dev;
	lk->ino = st.st_ino;
	lk->mtime = st.st_mtim;
	close(fd);
	return 1;
}

/* owner_gone - the lock names a process of this host that is dead, or
 * this process, which holds no lock while it waits for one (a lock left
 * by an earlier process with the same ID), as Dovecot judges */
static bool owner_gone(int dir_fd, const char *name)
{
	char text[320], host[256] = "", *colon, *end;
	int fd = openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	ssize_t n;
	long pid;

	if (fd < 0)
		return false;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return false;
	text[n] = '\0';
	text[strcspn(text, "\n")] = '\0';
	gethostname(host, sizeof(host) - 1);
	if ((colon = strchr(text, ':')) == NULL || strcmp(colon + 1, host) != 0)
		return false;
	*colon = '\0';
	pid = strtol(text, &end, 10);
	if (*end != '\0' || pid <= 0 || (pid_t)pid != pid)
		return false;
	return pid == (long)getpid() || (kill((pid_t)pid, 0) != 0 && errno == ESRCH);
}

/* newest - the latest change of st */
static time_t newest(const struct stat *st)
{
	return st->st_mtime > st->st_ctime ? st->st_mtime : st->st_ctime;
}

/* is_stale - the lock's owner is gone, or nothing moved for long */
static bool is_stale(int dir_fd, const char *guarded, const char *name, const struct stat *lst)
{
	time_t now = time(NULL), last = newest(lst);
	struct stat st;

	if (now - lst->st_mtime > PID_CHECK_AFTER && owner_gone(dir_fd, name))
		return true;
	if (fstatat(dir_fd, guarded, &st, AT_SYMLINK_NOFOLLOW) == 0 && newest(&st) > last)
		last = newest(&st);
	return now - last > DOVECOT_DOTLOCK_STALE;
}

/* break_stale - remove a stale lock, unless it was replaced meanwhile */
static void break_stale(struct dovecot_dotlock *lk, const char *guarded)
{
	struct stat a, b;

	if (fstatat(lk->dir_fd, lk->name, &a, AT_SYMLINK_NOFOLLOW) != 0
	    || !is_stale(lk->dir_fd, guarded, lk->name, &a))
		return;
	if (fstatat(lk->dir_fd, lk->name, &b, AT_SYMLINK_NOFOLLOW) == 0 && a.st_ino == b.st_ino
	    && a.st_dev == b.st_dev)
		unlinkat(lk->dir_fd, lk->name, 0);
}

/* pause_ms - sleep a little */
static void pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* dovecot_dotlock_take - try, break a stale lock, wait, until the deadline */
int dovecot_dotlock_take(int dir_fd, const char *name, unsigned wait_ms,
			 struct dovecot_dotlock **lkp, struct buf *why)
{
	struct dovecot_dotlock *lk = xcalloc(1, sizeof(*lk));
	long long end = deadline_in(wait_ms);
	int rc;

	*lkp = NULL;
	lk->dir_fd = dir_fd;
	if (snprintf(lk->name, sizeof(lk->name), "%s.lock", name) >= (int)sizeof(lk->name)) {
		buf_printf(why, "%s: name too long", name);
		free(lk);
		return -1;
	}
	while ((rc = create(lk)) == 0 && deadline_now() < end) {
		break_stale(lk, name);
		pause_ms(RETRY_MS + rand() % RETRY_MS);
	}
	if (rc < 0)
		buf_printf(why, "create %s: %s", lk->name, strerror(errno));
	if (rc == 0)
		buf_printf(why, "%s held by another process for %u ms", lk->name, wait_ms);
	if (rc != 1) {
		free(lk);
		return rc;
	}
	*lkp = lk;
	return 1;
}

/* dovecot_dotlock_release - unlink the lock file if it is still ours */
void dovecot_dotlock_release(struct dovecot_dotlock **lkp)
{
	struct dovecot_dotlock *lk = *lkp;
	struct stat st;

	if (lk == NULL)
		return;
	if (fstatat(lk->dir_fd, lk->name, &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_ino == lk->ino
	    && st.st_dev == lk->dev && st.st_mtim.tv_sec == lk->mtime.tv_sec
	    && st.st_mtim.tv_nsec == lk->mtime.tv_nsec)
		unlinkat(lk->dir_fd, lk->name, 0);
	free(lk);
	*lkp = NULL;
}
