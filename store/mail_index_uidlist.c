/* mail_index_uidlist - the index keeps each folder's dovecot-uidlist
 * current, in Dovecot's version 3 format, so that a deleted or corrupt
 * index is rebuilt with the same UIDVALIDITY and UIDs, and a user can go
 * back to Dovecot (or run it side by side) without clients downloading
 * again.  Written: "3 V<uidvalidity> N<nextuid> G<mailbox guid>", then
 * "<uid>[ <extensions>] :<base>" per message in UID order; the other
 * header fields and the extension fields of a line Dovecot wrote (P, O,
 * G, S, W) are kept as they were, hato adds none.  Dovecot appends lines for new messages without
 * rewriting the header, and reads N as above the last line.  A file
 * whose base has a control byte or ':' gets no line (a newline would
 * break the file; readers end the base at ':'): after a rebuild it gets
 * a new UID, above N.
 *
 * When (mail_index_sync.c): a sync writes the file only when the index
 * changed or the file is not as the last sync left it (the "L" record:
 * its device, inode, size and mtime; one fstatat tells).  The common case
 * (a delivery, then a POP3 session) costs one append: new UIDs above the
 * file's last line are appended to a file that is version 3, of the same
 * UIDVALIDITY, and ends with a newline.  An expunge writes nothing: its
 * line stays, stale, as Dovecot leaves them (a line without its file
 * gives nothing, to Dovecot or to a rebuild), until the stale lines pass
 * a quarter of the file at a sync that gives UIDs.  Anything else (a
 * header to change; a line that does not match the index; too many
 * stale ones) is a rewrite: "dovecot-uidlist.tmp", fdatasync, rename,
 * fsync of the folder (not when the rewrite only drops lines: see
 * rewrite()).
 *
 * Never a UID twice: the file is written inside the sync, after the
 * index's write transaction has assigned UIDs and before it commits.  So
 * a UID the index gives is in the file (a line, or N above it) before
 * the index says so: index deleted -> rebuilt from the file -> NEXTUID
 * above every UID ever given.  A crash after the file and before the
 * commit leaves lines the index has not: the next sync adopts a file's
 * UID for a file new to the index when it is at or above the index's
 * UIDNEXT, and raises UIDNEXT to the file's N ("above anything either
 * knows"); the same holds for UIDs a Dovecot running alongside gave.
 * The one window left: the write skipped (the lock held by another
 * longer than mail_index_uidlist_wait_ms, or an I/O error; a warning)
 * and the index deleted before a later sync catches the file up (the
 * "L" record is removed, so the next sync retries).
 *
 * Locking: dovecot-uidlist.lock (dovecot_dotlock.h) is taken before the
 * index's write transaction (one order for every hato process, so two
 * cannot wait for each other) and held until it commits; the file is
 * read under it.  A sync whose dry run gives and takes no UIDs (a file
 * renamed: new/ to cur/, flags) and finds the file as it left it takes
 * neither the lock nor the file; if its write pass finds a UID to give
 * after all, the pass is run again with both.
 *
 * Conflicts: a known folder whose file has another UIDVALIDITY keeps the
 * index's, and the file is written over.  Trust: the folder is the
 * user's: O_NOFOLLOW and openat on the folder's fd everywhere; a link
 * planted as the file is replaced by the rename, never written through;
 * the file is read by the checked parser (dovecot_uidlist.h).
 * XXX a folder near MAIL_INDEX_MSGS_MAX with long names can outgrow the
 * parser's 64 MB: the file is then rewritten at every sync that gives a
 * UID, and a rebuild cannot use it (a new UIDVALIDITY, no reuse).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"
#include "log.h"
#include "mail_index_int.h"
#include "mem.h"

#define UIDLIST "dovecot-uidlist"
#define UIDLIST_TMP "dovecot-uidlist.tmp"

enum plan { PLAN_NONE, PLAN_APPEND, PLAN_REWRITE };

unsigned mail_index_uidlist_wait_ms = 3000;

/* to_ulstat - the identity of st */
static void to_ulstat(const struct stat *st, struct mail_index_ulstat *u)
{
	*u = (struct mail_index_ulstat){ .dev = st->st_dev, .ino = st->st_ino,
					 .size = (uint64_t)st->st_size, .mtime = st->st_mtim.tv_sec,
					 .mtime_nsec = (uint32_t)st->st_mtim.tv_nsec };
}

/* mail_index_uidlist_stat - fstatat without following a link */
void mail_index_uidlist_stat(int folder_fd, struct mail_index_ulstat *u)
{
	struct stat st;

	*u = (struct mail_index_ulstat){ 0 };
	if (fstatat(folder_fd, UIDLIST, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode))
		to_ulstat(&st, u);
}

/* mail_index_uidlist_same - a and b name the same file, unchanged */
bool mail_index_uidlist_same(const struct mail_index_ulstat *a, const struct mail_index_ulstat *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size && a->mtime == b->mtime
	    && a->mtime_nsec == b->mtime_nsec;
}

/* mail_index_uidlist_lock - the dot-lock, or a warning */
void mail_index_uidlist_lock(struct mail_index *idx, const char *folder, int folder_fd,
			     struct mail_index_uidlist *u)
{
	struct buf *why = buf_new(0);

	if (dovecot_dotlock_take(folder_fd, UIDLIST, mail_index_uidlist_wait_ms, &u->lock, why) != 1)
		log_warn("%s: folder %s: dovecot-uidlist not updated: %s", idx->path, folder,
			 buf_str(why));
	buf_free(&why);
}

/* mail_index_uidlist_read - load and parse the file, noting its identity */
void mail_index_uidlist_read(struct mail_index *idx, const char *folder, int folder_fd,
			     struct mail_index_uidlist *u)
{
	struct buf *text = buf_new(4096), *why = buf_new(0);
	const struct dovecot_uidlist_limits *lim = dovecot_uidlist_default_limits();
	int rc;

	dovecot_uidlist_free(&u->ul);
	mail_index_uidlist_stat(folder_fd, &u->st);
	rc = fsutil_load_at(folder_fd, UIDLIST, lim->max_size, text, why);
	if (rc > 0 && dovecot_uidlist_parse(buf_str(text), buf_len(text), UIDLIST, lim, &u->ul,
					    why) < 0)
		rc = -1;
	if (rc < 0)
		log_warn("%s: folder %s: dovecot-uidlist not used: %s", idx->path, folder,
			 buf_str(why));
	u->ends_in_newline = buf_len(text) > 0 && buf_str(text)[buf_len(text) - 1] == '\n';
	if (u->st.size != buf_len(text))
		u->ends_in_newline = false;	/* it moved while we read: do not append */
	buf_free(&text);
	buf_free(&why);
}

/* same_base - the entry and the message name one file */
static bool same_base(const struct dovecot_uidlist_entry *e, const struct mail_index_msg *m)
{
	return strlen(e->base) == m->base_len && memcmp(e->base, m->name, m->base_len) == 0;
}

/* has_line - m's base can stand in a line: no control byte (a newline
 * would break the file) and no ':' (readers end the base there); a
 * file without a line gets a new UID after a rebuild, never an old one */
static bool has_line(const struct mail_index_msg *m)
{
	for (size_t i = 0; i < m->base_len; i++) {
		unsigned char c = (unsigned char)m->name[i];

		if (c < 0x20 || c == 0x7f || c == ':')
			return false;
	}
	return true;
}

/* stale_max - how many lines for expunged messages a file of n lines
 * may keep: an expunge leaves its line (Dovecot's readers skip a line
 * without its file, as Dovecot itself leaves them), the file is
 * rewritten when they pass a quarter of it */
static size_t stale_max(size_t n)
{
	return n / 4;
}

/* plan - what brings the file from ul to f; *from_r the first message
 * to append.  A line whose UID the index no longer has is stale: kept
 * up to stale_max; a line the index has under another base, or a
 * message missing between lines, is a rewrite */
static enum plan plan(const struct mail_index_uidlist *u, const struct mail_index_folder *f,
		      size_t *from_r)
{
	const struct dovecot_uidlist *ul = u->ul;
	uint32_t next;
	size_t i, j = 0, stale = 0;
	bool more = false;

	if (ul == NULL || ul->version != 3 || ul->uidvalidity != f->uidvalidity
	    || ul->guid[0] == '\0' || !u->ends_in_newline)
		return PLAN_REWRITE;
	for (i = 0; i < f->len; i++) {
		if (!has_line(&f->msgs[i]))
			continue;
		for (; j < ul->count && ul->entries[j].uid < f->msgs[i].uid; j++)
			stale++;
		if (j == ul->count)
			break;			/* f->msgs[i] on: new lines */
		if (ul->entries[j].uid != f->msgs[i].uid || !same_base(&ul->entries[j], &f->msgs[i]))
			return PLAN_REWRITE;	/* a line to insert, or another base */
		j++;
	}
	stale += ul->count - j;
	if (stale > stale_max(ul->count))
		return PLAN_REWRITE;
	*from_r = i;
	next = ul->nextuid;
	if (ul->count && ul->entries[ul->count - 1].uid >= next)
		next = ul->entries[ul->count - 1].uid + 1;
	for (; i < f->len; i++)
		if (has_line(&f->msgs[i])) {
			next = f->msgs[i].uid + 1;
			more = true;
		}
	if (next < f->uidnext)
		return PLAN_REWRITE;		/* only the header can say N */
	return more ? PLAN_APPEND : PLAN_NONE;
}

/* ext_of - the extension fields the file has for m, or NULL */
static const char *ext_of(const struct dovecot_uidlist *ul, size_t *j,
			  const struct mail_index_msg *m)
{
	if (ul == NULL)
		return NULL;
	while (*j < ul->count && ul->entries[*j].uid < m->uid)
		(*j)++;
	if (*j < ul->count && ul->entries[*j].uid == m->uid && same_base(&ul->entries[*j], m))
		return ul->entries[*j].ext;
	return NULL;
}

/* add_line - "<uid>[ <ext>] :<base>\n" */
static void add_line(struct buf *b, const struct mail_index_msg *m, const char *ext)
{
	buf_printf(b, "%u", m->uid);
	if (ext)
		buf_printf(b, " %s", ext);
	buf_cat(b, " :");
	buf_add(b, m->name, m->base_len);
	buf_putc(b, '\n');
}

/* new_guid - 128 random bits in hex, as Dovecot makes a mailbox GUID */
static void new_guid(char out[33])
{
	unsigned char r[16];

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		for (size_t i = 0; i < sizeof(r); i++)
			r[i] = (unsigned char)((ts.tv_nsec >> (i % 4 * 8)) ^ (getpid() >> (i % 2 * 8)) ^ i);
	}
	for (size_t i = 0; i < sizeof(r); i++)
		snprintf(out + 2 * i, 3, "%02x", r[i]);
}

/* render - the whole file for f; the extensions of matching lines kept */
static void render(struct buf *b, const struct dovecot_uidlist *ul,
		   const struct mail_index_folder *f)
{
	char guid[33];
	size_t j = 0;

	if (ul && ul->guid[0])
		memcpy(guid, ul->guid, sizeof(guid));
	else
		new_guid(guid);
	buf_printf(b, "3 V%u N%u G%s", f->uidvalidity, f->uidnext, guid);
	if (ul && ul->version == 3 && ul->hdr_ext)
		buf_printf(b, " %s", ul->hdr_ext);
	buf_putc(b, '\n');
	for (size_t i = 0; i < f->len; i++)
		if (has_line(&f->msgs[i]))
			add_line(b, &f->msgs[i], ext_of(ul, &j, &f->msgs[i]));
}

/* write_all - b to fd, then fdatasync; its identity in st_r */
static int write_all(int fd, const struct buf *b, struct mail_index_ulstat *st_r)
{
	const char *p = buf_str(b);
	size_t left = buf_len(b);
	struct stat st;

	while (left > 0) {
		ssize_t n = write(fd, p, left);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		left -= (size_t)n;
	}
	if (fdatasync(fd) != 0 || fstat(fd, &st) != 0)
		return -1;
	to_ulstat(&st, st_r);
	return 0;
}

/* append - the lines from f->msgs[from] on, to the file as it was read */
static int append(int folder_fd, const struct mail_index_uidlist *u,
		  const struct mail_index_folder *f, size_t from, struct mail_index_ulstat *st_r)
{
	struct buf *b = buf_new(256);
	struct mail_index_ulstat now;
	int fd = openat(folder_fd, UIDLIST, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	struct stat st;
	int rc = -1;

	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		to_ulstat(&st, &now);
		if (mail_index_uidlist_same(&now, &u->st)) {
			for (size_t i = from; i < f->len; i++)
				if (has_line(&f->msgs[i]))
					add_line(b, &f->msgs[i], NULL);
			rc = write_all(fd, b, st_r);
		} else {
			errno = ESTALE;		/* changed since it was read */
		}
	}
	if (fd >= 0)
		close(fd);
	buf_free(&b);
	return rc;
}

/* only_fewer - the file as read has every line f gives, and the same
 * header: the rewrite only drops lines (expunges) */
static bool only_fewer(const struct mail_index_uidlist *u, const struct mail_index_folder *f)
{
	const struct dovecot_uidlist *ul = u->ul;
	uint32_t next;
	size_t j = 0;

	if (ul == NULL || ul->version != 3 || ul->uidvalidity != f->uidvalidity ||
	    ul->guid[0] == '\0')
		return false;
	next = ul->count && ul->entries[ul->count - 1].uid >= ul->nextuid
		       ? ul->entries[ul->count - 1].uid + 1 : ul->nextuid;
	if (next != f->uidnext)		/* N as a reader takes it from the old file */
		return false;
	for (size_t i = 0; i < f->len; i++) {
		if (!has_line(&f->msgs[i]))
			continue;
		while (j < ul->count && ul->entries[j].uid < f->msgs[i].uid)
			j++;
		if (j == ul->count || ul->entries[j].uid != f->msgs[i].uid ||
		    !same_base(&ul->entries[j], &f->msgs[i]))
			return false;
	}
	return true;
}

/* rewrite - the whole file, through the temporary name.  The new name is
 * made durable (the folder synced) unless the rewrite only drops lines:
 * the old file a crash may leave is then a harmless superset (a line
 * without its file gives nothing) */
static int rewrite(int folder_fd, const struct mail_index_uidlist *u,
		   const struct mail_index_folder *f, struct mail_index_ulstat *st_r)
{
	struct buf *b = buf_new(4096);
	int fd, rc = -1, err;

	render(b, u->ul, f);
	unlinkat(folder_fd, UIDLIST_TMP, 0);	/* a leftover, or a planted link */
	fd = openat(folder_fd, UIDLIST_TMP, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		    0600);
	if (fd >= 0) {
		rc = write_all(fd, b, st_r);
		if (rc == 0)
			rc = renameat(folder_fd, UIDLIST_TMP, folder_fd, UIDLIST);
		if (rc == 0 && !only_fewer(u, f))
			rc = fsync(folder_fd);
		err = errno;
		close(fd);
		if (rc != 0)
			unlinkat(folder_fd, UIDLIST_TMP, 0);
		errno = err;
	}
	buf_free(&b);
	return rc;
}

/* mail_index_uidlist_write - plan, then append or rewrite */
void mail_index_uidlist_write(struct mail_index *idx, const char *folder, int folder_fd,
			      struct mail_index_uidlist *u, const struct mail_index_folder *f,
			      struct mail_index_ulstat *st_r)
{
	size_t from = 0;
	enum plan p = plan(u, f, &from);
	int rc = 0;

	*st_r = u->st;
	if (p == PLAN_NONE)
		return;
	*st_r = (struct mail_index_ulstat){ 0 };
	if (u->lock == NULL)
		return;				/* warned when the lock was not had */
	if (p == PLAN_APPEND && append(folder_fd, u, f, from, st_r) == 0)
		return;
	if ((rc = rewrite(folder_fd, u, f, st_r)) != 0) {
		log_warn("%s: folder %s: dovecot-uidlist not updated: %s", idx->path, folder,
			 strerror(errno));
		*st_r = (struct mail_index_ulstat){ 0 };
	}
}

/* mail_index_uidlist_done - the lock and the list */
void mail_index_uidlist_done(struct mail_index_uidlist *u)
{
	dovecot_dotlock_release(&u->lock);
	dovecot_uidlist_free(&u->ul);
}
