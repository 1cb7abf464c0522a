/* maillog_line - the queue ID and the session a maillog_file line is about.
 *
 *   char id[MAILLOG_ID_SIZE];
 *   if (maillog_line_id(line, len, id)) ...   // "1nQd3A0fUq00Gx01Kp"
 *
 * A text line is Postfix's: "Mon DD HH:MM:SS host TAG[PID]: [LEVEL: ]ID: ...";
 * a JSON line (maillog_format = json) has "queue_id":"ID".  An ID is what
 * log_text_id (log.h) takes for one: 10 to 20 of [0-9A-Za-z] with a digit
 * among them (queue_id.h), so a word such as "statistics: " is none.  A
 * session (session_id.h) ends a text line as ", session=<ID>" and is
 * "session":"ID" in a JSON one.  Nothing in a line is trusted: it is only
 * read up to len.
 */
#ifndef HATO_MAILLOG_LINE_H
#define HATO_MAILLOG_LINE_H

#include <stdbool.h>
#include <stddef.h>

#include "log.h"
#include "session_id.h"

enum { MAILLOG_ID_SIZE = LOG_ID_SIZE };

/* maillog_line_id - the line's queue ID into id: true, or false when the
 * line is about no message */
bool maillog_line_id(const char *line, size_t len, char id[MAILLOG_ID_SIZE]);
/* maillog_line_session - the line's session id into id (SESSION_ID_SIZE):
 * true, or false when it names none */
bool maillog_line_session(const char *line, size_t len, char id[SESSION_ID_SIZE]);
/* maillog_line_after - the ID that follows marker in the line (as in
 * "sender non-delivery notification: ID"): true, else false */
bool maillog_line_after(const char *line, size_t len, const char *marker,
			char id[MAILLOG_ID_SIZE]);

#endif
