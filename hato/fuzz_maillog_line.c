/* fuzz_maillog_line - libFuzzer target for the queue ID of a maillog_file
 * line (maillog_line.c, log_text_id).  The input is one line, any bytes.
 * Checks: an ID found has the shape of one (10 to 20 of [0-9A-Za-z], a
 * digit among them) and is in the line; the same for the ID after a
 * marker; a session found is well-formed and in the line; nothing is
 * read past the input (ASan: the line is copied to
 * a buffer of its own size, without a NUL). */
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "maillog_line.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* check - abort (a finding) unless cond */
static void check(int cond)
{
	if (!cond)
		abort();
}

/* shaped - id is a queue ID found in line */
static void shaped(const char *id, const char *line, size_t len)
{
	size_t n = strlen(id);
	bool digit = false;

	check(n >= 10 && n <= 20);
	for (size_t i = 0; i < n; i++) {
		check(isalnum((unsigned char)id[i]));
		digit = digit || isdigit((unsigned char)id[i]);
	}
	check(digit && memmem(line, len, id, n) != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = malloc(size ? size : 1), id[MAILLOG_ID_SIZE], session[SESSION_ID_SIZE];

	if (line == NULL)
		return 0;
	memcpy(line, data, size);
	if (maillog_line_id(line, size, id))
		shaped(id, line, size);
	if (maillog_line_after(line, size, "notification: ", id))
		shaped(id, line, size);
	if (log_text_id(line, size, id))
		shaped(id, line, size);
	if (maillog_line_session(line, size, session))
		check(session_id_valid(session) && memmem(line, size, session, SESSION_ID_LEN) != NULL);
	free(line);
	return 0;
}
