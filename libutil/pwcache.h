/* pwcache - getpwnam(3) with a short memory, for the user lookups a daemon
 * repeats for every message (local's recipient, smtpd's
 * unix:passwd.byname check of each RCPT).
 *
 *   const struct passwd *pw = pwcache_getnam("alice");
 *
 * A found entry is kept for PWCACHE_TTL_MS and then looked up again, so a
 * user that userdel removed or usermod changed is seen within that time,
 * as Postfix's local sees one within its process lifetime.  "No such
 * user" and name service errors are never kept: a user just made with
 * useradd is found at once.  The result is valid until the next call.
 * NULL with errno 0 is "no such user" (the errno values NSS modules give
 * for that are folded into 0, pwcache_not_found() names them, for
 * getgrnam too); any other errno is a name service error.  pwcache_flush() forgets
 * everything (tests; a reload).
 */
#ifndef HATO_PWCACHE_H
#define HATO_PWCACHE_H

#include <pwd.h>
#include <stdbool.h>

enum { PWCACHE_TTL_MS = 1000, PWCACHE_SLOTS = 8 };

const struct passwd *pwcache_getnam(const char *name);
bool pwcache_not_found(int err);
void pwcache_flush(void);

#endif
