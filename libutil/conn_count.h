/* conn_count - connections counted across processes: how many sessions of
 * a service hold a key (a client address for smtpd, a user and address
 * for imapd's mail_max_userip_connections), with byte-range locks.
 *
 *   cc = conn_count_open("/var/spool/hato/pid", "smtpd", uid, gid, why);
 *                                  // before the privilege drop
 *   rc = conn_count_enter(cc, "192.0.2.1", limit, &slot, why);
 *   // 1: a slot is held; 0: all limit slots are held by other sessions;
 *   // -1: why (callers admit the session and warn: a broken count must
 *   // not lock clients out)
 *   n = conn_count_others(&slot, upto);   // the key's other slots held
 *   conn_count_leave(cc, &slot);          // in every case, also after 0/-1
 *
 * A service has a directory BASE/SERVICE.sessions, mode 0700, owned by the
 * uid and gid given at open (the user the sessions run as: they create
 * files there after the drop).  A key is a file there, named by the key
 * itself (bytes outside [A-Za-z0-9.:@+,=_-] and a leading '.' as %XX, a
 * name that would be too long as '#' and its SHA-256): exact, no hash
 * buckets, so no chosen key can share another's count.  A session holds a
 * write lock on one byte of [0, limit) of its key's file; the kernel drops
 * it when the process exits, even by kill -9, so a crash never leaves a
 * client locked out.  The last session of a key removes its file.
 * The locks are open file description locks (F_OFD_SETLK): each slot
 * is an open of its own, so a process may hold several slots of a key
 * (and a descriptor it inherits holds the slot too: fork none off while
 * holding one).  Finding a free byte takes a few tries at any count (a
 * hint in the file, then random bytes); only "all held" tries them all.
 * Trust: keys come from the network; the directory belongs to the
 * sessions' user, so a file in it is used only when it is a plain file of
 * that user with one link.
 */
#ifndef HATO_CONN_COUNT_H
#define HATO_CONN_COUNT_H

#include <sys/types.h>

#include "buf.h"

enum { CONN_COUNT_NAME_MAX = 256 };

struct conn_count;

/* a held slot (fd -1: none) */
struct conn_count_slot {
	int fd;				/* the key's file */
	int slot;			/* the locked byte */
	int limit;			/* the key's slots: bytes [0, limit) */
	char name[CONN_COUNT_NAME_MAX];	/* the file's name */
};

struct conn_count *conn_count_open(const char *base_dir, const char *service, uid_t uid, gid_t gid,
				   struct buf *why);
void conn_count_close(struct conn_count **ccp);
int conn_count_enter(struct conn_count *cc, const char *key, int limit, struct conn_count_slot *s,
		     struct buf *why);
int conn_count_others(const struct conn_count_slot *s, int upto);
void conn_count_leave(struct conn_count *cc, struct conn_count_slot *s);

#endif
