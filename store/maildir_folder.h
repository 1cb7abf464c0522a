/* maildir_folder - Maildir++ folders and the subscriptions file.
 *
 *   maildir_folder_list(root_fd, &names, why);   // "Sent", "a.b", sorted
 *   maildir_folder_create(root_fd, "a.b", why);  // .a.b/{cur,new,tmp}
 *   maildir_folder_delete(root_fd, "a.b", why);  // .a.b/ and its mail
 *   maildir_folder_rename(root_fd, "a", "c", why); // .a and .a.* to .c, .c.*
 *   maildir_subs_read(root_fd, &names, why);
 *   maildir_subs_write(root_fd, names, why);
 *
 * A folder "a.b" (IMAP "a/b" with "." as the separator) is the directory
 * ".a.b" beside the INBOX's cur/ new/ tmp/, with its own cur/ new/ tmp/
 * and an empty "maildirfolder" file.  Names are checked as bytes (the
 * IMAP side's modified UTF-7 is imapd's business): not empty, at most
 * MAILDIR_FOLDER_MAX bytes, no '/', no leading or trailing '.', no "..",
 * no control bytes (below 0x20, and 0x7f).
 * "subscriptions" holds one folder name a line; it is written whole to a
 * temporary file and renamed over the old one (readers see the old list
 * or the new one).  Reading skips bad lines (counted) and refuses a file
 * over MAILDIR_SUBS_MAX bytes, or one that is not a regular file.
 * Trust: the Maildir is the user's; nothing is opened through a symbolic
 * link.  Errors: -1 with errno and why.
 */
#ifndef HATO_MAILDIR_FOLDER_H
#define HATO_MAILDIR_FOLDER_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "strv.h"

enum {
	MAILDIR_FOLDER_MAX = 250,	/* bytes of a name, without the '.' */
	MAILDIR_FOLDERS_MAX = 10000,	/* folders listed */
	MAILDIR_SUBS_MAX = 1 << 20,	/* bytes of "subscriptions" */
};
enum { MAILDIR_FOLDER_EXISTS = 1 };
#define MAILDIR_FOLDER_TRASH "..hato-trashed"

/* maildir_folder_valid - may name be a folder?  why says why not */
bool maildir_folder_valid(const char *name, struct buf *why);
/* maildir_folder_list - folder names under root_fd, sorted, into *names */
int maildir_folder_list(int root_fd, struct strv **names, struct buf *why);
/* maildir_folder_create - 0 made, MAILDIR_FOLDER_EXISTS, -1 */
int maildir_folder_create(int root_fd, const char *name, struct buf *why);
/* maildir_folder_delete - ".NAME" and its messages removed (not its
 * subfolders); 0 or -1 (errno ENOENT: no such folder) */
int maildir_folder_delete(int root_fd, const char *name, struct buf *why);
/* maildir_folder_rename - "from" and its subfolders renamed to "to": 0,
 * or -1 (errno EEXIST: a target exists; ENOENT: no such folder) */
int maildir_folder_rename(int root_fd, const char *from, const char *to, struct buf *why);
/* maildir_subs_read - the subscribed names (none without the file);
 * *skipped_r counts the lines that are not valid names */
int maildir_subs_read(int root_fd, struct strv **names, size_t *skipped_r, struct buf *why);
/* maildir_subs_write - replace the file with names, one a line */
int maildir_subs_write(int root_fd, const struct strv *names, struct buf *why);

#endif
