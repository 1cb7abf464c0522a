/* hato_import - "hato import [--postfix DIR] [--dovecot DIR] [--no-postfix]
 * [--no-dovecot] [--dry-run]": merge an existing Postfix and Dovecot
 * configuration into hato's (made by hato init).
 *
 * DIRs default to /etc/postfix and /etc/dovecot; a default one without its
 * main.cf or dovecot.conf is skipped with a note, a named one must be
 * there.  The steps (hato_import.h) make a plan; the merged main.cf and
 * master.cf must parse before anything is written.  Output on stdout:
 * the diff (--dry-run) or what it wrote, then "note: ..." for what it
 * changed or kept on purpose, "not translated: FILE, line N: ..." for
 * each thing it could not carry over, and their count.  Exit 0 when the plan was
 * shown or written, 1 with an error naming file and line otherwise (and
 * no file changed).
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hato.h"
#include "hato_import.h"
#include "log.h"
#include "master_cf.h"
#include "mem.h"

/* import_problem - see hato_import.h */
void import_problem(struct import *im, const char *file, int line, const char *fmt, ...)
{
	struct buf *b = buf_new(128);
	va_list ap;

	buf_printf(b, "%s, line %d: ", file, line);
	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
	strv_add(im->problems, buf_str(b));
	buf_free(&b);
}

/* import_note - see hato_import.h */
void import_note(struct import *im, const char *fmt, ...)
{
	struct buf *b = buf_new(128);
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
	strv_add(im->notes, buf_str(b));
	buf_free(&b);
}

/* import_set - see hato_import.h */
void import_set(struct import *im, const char *origin, const char *name, const char *text)
{
	struct buf *header = buf_new(64), *now = buf_new(4096);
	bool seen = false;

	buf_printf(header, "# From %s (hato import)", origin);
	for (size_t i = 0; i < im->headers->len && !seen; i++)
		seen = strcmp(im->headers->items[i], origin) == 0;
	cfgedit_text(im->main_cf, now);
	if (!seen && !cfgedit_has(im->main_cf, name) && !strstr(buf_str(now), buf_str(header))) {
		cfgedit_append(im->main_cf, "");
		cfgedit_append(im->main_cf, buf_str(header));
		strv_add(im->headers, origin);
	}
	cfgedit_set(im->main_cf, name, text);
	buf_free(&header);
	buf_free(&now);
}

/* import_add_file - see hato_import.h */
struct import_file *import_add_file(struct import *im, const char *name, struct buf *text,
				    unsigned mode)
{
	struct import_file *f;

	im->files = xrealloc(im->files, (im->nfiles + 1) * sizeof(*im->files));
	f = &im->files[im->nfiles++];
	*f = (struct import_file){ .name = xstrdup(name), .text = text, .mode = mode };
	return f;
}

/* source_dir - a --postfix/--dovecot directory as a real path, or NULL:
 * the default is skipped (noted) when it lacks file, a named one fails */
static int source_dir(struct import *im, const char *given, const char *def, const char *file,
		      const char **out)
{
	char real[PATH_MAX];
	struct buf *path = buf_new(64);
	const char *dir = given ? given : def;
	int rc = 0;

	buf_printf(path, "%s/%s", dir, file);
	*out = NULL;
	if (access(buf_str(path), R_OK) == 0 && realpath(dir, real)) {
		*out = xstrdup(real);
	} else if (given) {
		log_error("%s: %m", buf_str(path));
		rc = -1;
	} else {
		import_note(im, "%s: not there, not imported", buf_str(path));
	}
	buf_free(&path);
	return rc;
}

/* parse_args - the options; -1 after a usage message */
static int parse_args(struct import *im, char **args)
{
	const char *postfix = NULL, *dovecot = NULL;
	bool no_postfix = false, no_dovecot = false;

	for (size_t i = 0; args[i]; i++) {
		if (strcmp(args[i], "--dry-run") == 0 || strcmp(args[i], "-n") == 0)
			im->dry_run = true;
		else if (strcmp(args[i], "--postfix") == 0 && args[i + 1])
			postfix = args[++i];
		else if (strcmp(args[i], "--dovecot") == 0 && args[i + 1])
			dovecot = args[++i];
		else if (strcmp(args[i], "--no-postfix") == 0)
			no_postfix = true;
		else if (strcmp(args[i], "--no-dovecot") == 0)
			no_dovecot = true;
		else {
			fprintf(stderr, "usage: hato [-c config_dir] import [--postfix DIR] [--dovecot DIR] "
				"[--no-postfix] [--no-dovecot] [--dry-run]\n");
			return -1;
		}
	}
	if ((!no_postfix && source_dir(im, postfix, "/etc/postfix", "main.cf", &im->postfix) < 0) ||
	    (!no_dovecot && source_dir(im, dovecot, "/etc/dovecot", "dovecot.conf", &im->dovecot) < 0))
		return -1;
	if (im->postfix == NULL && im->dovecot == NULL) {
		log_error("nothing to import: no Postfix main.cf and no dovecot.conf");
		return -1;
	}
	return 0;
}

/* load_hato - hato's main.cf, as lines and parsed */
static int load_hato(struct import *im)
{
	struct buf *path = buf_new(64), *why = buf_new(64);
	int rc = 0;

	buf_printf(path, "%s/main.cf", im->dir);
	if ((im->main_cf = cfgedit_load(buf_str(path), CFGEDIT_NOFOLLOW, why)) == NULL) {
		log_error("%s (hato import merges into a configuration made by hato init)", buf_str(why));
		rc = -1;
	} else if ((im->hato = config_read(im->dir, CONFIG_QUIET | CONFIG_LENIENT, why)) == NULL) {
		log_error("%s", buf_str(why));
		rc = -1;
	}
	buf_free(&path);
	buf_free(&why);
	return rc;
}

/* check_result - the merged main.cf and master.cf must parse */
static int check_result(struct import *im)
{
	struct buf *path = buf_new(64), *text = buf_new(8192), *why = buf_new(64);
	struct config *c;
	struct master_cf *m = NULL;
	int rc = -1;

	buf_printf(path, "%s/main.cf", im->dir);
	cfgedit_text(im->main_cf, text);
	c = config_read_text(buf_str(path), buf_str(text), buf_len(text), CONFIG_STRICT | CONFIG_QUIET,
			     why);
	if (c == NULL) {
		log_error("the merged main.cf would not be valid: %s", buf_str(why));
	} else {
		buf_reset(path);
		buf_printf(path, "%s/master.cf", im->dir);
		m = master_cf_parse_text(buf_str(path), buf_str(im->master_cf), buf_len(im->master_cf), why);
		if (m == NULL)
			log_error("the merged master.cf would not be valid: %s", buf_str(why));
		else
			rc = 0;
	}
	config_free(&c);
	master_cf_free(&m);
	buf_free(&path);
	buf_free(&text);
	buf_free(&why);
	return rc;
}

/* report - the problems and the notes */
static void report(const struct import *im)
{
	for (size_t i = 0; i < im->notes->len; i++)
		printf("note: %s\n", im->notes->items[i]);
	for (size_t i = 0; i < im->problems->len; i++)
		printf("not translated: %s\n", im->problems->items[i]);
	printf("hato import: %zu thing%s not translated%s\n", im->problems->len,
	       im->problems->len == 1 ? "" : "s", im->dry_run ? "" : "; now run hato check, then hato reload");
	fflush(stdout);
}

/* import_free - release the plan */
static void import_free(struct import *im)
{
	for (size_t i = 0; i < im->nfiles; i++) {
		free(im->files[i].name);
		buf_free(&im->files[i].text);
		free(im->files[i].build);
		free(im->files[i].map);
	}
	free(im->files);
	free((char *)im->postfix);
	free((char *)im->dovecot);
	cfgedit_free(&im->main_cf);
	config_free(&im->hato);
	buf_free(&im->master_cf);
	buf_free(&im->services);
	strv_free(&im->headers);
	strv_free(&im->problems);
	strv_free(&im->notes);
}

/* hato_import - the command */
int hato_import(struct hato_ctx *ctx)
{
	struct import im = { .dir = ctx->dir, .master_cf = buf_new(4096), .services = buf_new(512),
			     .headers = strv_new(), .problems = strv_new(), .notes = strv_new() };
	int rc = 1;

	if (parse_args(&im, ctx->args) < 0 || load_hato(&im) < 0)
		goto out;
	if ((im.postfix && import_postfix_main(&im) < 0) || (im.dovecot && import_dovecot(&im) < 0) ||
	    import_master(&im) < 0 || check_result(&im) < 0)
		goto out;
	rc = (im.dry_run ? import_show(&im) : import_write(&im)) < 0 ? 1 : 0;
	report(&im);
out:
	import_free(&im);
	return rc;
}
