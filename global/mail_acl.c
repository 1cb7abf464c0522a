/* mail_acl - authorized_*_users lists and local_login_sender_maps; see
 * mail_acl.h.  Each program asks once per run, so a list is evaluated as
 * it is read, item by item, and never kept. */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>

#include "addr.h"
#include "dict.h"
#include "maps.h"
#include "mem.h"
#include "strv.h"
#include "mail_acl.h"

enum { MAX_FILE_DEPTH = 8 };
enum verdict { NO_MATCH = 0, ALLOW = 1, DENY = 2 };	/* -1: error */

static int match_list(const char *title, const char *list, const char *name, int depth,
		      struct buf *why);

/* mail_acl_login - the login name of uid, or unknown with %u as the uid */
void mail_acl_login(uid_t uid, struct buf *out, const char *unknown)
{
	struct passwd *pw = getpwuid(uid);
	const char *u = strstr(unknown, "%u");

	buf_reset(out);
	if (pw != NULL) {
		buf_cat(out, pw->pw_name);
		return;
	}
	if (u == NULL) {
		buf_cat(out, unknown);
		return;
	}
	buf_add(out, unknown, (size_t)(u - unknown));
	buf_printf(out, "%lu%s", (unsigned long)uid, u + 2);
}

/* match_file - the items of a "/file/name" */
static int match_file(const char *title, const char *path, const char *name, int depth,
		      struct buf *why)
{
	FILE *fp = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	int rc = 0;

	if (depth >= MAX_FILE_DEPTH) {
		buf_printf(why, "%s: %s: files nested too deeply", title, path);
		rc = -1;
	} else if (fp == NULL) {
		buf_printf(why, "%s: open %s: %m", title, path);
		rc = -1;
	}
	while (rc == 0 && fp != NULL && getline(&line, &cap, fp) >= 0) {
		line[strcspn(line, "#")] = '\0';
		rc = match_list(title, line, name, depth + 1, why);
	}
	free(line);
	if (fp)
		fclose(fp);
	return rc;
}

/* match_table - found (1) when name is a key of the table */
static int match_table(const char *title, const char *spec, const char *name, struct buf *why)
{
	struct dict *d = dict_open_surrogate(spec, DICT_FLAG_FOLD_KEY);
	const char *v;
	int rc = dict_lookup(d, name, &v);

	if (rc < 0)
		buf_printf(why, "%s: %s: %s", title, spec, dict_error(d));
	dict_close(&d);
	return rc;
}

/* match_item - ALLOW when name matches the item (a file: its verdict),
 * NO_MATCH, or -1 */
static int match_item(const char *title, const char *word, const char *name, int depth,
		      struct buf *why)
{
	if (*word == '/')
		return match_file(title, word, name, depth, why);
	if (strchr(word, ':'))	/* as Postfix: a name has no ':', so a table */
		return match_table(title, word, name, why);
	return strcasecmp(word, name) == 0 ? ALLOW : NO_MATCH;
}

/* match_list - the verdict of the first item that matches, NO_MATCH, or -1 */
static int match_list(const char *title, const char *list, const char *name, int depth,
		      struct buf *why)
{
	struct strv *words = strv_split(list, ", \t\r\n");
	int rc = NO_MATCH;

	for (size_t i = 0; i < words->len && rc == NO_MATCH; i++) {
		const char *w = words->items[i];
		bool negate = false;

		for (; *w == '!'; w++)
			negate = !negate;
		rc = match_item(title, w, name, depth, why);
		if (rc > 0 && negate)
			rc = rc == ALLOW ? DENY : ALLOW;  /* "!/file" inverts the file's items */
	}
	strv_free(&words);
	return rc;
}

/* mail_acl_allows - may name do what the list controls? */
int mail_acl_allows(const char *title, const char *list, const char *name, struct buf *why)
{
	int rc;

	if (strcmp(list, "static:anyone") == 0)
		return 1;	/* the default: no user database lookups */
	rc = match_list(title, list, name, 0, why);
	return rc < 0 ? -1 : rc == ALLOW;
}

/* is_exempt - root, or the exempt user (mail_owner) */
static bool is_exempt(uid_t uid, const char *exempt_user)
{
	struct passwd *pw;

	if (exempt_user == NULL)
		return false;
	return uid == 0 || ((pw = getpwnam(exempt_user)) != NULL && pw->pw_uid == uid);
}

/* mail_acl_check - 0 when uid may do action, else an exit status and why */
int mail_acl_check(const char *title, const char *list, const char *action, uid_t uid,
		   const char *exempt_user, struct buf *why)
{
	struct buf *name = buf_new(32);
	int rc = 0;

	if (!is_exempt(uid, exempt_user)) {
		mail_acl_login(uid, name, "unknown");
		switch (mail_acl_allows(title, list, buf_str(name), why)) {
		case 1:
			break;
		case 0:
			buf_printf(why, "User %s(%lu) is not allowed to %s", buf_str(name),
				   (unsigned long)uid, action);
			rc = EX_NOPERM;
			break;
		default:
			rc = EX_TEMPFAIL;
		}
	}
	buf_free(&name);
	return rc;
}

/* strip_ext - the sender without its address extension */
static void strip_ext(const char *sender, const char *delims, struct buf *out)
{
	const char *at = strrchr(sender, '@');
	char *local = at ? xstrndup(sender, (size_t)(at - sender)) : xstrdup(sender);
	char *base, *ext;

	buf_set(out, sender);
	if (delims && *delims && addr_split_ext(local, delims, &base, &ext)) {
		buf_set(out, base);
		if (at)
			buf_cat(out, at);
		free(base);
		free(ext);
	}
	free(local);
}

/* pattern_ok - does one sender pattern allow the sender? */
static bool pattern_ok(const struct mail_acl_sender *s, const char *pattern, struct buf *bare)
{
	const char *at = strrchr(s->sender, '@');

	if (*pattern == '@')
		return at && strcasecmp(pattern, at) == 0;
	if (strcmp(pattern, "*") == 0)
		return true;
	if (strcasecmp(pattern, s->null_key) == 0)
		return *s->sender == '\0';
	if (buf_len(bare) == 0)
		strip_ext(s->sender, s->delimiters, bare);
	return *s->sender && strcasecmp(pattern, buf_str(bare)) == 0;
}

/* mail_acl_sender_ok - may s->login submit mail with envelope sender s->sender? */
int mail_acl_sender_ok(const struct mail_acl_sender *s, struct buf *why)
{
	struct maps *m = maps_open("local_login_sender_maps", s->maps, DICT_FLAG_FOLD_KEY);
	struct buf *bare = buf_new(64);
	const char *value;
	int rc = maps_find(m, s->login, &value);

	if (rc < 0)
		buf_printf(why, "local_login_sender_maps: %s", maps_error(m));
	if (rc == 1) {
		struct strv *patterns = strv_split(value, ", \t\r\n");

		rc = 0;
		for (size_t i = 0; i < patterns->len && rc == 0; i++)
			rc = pattern_ok(s, patterns->items[i], bare);
		strv_free(&patterns);
	}
	buf_free(&bare);
	maps_free(&m);
	return rc;
}
