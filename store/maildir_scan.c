/* maildir_scan - list new/ and cur/ of a folder; see maildir_scan.h.
 *
 * The directories are read through descriptors opened without following
 * symbolic links (maildir_open_path), and every entry is looked at with
 * fstatat(AT_SYMLINK_NOFOLLOW) relative to them, so nothing outside the
 * folder is ever stat'ed or read through a name the user planted; an
 * entry readdir says is not a regular file is skipped without one, and
 * one the caller already knows by its exact name (maildir_scan_known)
 * takes the size and date the caller has: Maildir files do not change
 * under a name, a new size or flag comes with a new name.  A file
 * that disappears between readdir and fstatat (another client moved it)
 * is not an error: the next scan sees it under its new name.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "maildir.h"
#include "maildir_scan.h"
#include "mem.h"

/* name_field - digits after ",<letter>=" up to ',' or the end of the base */
static bool name_field(const char *name, char letter, off_t *v_r)
{
	size_t base = maildir_base_len(name);
	const char tag[4] = { ',', letter, '=', '\0' };
	const char *p = name;
	long long v = 0;
	int digits = 0;

	while ((p = strstr(p, tag)) != NULL && (size_t)(p - name) < base) {
		const char *d = p + 3;

		v = 0;
		for (digits = 0; d < name + base && *d >= '0' && *d <= '9' && digits < 18; digits++)
			v = v * 10 + (*d++ - '0');
		if (digits > 0 && (d == name + base || *d == ',')) {
			*v_r = (off_t)v;
			return true;
		}
		p += 3;
	}
	return false;
}

/* maildir_name_size - the ",S=<size>" of the base */
bool maildir_name_size(const char *name, off_t *size_r)
{
	return name_field(name, 'S', size_r);
}

/* maildir_name_vsize - the ",W=<vsize>" of the base */
bool maildir_name_vsize(const char *name, off_t *vsize_r)
{
	return name_field(name, 'W', vsize_r);
}

/* lead_number - the decimal digits at *p (at most 18), moved past */
static unsigned long long lead_number(const char **p)
{
	unsigned long long v = 0;

	for (int n = 0; **p >= '0' && **p <= '9' && n < 18; n++, (*p)++)
		v = v * 10 + (unsigned long long)(**p - '0');
	return v;
}

/* maildir_name_time - a name's "SEC[.M<usec>...Q<counter>]" as three
 * numbers (0 where a part is missing) */
void maildir_name_time(const char *name, unsigned long long t[3])
{
	const char *p = name, *q;

	t[0] = lead_number(&p);
	t[1] = t[2] = 0;
	if (p[0] == '.' && p[1] == 'M') {
		p += 2;
		t[1] = lead_number(&p);
	}
	for (q = p; *q && *q != '.' && *q != ':' && *q != 'Q'; q++)
		;
	if (*q == 'Q') {
		q++;
		t[2] = lead_number(&q);
	}
}

/* maildir_name_time_cmp - see maildir_scan.h */
int maildir_name_time_cmp(const char *a, const char *b)
{
	unsigned long long ta[3], tb[3];

	maildir_name_time(a, ta);
	maildir_name_time(b, tb);
	for (int i = 0; i < 3; i++)
		if (ta[i] != tb[i])
			return ta[i] < tb[i] ? -1 : 1;
	return strcmp(a, b);
}

struct scan_ctx {
	struct maildir_scan *s;
	maildir_scan_known_fn *known;
	void *known_ctx;
};

/* add - one message to the scan (size and mtime from st, or as known) */
static void add(struct maildir_scan *s, const char *name, const struct stat *st, bool in_new)
{
	struct maildir_msg *m;

	if (s->len == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->msgs = xrealloc(s->msgs, s->cap * sizeof(*s->msgs));
	}
	m = &s->msgs[s->len++];
	memset(m, 0, sizeof(*m));
	m->name = xstrdup(name);
	m->base_len = maildir_base_len(name);
	maildir_flags_parse(name, m->flags);
	if (!maildir_name_size(name, &m->size))
		m->size = st->st_size;
	if (!maildir_name_vsize(name, &m->vsize))
		m->vsize = -1;
	m->mtime = st->st_mtime;
	m->in_new = in_new;
}

/* maildir_scan_put - see the header */
void maildir_scan_put(struct maildir_scan *s, const char *name, bool in_new, off_t size,
		      time_t mtime)
{
	struct stat st = { 0 };

	st.st_size = size;
	st.st_mtime = mtime;
	add(s, name, &st, in_new);
}

/* entry - one directory entry: 1 added, 0 skipped, -1 error.  A name
 * the caller knows, of a regular file by readdir's word, is not stat'ed */
static int entry(struct scan_ctx *c, int dir_fd, const struct dirent *de, bool in_new)
{
	struct maildir_scan *s = c->s;
	const char *name = de->d_name;
	struct stat st = { 0 };
	size_t ref = 0;

	if (name[0] == '.')
		return 0;
	if (strlen(name) > MAILDIR_NAME_MAX || (de->d_type != DT_REG && de->d_type != DT_UNKNOWN)) {
		s->skipped++;
		return 0;
	}
	if (de->d_type == DT_REG && c->known &&
	    c->known(c->known_ctx, name, in_new, &st.st_size, &st.st_mtime, &ref)) {
		add(s, name, &st, in_new);
		s->msgs[s->len - 1].ref = ref;
		return 1;
	}
	if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISREG(st.st_mode)) {
		s->skipped++;
		return 0;
	}
	add(s, name, &st, in_new);
	s->msgs[s->len - 1].ref = ref;
	return 1;
}

/* scan_dir - the entries of folder/sub into c->s */
static int scan_dir(struct scan_ctx *c, int folder_fd, const char *sub, size_t max_msgs,
		    struct buf *why)
{
	struct maildir_scan *s = c->s;
	int fd = maildir_open_path(folder_fd, sub, 0, why), err = 0;
	DIR *dir = fd < 0 ? NULL : fdopendir(fd);
	struct dirent *de;

	if (dir == NULL) {
		if (fd >= 0) {
			buf_printf(why, "read %s/: %s", sub, strerror(errno));
			close(fd);
		}
		return -1;
	}
	errno = 0;
	while (err == 0 && (de = readdir(dir)) != NULL) {
		if (entry(c, fd, de, strcmp(sub, "new") == 0) < 0)
			err = errno;
		else if (s->len > max_msgs)
			err = E2BIG;
		errno = 0;
	}
	if (err == 0 && errno != 0)
		err = errno;
	if (err == E2BIG)
		buf_printf(why, "more than %zu messages", max_msgs);
	else if (err)
		buf_printf(why, "read %s/: %s", sub, strerror(err));
	closedir(dir);
	errno = err;
	return err ? -1 : 0;
}

/* by_name - qsort order */
static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct maildir_msg *)a)->name, ((const struct maildir_msg *)b)->name);
}

/* maildir_scan - new/ then cur/, sorted by name */
int maildir_scan(int folder_fd, size_t max_msgs, struct maildir_scan **sp, struct buf *why)
{
	return maildir_scan_known(folder_fd, max_msgs, NULL, NULL, sp, why);
}

/* maildir_scan_known - the same, asking known before a stat */
int maildir_scan_known(int folder_fd, size_t max_msgs, maildir_scan_known_fn *known,
		       void *known_ctx, struct maildir_scan **sp, struct buf *why)
{
	struct maildir_scan *s = xcalloc(1, sizeof(*s));
	struct scan_ctx c = { s, known, known_ctx };
	int err;

	if (scan_dir(&c, folder_fd, "new", max_msgs, why) < 0
	    || scan_dir(&c, folder_fd, "cur", max_msgs, why) < 0) {
		err = errno;
		maildir_scan_free(&s);
		*sp = NULL;
		errno = err;
		return -1;
	}
	if (s->len > 1)
		qsort(s->msgs, s->len, sizeof(*s->msgs), by_name);
	*sp = s;
	return 0;
}

/* maildir_scan_free - the list and its names */
void maildir_scan_free(struct maildir_scan **sp)
{
	struct maildir_scan *s = *sp;

	if (s == NULL)
		return;
	for (size_t i = 0; i < s->len; i++)
		free(s->msgs[i].name);
	free(s->msgs);
	free(s);
	*sp = NULL;
}
