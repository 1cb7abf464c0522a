/* hato_import_auth - Dovecot's passdb and userdb sections into main.cf's
 * passdb and userdb lists.
 *
 * passdb drivers pam, shadow, passwd and bsdauth, and userdb drivers
 * passwd and nss, are hato's "system" (getpwnam and shadow); passwd-file
 * is hato's "passwd-file:PATH" (its options scheme= and username_format=%u
 * say what hato does anyway).  sql, ldap, static, checkpassword, dict,
 * deny and master passdbs, variables in a path, and override_fields /
 * default_fields are problems with file and line.  When no section
 * translates, hato's own list stays.
 */
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dovecot_conf.h"
#include "hato_import.h"
#include "mem.h"

/* option_ok - a passwd-file option hato's passwd-file already follows */
static bool option_ok(const char *opt)
{
	return strncmp(opt, "scheme=", 7) == 0 || strcmp(opt, "username_format=%u") == 0;
}

/* readable_by_authd - a note when authd (default_internal_user, plus the
 * group shadow) cannot read path: Dovecot's own files are often
 * root:dovecot 0640 */
static void readable_by_authd(struct import *im, const struct dovecot_node *where, const char *path)
{
	const char *user = config_get(im->hato, "default_internal_user");
	struct passwd *pw = getpwnam(user);
	struct stat st;

	if (stat(path, &st) < 0) {
		import_note(im, "%s, line %d: %s: %m", where->file, where->line, path);
		return;
	}
	if ((st.st_mode & S_IROTH) || (pw && st.st_uid == pw->pw_uid) ||
	    (pw && st.st_gid == pw->pw_gid && (st.st_mode & S_IRGRP)))
		return;
	import_note(im, "%s, line %d: authd runs as %s and cannot read %s: chgrp %s %s", where->file,
		    where->line, user, path, user, path);
}

/* passwd_file - "passwd-file:PATH" from args into out, or -1 (a problem) */
static int passwd_file(struct import *im, const struct dovecot_node *sec, const char *args,
		       struct buf *out)
{
	struct strv *words = strv_split(args ? args : "", " \t");
	const struct dovecot_node *where = dovecot_conf_find(sec, "args");
	const char *path = NULL;
	int rc = 0;

	for (size_t i = 0; i < words->len; i++)
		if (strchr(words->items[i], '=') == NULL)
			path = words->items[i];
		else if (!option_ok(words->items[i]))
			import_problem(im, where->file, where->line, "%s passwd-file option %s: not "
				       "translated (left out)", sec->key, words->items[i]);
	if (path == NULL || path[0] != '/' || strchr(path, '%')) {
		import_problem(im, where ? where->file : sec->file, where ? where->line : sec->line,
			       "%s passwd-file %s: hato needs one absolute path without variables",
			       sec->key, path ? path : "without a path");
		rc = -1;
	} else {
		buf_printf(out, "passwd-file:%s", path);
		readable_by_authd(im, where, path);
	}
	strv_free(&words);
	return rc;
}

/* other_settings - settings besides driver and args are problems; true
 * when one of them makes the section untranslatable */
static bool other_settings(struct import *im, const struct dovecot_node *sec)
{
	bool fatal = false;

	for (const struct dovecot_node *n = sec->child; n; n = n->next) {
		if (n->kind == DOVECOT_SETTING &&
		    (strcmp(n->key, "driver") == 0 || strcmp(n->key, "args") == 0))
			continue;
		if (n->kind == DOVECOT_SETTING && strcmp(n->value, "no") == 0)
			continue;	/* deny = no, master = no: the default */
		fatal = fatal || (n->kind == DOVECOT_SETTING &&
				  (strcmp(n->key, "deny") == 0 || strcmp(n->key, "master") == 0));
		import_problem(im, n->file, n->line, "%s { %s%s%s }: hato has no such setting%s",
			       sec->key, n->key, n->value ? " = " : "", n->value ? n->value : "",
			       fatal ? " (this passdb is left out)" : " (left out)");
	}
	return fatal;
}

/* one_db - the hato spec of one passdb/userdb section into out, or -1 */
static int one_db(struct import *im, const struct dovecot_node *sec, struct buf *out)
{
	bool passdb = strcmp(sec->key, "passdb") == 0;
	const struct dovecot_node *drv = dovecot_conf_find(sec, "driver");
	const char *d = drv ? drv->value : "";

	if (other_settings(im, sec))
		return -1;
	if ((passdb && (strcmp(d, "pam") == 0 || strcmp(d, "shadow") == 0 || strcmp(d, "passwd") == 0 ||
			strcmp(d, "bsdauth") == 0)) ||
	    (!passdb && (strcmp(d, "passwd") == 0 || strcmp(d, "nss") == 0))) {
		buf_cat(out, "system");
		return 0;
	}
	if (strcmp(d, "passwd-file") == 0)
		return passwd_file(im, sec, dovecot_conf_get(sec, "args"), out);
	if (strcmp(d, "prefetch") == 0 && !passdb)
		return -1;	/* the passdb's fields: nothing of its own */
	import_problem(im, drv ? drv->file : sec->file, drv ? drv->line : sec->line,
		       "%s driver %s: hato has no such %s (left out)", sec->key, d[0] ? d : "(none)",
		       sec->key);
	return -1;
}

/* db_list - every section of kind key, translated, into main.cf */
static void db_list(struct import *im, const struct dovecot_node *root, const char *key,
		    const char *origin)
{
	struct buf *list = buf_new(128), *one = buf_new(64), *text = buf_new(128);
	const struct dovecot_node *first = NULL;

	for (const struct dovecot_node *n = root->child; n; n = n->next) {
		if (n->kind != DOVECOT_SECTION || strcmp(n->key, key) != 0)
			continue;
		first = first ? first : n;
		buf_reset(one);
		if (one_db(im, n, one) == 0 && !strstr(buf_str(list), buf_str(one)))
			buf_printf(list, "%s%s", buf_len(list) ? ", " : "", buf_str(one));
	}
	if (buf_len(list)) {
		buf_printf(text, "%s = %s", key, buf_str(list));
		import_set(im, origin, key, buf_str(text));
	} else if (first) {
		import_problem(im, first->file, first->line, "no %s could be translated: hato keeps "
			       "its own (%s)", key, config_get(im->hato, key));
	}
	buf_free(&list);
	buf_free(&one);
	buf_free(&text);
}

/* import_dovecot_auth - see hato_import.h */
void import_dovecot_auth(struct import *im, const struct dovecot_node *root, const char *origin)
{
	db_list(im, root, "passdb", origin);
	db_list(im, root, "userdb", origin);
}
