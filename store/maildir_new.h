/* maildir_new - a folder's new/ moved to cur/, as Dovecot does when a
 * session opens it (pop3mail at login; imapmail leaves files in new/
 * until their flags change): each file keeps its flags
 * and gets ":2," (maildir_flags_set).
 *
 *   n = maildir_new_move(folder_fd, f, why);   // f from mail_index_list
 *
 * The number moved (the index must sync again when it is not 0); a file
 * that cannot be moved is skipped, the last reason in why.  A file gone
 * meanwhile (another session moved it) is not an error.
 */
#ifndef HATO_MAILDIR_NEW_H
#define HATO_MAILDIR_NEW_H

#include <stddef.h>

#include "buf.h"
#include "mail_index.h"

size_t maildir_new_move(int folder_fd, const struct mail_index_folder *f, struct buf *why);

#endif
