/* qfile_spare - spare queue files: the queue manager empties a finished queue
 * file and keeps its inode in spare/ instead of unlinking it; cleanup
 * renames a spare into incoming/ instead of creating a new inode.
 *
 *   qmgr:    qfile_spare_put(".", "active", id, fd);   // instead of unlink(); fd or -1
 *   cleanup: fd = qfile_spare_take(".", "incoming", new_id);  // -1: create one
 *
 * Why: creating and freeing an inode is the dearest file-system step of a
 * queued message (on ext4 without a journal every create scans the freed
 * inodes of the last 30 s; elsewhere it is still two bitmap and inode-table
 * updates); a rename of an empty file is not.  Safety: a spare is emptied
 * and set to mode 0600 while it is still in active/, so it can never look
 * like a complete message, wherever a crash leaves it; a crash between the
 * two steps leaves an empty file in active/, which the queue manager
 * removes at start.  Only a regular, empty, 0600 file with one link and
 * our owner is taken; anything else found in spare/ is removed with a
 * warning.  spare/ holds at most QFILE_SPARE_MAX files.  Concurrent
 * takers prefer different names: each takes the names of its own slice
 * (qfile_spare_slice(name) == its process ID % QFILE_SPARE_SLICES) first.  Both sides fall back
 * to unlink/create when spare/ is missing or anything fails.
 */
#ifndef HATO_QFILE_SPARE_H
#define HATO_QFILE_SPARE_H

enum {
	QFILE_SPARE_MAX = 10000,	/* about 2.5 MB of inode table at most */
	QFILE_SPARE_SLICES = 8,		/* takers prefer their own slice of names */
};

int qfile_spare_put(const char *queue_dir, const char *queue, const char *id, int fd);
int qfile_spare_take(const char *queue_dir, const char *queue, const char *id);
int qfile_spare_count(const char *queue_dir);
unsigned qfile_spare_slice(const char *name);
void qfile_spare_forget(void);

#endif
