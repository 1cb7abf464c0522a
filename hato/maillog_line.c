/* maillog_line - the queue ID and session of a maillog_file line; see
 * maillog_line.h. */
#include <ctype.h>
#include <string.h>

#include "log.h"
#include "maillog_line.h"

static const char *const levels[] = { "warning: ", "error: ", "fatal: ", "panic: " };

/* id_run - how many [0-9A-Za-z] bytes start s (at most n) */
static size_t id_run(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && isalnum((unsigned char)s[i]))
		i++;
	return i;
}

/* take - the ID of n bytes at s into id, if it has the shape */
static bool take(const char *s, size_t n, char id[MAILLOG_ID_SIZE])
{
	if (!log_id_like(s, n))
		return false;
	memcpy(id, s, n);
	id[n] = '\0';
	return true;
}

/* json_id - "queue_id":"ID" */
static bool json_id(const char *line, size_t len, char id[MAILLOG_ID_SIZE])
{
	static const char key[] = "\"queue_id\":\"";
	const char *p = memmem(line, len, key, sizeof(key) - 1), *end = line + len;

	if (p == NULL)
		return false;
	p += sizeof(key) - 1;
	return take(p, id_run(p, (size_t)(end - p)), id) && p + strlen(id) < end
	    && p[strlen(id)] == '"';
}

/* maillog_line_id - see maillog_line.h */
bool maillog_line_id(const char *line, size_t len, char id[MAILLOG_ID_SIZE])
{
	const char *p, *end = line + len;
	size_t n;

	if (len > 0 && line[0] == '{')
		return json_id(line, len, id);
	if ((p = memmem(line, len, "]: ", 3)) == NULL)
		return false;
	p += 3;
	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		size_t l = strlen(levels[i]);

		if ((size_t)(end - p) >= l && memcmp(p, levels[i], l) == 0) {
			p += l;
			break;
		}
	}
	n = log_text_id(p, (size_t)(end - p), id);
	return n > 0;
}

/* session_at - the SESSION_ID_LEN bytes at p (before end) followed by
 * closer, as a session id into id */
static bool session_at(const char *p, const char *end, char closer, char id[SESSION_ID_SIZE])
{
	if (end - p < SESSION_ID_LEN + 1 || p[SESSION_ID_LEN] != closer)
		return false;
	memcpy(id, p, SESSION_ID_LEN);
	id[SESSION_ID_LEN] = '\0';
	return session_id_valid(id);
}

/* maillog_line_session - see maillog_line.h */
bool maillog_line_session(const char *line, size_t len, char id[SESSION_ID_SIZE])
{
	static const char json_key[] = "\"session\":\"", text_key[] = ", session=<";
	const char *end = line + len, *p;

	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	if (len > 0 && line[0] == '{') {
		p = memmem(line, len, json_key, sizeof(json_key) - 1);
		return p && session_at(p + sizeof(json_key) - 1, end, '"', id);
	}
	/* the text form is the line's end: ", session=<" ID ">" */
	if (len < sizeof(text_key) - 1 + SESSION_ID_LEN + 1)
		return false;
	p = line + len - (sizeof(text_key) - 1 + SESSION_ID_LEN + 1);
	return memcmp(p, text_key, sizeof(text_key) - 1) == 0
	    && session_at(p + sizeof(text_key) - 1, line + len, '>', id);
}

/* maillog_line_after - see maillog_line.h */
bool maillog_line_after(const char *line, size_t len, const char *marker,
			char id[MAILLOG_ID_SIZE])
{
	const char *p = memmem(line, len, marker, strlen(marker)), *end = line + len;

	if (p == NULL)
		return false;
	p += strlen(marker);
	return take(p, id_run(p, (size_t)(end - p)), id);
}
