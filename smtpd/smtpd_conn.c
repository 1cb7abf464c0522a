/* smtpd_conn - per-client connection counting with byte-range locks.
 * See smtpd_conn.h.  Two addresses may share a bucket (hash collision);
 * with 65536 buckets that costs at most a shared limit, never a crash. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "smtpd.h"
#include "smtpd_conn.h"

enum { CONN_BUCKETS = 65536 };

static int conn_fd = -1;

/* smtpd_conn_init - open the shared file (before the privilege drop) */
void smtpd_conn_init(struct smtpd_global *g)
{
	char path[4096];

	if (g->cf->smtpd_client_connection_count_limit <= 0)
		return;
	snprintf(path, sizeof(path), "%s/pid/smtpd.conn", g->cf->queue_directory);
	conn_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (conn_fd < 0)
		log_warn("open %s: %m; smtpd_client_connection_count_limit is not enforced", path);
}

/* bucket - FNV-1a of the address text */
static uint32_t bucket(const char *addr)
{
	uint32_t h = 2166136261u;

	for (; *addr; addr++)
		h = (h ^ (unsigned char)*addr) * 16777619u;
	return h % CONN_BUCKETS;
}

/* try_lock - lock one byte without waiting */
static int try_lock(long offset, short type)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = offset, .l_len = 1 };

	return fcntl(conn_fd, F_SETLK, &fl);
}

/* smtpd_conn_enter - 0 admitted (slot held), -1 over the limit */
int smtpd_conn_enter(struct smtpd_global *g, struct smtpd *st, struct smtpd_conn *c)
{
	long limit = g->cf->smtpd_client_connection_count_limit;
	long base;

	c->slot = -1;
	if (conn_fd < 0 || limit <= 0 || st->in_mynetworks
	    || netmatch_match(g->mynetworks, st->addr, st->name) == 1)
		return 0;
	base = (long)bucket(st->addr) * limit;
	for (long i = 0; i < limit; i++)
		if (try_lock(base + i, F_WRLCK) == 0) {
			c->slot = base + i;
			return 0;
		}
	return -1;
}

/* smtpd_conn_leave - give the slot back */
void smtpd_conn_leave(struct smtpd_conn *c)
{
	if (c->slot >= 0)
		try_lock(c->slot, F_UNLCK);
	c->slot = -1;
}
