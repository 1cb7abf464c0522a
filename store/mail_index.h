/* mail_index - the per-user index of a Maildir, in LMDB: UIDs, MODSEQs,
 * flags, sizes and dates, so that pop3d (and imapd) list a folder
 * without re-reading it and clients keep their UIDs.
 *
 *   struct mail_index *idx;
 *   struct mail_index_changes ch = { 0 };
 *   struct mail_index_folder *f;
 *   mail_index_open(maildir_fd, maildir_path, &idx, why);
 *   mail_index_sync(idx, "INBOX", folder_fd, &ch, why);   // ch.expunged
 *   mail_index_list(idx, "INBOX", &f, why);   // f->msgs in UID order
 *   mail_index_uid_of(idx, "INBOX", base, &uid, why);
 *   mail_index_set_vsize(idx, "INBOX", uid, vsize, why);  // one a reader computed
 *   mail_index_folder_free(&f); mail_index_changes_free(&ch);
 *   mail_index_close(&idx);
 *
 * Beside it (their own headers, their own LMDB databases in the same
 * environment): mail_index_keywords.h, a folder's keyword names by
 * Maildir letter (mail_index_keywords, mail_index_keyword_letter, taken
 * from and written back to dovecot-keywords); mail_index_cache.h, named
 * fields per message (mail_index_cache_get/put, and
 * mail_index_cache_fill for the ENVELOPE fields and the MIME structure
 * of mime_parts.h), dropped when the message is expunged and ignored
 * once its size changes.
 *
 * Storage: the directory <Maildir>/hato-index.lmdb (LMDB's data.mdb and
 * lock.mdb; a directory rather than MDB_NOSUBDIR so that the index is one
 * name to delete).  The index is a cache of the Maildir: a sync brings it
 * up to date with whatever changed behind its back.  A UID is never
 * reused within a UIDVALIDITY.  Each sync keeps the folder's
 * dovecot-uidlist current, in Dovecot's format and under its lock
 * (mail_index_uidlist.c), so that Dovecot can take the Maildir back, or
 * run alongside, with the same UIDs.  A folder seen for the first time
 * (or again, the index deleted or corrupt) takes UIDVALIDITY, NEXTUID and
 * UIDs from its dovecot-uidlist when it has a good one, else a new
 * UIDVALIDITY (the time, and above the last one given in this Maildir,
 * kept in <Maildir>/hato-uidvalidity).  An index LMDB refuses to open is
 * rebuilt from the folders (mail_index_open).
 * Concurrency: writers are serialised by LMDB; see mail_index_sync.c.
 * Trust: the Maildir and the index are the user's, written by anyone
 * with the user's rights: records are checked before use; symbolic links
 * are not followed (a link where the index should be is an error).
 * Errors: -1 with why.
 */
#ifndef HATO_MAIL_INDEX_H
#define HATO_MAIL_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "buf.h"
#include "maildir_flags.h"

enum {
	MAIL_INDEX_FOLDER_MAX = 240,	/* bytes in a folder name */
	MAIL_INDEX_MSGS_MAX = 1000000,	/* messages in one folder */
};

struct mail_index;

struct mail_index_msg {
	uint32_t uid;
	uint64_t modseq;
	char *name;			/* file name in new/ or cur/ */
	size_t base_len;		/* name[0 .. base_len) is the base */
	char flags[MAILDIR_FLAGS_MAX];
	off_t size;
	off_t vsize;			/* size with CRLF line ends, -1: unknown */
	time_t date;			/* internal date: the file's mtime */
	bool in_new;
};

struct mail_index_folder {
	uint32_t uidvalidity;
	uint32_t uidnext;
	uint64_t highestmodseq;
	size_t len;
	struct mail_index_msg *msgs;	/* in UID order */
};

/* what one sync did */
struct mail_index_changes {
	uint32_t *expunged;		/* UIDs of vanished files, increasing */
	size_t n_expunged;
	size_t n_new;			/* files that got a UID */
	size_t n_changed;		/* files whose flags changed */
	size_t n_duplicate;		/* a second file with a known base: skipped */
};

/* mail_index_open - the index of the Maildir at maildir_fd (path is the
 * same directory, for LMDB); created when missing, rebuilt when LMDB
 * refuses it.  0, or -1 with why */
int mail_index_open(int maildir_fd, const char *maildir_path, struct mail_index **idxp,
		    struct buf *why);
void mail_index_close(struct mail_index **idxp);

/* mail_index_sync - bring folder (name, and its directory folder_fd) up to
 * date in one write transaction; ch (may be NULL) says what changed */
int mail_index_sync(struct mail_index *idx, const char *folder, int folder_fd,
		    struct mail_index_changes *ch, struct buf *why);
void mail_index_changes_free(struct mail_index_changes *ch);

/* one change a process made to a folder's files itself, that it tells
 * the index instead of having it read the folder again */
enum mail_index_own_kind {
	MAIL_INDEX_OWN_RENAMED,		/* new flags, or new/ to cur/ */
	MAIL_INDEX_OWN_GONE,		/* unlinked */
	MAIL_INDEX_OWN_NEW,		/* a file made (APPEND) */
};

struct mail_index_own {
	enum mail_index_own_kind kind;
	uint32_t uid;			/* RENAMED, GONE */
	char *old_name;			/* RENAMED, GONE: the name the index has */
	bool old_in_new;
	char *name;			/* RENAMED, NEW: the name now */
	bool in_new;
	off_t size;			/* NEW: the file's (a ",S=" in the name wins) */
	time_t mtime;			/* NEW: its date */
};

/* mail_index_sync_own - mail_index_sync for a folder whose files are
 * known to be as the index has them but for own[0..n): the changes are
 * applied (new MODSEQs, UIDs, the uidlist) without reading the folder.
 * The caller must know that nothing else changed (inotify): this
 * process has synced the folder since it began watching it, and saw no
 * change but its own since.  With take (may be NULL), the session that
 * has the folder selected read-write takes \Recent in the same write
 * (mail_index_recent.h).  0; 1 when a change did not find the file
 * the index has (another process renamed it first): a mail_index_sync
 * is then needed; -1 with why */
struct mail_index_take;
int mail_index_sync_own(struct mail_index *idx, const char *folder, int folder_fd,
			const struct mail_index_own *own, size_t n, struct mail_index_changes *ch,
			struct mail_index_take *take, struct buf *why);
void mail_index_own_free(struct mail_index_own *own, size_t n);

/* mail_index_kernel_clock - fd's file system stamps a change with the
 * kernel's coarse clock, or finer (ext2/3/4, XFS, Btrfs, tmpfs); others
 * (network file systems) may not */
bool mail_index_kernel_clock(int fd);
/* mail_index_settled - a change made from now on gives a directory whose
 * mtime is t another mtime: the coarse clock is past t (kernel_clock),
 * or two seconds have passed */
bool mail_index_settled(bool kernel_clock, const struct timespec *t);
/* mail_index_stamp_own - for a caller that knows the folder's files are
 * as the index has them (a watch that saw only its own changes, all
 * synced): the folder's look is taken and, when settled and
 * still_as_indexed(ctx) says nothing else happened up to now (the watch
 * read after the look), kept, so that the next sync of any process
 * reads nothing while it stays so (mail_index_stamp.c).  1 kept, 0 not
 * settled yet (try again a tick later), -1 not kept */
int mail_index_stamp_own(struct mail_index *idx, const char *folder, int folder_fd,
			 bool (*still_as_indexed)(void *ctx), void *ctx);

/* mail_index_list - the messages of folder as last synced; 0, or 1 with
 * *fp NULL when the folder was never synced, or -1 with why */
int mail_index_list(struct mail_index *idx, const char *folder,
		    struct mail_index_folder **fp, struct buf *why);
void mail_index_folder_free(struct mail_index_folder **fp);
/* mail_index_folder_find - the place of uid in f (UID order), or f->len */
size_t mail_index_folder_find(const struct mail_index_folder *f, uint32_t uid);
/* mail_index_generation - a number that changes with every commit to
 * the index, by any process (LMDB's last transaction id): a list taken
 * at the same generation is still the index's; 0 when unknown */
uint64_t mail_index_generation(struct mail_index *idx);

/* mail_index_uid_of - the UID of the file with this base in folder: 1,
 * 0 when the index has none, -1 with why */
int mail_index_uid_of(struct mail_index *idx, const char *folder, const char *base,
		      uint32_t *uid_r, struct buf *why);

/* mail_index_set_vsize - keep a virtual size a reader computed from the
 * file (its name had no ",W="; mail_vsize_fd), so that the next session
 * need not read the file again.  A sync fills vsize from ",W=" names,
 * keeps a stored one while the file's size stays the same, and forgets
 * it (-1) when the size changes.  No new MODSEQ: it is a cache, not a
 * change of the message.  1 stored, 0 when folder has no such UID, -1
 * with why */
int mail_index_set_vsize(struct mail_index *idx, const char *folder, uint32_t uid, off_t vsize,
			 struct buf *why);

/* mail_index_vanished - the UIDs folder lost with a MODSEQ above since,
 * increasing, into *uids_r (allocated, *n_r of them); *whole_r false when
 * the index's history does not reach back to since (the index is younger
 * than the client's MODSEQ): the caller must then take every UID it
 * cannot see as possibly gone (mail_index_vanished.c).  0, or -1 with why */
int mail_index_vanished(struct mail_index *idx, const char *folder, uint64_t since,
			uint32_t **uids_r, size_t *n_r, bool *whole_r, struct buf *why);

#endif
