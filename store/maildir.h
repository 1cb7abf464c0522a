/* maildir - writing one message into a Maildir (the Maildir spec, with the
 * Maildir++ ",S=size" and Dovecot's ",W=vsize" in the final name), shared
 * by local and virtual.
 *
 *   struct maildir *md = maildir_open(home_fd, "Maildir/", MAILDIR_CREATE, why);
 *   struct maildir_file *f = maildir_file_create(md, why);   // tmp/UNIQUE, 0600
 *   write(maildir_file_fd(f), ...);   // counting into struct mail_vsize v
 *   maildir_file_counted(f, &v);      // the name gets ",W=<v.vsize>"
 *   if (maildir_file_commit(&f, why) >= 0) ...  // fsync, link into new/, fsync new/
 *   maildir_file_abort(&f);   // always: removes tmp/UNIQUE unless committed
 *   maildir_close(&md);
 *
 * Unique names: "SEC.M<usec>P<pid>Q<counter>.<host>" in tmp/, and in new/
 * the same with ",S=<bytes>,W=<vsize>" appended (W, the size with CRLF
 * line ends, only when the caller counted it and its count of bytes is
 * the file's size at commit); '/', ':' and ',' in the host name
 * are written \057, \072 and \054.  A name that exists already is never
 * reused (O_EXCL, then the next counter).
 * Exactly once: a file given a key (maildir_file_key) goes into new/ as
 * "ASEC.M<ausec>Q<queue id>R<hash>.<host>,S=<bytes>,W=<vsize>" (the message's
 * arrival time, its queue ID, a 64-bit hash of the recipient), the same
 * name at every attempt: a second attempt finds the first one's file in
 * new/ (the link fails with EEXIST) and commit answers MAILDIR_FOUND
 * instead of writing it twice.  A reader may have moved that file into
 * cur/ (":2,FLAGS" appended); a key marked retry (an earlier attempt may
 * have been interrupted) is first looked up by prefix in new/ and cur/
 * (maildir_find), the one directory read, done only for retries.
 * Trust: the Maildir belongs to the user we run as, who may have planted
 * symbolic links.  Every path component below at_fd is opened with
 * O_NOFOLLOW | O_DIRECTORY, files with O_EXCL | O_NOFOLLOW, and the file
 * is checked with fstat (regular, one link) before it is linked into new/.
 * Errors: -1 (or NULL) with errno kept from the failing call and a reason
 * in why ("create Maildir/tmp: Permission denied"); the caller decides
 * whether errno means bounce (EDQUOT, EFBIG) or defer (anything else).
 */
#ifndef HATO_MAILDIR_H
#define HATO_MAILDIR_H

#include <stdbool.h>
#include <sys/time.h>
#include <sys/types.h>

#include "buf.h"
#include "mail_vsize.h"

enum maildir_flags {
	MAILDIR_CREATE = 1 << 0,	/* create missing directories, mode 0700 */
};

enum { MAILDIR_MAX_DEPTH = 32 };	/* path components below at_fd */
enum { MAILDIR_FOUND = 1 };		/* commit: an earlier attempt's file is there */

/* what makes two deliveries the same one: a message's recipient */
struct maildir_key {
	char unique[96];		/* "ASEC.M<ausec>Q<queue id>R<hash>", no host */
	bool retry;			/* an earlier attempt may have written it */
};

struct maildir;
struct maildir_file;

struct maildir *maildir_open(int at_fd, const char *path, int flags, struct buf *why);
void maildir_close(struct maildir **mdp);
/* maildir_dir_fd - the Maildir's directory (where maildirsize lives) */
int maildir_dir_fd(const struct maildir *md);

struct maildir_file *maildir_file_create(struct maildir *md, struct buf *why);
int maildir_file_fd(const struct maildir_file *f);
/* maildir_file_counted - what the caller wrote to the fd, counted */
void maildir_file_counted(struct maildir_file *f, const struct mail_vsize *v);
int maildir_file_commit(struct maildir_file **fp, struct buf *why);	/* 0, MAILDIR_FOUND, -1 */
void maildir_file_abort(struct maildir_file **fp);
/* maildir_last_name - the new/ name of the last file committed through md */
const char *maildir_last_name(const struct maildir *md);

/* maildir_key_make - the key of queue_id's delivery to recipient (any
 * string that tells the message's recipients apart), arrival the
 * message's; false when queue_id is not [0-9A-Za-z]{1,40} */
bool maildir_key_make(struct maildir_key *k, const struct timeval *arrival, const char *queue_id,
		      const char *recipient, bool retry);
/* maildir_key_valid - is s a unique part maildir_key_make makes? */
bool maildir_key_valid(const char *s);
/* maildir_file_key - f goes into new/ under k's name (before commit) */
void maildir_file_key(struct maildir_file *f, const struct maildir_key *k);
/* maildir_find - 1 when new/ or cur/ holds k's file (its name is then
 * maildir_last_name), 0 when not, -1 with why */
int maildir_find(struct maildir *md, const struct maildir_key *k, struct buf *why);

/* maildir_unique - "SEC.M<usec>P<pid>Q<counter>.<host>" (host escaped) */
void maildir_unique(struct buf *out, const struct timeval *tv, pid_t pid,
		    unsigned long counter, const char *host);
/* maildir_open_path - like openat(at_fd, path, O_DIRECTORY), but no
 * component may be a symbolic link, ".." or empty; missing components are
 * created (0700) with MAILDIR_CREATE.  -1 with errno and why. */
int maildir_open_path(int at_fd, const char *path, int flags, struct buf *why);
/* maildir_msg_open - a message file at_fd/path for reading: not through
 * a symbolic link, and without touching its access time (O_NOATIME: a
 * listing of a folder copied in would otherwise write every inode; a
 * file that is not the caller's is opened without it): fd, or -1 */
int maildir_msg_open(int at_fd, const char *path);

#endif
