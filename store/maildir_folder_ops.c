/* maildir_folder_ops - deleting and renaming Maildir++ folders (IMAP
 * DELETE and RENAME); see maildir_folder.h.
 *
 * Delete first renames ".NAME" to a trash name no listing shows
 * (MAILDIR_FOLDER_TRASH, as Dovecot's "..DOVECOT-TRASHED"), so that the
 * folder is gone at once for every client, then removes the trash tree:
 * an interrupted removal leaves only the trash, which the next delete
 * clears.  Rename moves ".OLD" and every ".OLD.*" below it.  Nothing is
 * followed through a symbolic link; the tree removal is bounded in depth.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "maildir_folder.h"

enum { REMOVE_DEPTH_MAX = 4 };

/* remove_tree - everything in dir_fd's entry name, then name itself */
static int remove_tree(int dir_fd, const char *name, int depth)
{
	int fd, rc = 0;
	DIR *d;
	struct dirent *e;

	if (unlinkat(dir_fd, name, 0) == 0 || errno == ENOENT)
		return 0;
	if ((errno != EISDIR && errno != EPERM) || depth > REMOVE_DEPTH_MAX)
		return -1;
	if ((fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return -1;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return -1;
	}
	while (rc == 0 && (e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			rc = remove_tree(dirfd(d), e->d_name, depth + 1);
	closedir(d);
	if (rc == 0 && unlinkat(dir_fd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		rc = -1;
	return rc;
}

/* maildir_folder_delete - ".NAME" gone (its subfolders stay) */
int maildir_folder_delete(int root_fd, const char *name, struct buf *why)
{
	struct buf *dir = buf_new(64);
	int rc = -1;

	if (!maildir_folder_valid(name, why)) {
		errno = EINVAL;
		goto out;
	}
	buf_printf(dir, ".%s", name);
	if (remove_tree(root_fd, MAILDIR_FOLDER_TRASH, 0) < 0) {
		buf_printf(why, "remove %s: %m", MAILDIR_FOLDER_TRASH);
	} else if (renameat(root_fd, buf_str(dir), root_fd, MAILDIR_FOLDER_TRASH) < 0) {
		buf_printf(why, "rename %s: %m", buf_str(dir));
	} else {
		rc = 0;
		if (remove_tree(root_fd, MAILDIR_FOLDER_TRASH, 0) < 0)
			buf_printf(why, "remove %s: %m", MAILDIR_FOLDER_TRASH);
		(void)fsync(root_fd);
	}
out:
	buf_free(&dir);
	return rc;
}

/* rename_one - ".FROM" to ".TO" unless ".TO" exists */
static int rename_one(int root_fd, const char *from, const char *to, struct buf *why)
{
	struct buf *a = buf_new(64), *b = buf_new(64);
	int rc = -1;

	buf_printf(a, ".%s", from);
	buf_printf(b, ".%s", to);
	if (faccessat(root_fd, buf_str(b), F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
		errno = EEXIST;
		buf_printf(why, "%s exists", to);
	} else if (renameat(root_fd, buf_str(a), root_fd, buf_str(b)) < 0) {
		buf_printf(why, "rename %s: %m", from);
	} else {
		rc = 0;
	}
	buf_free(&a);
	buf_free(&b);
	return rc;
}

/* maildir_folder_rename - OLD and OLD.* become NEW and NEW.* */
int maildir_folder_rename(int root_fd, const char *from, const char *to, struct buf *why)
{
	struct strv *names = NULL;
	size_t flen = strlen(from);
	struct buf *sub = buf_new(64);
	int rc;

	if (!maildir_folder_valid(from, why) || !maildir_folder_valid(to, why)) {
		errno = EINVAL;
		buf_free(&sub);
		return -1;
	}
	if ((rc = maildir_folder_list(root_fd, &names, why)) == 0)
		rc = rename_one(root_fd, from, to, why);
	for (size_t i = 0; rc == 0 && i < names->len; i++) {
		const char *n = names->items[i];

		if (strncmp(n, from, flen) != 0 || n[flen] != '.')
			continue;
		buf_reset(sub);
		buf_printf(sub, "%s%s", to, n + flen);
		if (!maildir_folder_valid(buf_str(sub), why))
			rc = -1;
		else
			rc = rename_one(root_fd, n, buf_str(sub), why);
	}
	if (rc == 0)
		(void)fsync(root_fd);
	strv_free(&names);
	buf_free(&sub);
	return rc;
}
