/* fsutil - small durable-filesystem helpers shared by every program.
 *
 * fsutil_fsync_dir_of(path) fsyncs the directory holding path, which makes
 * a create, rename or unlink in it durable (neither Postfix nor OpenSMTPD
 * do this; hato does after every queue and table move).
 * fsutil_read_until() collects what a child process writes to a pipe,
 * bounded in time and size (delivery agents, commands); the deadline is
 * on the monotonic clock: deadline_in(ms) (deadline.h).
 * fsutil_load_at() reads a small file of a directory someone else may
 * write (a user's Maildir): no symbolic link followed, a regular file,
 * bounded in size.
 * fsutil_pread_all() appends len bytes at an offset, retrying short reads.
 * fsutil_replace() puts a whole new file in place atomically: a temporary
 * file beside it (O_EXCL, O_NOFOLLOW), fsync, rename over the old name
 * (which replaces a symbolic link there, never follows it), fsync of the
 * directory; readers see the old file or the new one, never half of one.
 * fsutil_exe_dir() appends the directory of the running program (from
 * /proc/self/exe), where hato's commands find the programs installed
 * beside them.
 */
#ifndef HATO_FSUTIL_H
#define HATO_FSUTIL_H

#include <stddef.h>

int fsutil_fsync_dir_of(const char *path);

struct buf;
/* 0 with the directory appended to out, -1 (out unchanged) when unknown */
int fsutil_exe_dir(struct buf *out);
/* fsutil_read_until - read fd to EOF or the deadline, keeping at most keep
 * bytes in out: 1 EOF, 0 deadline, -1 EOF after more than keep bytes */
int fsutil_read_until(int fd, long long deadline, struct buf *out, size_t keep);
int fsutil_load_at(int dir_fd, const char *name, size_t max, struct buf *out, struct buf *why);
/* fsutil_pread_all - len bytes of fd at off appended to out: 0, or -1 with
 * errno (0 when the file is shorter) and out as it was */
int fsutil_pread_all(int fd, unsigned long long off, size_t len, struct buf *out);

/* fsutil_replace - path gets exactly data, mode mode: 0, or -1 with why */
int fsutil_replace(const char *path, const void *data, size_t len, unsigned mode,
		   struct buf *why);

#endif
