/* mail_index_keywords - the keyword tables of the folders, in the
 * index's "keywords" database (the interface is in mail_index_keywords.h).
 *
 * Layout: key = the folder name, value = the table in dovecot-keywords'
 * own text ("<index> <name>" lines), read back with
 * dovecot_keywords_parse, so a record is checked as the file is.  A
 * record that does not parse is dropped with a warning and the folder
 * migrated again (the file mirrors the record).
 * A folder without a record is migrated in a write transaction: its
 * dovecot-keywords, or an empty table when there is none (a file we
 * refuse, a symbolic link say, counts as none, with a warning).
 * A new letter is given in one write transaction, which serialises
 * hato's writers of this Maildir: under it the file is read again and
 * the letters it has and the record lacks are adopted (another program
 * added them); on a clash the record wins.  The file is written before
 * the record: a crash between the two leaves the file ahead, and the
 * next new letter adopts it.  The file gets an mtime above the old
 * one's, since Dovecot re-reads it only when its mtime changed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dovecot_keywords.h"
#include "log.h"
#include "mail_index_int.h"
#include "mail_index_keywords.h"
#include "mem.h"

#define KEYWORDS_FILE "dovecot-keywords"

struct kw_work {
	struct mail_index *idx;
	const char *folder;
	int folder_fd;
	const char *name;		/* the name to look up, or NULL */
	bool create;
	struct dovecot_keywords kw;
	int result;			/* the letter's index, -1 none, or FULL */
	struct buf *why;
};

/* find - the index of name in kw, any case, or -1 */
static int find(const struct dovecot_keywords *kw, const char *name)
{
	for (int i = 0; i < DOVECOT_KEYWORDS_MAX; i++)
		if (kw->name[i] != NULL && strcasecmp(kw->name[i], name) == 0)
			return i;
	return -1;
}

/* kw_get - the folder's record into w->kw (*found_r: there is one; a
 * bad one counts as none): 0 or an LMDB error */
static int kw_get(struct kw_work *w, MDB_txn *txn, bool *found_r)
{
	MDB_val k = { strlen(w->folder), (void *)w->folder }, v;
	struct buf *why = buf_new(0);
	int rc = mdb_get(txn, w->idx->kw_dbi, &k, &v);

	dovecot_keywords_clear(&w->kw);
	if (rc == 0 && dovecot_keywords_parse(v.mv_data, v.mv_size, "record", &w->kw, why) < 0) {
		log_warn("%s: folder %s: keywords %s; taken from %s again", w->idx->path,
			 w->folder, buf_str(why), KEYWORDS_FILE);
		rc = MDB_NOTFOUND;
	}
	buf_free(&why);
	*found_r = rc == 0;
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/* kw_put - w->kw as the folder's record */
static int kw_put(struct kw_work *w, MDB_txn *txn)
{
	struct buf *text = buf_new(256);
	MDB_val k = { strlen(w->folder), (void *)w->folder }, v;
	int rc;

	dovecot_keywords_format(&w->kw, text);
	v = mail_index_val(text);
	rc = mdb_put(txn, w->idx->kw_dbi, &k, &v, 0);
	buf_free(&text);
	return rc;
}

/* file_read - the folder's dovecot-keywords into kw; one we refuse is
 * an empty table */
static void file_read(const struct kw_work *w, struct dovecot_keywords *kw)
{
	struct buf *why = buf_new(0);

	if (dovecot_keywords_read(w->folder_fd, kw, why) < 0) {
		log_warn("%s: folder %s: %s not used: %s", w->idx->path, w->folder, KEYWORDS_FILE,
			 buf_str(why));
		dovecot_keywords_clear(kw);
	}
	buf_free(&why);
}

/* load - the record, or (first use) the file, stored as the record */
static int load(struct kw_work *w, MDB_txn *txn)
{
	bool found;
	int rc = kw_get(w, txn, &found);

	if (rc != 0 || found)
		return rc;
	file_read(w, &w->kw);
	return kw_put(w, txn);
}

/* merge_file - adopt the file's letters that are free in w->kw for
 * names w->kw lacks */
static void merge_file(struct kw_work *w)
{
	struct dovecot_keywords f = { 0 };

	file_read(w, &f);
	for (int i = 0; i < DOVECOT_KEYWORDS_MAX; i++)
		if (f.name[i] != NULL && w->kw.name[i] == NULL && find(&w->kw, f.name[i]) < 0) {
			w->kw.name[i] = f.name[i];
			f.name[i] = NULL;
		}
	dovecot_keywords_clear(&f);
}

/* newer_mtime - give the new file an mtime above the old file's */
static void newer_mtime(int folder_fd, int fd)
{
	struct stat old, now;

	if (fstatat(folder_fd, KEYWORDS_FILE, &old, AT_SYMLINK_NOFOLLOW) != 0 || fstat(fd, &now) != 0
	    || now.st_mtime > old.st_mtime)
		return;
	futimens(fd, (struct timespec[]){ { .tv_nsec = UTIME_NOW },
					  { .tv_sec = old.st_mtime + 1 } });
}

/* write_file - replace dovecot-keywords with text: a new file, then a
 * rename (a link planted as the file is replaced, not followed) */
static int write_file(struct kw_work *w, const struct buf *text)
{
	char tmp[64];
	int fd, err = 0;

	snprintf(tmp, sizeof(tmp), KEYWORDS_FILE ".hato.%ld", (long)getpid());
	unlinkat(w->folder_fd, tmp, 0);
	fd = openat(w->folder_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		buf_printf(w->why, "create %s: %s", tmp, strerror(errno));
		return -1;
	}
	if (write(fd, buf_str(text), buf_len(text)) != (ssize_t)buf_len(text) || fsync(fd) != 0)
		err = errno ? errno : EIO;
	newer_mtime(w->folder_fd, fd);
	if (close(fd) != 0 && err == 0)
		err = errno;
	if (err == 0 && renameat(w->folder_fd, tmp, w->folder_fd, KEYWORDS_FILE) != 0)
		err = errno;
	if (err == 0)
		return 0;
	unlinkat(w->folder_fd, tmp, 0);
	buf_printf(w->why, "write %s: %s", KEYWORDS_FILE, strerror(err));
	return -1;
}

/* take_letter - the lowest free letter for w->name, the file, the
 * record; FULL when there is none */
static int take_letter(struct kw_work *w, MDB_txn *txn)
{
	struct buf *text = buf_new(256);
	int i = 0, rc;

	while (i < DOVECOT_KEYWORDS_MAX && w->kw.name[i] != NULL)
		i++;
	if (i == DOVECOT_KEYWORDS_MAX) {
		buf_printf(w->why, "folder %s: already %d keywords", w->folder, DOVECOT_KEYWORDS_MAX);
		w->result = MAIL_INDEX_KEYWORDS_FULL;
		buf_free(&text);
		return 0;
	}
	w->kw.name[i] = xstrdup(w->name);
	dovecot_keywords_format(&w->kw, text);
	rc = write_file(w, text) != 0 ? -1 : kw_put(w, txn);
	w->result = i;
	buf_free(&text);
	return rc;
}

/* letter_txn - the write transaction of mail_index_keyword_letter (and,
 * with no name, of a migration) */
static int letter_txn(MDB_txn *txn, void *ctx)
{
	struct kw_work *w = ctx;
	int rc;

	w->result = -1;
	if ((rc = load(w, txn)) != 0 || w->name == NULL)
		return rc;
	if ((w->result = find(&w->kw, w->name)) >= 0 || !w->create)
		return 0;
	merge_file(w);
	if ((w->result = find(&w->kw, w->name)) >= 0)
		return kw_put(w, txn);
	return take_letter(w, txn);
}

/* lookup - in a read transaction: 1 the record is there, 0 not, -1 */
static int lookup(struct kw_work *w)
{
	MDB_txn *txn;
	bool found = false;
	int rc;

	if ((rc = mail_index_txn_begin(w->idx, MDB_RDONLY, &txn)) == 0) {
		rc = kw_get(w, txn, &found);
		mdb_txn_abort(txn);
	}
	if (rc == 0)
		return found;
	buf_printf(w->why, "%s: folder %s: keywords: %s", w->idx->path, w->folder,
		   mdb_strerror(rc));
	return -1;
}

/* in_write - letter_txn in a write transaction: 0, or -1 with why */
static int in_write(struct kw_work *w)
{
	int rc = mail_index_write(w->idx, letter_txn, w);

	if (rc != 0 && rc != -1)
		buf_printf(w->why, "%s: folder %s: keywords: %s", w->idx->path, w->folder,
			   mdb_strerror(rc));
	return rc == 0 ? 0 : -1;
}

/* folder_ok - a folder name the index takes */
static bool folder_ok(const char *folder, struct buf *why)
{
	if (*folder != '\0' && strlen(folder) <= MAIL_INDEX_FOLDER_MAX)
		return true;
	buf_printf(why, "folder name empty or longer than %d bytes", MAIL_INDEX_FOLDER_MAX);
	return false;
}

/* mail_index_keywords - the table, migrated on first use */
int mail_index_keywords(struct mail_index *idx, const char *folder, int folder_fd,
			struct strv **names_r, struct buf *why)
{
	struct kw_work w = { .idx = idx, .folder = folder, .folder_fd = folder_fd, .why = why };
	int rc = folder_ok(folder, why) ? lookup(&w) : -1;
	int last = DOVECOT_KEYWORDS_MAX - 1;

	*names_r = NULL;
	if (rc == 0)
		rc = in_write(&w);
	if (rc < 0) {
		dovecot_keywords_clear(&w.kw);
		return -1;
	}
	while (last >= 0 && w.kw.name[last] == NULL)
		last--;
	*names_r = strv_new();
	for (int i = 0; i <= last; i++)
		strv_add(*names_r, w.kw.name[i] ? w.kw.name[i] : "");
	dovecot_keywords_clear(&w.kw);
	return 0;
}

/* mail_index_keyword_letter - a name's letter, given one with create */
int mail_index_keyword_letter(struct mail_index *idx, const char *folder, int folder_fd,
			      const char *name, bool create, char *letter_r, struct buf *why)
{
	struct kw_work w = { .idx = idx, .folder = folder, .folder_fd = folder_fd, .name = name,
			     .create = create, .why = why, .result = -1 };
	int rc;

	if (!folder_ok(folder, why))
		return -1;
	if (!dovecot_keywords_name_ok(name)) {
		buf_printf(why, "keyword is not an IMAP atom of 1 to 128 bytes");
		return -1;
	}
	if ((rc = lookup(&w)) > 0)
		w.result = find(&w.kw, name);
	if (rc == 0 || (rc > 0 && w.result < 0 && create))
		rc = in_write(&w);
	dovecot_keywords_clear(&w.kw);
	if (rc < 0)
		return -1;
	if (w.result == MAIL_INDEX_KEYWORDS_FULL)
		return MAIL_INDEX_KEYWORDS_FULL;
	if (w.result < 0)
		return 0;
	*letter_r = (char)('a' + w.result);
	return 1;
}
