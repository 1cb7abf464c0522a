/* pwcache_test - cached passwd lookups match getpwnam, misses are not
 * kept, more names than slots still answer right. */
#include <errno.h>
#include <pwd.h>
#include <string.h>

#include "pwcache.h"
#include "test.h"

/* same_as_system - the cached entry for name equals getpwnam's */
static int same_as_system(const char *name)
{
	const struct passwd *c = pwcache_getnam(name);
	struct passwd *p;

	if (c == NULL)
		return 0;
	p = getpwnam(name);
	return p && c->pw_uid == p->pw_uid && c->pw_gid == p->pw_gid &&
	       strcmp(c->pw_name, p->pw_name) == 0 && strcmp(c->pw_dir, p->pw_dir) == 0 &&
	       strcmp(c->pw_shell, p->pw_shell) == 0;
}

void test_pwcache(void)
{
	static const char *names[] = { "root", "daemon", "bin", "sys", "sync", "games",
				       "man", "lp", "mail", "news", "nobody" };
	size_t n = 0;

	pwcache_flush();
	test_begin("pwcache: an entry equals the system's, asked twice");
	test_assert(same_as_system("root"));
	test_assert(same_as_system("root"));
	test_assert(pwcache_getnam("root")->pw_uid == 0);
	test_end();

	test_begin("pwcache: no such user is NULL with errno 0, and is not kept");
	errno = EIO;
	test_assert(pwcache_getnam("no-such-user-pwcache") == NULL && errno == 0);
	test_assert(pwcache_getnam("no-such-user-pwcache") == NULL);
	test_end();

	test_begin("pwcache: more names than slots, each answered right twice");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (getpwnam(names[i]) != NULL)
			n += same_as_system(names[i]) && same_as_system(names[i]) ? 1 : 0;
		else
			n++;
	test_assert(n == sizeof(names) / sizeof(names[0]));
	test_assert(sizeof(names) / sizeof(names[0]) > PWCACHE_SLOTS);
	test_assert(same_as_system("root"));
	pwcache_flush();
	test_assert(same_as_system("daemon"));
	test_end();
	pwcache_flush();
}
