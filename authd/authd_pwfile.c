/* authd_pwfile - Dovecot passwd-files: "user:{SCHEME}hash:uid:gid:gecos:
 * home:shell:extra", one user per line; '#' lines and blank lines are
 * skipped.  extra is Dovecot's space-separated extra fields, of which USER
 * answers with the userdb_ ones authd_user.c names.  The file is read
 * whole into a table and read again when its inode, size or mtime changes
 * (checked on every lookup: one stat).  A bad
 * line is skipped with a warning "FILE, line N: problem" (never the hash).
 * An unreadable file makes lookups temporary failures; a table read
 * earlier is not used then (it may hold revoked passwords).
 * pwentry_parse is shared with lmdb tables built by "postmap
 * passwd-file:FILE", whose values are the line after "user:".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "authd.h"
#include "htable.h"
#include "log.h"
#include "mem.h"

enum { PWFILE_MAX_SIZE = 64 << 20 };

struct pwfile {
	char *path;
	struct htable *users;	/* name -> struct pwentry * */
	bool loaded;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
};

/* pwentry_clear - free the strings of e (the hash is wiped first) */
void pwentry_clear(struct pwentry *e)
{
	if (e->hash)
		explicit_bzero(e->hash, strlen(e->hash));
	free(e->user);
	free(e->hash);
	free(e->uid);
	free(e->gid);
	free(e->home);
	free(e->extra);
	free(e->groups_user);
	*e = (struct pwentry){ 0 };
}

/* is_number - empty, or decimal digits that fit an id */
static bool is_number(const char *s)
{
	size_t len = strspn(s, "0123456789");

	return s[len] == '\0' && len <= 10;
}

/* field - the next ':'-separated field of *pp (NULL at the end) */
static char *field(const char **pp)
{
	const char *p = *pp, *colon;

	if (p == NULL)
		return NULL;
	colon = strchr(p, ':');
	*pp = colon ? colon + 1 : NULL;
	return colon ? xstrndup(p, (size_t)(colon - p)) : xstrdup(p);
}

/* pwentry_parse - "hash[:uid[:gid[:gecos[:home[:shell[:extra]]]]]]";
 * extra is the rest of the line, colons and all */
int pwentry_parse(const char *user, const char *rest, struct pwentry *e, const char **why_r)
{
	const char *p = rest;

	*e = (struct pwentry){ .user = xstrdup(user) };
	e->hash = field(&p);
	e->uid = field(&p);
	e->gid = field(&p);
	free(field(&p));	/* gecos */
	e->home = field(&p);
	free(field(&p));	/* shell */
	e->extra = p && *p ? xstrdup(p) : NULL;
	if (!authd_line_ok(rest, strlen(rest)) || strchr(rest, '\t')) {
		*why_r = "control character or TAB in the entry";
	} else if ((e->uid && !is_number(e->uid)) || (e->gid && !is_number(e->gid))) {
		*why_r = "uid and gid must be numbers";
	} else if (e->home && *e->home && *e->home != '/') {
		*why_r = "home must be an absolute path";
	} else if (e->extra && authd_userdb_fields(e->extra, NULL, why_r) < 0) {
		/* why_r says which field */
	} else {
		return 0;
	}
	pwentry_clear(e);
	return -1;
}

/* free_entry - htable destructor */
static void free_entry(void *v)
{
	pwentry_clear(v);
	free(v);
}

/* parse_line - one line of the file into the table */
static void parse_line(struct pwfile *pf, const char *line, int lineno)
{
	const char *colon = strchr(line, ':'), *why = NULL;
	struct pwentry *e;
	char *user;

	if (*line == '\0' || *line == '#')
		return;
	if (colon == NULL) {
		log_warn("%s, line %d: expected user:{SCHEME}hash:uid:gid:gecos:home:shell:extra", pf->path, lineno);
		return;
	}
	user = xstrndup(line, (size_t)(colon - line));
	e = xcalloc(1, sizeof(*e));
	if (!authd_name_ok(user, strlen(user)))
		log_warn("%s, line %d: bad user name", pf->path, lineno);
	else if (pwentry_parse(user, colon + 1, e, &why) < 0)
		log_warn("%s, line %d: %s", pf->path, lineno, why);
	else if (htable_get(pf->users, user) != NULL)
		log_warn("%s, line %d: duplicate user \"%s\" (the first entry counts)", pf->path, lineno, user);
	else {
		htable_put(pf->users, user, e);
		e = NULL;
	}
	if (e)
		free_entry(e);
	free(user);
}

/* parse - every line of text */
static void parse(struct pwfile *pf, char *text)
{
	int lineno = 0;

	for (char *line = text, *nl; line && *line; line = nl) {
		if ((nl = strchr(line, '\n')) != NULL)
			*nl++ = '\0';
		lineno++;
		line[strcspn(line, "\r")] = '\0';
		parse_line(pf, line, lineno);
	}
}

/* load - (re)read the file when it changed; -1 if it cannot be read */
static int load(struct pwfile *pf, struct buf *why)
{
	struct stat st;
	int fd = open(pf->path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	char *text;
	ssize_t n = 0;

	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > PWFILE_MAX_SIZE) {
		buf_printf(why, "%s: %s", pf->path, fd < 0 ? strerror(errno) : "not a regular file or too large");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (pf->loaded && st.st_dev == pf->dev && st.st_ino == pf->ino && st.st_size == pf->size &&
	    st.st_mtim.tv_sec == pf->mtime.tv_sec && st.st_mtim.tv_nsec == pf->mtime.tv_nsec) {
		close(fd);
		return 0;
	}
	text = xmalloc((size_t)st.st_size + 1);
	for (size_t got = 0; got < (size_t)st.st_size; got += (size_t)n)
		if ((n = read(fd, text + got, (size_t)st.st_size - got)) <= 0)
			break;
	close(fd);
	if (n < 0) {
		buf_printf(why, "read %s: %s", pf->path, strerror(errno));
		free(text);
		return -1;
	}
	text[st.st_size] = '\0';
	htable_free(&pf->users, free_entry);
	pf->users = htable_new(64);
	parse(pf, text);
	explicit_bzero(text, (size_t)st.st_size);
	free(text);
	pf->loaded = true;
	pf->dev = st.st_dev;
	pf->ino = st.st_ino;
	pf->size = st.st_size;
	pf->mtime = st.st_mtim;
	return 0;
}

/* pwfile_open - a passwd-file, read at the first lookup */
struct pwfile *pwfile_open(const char *path)
{
	struct pwfile *pf = xcalloc(1, sizeof(*pf));

	pf->path = xstrdup(path);
	pf->users = htable_new(16);
	return pf;
}

/* pwfile_free - forget the file */
void pwfile_free(struct pwfile **pfp)
{
	if (*pfp == NULL)
		return;
	htable_free(&(*pfp)->users, free_entry);
	free((*pfp)->path);
	free(*pfp);
	*pfp = NULL;
}

/* pwfile_lookup - 1 found (a copy in e), 0 not found, -1 unreadable */
int pwfile_lookup(struct pwfile *pf, const char *user, struct pwentry *e, struct buf *why)
{
	const struct pwentry *found;

	*e = (struct pwentry){ 0 };
	if (load(pf, why) < 0) {
		pf->loaded = false;
		htable_free(&pf->users, free_entry);
		pf->users = htable_new(16);
		return -1;
	}
	if ((found = htable_get(pf->users, user)) == NULL)
		return 0;
	e->user = xstrdup(found->user);
	e->hash = found->hash ? xstrdup(found->hash) : NULL;
	e->uid = found->uid ? xstrdup(found->uid) : NULL;
	e->gid = found->gid ? xstrdup(found->gid) : NULL;
	e->home = found->home ? xstrdup(found->home) : NULL;
	e->extra = found->extra ? xstrdup(found->extra) : NULL;
	return 1;
}
