/* fsutil - small durable-filesystem helpers shared by every program.
 *
 * fsutil_fsync_dir_of(path) fsyncs the directory holding path, which makes
 * a create, rename or unlink in it durable (neither Postfix nor OpenSMTPD
 * do this; hato does after every queue and table move).
 */
#ifndef HATO_FSUTIL_H
#define HATO_FSUTIL_H

int fsutil_fsync_dir_of(const char *path);

#endif
