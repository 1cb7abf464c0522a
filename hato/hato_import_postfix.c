/* hato_import_postfix - Postfix's main.cf merged into hato's.
 *
 * Each parameter of the imported main.cf, in its order and with its own
 * line breaks, replaces hato's definition or is appended (with the
 * comment lines above it), with every
 * /etc/postfix path rewritten to the config directory.  Not taken:
 * hato's own installation settings (queue_directory, mail_owner, ...:
 * the Postfix values name Postfix's paths and users; a note says so), and
 * parameters hato does not know that no value refers to (a problem with
 * file and line, as hato check would warn), and a hand-over of mail to
 * Dovecot's LDA or LMTP (hato delivers itself).  The files such values name
 * below the Postfix directory are copied (import_copy_named).
 */
#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fsutil.h"
#include "hato_import.h"
#include "log.h"
#include "mem.h"

enum { MAX_SOURCE = 64 << 20 };

/* settings that belong to the installation, not to the mail policy */
static const char *const keep_hato[] = {
	"config_directory", "queue_directory", "daemon_directory", "command_directory",
	"data_directory", "meta_directory", "shlib_directory", "mail_owner", "setgid_group",
	"maillog_file", "default_internal_user", "default_login_user", "sendmail_path",
	"newaliases_path", "mailq_path", "manpage_directory", "sample_directory",
	"readme_directory", "html_directory", "process_id_directory", "import_environment",
	NULL,
};

/* indexed table types: rebuilt after the copy */
static const char *const indexed[] = { "hash", "btree", "lmdb", "cdb", "dbm", "sdbm", NULL };

/* in_list - s is one of list */
static bool in_list(const char *const *list, const char *s, size_t n)
{
	for (; *list; list++)
		if (strlen(*list) == n && strncmp(*list, s, n) == 0)
			return true;
	return false;
}

/* replace_dir - from, as a whole path component prefix, replaced by to */
static void replace_dir(const char *text, const char *from, const char *to, struct buf *out)
{
	size_t n = strlen(from);
	const char *p = text, *hit;

	buf_reset(out);
	while ((hit = strstr(p, from)) != NULL) {
		bool start = hit == text || !(isalnum((unsigned char)hit[-1]) || hit[-1] == '_' ||
					      hit[-1] == '/' || hit[-1] == '.');
		bool end = hit[n] == '/' || hit[n] == '\0' || !(isalnum((unsigned char)hit[n]) ||
								hit[n] == '_' || hit[n] == '.' || hit[n] == '-');

		buf_add(out, p, (size_t)(hit - p));
		buf_cat(out, start && end ? to : from);
		p = hit + n;
	}
	buf_cat(out, p);
}

/* import_rewrite - see hato_import.h */
void import_rewrite(const struct import *im, const char *text, struct buf *out)
{
	struct buf *tmp = buf_new(256);

	replace_dir(text, "/etc/postfix", im->dir, tmp);
	if (im->postfix && strcmp(im->postfix, "/etc/postfix") != 0)
		replace_dir(buf_str(tmp), im->postfix, im->dir, out);
	else
		buf_set(out, buf_str(tmp));
	buf_free(&tmp);
}

/* table_type - the "type:" just before text[at], into type ("" if none) */
static void table_type(const char *text, size_t at, struct buf *type)
{
	size_t b = at;

	buf_reset(type);
	if (b == 0 || text[b - 1] != ':')
		return;
	b--;
	while (b > 0 && (isalnum((unsigned char)text[b - 1]) || text[b - 1] == '_'))
		b--;
	buf_add(type, text + b, at - 1 - b);
}

/* copy_one - the Postfix file rel into the plan as the file named there */
static void copy_one(struct import *im, const char *param, const char *rel, const char *type,
		     const char *file, int line)
{
	struct buf *src = buf_new(64), *text = buf_new(4096), *why = buf_new(64);
	struct import_file *f;
	struct stat st;

	for (size_t i = 0; i < im->nfiles; i++)
		if (strcmp(im->files[i].name, rel) == 0)
			goto out;
	buf_printf(src, "%s/%s", im->postfix, rel);
	if (strstr(rel, "..") || rel[0] == '\0' || rel[strlen(rel) - 1] == '/') {
		import_problem(im, file, line, "%s: %s is not a file name hato import copies", param, rel);
	} else if (fsutil_load_at(AT_FDCWD, buf_str(src), MAX_SOURCE, text, why) <= 0) {
		import_problem(im, file, line, "%s: %s cannot be copied: %s", param, buf_str(src),
			       buf_len(why) ? buf_str(why) : "no such file");
	} else {
		f = import_add_file(im, rel, text, stat(buf_str(src), &st) == 0 ? st.st_mode & 0644 : 0644);
		text = NULL;
		if (in_list(indexed, type, strlen(type))) {
			bool alias = strstr(param, "alias") != NULL;

			f->build = xstrdup(alias ? "postalias" : "postmap");
			f->map = xmalloc(strlen(type) + strlen(im->dir) + strlen(rel) + 3);
			sprintf(f->map, "%s:%s/%s", type, im->dir, rel);
		}
	}
out:
	buf_free(&src);
	buf_free(&text);
	buf_free(&why);
}

/* import_copy_named - see hato_import.h */
void import_copy_named(struct import *im, const char *param, const char *text, const char *file,
		       int line)
{
	static const char *const spellings[] = { "$config_directory", "${config_directory}",
						 "$(config_directory)", NULL };
	struct buf *prefix = buf_new(64), *rel = buf_new(64), *type = buf_new(16);
	struct buf *plain = buf_new(256), *tmp = buf_new(256);
	const char *p, *hit;

	/* "hash:$config_directory/access" names a file of the directory too */
	buf_set(plain, text);
	for (const char *const *sp = spellings; *sp; sp++) {
		buf_reset(tmp);
		for (p = buf_str(plain); (hit = strstr(p, *sp)) != NULL; p = hit + strlen(*sp)) {
			buf_add(tmp, p, (size_t)(hit - p));
			buf_cat(tmp, im->dir);
		}
		buf_cat(tmp, p);
		buf_set(plain, buf_str(tmp));
	}
	text = buf_str(plain);
	p = text;
	buf_printf(prefix, "%s/", im->dir);
	while ((hit = strstr(p, buf_str(prefix))) != NULL) {
		const char *s = hit + buf_len(prefix);
		size_t n = strcspn(s, " \t\r\n,}{()\"'");

		buf_reset(rel);
		buf_add(rel, s, n);
		table_type(text, (size_t)(hit - text), type);
		if (strcmp(buf_str(type), "proxy") == 0)
			buf_reset(type);
		copy_one(im, param, buf_str(rel), buf_str(type), file, line);
		p = s + n;
	}
	buf_free(&prefix);
	buf_free(&rel);
	buf_free(&type);
	buf_free(&plain);
	buf_free(&tmp);
}

/* is_dovecot_delivery - a value that hands mail to Dovecot's LDA or LMTP
 * (mailbox_command = /usr/lib/dovecot/deliver, virtual_transport =
 * lmtp:unix:private/dovecot-lmtp), which hato's local and virtual replace */
static bool is_dovecot_delivery(const char *name, const char *text)
{
	return (strcmp(name, "mailbox_command") == 0 || strcmp(name, "mailbox_transport") == 0 ||
		strcmp(name, "virtual_transport") == 0 || strcmp(name, "local_transport") == 0) &&
	       strstr(text, "dovecot") != NULL;
}

/* merge_one - one parameter of Postfix's main.cf (src); a new one comes
 * with the comment lines above it */
static void merge_one(struct import *im, const struct cfgedit *src, const char *path,
		      const struct strv *unknown, const char *name, const char *text, int line)
{
	struct buf *out = buf_new(256), *comments = buf_new(256);

	if (in_list(keep_hato, name, strlen(name))) {
		const char *own = param_find(name) ? config_get(im->hato, name) : NULL;

		if (own)
			import_note(im, "%s, line %d: %s: hato keeps its own value (%s)", path, line,
				    name, own);
		else
			import_note(im, "%s, line %d: %s: Postfix's installation, not hato's (left out)",
				    path, line, name);
	} else {
		for (size_t i = 0; i < unknown->len; i++)
			if (strcmp(unknown->items[i], name) == 0) {
				import_problem(im, path, line, "%s: hato has no such parameter (left out)",
					       name);
				goto out;
			}
		if (is_dovecot_delivery(name, text)) {
			import_problem(im, path, line, "%s: Dovecot's delivery; hato's local and virtual "
				       "deliver into the Maildir themselves (left out)", name);
			goto out;
		}
		if (!cfgedit_has(im->main_cf, name))
			cfgedit_comments_before(src, line, comments);
		if (buf_len(comments))
			buf_cat(comments, "\n");
		import_rewrite(im, text, out);
		import_copy_named(im, name, buf_str(out), path, line);
		buf_cat(comments, buf_str(out));
		import_set(im, path, name, buf_str(comments));
	}
out:
	buf_free(&out);
	buf_free(&comments);
}

/* import_postfix_main - see hato_import.h */
int import_postfix_main(struct import *im)
{
	struct buf *path = buf_new(64), *text = buf_new(8192), *why = buf_new(64);
	struct buf *name = buf_new(64), *def = buf_new(256);
	struct cfgedit *src = NULL;
	struct config *parsed = NULL;
	struct strv *unknown = NULL;
	size_t pos = 0;
	int line, rc = -1;

	buf_printf(path, "%s/main.cf", im->postfix);
	if (fsutil_load_at(AT_FDCWD, buf_str(path), MAX_SOURCE, text, why) <= 0) {
		log_error("%s", buf_len(why) ? buf_str(why) : "main.cf: no such file");
		goto out;
	}
	parsed = config_read_text(buf_str(path), buf_str(text), buf_len(text), CONFIG_QUIET, why);
	if (parsed == NULL) {
		log_error("%s", buf_str(why));
		goto out;
	}
	unknown = config_unknown_names(parsed);
	src = cfgedit_from_text(buf_str(text), buf_len(text));
	while (cfgedit_next(src, &pos, name, def, &line))
		merge_one(im, src, buf_str(path), unknown, buf_str(name), buf_str(def), line);
	rc = 0;
out:
	cfgedit_free(&src);
	config_free(&parsed);
	strv_free(&unknown);
	buf_free(&path);
	buf_free(&text);
	buf_free(&why);
	buf_free(&name);
	buf_free(&def);
	return rc;
}
