/* qfile - queue files: the durable writer (cleanup only) and the
 * validating reader (qmgr, delivery agents, postcat, postqueue).
 * Format and durability protocol: docs/queue-format.md.
 *
 * Writer:  qf = qfile_create(queue_dir, "incoming", why);  // writes V and C
 *          qfile_out_put(qf, QREC_TIME, ...); ... qfile_out_line(...); ...
 *          qfile_out_put(qf, QREC_END, "", 0);
 *          if (qfile_commit(qf, why) == 0) reply 250 with qfile_out_id(qf);
 *          qfile_abort(&qf);       // always: frees; unlinks unless committed
 *   Every record goes through the qrec checker, so the writer cannot make a
 *   file the reader would refuse; a bad record or a write error (ENOSPC) is
 *   remembered and reported by commit, which returns 0 only when the file
 *   is complete (mode 0700) and durable, directory included.
 * Reader:  qf = qfile_open(path, QFILE_RDWR, why): -1 corrupt (why names
 *   the file and offset), -2 temporary (I/O, not found), -3 incomplete
 *   (not yet mode 0700: cleanup is still writing it; wait).  The whole
 *   file is validated as hostile before the envelope is returned; content
 *   is streamed with qfile_content_begin/next, never held in memory.
 * Paths: qfile_make_path() refuses an ID that fails queue_id_valid().
 */
#ifndef HATO_QFILE_H
#define HATO_QFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/time.h>
#include <sys/types.h>

#include "buf.h"
#include "qrec.h"

struct strv;

enum qfile_status {
	QFILE_CORRUPT = -1,	/* move it to corrupt/ */
	QFILE_TEMPFAIL = -2,	/* I/O error or gone: try again later */
	QFILE_INCOMPLETE = -3,	/* not marked complete yet: cleanup is writing it */
};

enum qfile_flags {
	QFILE_RDWR = 1 << 0,		/* open for qfile_mark_done() */
	QFILE_ANY_MODE = 1 << 1,	/* postcat: read a file whatever its mode */
	QFILE_ANY_OWNER = 1 << 2,	/* do not insist on our own uid */
};

struct qfile_attr {
	const char *name, *value;
};

struct qfile_rcpt {
	const char *address;
	const char *orcpt;	/* DSN ORCPT "type;addr", NULL when none */
	const char *notify;	/* DSN NOTIFY, NULL when none */
	bool done;		/* 'r': delivered, bounced or expired */
	bool extracted;		/* from the extracted-envelope section */
	off_t offset;		/* of the record's type byte */
};

/* writer */
struct qfile_out;
struct qfile_out *qfile_create(const char *queue_dir, const char *queue, struct buf *why);
struct qfile_out *qfile_create_as(const char *queue_dir, const char *queue, const char *id,
				  struct buf *why);
const char *qfile_out_id(const struct qfile_out *qf);
const char *qfile_out_path(const struct qfile_out *qf);
int qfile_out_put(struct qfile_out *qf, int type, const void *p, size_t len);
int qfile_out_line(struct qfile_out *qf, const void *p, size_t len, bool partial);
off_t qfile_out_offset(const struct qfile_out *qf);
int qfile_out_rewrite(struct qfile_out *qf, off_t offset, int type, const void *p, size_t len);
int qfile_out_sync_name(struct qfile_out *qf);	/* early: commit skips the dir fsync */
int qfile_commit(struct qfile_out *qf, struct buf *why);
void qfile_abort(struct qfile_out **qfp);

/* reader */
struct qfile;
struct qfile *qfile_open(const char *path, int flags, int *status_r, struct buf *why);
struct qfile *qfile_open_fd(int fd, const char *path, int flags, int *status_r, struct buf *why);
void qfile_close(struct qfile **qfp);
const char *qfile_path(const struct qfile *qf);
const char *qfile_id(const struct qfile *qf);
const char *qfile_sender(const struct qfile *qf);
struct timeval qfile_arrival(const struct qfile *qf);
int qfile_flags(const struct qfile *qf);
int qfile_fd(const struct qfile *qf);
const struct qrec_sizes *qfile_sizes(const struct qfile *qf);
const char *qfile_attr(const struct qfile *qf, const char *name);
const struct qfile_attr *qfile_attrs(const struct qfile *qf, size_t *n_r);
const struct qfile_rcpt *qfile_rcpts(const struct qfile *qf, size_t *n_r);
size_t qfile_rcpts_pending(const struct qfile *qf);
const struct strv *qfile_warnings(const struct qfile *qf);
int qfile_content_begin(struct qfile *qf, struct buf *why);
int qfile_content_next(struct qfile *qf, const char **line_r, size_t *len_r, bool *partial_r,
		       struct buf *why);
int qfile_mark_done(struct qfile *qf, size_t i, struct buf *why);
int qfile_mark_done_at(struct qfile *qf, off_t offset, struct buf *why);
int qfile_sync(struct qfile *qf, struct buf *why);

/* queue moves and paths */
int qfile_make_path(struct buf *out, const char *queue_dir, const char *queue, const char *id,
		    struct buf *why);
int qfile_recover(const char *path);
int qfile_settle(const char *path);
int qfile_maildrop_release(const char *queue_dir, const char *id);
enum { QFILE_MOVE_DURABLE = 1 << 0 };	/* fsync both directories */
int qfile_move(const char *queue_dir, const char *id, const char *from_queue,
	       const char *to_queue, int flags, struct buf *why);
int qfile_corrupt(const char *queue_dir, const char *id, const char *from_queue,
		  const char *reason);

#endif
