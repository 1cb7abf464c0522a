/* smtpd_conn - smtpd_client_connection_count_limit across smtpd processes.
 *
 * Every smtpd process of the instance shares one file,
 * $queue_directory/pid/smtpd.conn, opened before the privilege drop.  A
 * session holds a write lock on one byte in its client address's bucket
 * (one byte per allowed connection); when every byte of the bucket is
 * locked by other processes, the client is over the limit.  The kernel
 * drops the lock when a process exits, even by kill -9, so a crash can
 * never leave a client locked out.  Clients in mynetworks are exempt,
 * as Postfix exempts smtpd_client_event_limit_exceptions.
 */
#ifndef HATO_SMTPD_CONN_H
#define HATO_SMTPD_CONN_H

struct smtpd;
struct smtpd_global;

struct smtpd_conn {
	long slot;		/* the locked byte, or -1 */
};

void smtpd_conn_init(struct smtpd_global *g);
int smtpd_conn_enter(struct smtpd_global *g, struct smtpd *st, struct smtpd_conn *c);
void smtpd_conn_leave(struct smtpd_conn *c);

#endif
