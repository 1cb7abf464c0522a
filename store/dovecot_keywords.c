/* dovecot_keywords - parse and format dovecot-keywords (see
 * dovecot_keywords.h): keyword index to name, all lines or nothing. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "dovecot_file.h"
#include "dovecot_keywords.h"
#include "mem.h"

enum { KEYWORDS_FILE_MAX = 65536, KEYWORD_NAME_MAX = 128 };

/* dovecot_keywords_name_ok - an IMAP atom that can be a keyword */
bool dovecot_keywords_name_ok(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len > KEYWORD_NAME_MAX)
		return false;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x21 || (unsigned char)*s > 0x7e
		    || strchr("(){%*\"\\]", *s) != NULL)
			return false;
	return true;
}

/* keyword_line - "<index> <name>" into kw; NULL, or the problem */
static const char *keyword_line(const char *s, struct dovecot_keywords *kw)
{
	unsigned idx = 0;

	if (*s < '0' || *s > '9')
		return "not \"INDEX NAME\"";
	for (; *s >= '0' && *s <= '9'; s++)
		if ((idx = idx * 10 + (unsigned)(*s - '0')) >= DOVECOT_KEYWORDS_MAX)
			return "index above 25";
	if (*s++ != ' ')
		return "not \"INDEX NAME\"";
	if (!dovecot_keywords_name_ok(s))
		return "keyword name is not an IMAP atom of at most 128 bytes";
	if (kw->name[idx] != NULL)
		return "index given twice";
	kw->name[idx] = xstrdup(s);
	return NULL;
}

/* dovecot_keywords_parse - every line, or nothing */
int dovecot_keywords_parse(const char *text, size_t len, const char *path,
			   struct dovecot_keywords *kw, struct buf *why)
{
	struct dovecot_lines ln = { .p = text, .end = text + len,
				    .max = KEYWORD_NAME_MAX + 4, .path = path };
	struct buf *line = buf_new(64);
	const char *problem = NULL;
	int rc;

	if (len > KEYWORDS_FILE_MAX) {
		buf_printf(why, "%s: longer than %d bytes", path, KEYWORDS_FILE_MAX);
		rc = -1;
	} else {
		while ((rc = dovecot_lines_next(&ln, line, why)) > 0
		       && (problem = keyword_line(buf_str(line), kw)) == NULL)
			;
	}
	if (problem != NULL) {
		buf_printf(why, "%s, line %d: %s", path, ln.lineno, problem);
		rc = -1;
	}
	buf_free(&line);
	if (rc < 0)
		dovecot_keywords_clear(kw);
	return rc < 0 ? -1 : 0;
}

/* dovecot_keywords_read - load dovecot-keywords below dir_fd, parse it */
int dovecot_keywords_read(int dir_fd, struct dovecot_keywords *kw, struct buf *why)
{
	struct buf *text = buf_new(256);
	int rc = fsutil_load_at(dir_fd, "dovecot-keywords", KEYWORDS_FILE_MAX, text, why);

	if (rc > 0 && dovecot_keywords_parse(buf_str(text), buf_len(text), "dovecot-keywords",
					     kw, why) < 0)
		rc = -1;
	buf_free(&text);
	return rc;
}

/* dovecot_keywords_format - the table as Dovecot writes the file: a
 * "<index> <name>" line per keyword, in index order */
void dovecot_keywords_format(const struct dovecot_keywords *kw, struct buf *out)
{
	buf_reset(out);
	for (int i = 0; i < DOVECOT_KEYWORDS_MAX; i++)
		if (kw->name[i] != NULL)
			buf_printf(out, "%d %s\n", i, kw->name[i]);
}

/* dovecot_keywords_clear - free every name */
void dovecot_keywords_clear(struct dovecot_keywords *kw)
{
	for (int i = 0; i < DOVECOT_KEYWORDS_MAX; i++)
		XFREE(kw->name[i]);
}
