/* hato_import_write - show or carry out an import's plan.
 *
 * import_show (--dry-run) prints a unified diff (diff -u, from copies in
 * a private temporary directory) of every file that would change and the
 * tables that would be rebuilt; it writes nothing in the config directory.
 * import_write replaces each changed file atomically (fsutil_replace:
 * temporary file, fsync, rename, never through a symbolic link), after
 * keeping the old one as NAME.hato-import-backup; copied tables are
 * written first and rebuilt with hato's postmap or postalias (the programs
 * beside this hato), master.cf next, main.cf last, so a failure leaves
 * main.cf as it was.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "fsutil.h"
#include "hato.h"
#include "hato_import.h"
#include "log.h"
#include "mem.h"

enum { MAX_OLD = 64 << 20 };

#define BACKUP_SUFFIX ".hato-import-backup"

/* old_text - the file's present text into out: 1, 0 absent, -1 (logged);
 * *mode_r its mode */
static int old_text(const char *path, struct buf *out, unsigned *mode_r)
{
	struct buf *why = buf_new(64);
	struct stat st;
	int rc = fsutil_load_at(AT_FDCWD, path, MAX_OLD, out, why);

	if (rc < 0)
		log_error("%s", buf_str(why));
	if (rc > 0 && lstat(path, &st) == 0)
		*mode_r = st.st_mode & 07777;
	buf_free(&why);
	return rc;
}

/* tool_path - a program beside this hato (build/bin, or $PREFIX/sbin) */
static void tool_path(const char *name, struct buf *out)
{
	buf_reset(out);
	if (fsutil_exe_dir(out) == 0)
		buf_printf(out, "/%s", name);
	else
		buf_printf(out, "%s/sbin/%s", HATO_PREFIX, name);
}

/* write_temp - text into dir/name, for diff */
static int write_temp(const char *dir, const char *name, const struct buf *text)
{
	struct buf *path = buf_new(64);
	int fd, rc = -1;

	buf_printf(path, "%s/%s", dir, name);
	fd = open(buf_str(path), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd >= 0 && write(fd, buf_str(text), buf_len(text)) == (ssize_t)buf_len(text))
		rc = 0;
	if (fd >= 0)
		close(fd);
	buf_free(&path);
	return rc;
}

/* show_one - the diff from name's present text to text; 1 if they differ */
static int show_one(const struct import *im, const char *tmpdir, const char *name,
		    const struct buf *text)
{
	struct buf *path = buf_new(64), *old = buf_new(4096), *a = buf_new(64), *b = buf_new(64);
	struct buf *la = buf_new(64), *lb = buf_new(64);
	unsigned mode = 0644;
	int present, rc = -1;

	buf_printf(path, "%s/%s", im->dir, name);
	if ((present = old_text(buf_str(path), old, &mode)) < 0)
		goto out;
	rc = 0;
	if (present && buf_len(old) == buf_len(text) && memcmp(buf_str(old), buf_str(text), buf_len(old)) == 0)
		goto out;
	buf_printf(a, "%s/old", tmpdir);
	buf_printf(b, "%s/new", tmpdir);
	buf_printf(la, "%s", present ? buf_str(path) : "/dev/null");
	buf_printf(lb, "%s", buf_str(path));
	if (write_temp(tmpdir, "old", old) < 0 || write_temp(tmpdir, "new", text) < 0) {
		log_error("%s: cannot write a temporary file: %m", tmpdir);
		rc = -1;
	} else {
		char *argv[] = { "/usr/bin/diff", "-u", "--label", la->data, "--label", lb->data,
				 a->data, b->data, NULL };

		fflush(stdout);
		hato_run(argv);	/* 1: they differ */
		rc = 1;
	}
	unlink(buf_str(a));
	unlink(buf_str(b));
out:
	buf_free(&path);
	buf_free(&old);
	buf_free(&a);
	buf_free(&b);
	buf_free(&la);
	buf_free(&lb);
	return rc;
}

/* import_show - see hato_import.h */
int import_show(struct import *im)
{
	char tmpdir[] = "/tmp/hato-import.XXXXXX";
	struct buf *main_text = buf_new(8192);
	int rc = 0, changed = 0, r;

	if (mkdtemp(tmpdir) == NULL) {
		log_error("mkdtemp %s: %m", tmpdir);
		buf_free(&main_text);
		return -1;
	}
	cfgedit_text(im->main_cf, main_text);
	for (size_t i = 0; rc == 0 && i < im->nfiles; i++)
		if ((r = show_one(im, tmpdir, im->files[i].name, im->files[i].text)) < 0)
			rc = -1;
		else
			changed += r;
	if (rc == 0 && (r = show_one(im, tmpdir, "master.cf", im->master_cf)) >= 0)
		changed += r;
	if (rc == 0 && r >= 0 && (r = show_one(im, tmpdir, "main.cf", main_text)) >= 0)
		changed += r;
	if (r < 0)
		rc = -1;
	for (size_t i = 0; rc == 0 && i < im->nfiles; i++)
		if (im->files[i].build)
			printf("would run: %s %s\n", im->files[i].build, im->files[i].map);
	printf("hato import: dry run, %d file%s would change, nothing written\n", changed,
	       changed == 1 ? "" : "s");
	rmdir(tmpdir);
	buf_free(&main_text);
	return rc;
}

/* make_parents - the directories above name in the config directory, real
 * directories (no symbolic link on the way) */
static int make_parents(const struct import *im, const char *name)
{
	struct buf *path = buf_new(64);
	int rc = 0;

	for (const char *s = strchr(name, '/'); s && rc == 0; s = strchr(s + 1, '/')) {
		buf_reset(path);
		buf_printf(path, "%s/%.*s", im->dir, (int)(s - name), name);
		struct stat st;

		if (mkdir(buf_str(path), 0755) < 0 && errno != EEXIST) {
			log_error("mkdir %s: %m", buf_str(path));
			rc = -1;
		} else if (lstat(buf_str(path), &st) < 0 || !S_ISDIR(st.st_mode)) {
			log_error("%s: not a directory (a symbolic link is not followed)", buf_str(path));
			rc = -1;
		}
	}
	buf_free(&path);
	return rc;
}

/* write_one - name gets text (keeping a backup of a different old one) */
static int write_one(const struct import *im, const char *name, const struct buf *text,
		     unsigned mode)
{
	struct buf *path = buf_new(64), *backup = buf_new(64), *old = buf_new(4096);
	struct buf *why = buf_new(64);
	unsigned old_mode = mode;
	int present, rc = -1;

	buf_printf(path, "%s/%s", im->dir, name);
	buf_printf(backup, "%s%s", buf_str(path), BACKUP_SUFFIX);
	if (make_parents(im, name) < 0 || (present = old_text(buf_str(path), old, &old_mode)) < 0)
		goto out;
	rc = 0;
	if (present && buf_len(old) == buf_len(text) && memcmp(buf_str(old), buf_str(text), buf_len(old)) == 0)
		goto out;
	if (present && fsutil_replace(buf_str(backup), buf_str(old), buf_len(old), old_mode, why) < 0)
		rc = -1;
	else if (fsutil_replace(buf_str(path), buf_str(text), buf_len(text), present ? old_mode : mode,
				why) < 0)
		rc = -1;
	if (rc < 0)
		log_error("%s", buf_str(why));
	else
		printf("hato import: wrote %s%s%s\n", buf_str(path), present ? ", the old one is " : "",
		       present ? buf_str(backup) : "");
out:
	buf_free(&path);
	buf_free(&backup);
	buf_free(&old);
	buf_free(&why);
	return rc;
}

/* build - postmap or postalias for a copied table */
static int build(const struct import *im, const struct import_file *f)
{
	struct buf *tool = buf_new(64);
	char *argv[] = { NULL, "-c", (char *)im->dir, f->map, NULL };
	int rc;

	tool_path(f->build, tool);
	argv[0] = tool->data;
	if ((rc = hato_run(argv)) < 0)
		log_error("%s %s failed", buf_str(tool), f->map);
	else
		printf("hato import: %s %s\n", f->build, f->map);
	buf_free(&tool);
	return rc;
}

/* readable - every file the plan replaces can be read as it is (not a
 * symbolic link, not too big), before any of them is written */
static int readable(const struct import *im)
{
	struct buf *path = buf_new(64), *old = buf_new(4096);
	unsigned mode;
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < im->nfiles + 2; i++) {
		buf_reset(path);
		buf_printf(path, "%s/%s", im->dir, i < im->nfiles ? im->files[i].name :
			   i == im->nfiles ? "master.cf" : "main.cf");
		if (old_text(buf_str(path), old, &mode) < 0)
			rc = -1;
	}
	buf_free(&path);
	buf_free(&old);
	return rc;
}

/* import_write - see hato_import.h */
int import_write(struct import *im)
{
	struct buf *main_text = buf_new(8192);
	int rc = readable(im);

	for (size_t i = 0; rc == 0 && i < im->nfiles; i++)
		rc = write_one(im, im->files[i].name, im->files[i].text, im->files[i].mode);
	for (size_t i = 0; rc == 0 && i < im->nfiles; i++)
		if (im->files[i].build)
			rc = build(im, &im->files[i]);
	if (rc == 0)
		rc = write_one(im, "master.cf", im->master_cf, 0644);
	cfgedit_text(im->main_cf, main_text);
	if (rc == 0)
		rc = write_one(im, "main.cf", main_text, 0644);
	buf_free(&main_text);
	return rc;
}
