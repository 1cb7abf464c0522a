/* mail_index_uidv - new UIDVALIDITY values for the folders of a Maildir.
 *
 * As Dovecot does, a new UIDVALIDITY is the current time; so that a
 * folder re-created (or an index deleted) within the same second does
 * not get its old value back, the last value given is kept in
 * <Maildir>/hato-uidvalidity (decimal) and the next is above it.  Called
 * inside the index's write transaction, which serialises the writers of
 * this Maildir.  The file is the user's: anything that is not a plain
 * number in range is ignored (the time alone is used); it is read and
 * replaced without following symbolic links (tmp file, then rename).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mail_index_int.h"

#define UIDV_FILE "hato-uidvalidity"

/* last_given - the number in the file, 0 when none or not a number */
static uint32_t last_given(int maildir_fd)
{
	char text[16], *end;
	unsigned long v;
	ssize_t n;
	int fd = openat(maildir_fd, UIDV_FILE, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return 0;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	text[n] = '\0';
	errno = 0;
	v = strtoul(text, &end, 10);
	if (errno || end == text || (*end && *end != '\n') || text[0] < '0' || text[0] > '9'
	    || v >= UINT32_MAX)
		return 0;
	return (uint32_t)v;
}

/* remember - write v into the file; a failure costs only the guarantee
 * for a later same-second re-creation, so it is not an error */
static void remember(int maildir_fd, uint32_t v)
{
	char tmp[64], text[16];
	int fd, len = snprintf(text, sizeof(text), "%lu\n", (unsigned long)v);
	bool ok;

	snprintf(tmp, sizeof(tmp), UIDV_FILE ".tmp.%ld", (long)getpid());
	unlinkat(maildir_fd, tmp, 0);
	fd = openat(maildir_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	ok = write(fd, text, len) == len;
	if (close(fd) != 0 || !ok || renameat(maildir_fd, tmp, maildir_fd, UIDV_FILE) != 0)
		unlinkat(maildir_fd, tmp, 0);
}

/* mail_index_uidvalidity_next - the time, above the last value given */
uint32_t mail_index_uidvalidity_next(struct mail_index *idx)
{
	uint32_t last = last_given(idx->maildir_fd), v = (uint32_t)time(NULL);

	if (v <= last)
		v = last + 1;
	if (v == 0 || v == UINT32_MAX)
		v = 1;
	remember(idx->maildir_fd, v);
	return v;
}
