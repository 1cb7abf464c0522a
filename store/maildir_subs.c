/* maildir_subs - the Maildir++ "subscriptions" file: one folder name a
 * line; see maildir_folder.h for the interface.
 *
 * Written whole to ".subscriptions.PID.tmp" in the Maildir, fsync'ed and
 * renamed over "subscriptions", so a reader never sees half a list.  A
 * first line "V<TAB>..." is the version header newer Dovecot writes and
 * is skipped; lines that are not valid folder names are skipped and
 * counted (a list with bad lines is still usable).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "maildir_folder.h"
#include "mem.h"
#include "selfpid.h"

/* split - the names of text into v; *skipped counts bad lines */
static void split(char *text, struct strv *v, size_t *skipped)
{
	char *save = NULL, *line;
	bool first = true;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		size_t len = strlen(line);

		if (len && line[len - 1] == '\r')
			line[--len] = '\0';
		if (first && line[0] == 'V' && line[1] == '\t')
			;	/* Dovecot's version header */
		else if (maildir_folder_valid(line, NULL))
			strv_add(v, line);
		else if (len)
			(*skipped)++;
		first = false;
	}
}

/* maildir_subs_read - the subscribed folder names */
int maildir_subs_read(int root_fd, struct strv **names, size_t *skipped_r, struct buf *why)
{
	struct buf *text = buf_new(256);
	int rc = fsutil_load_at(root_fd, "subscriptions", MAILDIR_SUBS_MAX, text, why), err = errno;

	*skipped_r = 0;
	*names = strv_new();
	if (rc > 0)
		split(text->data, *names, skipped_r);
	buf_free(&text);
	if (rc < 0)
		strv_free(names);
	errno = err;
	return rc < 0 ? -1 : 0;
}

/* write_all - every byte of b to fd */
static int write_all(int fd, const struct buf *b)
{
	for (size_t off = 0; off < buf_len(b);) {
		ssize_t n = write(fd, buf_str(b) + off, buf_len(b) - off);

		if (n < 0 && errno != EINTR)
			return -1;
		off += n > 0 ? (size_t)n : 0;
	}
	return 0;
}

/* maildir_subs_write - the new list, atomically */
int maildir_subs_write(int root_fd, const struct strv *names, struct buf *why)
{
	struct buf *text = buf_new(256), *tmp = buf_new(64);
	int fd = -1, rc = -1, err;

	for (size_t i = 0; i < names->len; i++) {
		if (!maildir_folder_valid(names->items[i], why)) {
			errno = EINVAL;
			goto out;
		}
		buf_printf(text, "%s\n", names->items[i]);
	}
	buf_printf(tmp, ".subscriptions.%ld.tmp", (long)self_pid());
	unlinkat(root_fd, buf_str(tmp), 0);	/* a crashed earlier writer's */
	fd = openat(root_fd, buf_str(tmp), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || write_all(fd, text) < 0 || fsync(fd) < 0
	    || renameat(root_fd, buf_str(tmp), root_fd, "subscriptions") < 0 || fsync(root_fd) < 0) {
		buf_printf(why, "write subscriptions: %s", strerror(errno));
		if (fd >= 0)
			unlinkat(root_fd, buf_str(tmp), 0);
	} else {
		rc = 0;
	}
out:
	err = errno;
	if (fd >= 0)
		close(fd);
	buf_free(&text);
	buf_free(&tmp);
	errno = err;
	return rc;
}
