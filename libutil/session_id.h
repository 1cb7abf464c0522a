/* session_id - a client session's name for the logs: 16 characters of
 * base64 (12 random bytes), as Dovecot's session=<...>.  The login process
 * makes it when a client connects; authd and the mail process that serves
 * the client after login log the same one, so one grep (or hato log ID)
 * finds the whole session.
 *
 *   char id[SESSION_ID_SIZE];
 *   session_id_new(id);
 *   if (session_id_valid(peer_sent)) ...
 */
#ifndef HATO_SESSION_ID_H
#define HATO_SESSION_ID_H

#include <stdbool.h>

enum { SESSION_ID_LEN = 16, SESSION_ID_SIZE = SESSION_ID_LEN + 1 };

void session_id_new(char *id);
/* exactly SESSION_ID_LEN base64 characters */
bool session_id_valid(const char *s);

#endif
