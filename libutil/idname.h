/* idname - a user or group id as an administrator reads it in a message:
 * "hato (uid 101)", or "uid 4242" when the id has no name (or the name
 * service cannot be asked, as in a chroot).
 *
 *   char who[IDNAME_SIZE];
 *   log_warn("%s: owned by %s", path, idname_user(st.st_uid, who));
 *
 * It asks the name service (getpwuid_r, getgrgid_r): not for a process
 * that must keep NSS modules out (a mail session: mail_login_nss.h).
 */
#ifndef HATO_IDNAME_H
#define HATO_IDNAME_H

#include <sys/types.h>

enum { IDNAME_SIZE = 96 };

const char *idname_user(uid_t uid, char out[IDNAME_SIZE]);
const char *idname_group(gid_t gid, char out[IDNAME_SIZE]);

#endif
