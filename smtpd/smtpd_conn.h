/* smtpd_conn - admission of a new session across the smtpd processes:
 * smtpd_client_connection_count_limit per exact client address, and the
 * share of a service's processes kept for mynetworks
 * (smtpd_mynetworks_process_reserve).
 *
 * Both count sessions with byte-range locks in files of one directory,
 * $queue_directory/pid/smtpd.sessions, opened before the privilege drop
 * and owned by the user smtpd runs as.  A session holds a write lock on
 * one byte of the file named by its client address (as inet_ntop wrote
 * it: exact, no hash, so no chosen address can share another's count)
 * and on one byte of its service's file "service_NAME".  The kernel drops
 * the locks when a process exits, even by kill -9, so a crash can never
 * leave a client locked out.  Clients in mynetworks are exempt from the
 * count limit (as Postfix exempts smtpd_client_event_limit_exceptions);
 * any failure to open or lock admits the client, with a warning.
 */
#ifndef HATO_SMTPD_CONN_H
#define HATO_SMTPD_CONN_H

struct server_info;
struct smtpd;
struct smtpd_global;

struct smtpd_conn {
	int addr_fd;		/* the client address's file, or -1 */
	int addr_slot;		/* the locked byte in it */
	char addr[64];		/* its name */
	int service_slot;	/* the locked byte of the service file, or -1 */
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
