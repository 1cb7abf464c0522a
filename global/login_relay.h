/* login_relay - after a login over TLS, the login process stays the TLS
 * end and copies bytes between the client and the mail process's end of
 * a socketpair, until either side closes (docs/mail-access.md).
 *
 *   login_relay(client_stream, mail_fd);   // returns when the session ends
 *
 * Both directions move independently (a client that pipelines while a
 * long RETR is being sent cannot deadlock the two processes).  The mail
 * process keeps the protocol's idle timer; the relay waits as long as
 * the client stream's timeout for a client that stopped reading.
 */
#ifndef HATO_LOGIN_RELAY_H
#define HATO_LOGIN_RELAY_H

#include "stream.h"

void login_relay(struct stream *client, int mail_fd);

#endif
