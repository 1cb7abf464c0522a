/* postdrop_copy - one submission from stdin into maildrop/.
 *
 * Every record goes through the stream checker (QREC_CHECK_STREAM) and
 * postdrop's own rules before it is written: only the record types and
 * attributes sendmail makes, flags limited to "take recipients from the
 * headers", a sender that local_login_sender_maps allows the caller (by
 * the real uid's login name), at least one recipient unless that flag is set, content no
 * larger than message_size_limit (counted with "\n" line ends, as cleanup
 * counts), envelope no larger than POSTDROP_ENVELOPE_MAX.  The file is
 * written as maildrop/tmp.ID with O_CREAT|O_EXCL|O_NOFOLLOW, mode 0444
 * (readable by pickup; nobody else can reach it through the 1730
 * directory), fsync'ed, renamed to maildrop/ID, and the directory is made
 * durable: fsync(maildrop/) when we may open it, else syncfs(), since the
 * setgid_group may only write and search maildrop/, not read it.  Last,
 * one byte to public/pickup; if pickup does not run, its periodic scan
 * finds the file.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "cleanup_client.h"
#include "log.h"
#include "postdrop.h"
#include "qrec.h"
#include "queue_id.h"
#include "mail_acl.h"
#include "trigger.h"

enum { FLUSH_AT = 64 * 1024, RENAME_TRIES = 10 };

struct copy {
	const struct params *cf;
	int dirfd;			/* maildrop/, O_PATH */
	int fd;				/* the new file */
	char id[QUEUE_ID_SIZE];
	char tmp[QUEUE_ID_SIZE + 8];	/* "tmp.ID" */
	struct buf *out;
	long long envelope;		/* envelope bytes so far */
	int flags;
	long nrcpt;
};

/* queue_path - "queue_directory/NAME" */
static void queue_path(const struct params *cf, const char *name, struct buf *out)
{
	buf_reset(out);
	buf_printf(out, "%s/%s", cf->queue_directory, name);
}

/* open_maildrop - maildrop/ as a directory handle; check we may write there */
static int open_maildrop(const struct params *cf)
{
	struct buf *path = buf_new(64);
	int fd;

	queue_path(cf, "maildrop", path);
	fd = open(buf_str(path), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		log_fatal("open %s: %m", buf_str(path));
	if (faccessat(AT_FDCWD, buf_str(path), W_OK | X_OK, AT_EACCESS) < 0) {
		if (errno != EACCES)
			log_fatal("%s: %m", buf_str(path));
		log_fatal("no permission to create files in %s: postdrop must run set-group-ID "
			  "%s (chgrp %s postdrop; chmod 2755 postdrop)", buf_str(path),
			  cf->setgid_group, cf->setgid_group);
	}
	buf_free(&path);
	return fd;
}

/* create_tmp - the new file under a name pickup ignores */
static void create_tmp(struct copy *cp)
{
	for (int i = 0; i < RENAME_TRIES; i++) {
		queue_id_new(cp->id);
		snprintf(cp->tmp, sizeof(cp->tmp), "tmp.%s", cp->id);
		cp->fd = openat(cp->dirfd, cp->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
				O_CLOEXEC | O_NOCTTY, 0444);
		if (cp->fd >= 0) {
			/* only now: never remove a name that was not ours */
			postdrop_set_tmp(cp->dirfd, cp->tmp);
			/* 0444 despite our umask: pickup (mail_owner) reads it;
			 * the 1730 directory keeps everyone else away */
			if (fchmod(cp->fd, 0444) < 0)
				log_fatal("chmod maildrop/%s: %m", cp->tmp);
			return;
		}
		if (errno != EEXIST)
			log_fatal("create maildrop/%s: %m", cp->tmp);
	}
	log_fatal("create maildrop/tmp.*: %d names in use", RENAME_TRIES);
}

/* flush - write the buffered records */
static void flush(struct copy *cp)
{
	const char *p = buf_str(cp->out);
	size_t left = buf_len(cp->out);

	while (left > 0) {
		ssize_t n = write(cp->fd, p, left);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			log_fatal("write maildrop/%s: %m", cp->tmp);
		p += n;
		left -= (size_t)n;
	}
	buf_reset(cp->out);
}

/* attr_allowed - the attributes sendmail sends */
static bool attr_allowed(const char *p, size_t len)
{
	static const char *const names[] = { "uid=", "dsn_ret=", "dsn_envid=" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (len >= strlen(names[i]) && memcmp(p, names[i], strlen(names[i])) == 0)
			return true;
	return false;
}

/* check_sender - local_login_sender_maps: may the caller use this sender? */
static void check_sender(const struct copy *cp, const char *sender)
{
	struct buf *login = buf_new(32), *why = buf_new(0);
	int rc;

	mail_acl_login(getuid(), login, "uid:%u");
	rc = mail_acl_sender_ok(&(struct mail_acl_sender){
		.maps = cp->cf->local_login_sender_maps, .login = buf_str(login), .sender = sender,
		.null_key = cp->cf->empty_address_local_login_sender_maps_lookup_key,
		.delimiters = cp->cf->recipient_delimiter }, why);
	if (rc < 0)
		postdrop_die(EX_TEMPFAIL, "%s", buf_str(why));
	if (rc == 0)
		postdrop_die(EX_NOPERM, "%s(%lu): not authorized to use sender='%s'", buf_str(login),
			     (unsigned long)getuid(), sender);
	buf_free(&login);
	buf_free(&why);
}

/* policy - postdrop's rules beyond the record syntax and order */
static void policy(struct copy *cp, int type, const struct buf *p, const struct qrec_check *chk)
{
	long limit = cp->cf->message_size_limit;

	switch (type) {
	case QREC_SENDER:
		check_sender(cp, buf_str(p));
		break;
	case QREC_VERSION: case QREC_ORCPT: case QREC_NOTIFY:
	case QREC_MESG: case QREC_LINE: case QREC_PART: case QREC_XTRA: case QREC_END:
		break;
	case QREC_RCPT:
		cp->nrcpt++;
		break;
	case QREC_FLAGS:
		cp->flags = atoi(buf_str(p));	/* the checker allows 1-9 digits */
		if (cp->flags & ~CLEANUP_F_EXTRACT)
			postdrop_die(EX_DATAERR, "stdin: flags %d are not allowed in a submission",
				     cp->flags);
		break;
	case QREC_ATTR:
		if (!attr_allowed(buf_str(p), buf_len(p)))
			postdrop_die(EX_DATAERR, "stdin: attribute \"%.*s\" is not allowed in a submission",
				     (int)strcspn(buf_str(p), "="), buf_str(p));
		break;
	default:
		postdrop_die(EX_DATAERR, "stdin: a %s record is not allowed in a submission",
			     qrec_type_name(type));
	}
	if (type != QREC_LINE && type != QREC_PART)
		cp->envelope += (long long)buf_len(p) + 1 + QREC_VARINT_MAX;
	if (cp->envelope > POSTDROP_ENVELOPE_MAX)
		postdrop_die(EX_DATAERR, "stdin: the envelope exceeds %d bytes", POSTDROP_ENVELOPE_MAX);
	if (limit > 0 && chk->sizes.content_size > limit)
		postdrop_die(EX_DATAERR, "message size exceeds message_size_limit (%ld bytes)", limit);
}

/* read_stdin - check every record and buffer it for the file */
static void read_stdin(struct copy *cp)
{
	struct qrec_reader *r = qrec_reader_fd(STDIN_FILENO, -1);
	struct buf *p = buf_new(4096), *why = buf_new(0);
	struct qrec_check chk;
	int type, rc;
	off_t off = 0;

	qrec_check_init(&chk, QREC_CHECK_STREAM);
	while ((rc = qrec_get(r, &type, p, QREC_MAX_LEN, why)) > 0) {
		if (qrec_check_record(&chk, type, buf_str(p), buf_len(p), off, why) < 0)
			postdrop_die(EX_DATAERR, "stdin: malformed submission: %s", buf_str(why));
		policy(cp, type, p, &chk);
		qrec_put(cp->out, type, buf_str(p), buf_len(p));
		if (buf_len(cp->out) >= FLUSH_AT)
			flush(cp);
		off = qrec_reader_offset(r);
	}
	if (rc < 0 && qrec_reader_is_io_error(r))
		log_fatal("read stdin: %s", buf_str(why));
	if (rc < 0 || qrec_check_end(&chk, why) < 0)
		postdrop_die(EX_DATAERR, "stdin: malformed submission: %s", buf_str(why));
	if (cp->nrcpt == 0 && !(cp->flags & CLEANUP_F_EXTRACT))
		postdrop_die(EX_DATAERR, "stdin: no recipients");
	flush(cp);
	qrec_check_free(&chk);
	qrec_reader_free(&r);
	buf_free(&p);
	buf_free(&why);
}

/* sync_dir - make the rename durable */
static void sync_dir(struct copy *cp)
{
	struct buf *path = buf_new(64);
	int fd;

	queue_path(cp->cf, "maildrop", path);
	fd = open(buf_str(path), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0) {
		if (fsync(fd) < 0)
			log_fatal("fsync %s: %m", buf_str(path));
		close(fd);
	} else if (syncfs(cp->fd) < 0) {
		log_fatal("syncfs %s: %m", buf_str(path));
	}
	buf_free(&path);
}

/* commit - fsync, rename tmp.ID to ID (a fresh ID if that name is taken) */
static void commit(struct copy *cp)
{
	if (fsync(cp->fd) < 0)
		log_fatal("fsync maildrop/%s: %m", cp->tmp);
	for (int i = 0; renameat2(cp->dirfd, cp->tmp, cp->dirfd, cp->id, RENAME_NOREPLACE) < 0; i++) {
		if (errno != EEXIST || i >= RENAME_TRIES)
			log_fatal("rename maildrop/%s to maildrop/%s: %m", cp->tmp, cp->id);
		queue_id_new(cp->id);
	}
	postdrop_set_tmp(-1, NULL);
	sync_dir(cp);
	if (close(cp->fd) < 0)
		log_warn("close maildrop/%s: %m", cp->id);	/* already durable */
	cp->fd = -1;
}

/* wake_pickup - one byte to public/pickup (a FIFO, or a UNIX socket as
 * in Postfix 3's stock master.cf); losing it loses nothing */
static void wake_pickup(const struct params *cf)
{
	struct buf *path = buf_new(64);

	queue_path(cf, "public/pickup", path);
	if (trigger_send(buf_str(path), "W", 1) < 0)
		log_debug("wakeup %s: %m (pickup's periodic scan will find the file)", buf_str(path));
	buf_free(&path);
}

/* postdrop_copy - stdin into maildrop/, durably, then wake pickup */
void postdrop_copy(const struct params *cf)
{
	struct copy cp = { .cf = cf, .fd = -1, .out = buf_new(FLUSH_AT + 8192) };

	cp.dirfd = open_maildrop(cf);
	create_tmp(&cp);
	read_stdin(&cp);
	commit(&cp);
	log_debug("maildrop/%s: queued", cp.id);
	wake_pickup(cf);
	close(cp.dirfd);
	buf_free(&cp.out);
}
