/* imapmail_parts - a message's MIME structure and envelope fields for
 * FETCH, SORT and THREAD: from the index's cache (mail_index_cache.h),
 * filled from the file the first time (or again when the cache holds
 * an older format); read from the file when the message cannot be
 * cached.
 *
 *   p = imapmail_parts(m, msg, fd, env);   // NULL: neither worked
 *   fd = imapmail_msg_open(m, msg);        // the file, or -1
 *   ok = imapmail_envelope_cached(m, msg, env);  // env alone, for SEARCH
 *   imapmail_cache_batch(m, true); ... imapmail_cache_batch(m, false);
 *
 * fd is the message file (imapmail_msg_open), or -1: it is then opened only if
 * the file must be read.  env gets the envelope fields (mime_parts.h's
 * unfolded "Name: value\n" lines).  Errors are logged; the file is the
 * sender's (hostile), parsed by mime_parts within its limits.
 * A command that goes over many messages (FETCH, SORT, THREAD, SEARCH)
 * brackets its loop with imapmail_cache_batch, so that the fills are
 * committed a thousand at a time, not one by one; a few (new mail's)
 * wait for the session's next write, its IDLE or its end.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "imapmail.h"
#include "log.h"
#include "maildir.h"
#include "maildir_flags.h"
#include "mail_index_cache.h"
#include "mail_vsize.h"

enum { BATCH_HOLD_MAX = 64 };	/* fills a command leaves for the next write */
#include "mime_parts.h"

enum { VSIZE_FILE_MAX = 1 << 30 };

/* moved_name - into path, the name in cur/ of msg's file when another
 * session renamed it since the view was listed (new/ to cur/ at its
 * SELECT or sync, or new flags): the same base; false when none */
static bool moved_name(struct imapmail *m, const struct mail_index_msg *msg, struct buf *path)
{
	struct dirent *e;
	bool found = false;
	DIR *d;
	int fd = openat(m->box->fd, "cur", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	while (!found && (e = readdir(d)) != NULL)
		found = maildir_base_len(e->d_name) == msg->base_len &&
			memcmp(e->d_name, msg->name, msg->base_len) == 0;
	if (found) {
		buf_reset(path);
		buf_printf(path, "cur/%s", e->d_name);
	}
	closedir(d);
	return found;
}

/* imapmail_msg_open - the message file, not through a link: fd or -1;
 * where the view has it, else (renamed by another session meanwhile)
 * where it went */
int imapmail_msg_open(struct imapmail *m, const struct mail_index_msg *msg)
{
	struct buf *path = buf_new(64);
	int fd;

	buf_printf(path, "%s/%s", msg->in_new ? "new" : "cur", msg->name);
	fd = maildir_msg_open(m->box->fd, buf_str(path));
	if (fd < 0 && errno == ENOENT && msg->in_new) {	/* maildir_new_move's name */
		buf_reset(path);
		buf_cat(path, "cur/");
		maildir_flags_name(path, msg->name, msg->flags);
		fd = maildir_msg_open(m->box->fd, buf_str(path));
	}
	if (fd < 0 && errno == ENOENT && moved_name(m, msg, path))
		fd = maildir_msg_open(m->box->fd, buf_str(path));
	buf_free(&path);
	return fd;
}

/* imapmail_cache_batch - begin (on) or end and write the cache's batch */
void imapmail_cache_batch(struct imapmail *m, bool on)
{
	struct buf *why;

	if (on) {
		mail_index_cache_batch_begin(m->idx);
		return;
	}
	/* a few fills (new mail's) wait for the next write the session
	 * makes anyway (its STORE, EXPUNGE or APPEND), or its end */
	if (m->box && m->box->watch && mail_index_cache_batch_hold(m->idx, BATCH_HOLD_MAX))
		return;
	why = buf_new(0);
	if (mail_index_cache_batch_end(m->idx, why) < 0)
		log_warn("user %s: %s", m->user, buf_str(why));
	buf_free(&why);
}

/* imapmail_cache_end - the fills held (imapmail_cache_batch) written now */
void imapmail_cache_end(struct imapmail *m)
{
	struct buf *why = buf_new(0);

	if (mail_index_cache_batch_end(m->idx, why) < 0)
		log_warn("user %s: %s", m->user, buf_str(why));
	buf_free(&why);
}

/* imapmail_msg_vsize - RFC822.SIZE: the index's, else counted from the
 * file, else the file's bytes */
off_t imapmail_msg_vsize(struct imapmail *m, const struct mail_index_msg *msg)
{
	off_t v = msg->vsize;
	int fd;

	if (v >= 0 || (fd = imapmail_msg_open(m, msg)) < 0)
		return v >= 0 ? v : msg->size;
	if (mail_vsize_fd(fd, VSIZE_FILE_MAX, &v) < 0)
		v = msg->size;
	close(fd);
	return v;
}

/* from_file - the parts read from the file itself */
static struct mime_parts *from_file(struct imapmail *m, const struct mail_index_msg *msg, int fd,
				    struct buf *env, struct buf *why)
{
	struct mime_parts *p = NULL;
	int own = fd < 0 ? imapmail_msg_open(m, msg) : -1;

	if (own >= 0)
		fd = own;
	if (fd >= 0 && lseek(fd, 0, SEEK_SET) == 0 && mime_parts_read(fd, &p, why) == 0)
		buf_add(env, buf_str(p->envelope), buf_len(p->envelope));
	else
		log_warn("user %s: %s uid %u: %s", m->user, m->box->name, msg->uid,
			 buf_len(why) ? buf_str(why) : "cannot open the message file");
	if (own >= 0)
		close(own);
	return p;
}

/* imapmail_envelope_cached - msg's envelope fields from the cache,
 * filled first if need be: true, or false (read the file) */
bool imapmail_envelope_cached(struct imapmail *m, const struct mail_index_msg *msg,
			      struct buf *env)
{
	struct buf *why = buf_new(0);
	const char *folder = m->box->name;
	int rc = mail_index_cache_get(m->idx, folder, msg->uid, MAIL_INDEX_CACHE_ENVELOPE, env, why);

	if (rc == 0 && mail_index_cache_fill_header(m->idx, folder, m->box->fd, msg->uid, why) == 1)
		rc = mail_index_cache_get(m->idx, folder, msg->uid, MAIL_INDEX_CACHE_ENVELOPE, env,
					  why);
	buf_free(&why);
	return rc == 1;
}

/* imapmail_parts - the parts and envelope fields of msg */
struct mime_parts *imapmail_parts(struct imapmail *m, const struct mail_index_msg *msg, int fd,
				  struct buf *env)
{
	struct mime_parts *p = NULL;
	struct buf *data = buf_new(256), *why = buf_new(0);
	const char *folder = m->box->name;
	int rc = mail_index_cache_get(m->idx, folder, msg->uid, MAIL_INDEX_CACHE_BODYSTRUCTURE, data, why);

	/* not cached, or cached by an older format: fill it (once) */
	if ((rc == 0 || (rc == 1 && mime_parts_decode(buf_str(data), buf_len(data), &p) < 0)) &&
	    mail_index_cache_fill(m->idx, folder, m->box->fd, msg->uid, why) == 1)
		rc = mail_index_cache_get(m->idx, folder, msg->uid, MAIL_INDEX_CACHE_BODYSTRUCTURE, data, why);
	mime_parts_free(&p);
	if (rc == 1 && mime_parts_decode(buf_str(data), buf_len(data), &p) == 0 &&
	    mail_index_cache_get(m->idx, folder, msg->uid, MAIL_INDEX_CACHE_ENVELOPE, env, why) == 1)
		goto out;
	mime_parts_free(&p);
	buf_reset(env);
	buf_reset(why);
	p = from_file(m, msg, fd, env, why);
out:
	buf_free(&data);
	buf_free(&why);
	return p;
}
