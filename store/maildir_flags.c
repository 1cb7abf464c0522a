/* maildir_flags - flags in Maildir file names, and the renames that
 * change them; see maildir_flags.h.
 *
 * A rename inside one file system is atomic: another client (mutt, a
 * second session) sees either the old name or the new one.  When our
 * rename finds the old name gone, that client has renamed the file
 * itself (new/ to cur/, or other flags): the base part of the name does
 * not change, so one lookup by base in cur/ finds it again.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "maildir.h"
#include "maildir_flags.h"

/* maildir_base_len - up to the first ":2," */
size_t maildir_base_len(const char *name)
{
	const char *info = strstr(name, ":2,");

	return info ? (size_t)(info - name) : strlen(name);
}

/* is_flag - a letter that may stand in the info part */
static bool is_flag(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* maildir_flags_sort - each letter once, in ASCII order */
void maildir_flags_sort(const char *in, char out[MAILDIR_FLAGS_MAX])
{
	bool seen[128] = { false };
	size_t n = 0;

	for (const char *p = in; *p; p++)
		if (is_flag((unsigned char)*p))
			seen[(unsigned char)*p] = true;
	for (int c = 'A'; c <= 'z'; c++)
		if (seen[c])
			out[n++] = (char)c;
	out[n] = '\0';
}

/* maildir_flags_parse - the flags after ":2,", none without it */
void maildir_flags_parse(const char *name, char out[MAILDIR_FLAGS_MAX])
{
	const char *info = name + maildir_base_len(name);

	maildir_flags_sort(*info ? info + 3 : "", out);
}

/* maildir_flags_name - the base of name, ":2," and the sorted flags */
void maildir_flags_name(struct buf *out, const char *name, const char *flags)
{
	char sorted[MAILDIR_FLAGS_MAX];

	maildir_flags_sort(flags, sorted);
	buf_add(out, name, maildir_base_len(name));
	buf_cat(out, ":2,");
	buf_cat(out, sorted);
}

/* is_name_ok - one entry of new/ or cur/: no '/', no leading '.' */
static bool is_name_ok(const char *name)
{
	return name[0] != '\0' && name[0] != '.' && strchr(name, '/') == NULL
	       && strlen(name) <= NAME_MAX;
}

/* find_base - the cur/ entry whose base is name's, into found: 1, 0, -1 */
static int find_base(int cur_fd, const char *name, struct buf *found)
{
	size_t len = maildir_base_len(name);
	int d = openat(cur_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *dir = d < 0 ? NULL : fdopendir(d);
	struct dirent *de;
	int rc = 0;

	if (dir == NULL) {
		if (d >= 0)
			close(d);
		return -1;
	}
	while (rc == 0 && (de = readdir(dir)) != NULL)
		if (de->d_name[0] != '.' && strncmp(de->d_name, name, len) == 0
		    && maildir_base_len(de->d_name) == len) {
			buf_set(found, de->d_name);
			rc = 1;
		}
	closedir(dir);
	return rc;
}

/* move - from/name to cur/newname: 1 done, 0 name gone, -1 */
static int move(int from, const char *name, int cur, const char *newname, struct buf *why)
{
	struct stat st;

	if (from == cur && strcmp(name, newname) == 0) {
		if (fstatat(cur, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
			return 1;
	} else if (renameat(from, name, cur, newname) == 0) {
		return 1;
	}
	if (errno == ENOENT)
		return 0;
	buf_printf(why, "rename %s to cur/%s: %s", name, newname, strerror(errno));
	return -1;
}

/* move_again - name moved by someone else: its base in cur/ once more */
static int move_again(int cur, const char *name, const char *newname, struct buf *why)
{
	struct buf *found = buf_new(64);
	int rc = find_base(cur, name, found);

	if (rc < 0)
		buf_printf(why, "read cur/: %s", strerror(errno));
	else if (rc > 0)
		rc = move(cur, buf_str(found), cur, newname, why);
	buf_free(&found);
	return rc;
}

/* maildir_flags_set_at - the move with cur/ and new/ open (new_fd -1
 * when the file is in cur/) */
int maildir_flags_set_at(int cur_fd, int new_fd, const char *name, const char *flags,
			 struct buf *newname, struct buf *why)
{
	int from = new_fd >= 0 ? new_fd : cur_fd, rc;

	if (!is_name_ok(name)) {
		buf_printf(why, "not a message file name");
		errno = EINVAL;
		return -1;
	}
	buf_reset(newname);
	maildir_flags_name(newname, name, flags);
	rc = move(from, name, cur_fd, buf_str(newname), why);
	if (rc == 0)
		rc = move_again(cur_fd, name, buf_str(newname), why);
	return rc;
}

/* maildir_flags_set - rename name into cur/ with the given flags */
int maildir_flags_set(int folder_fd, const char *name, bool in_new, const char *flags,
		      struct buf *newname, struct buf *why)
{
	int cur, from, rc;

	if (!is_name_ok(name)) {
		buf_printf(why, "not a message file name");
		errno = EINVAL;
		return -1;
	}
	if ((cur = maildir_open_path(folder_fd, "cur", 0, why)) < 0)
		return -1;
	from = in_new ? maildir_open_path(folder_fd, "new", 0, why) : -1;
	if (in_new && from < 0) {
		close(cur);
		return -1;
	}
	rc = maildir_flags_set_at(cur, from, name, flags, newname, why);
	if (from >= 0)
		close(from);
	close(cur);
	return rc;
}
