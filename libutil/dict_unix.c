/* dict_unix - "unix:passwd.byname" and "unix:group.byname" tables.
 *
 * Lookups go through getpwnam(3) (kept for a second: pwcache.h, as smtpd
 * asks for every RCPT) and getgrnam(3), and return the entry in
 * passwd(5)/group(5) form: "name:passwd:uid:gid:gecos:dir:shell" and
 * "name:passwd:gid:member,member".  Any other map name is an open error.
 * Not found is 0; a failing name service (errno other than "no such
 * entry") is a temporary error, and so is "not found" when /etc/passwd
 * (/etc/group) is not there at all: a chrooted process, whose answers
 * would all be "no such user" (use proxy:unix:... there).  Keys are used
 * as given, never folded.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>

#include "dict.h"
#include "pwcache.h"
#include "tablefile.h"

struct dict_unix {
	struct dict dict;
	struct buf *value;
};

/* reachable - whether a "no such entry" can be believed: inside a chroot
 * (no /etc there) every name is missing, and smtpd would answer "User
 * unknown" for real users; then fail with the way out instead */
static bool reachable(struct dict *d, const char *file)
{
	if (access(file, F_OK) == 0)
		return true;
	dict_fail(d, "unix:%s: %s is out of reach (a chrooted daemon? use proxy:unix:%s with the proxymap service)",
		  d->name, file, d->name);
	return false;
}

/* passwd_lookup - the passwd(5) line for a user name */
static int passwd_lookup(struct dict *d, const char *key, const char **value_r)
{
	struct dict_unix *x = (struct dict_unix *)d;
	const struct passwd *pw;

	errno = 0;
	if (*key == '\0' || (pw = pwcache_getnam(key)) == NULL) {
		int err = errno;

		if (*key == '\0' || (err == 0 && reachable(d, "/etc/passwd")))
			return 0;
		if (err == 0)
			return -1;
		return dict_fail(d, "unix:passwd.byname lookup of \"%s\": %s", key, strerror(err));
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
		int err = errno;

		if (*key == '\0' || (pwcache_not_found(err) && reachable(d, "/etc/group")))
			return 0;
		if (pwcache_not_found(err))
			return -1;
		return dict_fail(d, "unix:group.byname lookup of \"%s\": %s", key, strerror(err));
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
