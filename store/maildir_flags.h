/* maildir_flags - the info part of a Maildir file name (":2,FLAGS") and
 * changing it: new/ to cur/, or new flags on a file in cur/.
 *
 *   maildir_flags_parse(name, flags);      // "1.M2.h,S=5:2,SRa" -> "RSa"
 *   maildir_flags_set(folder_fd, name, in_new, "FS", newname, why);
 *
 * Flags are the letters after ":2,": the Maildir ones (D draft, F flagged,
 * P passed, R replied, S seen, T trashed, and any other uppercase letter)
 * and the lowercase a-z keyword letters Dovecot gives keywords; other
 * bytes are dropped.  A flag string is a sorted set (ASCII order: the
 * uppercase letters first), at most MAILDIR_FLAGS_MAX - 1 letters.
 * Moves are renames inside the folder given as a directory descriptor;
 * new/ and cur/ are opened without following symbolic links.  A file
 * another client has moved meanwhile (ENOENT) is looked up again once by
 * its base in cur/.  Errors: -1 with errno and why; 0 when the message is
 * gone.  Names come from the user's directory: any byte but '/' and NUL.
 */
#ifndef HATO_MAILDIR_FLAGS_H
#define HATO_MAILDIR_FLAGS_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

enum { MAILDIR_FLAGS_MAX = 53 };	/* A-Z, a-z and the NUL */

/* maildir_base_len - the length of name's base (before ":2,") */
size_t maildir_base_len(const char *name);
/* maildir_flags_parse - the sorted flags of name's info into out */
void maildir_flags_parse(const char *name, char out[MAILDIR_FLAGS_MAX]);
/* maildir_flags_sort - letters of in as a sorted set into out */
void maildir_flags_sort(const char *in, char out[MAILDIR_FLAGS_MAX]);
/* maildir_flags_name - "BASE:2,FLAGS" (flags sorted) into out */
void maildir_flags_name(struct buf *out, const char *name, const char *flags);
/* maildir_flags_set - name (in new/ when in_new, else in cur/) becomes
 * cur/BASE:2,FLAGS (its name into newname): 1 done, 0 gone, -1 error */
int maildir_flags_set(int folder_fd, const char *name, bool in_new, const char *flags,
		      struct buf *newname, struct buf *why);
/* maildir_flags_set_at - the same with the folder's cur/ and new/ open
 * (new_fd -1: the file is in cur/), for many files in a row */
int maildir_flags_set_at(int cur_fd, int new_fd, const char *name, const char *flags,
			 struct buf *newname, struct buf *why);

#endif
