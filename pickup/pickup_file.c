/* pickup_file - one maildrop file: validate it, then copy it to cleanup.
 *
 * The validating pass reads the whole file before cleanup hears of it:
 * the stream checker (QREC_CHECK_STREAM: record syntax, order, limits),
 * no extracted-recipient section (cleanup makes that itself for -t), the
 * envelope within PICKUP_ENVELOPE_MAX, at least one recipient unless the
 * flags ask for -t.  The copy pass reads the file again, checks it again
 * (only root could have changed it in between) and sends cleanup: its own
 * flags (local submission, -t if asked), uid= from the file's owner, the
 * attributes dsn_ret= and dsn_envid= when they are well formed, the
 * sender, the recipients with their DSN records, and the content.  Any
 * other attribute in the file (uid=, hold=, prepend=, ...) is dropped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "mem.h"
#include "pickup.h"
#include "qrec.h"

enum { ENVID_MAX = 100 };

/* pickup_file_info_free - release what the validating pass kept */
void pickup_file_info_free(struct pickup_info *info)
{
	XFREE(info->sender);
}

/* reader_at_start - a record reader from the start of the file */
static struct qrec_reader *reader_at_start(int fd, struct buf *why)
{
	if (lseek(fd, 0, SEEK_SET) < 0) {
		buf_printf(why, "seek: %m");
		return NULL;
	}
	return qrec_reader_fd(fd, -1);
}

/* check_record - the checker plus pickup's rules for one record */
static int check_record(struct qrec_check *chk, int type, const struct buf *p, off_t off,
			long long *envelope, struct buf *why)
{
	if (qrec_check_record(chk, type, buf_str(p), buf_len(p), off, why) < 0)
		return -1;
	if (type == QREC_EXTRACT) {
		buf_printf(why, "offset %lld: extracted-recipient section in a submission",
			   (long long)off);
		return -1;
	}
	if (type != QREC_LINE && type != QREC_PART)
		*envelope += (long long)buf_len(p) + 1 + QREC_VARINT_MAX;
	if (*envelope > PICKUP_ENVELOPE_MAX) {
		buf_printf(why, "offset %lld: envelope larger than %d bytes", (long long)off,
			   PICKUP_ENVELOPE_MAX);
		return -1;
	}
	return 0;
}

/* pickup_file_check - the validating pass; fills info_r */
int pickup_file_check(int fd, struct pickup_info *info_r, struct buf *why)
{
	struct qrec_reader *r = reader_at_start(fd, why);
	struct buf *p = buf_new(4096);
	struct qrec_check chk;
	long long envelope = 0;
	off_t off = 0;
	int type, rc;

	if (r == NULL) {
		buf_free(&p);
		return -2;
	}
	qrec_check_init(&chk, QREC_CHECK_STREAM);
	while ((rc = qrec_get(r, &type, p, QREC_MAX_LEN, why)) > 0) {
		if ((rc = check_record(&chk, type, p, off, &envelope, why)) < 0)
			break;
		if (type == QREC_FLAGS)
			info_r->flags = atoi(buf_str(p)) & CLEANUP_F_EXTRACT;
		else if (type == QREC_SENDER)
			info_r->sender = xstrdup(buf_str(p));
		else if (type == QREC_RCPT)
			info_r->nrcpt++;
		off = qrec_reader_offset(r);
	}
	if (rc < 0 && qrec_reader_is_io_error(r))
		rc = -2;
	else if (rc == 0 && (rc = qrec_check_end(&chk, why)) == 0 && info_r->nrcpt == 0 &&
		 !(info_r->flags & CLEANUP_F_EXTRACT)) {
		buf_cat(why, "no recipients");
		rc = -1;
	}
	qrec_check_free(&chk);
	qrec_reader_free(&r);
	buf_free(&p);
	return rc;
}

/* envid_ok - DSN ENVID: printable ASCII, bounded */
static bool envid_ok(const char *v)
{
	size_t n = strlen(v);

	for (const char *s = v; *s; s++)
		if (*s <= 0x20 || *s >= 0x7f)
			return false;
	return n > 0 && n <= ENVID_MAX;
}

/* pass_attr - the attributes sendmail may set, when well formed */
static void pass_attr(struct cleanup_client *cc, const char *a)
{
	if (strcmp(a, "dsn_ret=FULL") == 0 || strcmp(a, "dsn_ret=HDRS") == 0)
		cleanup_client_attr(cc, "dsn_ret", a + strlen("dsn_ret="));
	else if (strncmp(a, "dsn_envid=", 10) == 0 && envid_ok(a + 10))
		cleanup_client_attr(cc, "dsn_envid", a + 10);
}

/* copy - the records of the file to cleanup; 0 at the end record */
static int copy(struct cleanup_client *cc, struct qrec_reader *r, struct buf *why)
{
	struct buf *p = buf_new(4096), *orcpt = buf_new(64), *notify = buf_new(16);
	struct qrec_check chk;
	long long envelope = 0;
	bool have_orcpt = false, have_notify = false, ended = false;
	off_t off = 0;
	int type, rc;

	qrec_check_init(&chk, QREC_CHECK_STREAM);
	while (!ended && (rc = qrec_get(r, &type, p, QREC_MAX_LEN, why)) > 0) {
		if ((rc = check_record(&chk, type, p, off, &envelope, why)) < 0)
			break;
		off = qrec_reader_offset(r);
		switch (type) {
		case QREC_ATTR: pass_attr(cc, buf_str(p)); break;
		case QREC_SENDER: cleanup_client_sender(cc, buf_str(p)); break;
		case QREC_ORCPT: buf_set(orcpt, buf_str(p)); have_orcpt = true; break;
		case QREC_NOTIFY: buf_set(notify, buf_str(p)); have_notify = true; break;
		case QREC_RCPT:
			cleanup_client_rcpt(cc, buf_str(p), have_orcpt ? buf_str(orcpt) : NULL,
					    have_notify ? buf_str(notify) : NULL);
			have_orcpt = have_notify = false;
			break;
		case QREC_LINE: case QREC_PART:
			cleanup_client_line(cc, buf_str(p), buf_len(p), type == QREC_PART);
			break;
		default: break;		/* V, F, T, W, M, X: ours are sent by cleanup_client */
		}
		ended = type == QREC_END;
	}
	if (!ended && rc == 0)
		buf_cat(why, "the file ended early on the second reading");
	qrec_check_free(&chk);
	buf_free(&p);
	buf_free(&orcpt);
	buf_free(&notify);
	return ended ? 0 : -1;
}

/* pickup_file_send - the copy pass of maildrop/name, whose name becomes
 * the queue ID; cleanup's answer in res.  When cleanup has the message
 * queued already (this pickup's predecessor died between cleanup's 250
 * and its removal of the file), nothing is copied and res is that 250. */
int pickup_file_send(int fd, const char *name, const struct pickup_info *info,
		     struct cleanup_result *res, struct buf *id_r, struct buf *why)
{
	struct cleanup_client *cc;
	struct qrec_reader *r = reader_at_start(fd, why);
	char uid[32];
	int rc = -1;

	if (r == NULL)
		return -1;
	cc = cleanup_client_open_maildrop(".", CLEANUP_F_LOCAL | info->flags, name, why);
	if (cc == NULL) {
		qrec_reader_free(&r);
		return -1;
	}
	buf_set(id_r, cleanup_client_id(cc));
	if (!cleanup_client_queued(cc)) {
		log_info("%s: uid=%lu from=<%s>", buf_str(id_r), (unsigned long)info->uid,
			 info->sender);
		snprintf(uid, sizeof(uid), "%lu", (unsigned long)info->uid);
		cleanup_client_attr(cc, "uid", uid);
	}
	if ((cleanup_client_queued(cc) || copy(cc, r, why) == 0)
	    && cleanup_client_finish(cc, res, why) == 0)
		rc = 0;
	cleanup_client_abort(&cc);
	qrec_reader_free(&r);
	return rc;
}
