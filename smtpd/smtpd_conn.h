/* smtpd_conn - admission of a new session across the smtpd processes:
 * smtpd_client_connection_count_limit per exact client address, and the
 * share of a service's processes kept for mynetworks
 * (smtpd_mynetworks_process_reserve).
 *
 * Both are counts of libutil's conn_count in the directory
 * $queue_directory/pid/smtpd.sessions, opened before the privilege drop
 * and owned by the user smtpd runs as: a session holds one slot of the key
 * that is its client address (as inet_ntop wrote it: exact, no hash, so no
 * chosen address can share another's count) and one of the key
 * "service_NAME" of its service.  The kernel drops the locks when a
 * process exits, even by kill -9, so a crash can never leave a client
 * locked out.  Clients in mynetworks are exempt from the count limit (as
 * Postfix exempts smtpd_client_event_limit_exceptions); any failure to
 * open or lock admits the client, with a warning.
 */
#ifndef HATO_SMTPD_CONN_H
#define HATO_SMTPD_CONN_H

#include "conn_count.h"

struct server_info;
struct smtpd;
struct smtpd_global;

struct smtpd_conn {
	struct conn_count_slot addr;	/* of the client address */
	struct conn_count_slot service;	/* of the service */
};

enum smtpd_admit {
	ADMIT_OK,		/* a session may start */
	ADMIT_TOO_MANY,		/* smtpd_client_connection_count_limit */
	ADMIT_RESERVED,		/* only the mynetworks reserve is free */
};

void smtpd_conn_init(struct smtpd_global *g, const struct server_info *si);
enum smtpd_admit smtpd_conn_enter(struct smtpd_global *g, struct smtpd *st, struct smtpd_conn *c);
void smtpd_conn_leave(struct smtpd_conn *c);

#endif
