/* authd_user - login names and mail locations.
 *
 * authd_name_normalize: the login as the client sent it becomes two names:
 * "sys" is auth_username_format applied to the login itself (what the
 * system passdb/userdb look up: Unix names have no domain), "full" is the
 * format applied to login@auth_default_realm when the login has no '@'
 * and a realm is set (what passwd-file and lmdb look up).  Variables:
 * %u the whole name, %n its local part, %d its domain, %h the home
 * directory (mail_location only), %% a percent sign; %Lx lower-cases and
 * %Ux upper-cases x.  "~/" at the start of a mail_location path (after
 * "maildir:" or "mbox:") is the home directory.
 * authd_userdb_fields: of a passwd-file entry's extra fields (Dovecot's
 * "key=value" list, space-separated), those a USER answer carries:
 * userdb_mail (the user's own mail_location) and userdb_quota_rule,
 * userdb_quota_rule2, ... (Dovecot's quota rules, passed on as they are
 * after %-expansion, so "%%" is a percent sign).  Other fields are for the
 * passdb or for settings hato does not have, and are ignored.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "authd.h"
#include "mem.h"

/* authd_name_init - empty names */
void authd_name_init(struct authd_name *n)
{
	n->sys = buf_new(64);
	n->full = buf_new(64);
}

/* authd_name_free - release the names */
void authd_name_free(struct authd_name *n)
{
	buf_free(&n->sys);
	buf_free(&n->full);
}

/* var - the value of %c for user/home into out; false for an unknown c */
static bool var(char c, const char *user, const char *home, struct buf *out)
{
	const char *at = strrchr(user, '@');

	switch (c) {
	case 'u': buf_cat(out, user); return true;
	case 'n': buf_add(out, user, at ? (size_t)(at - user) : strlen(user)); return true;
	case 'd': buf_cat(out, at ? at + 1 : ""); return true;
	case 'h': if (!home) return false; buf_cat(out, home); return true;
	default: return false;
	}
}

/* authd_expand - fmt with %u %n %d (%h when home) expanded into out;
 * -1 for an unknown variable */
int authd_expand(const char *fmt, const char *user, const char *home, struct buf *out)
{
	for (const char *p = fmt; *p; p++) {
		char mod = 0;
		size_t start;

		if (*p != '%') {
			buf_putc(out, *p);
			continue;
		}
		if (*++p == '%') {
			buf_putc(out, '%');
			continue;
		}
		if (*p == 'L' || *p == 'U')
			mod = *p++;
		start = buf_len(out);
		if (*p == '\0' || !var(*p, user, home, out))
			return -1;
		for (size_t i = start; mod && i < buf_len(out); i++)
			out->data[i] = (char)(mod == 'L' ? tolower((unsigned char)out->data[i])
						       : toupper((unsigned char)out->data[i]));
	}
	return 0;
}

/* authd_format_ok - fmt uses only the variables in vars (checked at start) */
bool authd_format_ok(const char *fmt, const char *vars)
{
	struct buf *b = buf_new(64);
	bool ok = authd_expand(fmt, "u@d", strchr(vars, 'h') ? "/h" : NULL, b) == 0;

	buf_free(&b);
	return ok;
}

/* authd_name_normalize - see the header; -1 for a name authd refuses */
int authd_name_normalize(const char *login, const char *format, const char *realm,
			 struct authd_name *n)
{
	struct buf *q = buf_new(64);
	int rc = -1;

	buf_reset(n->sys);
	buf_reset(n->full);
	if (!authd_name_ok(login, strlen(login)))
		goto out;
	buf_cat(q, login);
	if (*realm && strchr(login, '@') == NULL)
		buf_printf(q, "@%s", realm);
	if (authd_expand(format, login, NULL, n->sys) < 0 ||
	    authd_expand(format, buf_str(q), NULL, n->full) < 0 ||
	    !authd_name_ok(buf_str(n->full), buf_len(n->full)) || buf_len(n->sys) == 0)
		goto out;
	rc = 0;
out:
	buf_free(&q);
	return rc;
}

/* authd_mail_location - mail_location for user: variables expanded, and
 * "~/" at the start of the path (after an optional "type:") is home */
int authd_mail_location(const char *loc, const char *user, const char *home, struct buf *out)
{
	struct buf *t = buf_new(64);
	const char *colon, *path;
	int rc = authd_expand(loc, user, home, t);

	colon = strchr(buf_str(t), ':');
	path = colon && strchr(buf_str(t), '/') > colon ? colon + 1 : buf_str(t);
	buf_add(out, buf_str(t), (size_t)(path - buf_str(t)));
	if (strncmp(path, "~/", 2) == 0) {
		buf_cat(out, home);
		path++;
	}
	buf_cat(out, path);
	buf_free(&t);
	return rc;
}

/* is_userdb_name - a name of a userdb field USER answers with */
static bool is_userdb_name(const char *name, size_t len)
{
	if (len == 4 && strncmp(name, "mail", 4) == 0)
		return true;
	if (len < 10 || strncmp(name, "quota_rule", 10) != 0)
		return false;
	for (size_t i = 10; i < len; i++)
		if (!isdigit((unsigned char)name[i]))
			return false;
	return true;
}

/* authd_userdb_fields - see the header: "name=value" items into out (NULL:
 * only check); -1 with why_r for a field without "=", a duplicate, or an
 * unknown %variable */
int authd_userdb_fields(const char *extra, struct strv *out, const char **why_r)
{
	struct strv *v = strv_split(extra, " "), *seen = strv_new();
	int rc = 0;

	for (size_t i = 0; i < v->len; i++) {
		const char *f = v->items[i], *name = f + 7, *eq = strchr(f, '=');
		size_t len = eq ? (size_t)(eq - name) : strlen(name);

		if (strncmp(f, "userdb_", 7) != 0 || !is_userdb_name(name, len))
			continue;
		*why_r = eq == NULL ? "userdb field without a value" :
			 !authd_format_ok(eq + 1, "h") ? "userdb field with an unknown %variable" : NULL;
		for (size_t j = 0; j < seen->len && *why_r == NULL; j++)
			if (strlen(seen->items[j]) == len && strncmp(seen->items[j], name, len) == 0)
				*why_r = "duplicate userdb field";
		if (*why_r != NULL) {
			rc = -1;
			break;
		}
		strv_addn(seen, name, len);
		if (out)
			strv_add(out, name);
	}
	strv_free(&v);
	strv_free(&seen);
	return rc;
}
