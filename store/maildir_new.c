/* maildir_new - new/ to cur/ at the start of a session (see the header):
 * cur/ and new/ are opened once for all the files. */
#include <unistd.h>

#include "maildir.h"
#include "maildir_flags.h"
#include "maildir_new.h"

size_t maildir_new_move(int folder_fd, const struct mail_index_folder *f, struct buf *why)
{
	struct buf *newname = buf_new(64);
	int cur = maildir_open_path(folder_fd, "cur", 0, why);
	int new = cur < 0 ? -1 : maildir_open_path(folder_fd, "new", 0, why);
	size_t moved = 0;

	for (size_t i = 0; new >= 0 && i < f->len; i++) {
		if (!f->msgs[i].in_new)
			continue;
		if (maildir_flags_set_at(cur, new, f->msgs[i].name, f->msgs[i].flags, newname,
					 why) >= 0)
			moved++;
	}
	if (new >= 0)
		close(new);
	if (cur >= 0)
		close(cur);
	buf_free(&newname);
	return moved;
}
