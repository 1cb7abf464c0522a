/* maildir_new - new/ to cur/ at the start of a session (see the header). */
#include "maildir_flags.h"
#include "maildir_new.h"

size_t maildir_new_move(int folder_fd, const struct mail_index_folder *f, struct buf *why)
{
	struct buf *newname = buf_new(64);
	size_t moved = 0;

	for (size_t i = 0; i < f->len; i++) {
		if (!f->msgs[i].in_new)
			continue;
		if (maildir_flags_set(folder_fd, f->msgs[i].name, true, f->msgs[i].flags, newname,
				      why) >= 0)
			moved++;
	}
	buf_free(&newname);
	return moved;
}
