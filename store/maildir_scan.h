/* maildir_scan - the messages of one Maildir folder (new/ and cur/).
 *
 *   struct maildir_scan *s;
 *   if (maildir_scan(folder_fd, 100000, &s, why) == 0)
 *       for (size_t i = 0; i < s->len; i++) use(&s->msgs[i]);
 *   maildir_scan_free(&s);
 *
 * For each regular file: its name, the length of its base (before
 * ":2,"), its flags (maildir_flags.h), its size (the ",S=<size>" of the
 * name when there is one, else the file's), its virtual size (the
 * ",W=<vsize>" of the name, else -1: unknown, see mail_vsize.h), its mtime (the internal
 * date), and whether it is still in new/.  Sorted by name.
 * Trust: the folder is the user's, who may plant anything.  Entries are
 * examined with fstatat(AT_SYMLINK_NOFOLLOW) and never opened: a
 * symbolic link (say to another user's file) or any other non-regular
 * file is skipped and counted, as are names starting with '.' and names
 * longer than MAILDIR_NAME_MAX; tmp/ is not read.  More than max_msgs
 * messages is an error (E2BIG), not a silent cut.  Errors: -1 with errno
 * and why ("read cur/: ..."), and *sp NULL.
 */
#ifndef HATO_MAILDIR_SCAN_H
#define HATO_MAILDIR_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "buf.h"
#include "maildir_flags.h"

enum { MAILDIR_NAME_MAX = 255 };

struct maildir_msg {
	char *name;			/* in new/ or cur/ */
	size_t base_len;		/* name[0 .. base_len) is the base */
	char flags[MAILDIR_FLAGS_MAX];	/* sorted, "" for none */
	off_t size;			/* S= of the name, else st_size */
	off_t vsize;			/* W= of the name, else -1 */
	time_t mtime;			/* internal date */
	bool in_new;
	size_t ref;			/* maildir_scan_known: what known gave */
};

struct maildir_scan {
	struct maildir_msg *msgs;
	size_t len, cap;
	size_t skipped;			/* links, odd files, long names */
};

int maildir_scan(int folder_fd, size_t max_msgs, struct maildir_scan **sp, struct buf *why);
/* maildir_scan_known_fn - a regular file by this name in new/ (in_new)
 * or cur/ that the caller knows: true with its size and date, else false
 * (it is then stat'ed); *ref_r (0 before the call) is kept in the
 * message's ref either way, for the caller to find what it matched */
typedef bool maildir_scan_known_fn(void *ctx, const char *name, bool in_new, off_t *size_r,
				   time_t *mtime_r, size_t *ref_r);
/* maildir_scan_known - maildir_scan, without a stat for the names known
 * says it has (an index of the folder): a folder of unchanged files is
 * read with readdir alone */
int maildir_scan_known(int folder_fd, size_t max_msgs, maildir_scan_known_fn *known,
		       void *known_ctx, struct maildir_scan **sp, struct buf *why);
void maildir_scan_free(struct maildir_scan **sp);
/* maildir_scan_put - one message into s as a scan would have found it
 * (size and mtime as a stat gave them), for a list made without one */
void maildir_scan_put(struct maildir_scan *s, const char *name, bool in_new, off_t size,
		      time_t mtime);
/* maildir_name_size - the ",S=<size>" of name's base: true and *size_r,
 * false when there is none or it is not a plain decimal number */
bool maildir_name_size(const char *name, off_t *size_r);
/* maildir_name_vsize - the ",W=<vsize>" of name's base (Dovecot's
 * virtual size: CRLF line ends), as maildir_name_size */
bool maildir_name_vsize(const char *name, off_t *vsize_r);
/* maildir_name_time_cmp - the order two Maildir names were made in, as
 * their leading time says: seconds, then the ".M" microseconds, then
 * the "Q" counter (hato's and Dovecot's names), numerically (so "M99"
 * comes before "M100"); ties by name; for qsort through a wrapper */
int maildir_name_time_cmp(const char *a, const char *b);
/* maildir_name_time - the three numbers maildir_name_time_cmp compares
 * (0 where a part is missing), for sorting many names by keys made once */
void maildir_name_time(const char *name, unsigned long long t[3]);

#endif
