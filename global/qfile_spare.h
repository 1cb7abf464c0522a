/* qfile_spare - spare queue files: the queue manager retires a finished
 * queue file and keeps its inode in spare/ instead of unlinking it; cleanup
 * renames a spare into incoming/ instead of creating a new inode, and
 * writes the new message over the old one's blocks.
 *
 *   qmgr:    qfile_spare_put(".", "active", id, fd);   // instead of unlink(); fd or -1
 *   cleanup: fd = qfile_spare_take(".", "incoming", new_id, &old_size);  // -1: create one
 *
 * Why: creating and freeing an inode is the dearest file-system step of a
 * queued message (on ext4 without a journal every create scans the freed
 * inodes of the last 30 s; elsewhere it is still two bitmap and inode-table
 * updates); a rename is not.  Freeing and allocating the data blocks is the
 * next dearest (a synchronous discard on a file system mounted with
 * -o discard, and two bitmap updates), so a spare of at most
 * QFILE_SPARE_KEEP bytes keeps its blocks: cleanup overwrites them and
 * truncates to the new length at commit, before the fsync.  spare/ thus
 * holds at most QFILE_SPARE_MAX x QFILE_SPARE_KEEP bytes (about 320 MB);
 * a larger file is emptied, and so is every spare while the file system
 * has less than QFILE_SPARE_KEEP_FREE bytes free (when it falls below,
 * the queue manager empties those in spare/ too, so kept blocks never
 * hold smtpd under queue_minfree; it takes each file's lock first, so a
 * spare that a cleanup has just taken is never cut under its writer).
 * Privacy: a kept spare is overwritten with zeros (a page-cache write, no
 * fsync: the delivered message's sender, client, headers and body do not
 * stay in spare/), a larger one is emptied.  Safety: a spare starts with NUL
 * (no queue file does, so it never validates again) and it is
 * set to mode 0600 while it is still in active/, so it can never look like
 * a complete message, wherever a crash leaves it; a crash between the two
 * steps leaves a 0600 file in active/, which the queue manager removes at
 * start.  Only a regular 0600 file of at most QFILE_SPARE_KEEP bytes with
 * one link and our owner is taken; anything else found in spare/ is
 * removed with a warning.  A file that another process has open to mark
 * recipients done (a delivery agent, which holds a shared flock while it
 * has the file: qfile_open with QFILE_RDWR) is removed, never reused, so
 * an agent that outlived its attempt cannot write into the next message.
 * spare/ holds at most QFILE_SPARE_MAX files.  Concurrent
 * takers prefer different names: each takes the names of its own slice
 * (qfile_spare_slice(name) == its process ID % QFILE_SPARE_SLICES) first.  Both sides fall back
 * to unlink/create when spare/ is missing or anything fails.
 */
#ifndef HATO_QFILE_SPARE_H
#define HATO_QFILE_SPARE_H

#include <sys/types.h>

enum {
	QFILE_SPARE_MAX = 10000,	/* about 2.5 MB of inode table at most */
	QFILE_SPARE_SLICES = 8,		/* takers prefer their own slice of names */
	QFILE_SPARE_KEEP = 32768,	/* a spare this small keeps its blocks */
};
#define QFILE_SPARE_KEEP_FREE (1ULL << 30)	/* ...while this much is free */

int qfile_spare_put(const char *queue_dir, const char *queue, const char *id, int fd);
int qfile_spare_take(const char *queue_dir, const char *queue, const char *id, off_t *size_r);
int qfile_spare_count(const char *queue_dir);
unsigned qfile_spare_slice(const char *name);
void qfile_spare_forget(void);
void qfile_spare_set_keep_free(unsigned long long bytes);

#endif
