/* postsuper_requeue - postsuper -r: a message goes through cleanup again,
 * so rewriting and virtual_alias_maps that changed since apply to it.
 *
 * Order, so that no message is ever lost or live twice in the queue:
 *  1. the file is renamed to hold/ (unless it is there): qmgr never takes
 *     it from there, so it cannot be delivered while it is being copied;
 *  2. the envelope (attributes, sender, the pending recipients with their
 *     ORCPT and NOTIFY) and the content are sent to cleanup, which queues
 *     a new message with a new queue ID and answers 250 once it is durable;
 *  3. only then is the old file removed (with defer/ID).
 * On any failure the file goes back where it came from (an active file to
 * deferred/: qmgr may be done with it already, and a file put back into
 * active/ would wait there until qmgr restarts).  A crash between 2 and 3
 * leaves the old message on hold, never a lost one.  Done recipients are
 * not resubmitted; header and body checks are not applied again (Postfix
 * does not either: a message held by a HOLD rule is released this way).
 * A message with a pending non-delivery notification (bounce/ID) is left
 * alone until qmgr has sent it: the new copy would not carry it.
 * Known differences from Postfix (they need cleanup's help, see XXX):
 * the new message gets a new arrival time and one more Received: header.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cleanup_client.h"
#include "fsutil.h"
#include "log.h"
#include "postsuper.h"
#include "qfile.h"

/* control attributes cleanup would act on rather than keep */
static const char *const control_attrs[] = { "hold", "discard", "prepend", "redirect", "filter",
					     "bcc", NULL };

/* is_control - an attribute cleanup treats as an instruction */
static bool is_control(const char *name)
{
	for (size_t i = 0; control_attrs[i]; i++)
		if (strcmp(control_attrs[i], name) == 0)
			return true;
	return false;
}

/* has_bounce_log - a non-delivery notification is still to be sent */
static bool has_bounce_log(const char *id)
{
	struct buf *path = buf_new(64);
	bool yes;

	buf_printf(path, "bounce/%s", id);
	yes = access(buf_str(path), F_OK) == 0;
	buf_free(&path);
	return yes;
}

/* send_message - the open queue file through cleanup; 0 with the new ID */
static int send_message(struct qfile *qf, struct buf *new_id, struct buf *why)
{
	int flags = CLEANUP_F_NO_CHECKS | (qfile_flags(qf) & CLEANUP_F_NO_ALIASES);
	struct cleanup_client *cc = cleanup_client_open(".", flags, why);
	const struct qfile_attr *a;
	const struct qfile_rcpt *r;
	struct cleanup_result res;
	const char *line;
	size_t n, len;
	bool partial;
	int rc;

	if (cc == NULL)
		return -1;
	a = qfile_attrs(qf, &n);
	for (size_t i = 0; i < n; i++)
		if (!is_control(a[i].name))
			cleanup_client_attr(cc, a[i].name, a[i].value);
	cleanup_client_sender(cc, qfile_sender(qf));
	r = qfile_rcpts(qf, &n);
	for (size_t i = 0; i < n; i++)
		if (!r[i].done)
			cleanup_client_rcpt(cc, r[i].address, r[i].orcpt, r[i].notify);
	if ((rc = qfile_content_begin(qf, why)) == 0)
		while ((rc = qfile_content_next(qf, &line, &len, &partial, why)) > 0)
			cleanup_client_line(cc, line, len, partial);
	if (rc == 0 && cleanup_client_finish(cc, &res, why) == 0) {
		if (res.code == 250)
			buf_cat(new_id, cleanup_client_id(cc));
		else
			buf_printf(why, "cleanup said: %d %s %s", res.code, res.dsn, res.text);
	}
	cleanup_client_abort(&cc);
	return buf_len(new_id) ? 0 : -1;
}

/* resubmit - hold/id through cleanup; 0 with the new ID in new_id */
static int resubmit(const char *id, struct buf *new_id, struct buf *why)
{
	struct buf *path = buf_new(64);
	struct qfile *qf;
	int status, rc = -1;

	buf_printf(path, "hold/%s", id);
	if ((qf = qfile_open(buf_str(path), 0, &status, why)) != NULL) {
		if (qfile_rcpts_pending(qf) == 0)
			buf_cat(why, "every recipient is done already; qmgr removes it");
		else
			rc = send_message(qf, new_id, why);
		qfile_close(&qf);
	}
	buf_free(&path);
	return rc;
}

/* put_back - a failed requeue: the file returns whence it came */
static void put_back(const char *queue, const char *id)
{
	const char *to = strcmp(queue, "active") == 0 ? "deferred" : queue;
	struct buf *why = buf_new(0);

	if (strcmp(to, "hold") != 0 && qfile_move(".", id, "hold", to, QFILE_MOVE_DURABLE, why) < 0)
		log_error("%s: left in hold/: %s", id, buf_str(why));
	buf_free(&why);
}

/* remove_old - the requeued original and its deferral reasons */
static void remove_old(const char *id)
{
	struct buf *path = buf_new(64);

	buf_printf(path, "hold/%s", id);
	if (qfile_maildrop_release(".", id) < 0)
		log_warn("%s: remove maildrop/%s: %m (pickup may queue it again)", id, id);
	if (unlink(buf_str(path)) < 0)
		log_error("%s: remove %s: %m (the message is queued twice now)", id, buf_str(path));
	else if (fsutil_fsync_dir_of(buf_str(path)) < 0)
		log_warn("%s: fsync the directory of %s: %m", id, buf_str(path));
	buf_reset(path);
	buf_printf(path, "defer/%s", id);
	if (unlink(buf_str(path)) < 0 && errno != ENOENT)
		log_warn("%s: remove %s: %m", id, buf_str(path));
	buf_free(&path);
}

/* postsuper_requeue - requeue queue/id */
int postsuper_requeue(struct postsuper *ps, const char *queue, const char *id)
{
	struct buf *why = buf_new(0), *new_id = buf_new(32);
	int rc = -1;

	(void)ps;
	if (has_bounce_log(id)) {
		log_warn("%s: not requeued: a non-delivery notification is still to be sent "
			 "(try again after the next delivery attempt)", id);
	} else if (strcmp(queue, "hold") != 0 && qfile_move(".", id, queue, "hold", QFILE_MOVE_DURABLE, why) < 0) {
		rc = postsuper_is_ready(queue, id) ? -1 : 0;	/* gone: qmgr moved it */
		if (rc < 0)
			log_error("%s: %s", id, buf_str(why));
	} else if (resubmit(id, new_id, why) < 0) {
		log_error("%s: not requeued: %s", id, buf_str(why));
		put_back(queue, id);
	} else {
		remove_old(id);
		log_info("%s: requeued as %s", id, buf_str(new_id));
		rc = 1;
	}
	/* XXX cleanup stamps a new arrival time and adds "Received: by ...";
	 * Postfix keeps the time and adds nothing.  Both need a requeue flag
	 * in the cleanup protocol. */
	buf_free(&why);
	buf_free(&new_id);
	return rc;
}
