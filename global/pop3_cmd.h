/* pop3_cmd - one POP3 command line split into its keyword and arguments,
 * for pop3d (before login) and pop3mail (after it).
 *
 *   struct pop3_cmd c;
 *   if (pop3_cmd_parse(line, len, &c) < 0) -> "-ERR ..." (c.error says why)
 *   if (strcmp(c.name, "RETR") == 0 && c.argc == 1 &&
 *       pop3_cmd_number(c.argv[0], &n)) ...
 *
 * RFC 1939: a keyword of 3-4 characters, case-insensitive (returned upper
 * case), arguments separated by single spaces (runs of spaces and tabs
 * accepted, as Dovecot does), each at most 40 characters, the line ended
 * by CRLF (a bare LF accepted).  AUTH's initial response (RFC 5034) may
 * be longer: arguments may be POP3_CMD_ARG_MAX bytes.  Input is hostile:
 * a NUL or another control character in the line is an error.
 */
#ifndef HATO_POP3_CMD_H
#define HATO_POP3_CMD_H

#include <stdbool.h>
#include <stddef.h>

enum {
	POP3_CMD_LINE_MAX = 8192,	/* bytes, with CRLF: AUTH responses */
	POP3_CMD_ARGS_MAX = 4,
	POP3_CMD_ARG_MAX = 8000,
};

struct pop3_cmd {
	char name[8];			/* upper case */
	int argc;
	char *argv[POP3_CMD_ARGS_MAX];	/* point into the caller's copy */
	char *rest;			/* everything after the keyword and one
					 * space (PASS: a password with spaces) */
	const char *error;		/* why parsing failed */
	char line[POP3_CMD_LINE_MAX];
};

int pop3_cmd_parse(const char *line, size_t len, struct pop3_cmd *c);
/* pop3_cmd_number - a message number 1..2^31-1 written as plain digits */
bool pop3_cmd_number(const char *s, unsigned long *n_r);

#endif
