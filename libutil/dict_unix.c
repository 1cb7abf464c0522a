/* dict_unix - "unix:passwd.byname" and "unix:group.byname" tables.
 *
 * Lookups go through getpwnam(3) (kept for a second: pwcache.h, as smtpd
 * asks for every RCPT) and getgrnam(3), and return the entry in
 * passwd(5)/group(5) form: "name:passwd:uid:gid:gecos:dir:shell" and
 * "name:passwd:gid:member,member".  Any other map name is an open error.
 * Not found is 0; a failing name service (errno other than "no such
 * entry") is a temporary error.  Keys are used as given, never folded.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>

#include "dict.h"
#include "pwcache.h"
#include "tablefile.h"

struct dict_unix {
	struct dict dict;
	struct buf *value;
};

/* passwd_lookup - the passwd(5) line for a user name */
static int passwd_lookup(struct dict *d, const char *key, const char **value_r)
{
	struct dict_unix *x = (struct dict_unix *)d;
	const struct passwd *pw;

	errno = 0;
	if (*key == '\0' || (pw = pwcache_getnam(key)) == NULL) {
		if (*key == '\0' || errno == 0)
			return 0;
		return dict_fail(d, "unix:passwd.byname lookup of \"%s\": %s", key, strerror(errno));
	}
	buf_reset(x->value);
	buf_printf(x->value, "%s:%s:%ld:%ld:%s:%s:%s", pw->pw_name, pw->pw_passwd,
		   (long)pw->pw_uid, (long)pw->pw_gid, pw->pw_gecos, pw->pw_dir, pw->pw_shell);
	*value_r = buf_str(x->value);
	return 1;
}

/* group_lookup - the group(5) line for a group name */
static int group_lookup(struct dict *d, const char *key, const char **value_r)
{
	struct dict_unix *x = (struct dict_unix *)d;
	struct group *gr;

	errno = 0;
	if (*key == '\0' || (gr = getgrnam(key)) == NULL) {
		if (*key == '\0' || pwcache_not_found(errno))
			return 0;
		return dict_fail(d, "unix:group.byname lookup of \"%s\": %s", key, strerror(errno));
	}
	buf_reset(x->value);
	buf_printf(x->value, "%s:%s:%ld:", gr->gr_name, gr->gr_passwd, (long)gr->gr_gid);
	for (char **m = gr->gr_mem; m && *m; m++)
		buf_printf(x->value, "%s%s", m == gr->gr_mem ? "" : ",", *m);
	*value_r = buf_str(x->value);
	return 1;
}

/* unix_close - free the value buffer */
static void unix_close(struct dict *d)
{
	buf_free(&((struct dict_unix *)d)->value);
}

/* dict_unix_open - name is "passwd.byname" or "group.byname" */
struct dict *dict_unix_open(const char *name, int flags, struct buf *why)
{
	dict_lookup_fn *lookup;
	struct dict *d;

	if (strcmp(name, "passwd.byname") == 0)
		lookup = passwd_lookup;
	else if (strcmp(name, "group.byname") == 0)
		lookup = group_lookup;
	else {
		buf_printf(why, "unix:%s: unknown map name (use passwd.byname or group.byname)", name);
		return NULL;
	}
	d = dict_alloc_size(sizeof(struct dict_unix), "unix", name,
				 flags & ~DICT_FLAG_FOLD_KEY);
	((struct dict_unix *)d)->value = buf_new(128);
	d->lookup = lookup;
	d->close = unix_close;
	return d;
}
