/* smtpd_conn - per-address session counts and the mynetworks process
 * reserve on conn_count; see smtpd_conn.h. */
#include <stdbool.h>
#include <stdio.h>

#include "log.h"
#include "server.h"
#include "smtpd.h"
#include "smtpd_conn.h"

enum { SLOTS_SPARE = 16, ADDR_SLOTS_MAX = 1000000 };

static struct {
	struct conn_count *cc;	/* pid/smtpd.sessions, or NULL */
	char service_key[128];	/* "service_NAME" */
	int service_slots;	/* slots of the service key, 0: no reserve */
	int maxproc, reserve;	/* processes; of them kept for mynetworks */
} conn;

/* smtpd_conn_init - before the privilege drop: the sessions directory */
void smtpd_conn_init(struct smtpd_global *g, const struct server_info *si)
{
	const struct params *cf = g->cf;
	long pct = cf->smtpd_mynetworks_process_reserve;
	struct buf *base, *why;

	conn.maxproc = si->maxproc;
	if (pct > 0 && si->maxproc >= 2) {
		conn.reserve = (int)(si->maxproc * pct / 100);
		if (conn.reserve < 1)
			conn.reserve = 1;
	}
	if (cf->smtpd_client_connection_count_limit <= 0 && conn.reserve == 0)
		return;
	base = buf_new(128);
	why = buf_new(0);
	buf_printf(base, "%s/%s", cf->queue_directory, cf->process_id_directory);
	if ((conn.cc = conn_count_open(buf_str(base), "smtpd", si->run_uid, si->run_gid, why)) == NULL)
		log_warn("%s; smtpd session limits are not enforced", buf_str(why));
	else if (conn.reserve > 0) {
		snprintf(conn.service_key, sizeof(conn.service_key), "service_%s", si->service);
		conn.service_slots = 2 * si->maxproc + SLOTS_SPARE;	/* a reload overlaps two generations */
	}
	buf_free(&base);
	buf_free(&why);
}

/* enter - a slot of key; 0 when all are taken, else 1 (also on an error,
 * which admits the client with a warning) */
static int enter(const char *key, int limit, struct conn_count_slot *s, const char *what)
{
	struct buf *why = buf_new(0);
	int rc = conn_count_enter(conn.cc, key, limit, s, why);

	if (rc < 0)
		log_warn("%s; %s not enforced", buf_str(why), what);
	buf_free(&why);
	return rc != 0;
}

/* smtpd_conn_enter - whether the session may start; smtpd_conn_leave
 * afterwards in every case */
enum smtpd_admit smtpd_conn_enter(struct smtpd_global *g, struct smtpd *st, struct smtpd_conn *c)
{
	long limit = g->cf->smtpd_client_connection_count_limit;
	bool trusted = st->in_mynetworks || netmatch_match(g->mynetworks, st->addr, st->name) == 1;

	c->addr.fd = c->service.fd = -1;
	/* the per-address count first: a client kept on the reserve (to log
	 * in) counts against its address like any other */
	if (!trusted && limit > 0 && conn.cc &&
	    !enter(st->addr, limit > ADDR_SLOTS_MAX ? ADDR_SLOTS_MAX : (int)limit, &c->addr, "connection count"))
		return ADMIT_TOO_MANY;
	if (conn.service_slots > 0 && enter(conn.service_key, conn.service_slots, &c->service, "process reserve") &&
	    c->service.fd >= 0 && !trusted &&
	    conn_count_others(&c->service, conn.maxproc) + 1 > conn.maxproc - conn.reserve)
		return ADMIT_RESERVED;
	return ADMIT_OK;
}

/* smtpd_conn_leave - give the slots back */
void smtpd_conn_leave(struct smtpd_conn *c)
{
	conn_count_leave(conn.cc, &c->service);
	conn_count_leave(conn.cc, &c->addr);
}
