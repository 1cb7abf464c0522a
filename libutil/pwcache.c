/* pwcache - a few recently found passwd entries; see pwcache.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mem.h"
#include "pwcache.h"

struct slot {
	char *key;		/* the name asked for (NSS may return another spelling) */
	struct passwd pw;	/* strings owned by the slot */
	long long expires_ms;	/* 0: empty */
};

static struct slot slots[PWCACHE_SLOTS];

/* now_ms - monotonic milliseconds */
static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* slot_clear - free a slot's strings and mark it empty */
static void slot_clear(struct slot *s)
{
	free(s->key);
	free(s->pw.pw_name);
	free(s->pw.pw_passwd);
	free(s->pw.pw_gecos);
	free(s->pw.pw_dir);
	free(s->pw.pw_shell);
	memset(s, 0, sizeof(*s));
}

/* slot_fill - a deep copy of pw in s, valid until expires */
static void slot_fill(struct slot *s, const char *key, const struct passwd *pw, long long expires)
{
	slot_clear(s);
	s->key = xstrdup(key);
	s->pw.pw_name = xstrdup(pw->pw_name);
	s->pw.pw_passwd = xstrdup(pw->pw_passwd ? pw->pw_passwd : "");
	s->pw.pw_uid = pw->pw_uid;
	s->pw.pw_gid = pw->pw_gid;
	s->pw.pw_gecos = xstrdup(pw->pw_gecos ? pw->pw_gecos : "");
	s->pw.pw_dir = xstrdup(pw->pw_dir ? pw->pw_dir : "");
	s->pw.pw_shell = xstrdup(pw->pw_shell ? pw->pw_shell : "");
	s->expires_ms = expires;
}

/* victim - the slot for a new entry: an empty one, else the oldest */
static struct slot *victim(void)
{
	struct slot *v = &slots[0];

	for (size_t i = 0; i < PWCACHE_SLOTS; i++) {
		if (slots[i].expires_ms == 0)
			return &slots[i];
		if (slots[i].expires_ms < v->expires_ms)
			v = &slots[i];
	}
	return v;
}

/* pwcache_not_found - whether a NULL from getpwnam/getgrnam with this
 * errno means "no such entry" (NSS modules differ in what they set) */
bool pwcache_not_found(int err)
{
	return err == 0 || err == ENOENT || err == ESRCH || err == EBADF || err == EPERM;
}

const struct passwd *pwcache_getnam(const char *name)
{
	long long now = now_ms();
	struct passwd *pw;
	struct slot *s;

	for (size_t i = 0; i < PWCACHE_SLOTS; i++)
		if (slots[i].expires_ms > now && strcmp(slots[i].key, name) == 0)
			return &slots[i].pw;
	errno = 0;
	if ((pw = getpwnam(name)) == NULL) {
		if (pwcache_not_found(errno))
			errno = 0;
		return NULL;
	}
	for (size_t i = 0; i < PWCACHE_SLOTS; i++)	/* a stale copy of the same name */
		if (slots[i].expires_ms && strcmp(slots[i].key, name) == 0)
			slot_clear(&slots[i]);
	s = victim();
	slot_fill(s, name, pw, now + PWCACHE_TTL_MS);
	return &s->pw;
}

void pwcache_flush(void)
{
	for (size_t i = 0; i < PWCACHE_SLOTS; i++)
		slot_clear(&slots[i]);
}
