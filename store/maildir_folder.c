/* maildir_folder - Maildir++ folder names, listing and creation; see
 * maildir_folder.h (the subscriptions file is in maildir_subs.c).
 *
 * A folder is made directory first, then cur/ new/ tmp/ and the
 * "maildirfolder" marker, each step tolerating what an interrupted
 * earlier attempt left: creating it again completes it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "maildir.h"
#include "maildir_folder.h"
#include "mem.h"

/* maildir_folder_valid - the byte checks of the header comment */
bool maildir_folder_valid(const char *name, struct buf *why)
{
	size_t len = strlen(name);
	const char *bad = NULL;

	if (len == 0 || len > MAILDIR_FOLDER_MAX)
		bad = "empty or too long";
	else if (name[0] == '.' || name[len - 1] == '.' || strstr(name, "..") != NULL)
		bad = "leading, trailing or double '.'";
	else if (strchr(name, '/') != NULL)
		bad = "'/' in the name";
	for (const char *p = name; bad == NULL && *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			bad = "control character in the name";
	if (bad && why)
		buf_printf(why, "bad folder name: %s", bad);
	return bad == NULL;
}

/* is_folder - ".NAME", a directory (not a link to one), NAME valid */
static bool is_folder(int root_fd, const char *entry)
{
	struct stat st;

	return entry[0] == '.' && maildir_folder_valid(entry + 1, NULL)
	       && fstatat(root_fd, entry, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
}

/* by_str - qsort order of strings */
static int by_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* maildir_folder_list - every ".NAME" directory of the root */
int maildir_folder_list(int root_fd, struct strv **names, struct buf *why)
{
	int d = openat(root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), err = 0;
	DIR *dir = d < 0 ? NULL : fdopendir(d);
	struct dirent *de;

	*names = NULL;
	if (dir == NULL) {
		err = errno;
		if (d >= 0)
			close(d);
		buf_printf(why, "read Maildir: %s", strerror(err));
		errno = err;
		return -1;
	}
	*names = strv_new();
	errno = 0;
	while (err == 0 && (de = readdir(dir)) != NULL) {
		if (!is_folder(d, de->d_name))
			;
		else if ((*names)->len == MAILDIR_FOLDERS_MAX)
			err = E2BIG;
		else
			strv_add(*names, de->d_name + 1);
		errno = 0;
	}
	if (err == 0)
		err = errno;	/* readdir's */
	closedir(dir);
	if (err) {
		if (err == E2BIG)
			buf_printf(why, "more than %d folders", MAILDIR_FOLDERS_MAX);
		else
			buf_printf(why, "read Maildir: %s", strerror(err));
		strv_free(names);
		errno = err;
		return -1;
	}
	qsort((*names)->items, (*names)->len, sizeof(char *), by_str);
	return 0;
}

/* fill - cur/ new/ tmp/ and maildirfolder inside the folder fd */
static int fill(int fd, struct buf *why)
{
	static const char *const subs[] = { "cur", "new", "tmp" };
	int f;

	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (mkdirat(fd, subs[i], 0700) < 0 && errno != EEXIST) {
			buf_printf(why, "create %s/: %s", subs[i], strerror(errno));
			return -1;
		}
	f = openat(fd, "maildirfolder", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (f < 0 && errno != EEXIST) {
		buf_printf(why, "create maildirfolder: %s", strerror(errno));
		return -1;
	}
	if (f >= 0)
		close(f);
	return fsync(fd);
}

/* maildir_folder_create - ".NAME" with its insides, durable */
int maildir_folder_create(int root_fd, const char *name, struct buf *why)
{
	struct buf *dir = buf_new(64);
	bool existed = false;
	int fd = -1, rc = -1, err;

	if (!maildir_folder_valid(name, why)) {
		errno = EINVAL;
	} else {
		buf_printf(dir, ".%s", name);
		if (mkdirat(root_fd, buf_str(dir), 0700) < 0)
			existed = errno == EEXIST;
		if ((fd = maildir_open_path(root_fd, buf_str(dir), 0, why)) >= 0 && fill(fd, why) == 0
		    && fsync(root_fd) == 0)
			rc = existed ? MAILDIR_FOLDER_EXISTS : 0;
	}
	err = errno;
	if (fd >= 0)
		close(fd);
	buf_free(&dir);
	errno = err;
	return rc;
}
