/* mbox - what every mailbox format shares: the message copy (Return-Path,
 * X-Original-To, Delivered-To, then the content), and mbox files (the
 * From_ line, ">From " quoting, a blank line after each message, fcntl and
 * dotlock locking, truncation after a failed write).  Used by local
 * (mailboxes, /file deliveries, |command input) and virtual.
 *
 *   struct mbox *mb = mbox_open(dir_fd, "joe", uid, gid, MBOX_LOCK_FCNTL | MBOX_LOCK_DOTLOCK, why);
 *   if (mbox_write(mbox_fd(mb), &copy, NULL, why) < 0 || fsync(mbox_fd(mb)) < 0)
 *       mbox_restore(mb);           // cut back to the size before
 *   mbox_close(&mb);                // unlock, remove the dotlock
 *
 * The content comes from copy.next, one line at a time without its line
 * end (partial pieces of a long line flagged), so this module knows
 * nothing of queue files.  Errors: -1 (NULL) with errno from the failing
 * call kept and a reason in why; mbox_write returns -2 when the source
 * failed (a queue file problem, not a mailbox one).
 * Trust: a mailbox is in a directory the recipient can write.  Files are
 * opened with O_NOFOLLOW | O_NONBLOCK, must be regular, have one link and
 * belong to the expected owner; a missing one is created O_EXCL, 0600.
 */
#ifndef HATO_MBOX_H
#define HATO_MBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "buf.h"
#include "mail_vsize.h"

/* mbox_next_fn - the next content line: 1 (line_r valid until the next
 * call), 0 at the end, -1 with why */
typedef int mbox_next_fn(void *ctx, const char **line_r, size_t *len_r, bool *partial_r,
			 struct buf *why);
/* mbox_begin_fn - back to the first content line: 0, or -1 with why */
typedef int mbox_begin_fn(void *ctx, struct buf *why);

enum mbox_copy_flags {
	MBOX_COPY_FROM_LINE = 1 << 0,	/* "From sender  date" first */
	MBOX_COPY_QUOTE = 1 << 1,	/* "From " at a line start becomes ">From " */
	MBOX_COPY_BLANK = 1 << 2,	/* an empty line after the message */
	MBOX_COPY_MBOX = MBOX_COPY_FROM_LINE | MBOX_COPY_QUOTE | MBOX_COPY_BLANK,
};

struct mbox_copy {
	mbox_begin_fn *begin;		/* may be NULL */
	mbox_next_fn *next;
	void *ctx;
	const char *sender;		/* Return-Path: <sender>; "" for <> */
	const char *original_to;	/* X-Original-To:, or NULL */
	const char *delivered_to;	/* Delivered-To:, or NULL */
	int flags;			/* enum mbox_copy_flags */
};

enum mbox_lock_flags {
	MBOX_LOCK_FCNTL = 1 << 0,
	MBOX_LOCK_DOTLOCK = 1 << 1,
	MBOX_LOCK_FLOCK = 1 << 2,
	MBOX_LOCK_DOTLOCK_OPTIONAL = 1 << 3,	/* go on when the directory is not writable */
};

enum {
	MBOX_LOCK_ATTEMPTS = 20,	/* one second apart, as Postfix */
	MBOX_STALE_LOCK = 500,		/* seconds: an older NAME.lock is removed */
};

/* mbox_write - the copy to fd: 0, -1 (the write failed), -2 (the
 * source did); written_r (may be NULL) gets the bytes and the virtual
 * size (mail_vsize.h) of what reached fd, also after a failure */
int mbox_write(int fd, const struct mbox_copy *c, struct mail_vsize *written_r, struct buf *why);
/* mbox_header_size - the bytes mbox_write adds before the content */
size_t mbox_header_size(const struct mbox_copy *c);

/* mbox_lock_flags - "fcntl, dotlock" (mailbox_delivery_lock) into bits;
 * -1 for an unknown word */
int mbox_lock_flags(const char *list);
struct mbox *mbox_open(int dir_fd, const char *name, uid_t uid, gid_t gid, int locks,
		       struct buf *why);
int mbox_fd(const struct mbox *mb);
off_t mbox_size(const struct mbox *mb);	/* before this delivery */
int mbox_restore(struct mbox *mb);
void mbox_close(struct mbox **mbp);

#endif
