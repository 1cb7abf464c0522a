/* mapfile - split postmap and postalias source lines into key and value.
 * See mapfile.h.  The files are the administrator's; lines are bounded by
 * tablefile (TABLEFILE_MAX_LINE) before they get here. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "mapfile.h"
#include "mem.h"
#include "tablefile.h"

struct mapfile_ctx {
	struct dict *d;
	const char *path;
	enum mapfile_syntax syntax;
	mapfile_entry_fn *fn;
	void *ctx;
};

/* alias_name_end - the ':' that ends an alias name, outside quotes */
static const char *alias_name_end(const char *s)
{
	bool quoted = false;

	for (; *s; s++) {
		if (*s == '\\' && quoted && s[1])
			s++;
		else if (*s == '"')
			quoted = !quoted;
		else if (*s == ':' && !quoted)
			return s;
	}
	return NULL;
}

/* unquote_name - "name" -> name; a name without quotes is only trimmed */
static char *unquote_name(const char *s, size_t len)
{
	struct buf *b = buf_new(len + 1);

	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '"')
			continue;
		if (s[i] == '\\' && i + 1 < len)
			i++;
		buf_putc(b, s[i]);
	}
	return buf_steal(&b);
}

/* split_alias - "name: value" */
static void split_alias(struct mapfile_ctx *m, const char *line, int lineno)
{
	const char *colon = alias_name_end(line);
	char *name, *value;

	if (colon == NULL) {
		dict_line_error(m->d, m->path, lineno, "need name:value pair");
		return;
	}
	name = unquote_name(line, (size_t)(colon - line));
	value = tablefile_value(colon + 1);
	if (*name == '\0' || value == NULL)
		dict_line_error(m->d, m->path, lineno, "%s", *name ? "missing value after \":\"" :
				"missing name before \":\"");
	else
		m->fn(m->ctx, name, value, lineno);
	free(name);
	free(value);
}

/* split_map - "key whitespace value" */
static void split_map(struct mapfile_ctx *m, const char *line, int lineno)
{
	size_t klen = strcspn(line, " \t\r\n");
	char *key = xstrndup(line, klen), *value = tablefile_value(line + klen);

	if (value == NULL)
		dict_line_error(m->d, m->path, lineno, "expected format: key whitespace value");
	else
		m->fn(m->ctx, key, value, lineno);
	free(key);
	free(value);
}

/* split_passwd - "user:rest": the rest as it is (an empty hash is allowed) */
static void split_passwd(struct mapfile_ctx *m, const char *line, int lineno)
{
	const char *colon = strchr(line, ':');
	char *key;

	if (colon == NULL || colon == line) {
		dict_line_error(m->d, m->path, lineno, "expected format: user:password:uid:gid:gecos:home:shell:extra");
		return;
	}
	key = xstrndup(line, (size_t)(colon - line));
	m->fn(m->ctx, key, colon + 1, lineno);
	free(key);
}

/* one_line - tablefile callback */
static void one_line(void *ctx, const char *line, int lineno)
{
	struct mapfile_ctx *m = ctx;

	if (m->syntax == MAPFILE_ALIASES)
		split_alias(m, line, lineno);
	else if (m->syntax == MAPFILE_PASSWD)
		split_passwd(m, line, lineno);
	else
		split_map(m, line, lineno);
}

/* mapfile_parse - every entry of the file at path */
int mapfile_parse(struct dict *d, const char *path, enum mapfile_syntax syntax,
		  mapfile_entry_fn *fn, void *ctx, struct buf *why)
{
	struct mapfile_ctx m = { d, path, syntax, fn, ctx };
	struct buf *text = buf_new(4096);

	if (tablefile_read(path, text, why) < 0) {
		buf_free(&text);
		return -1;
	}
	tablefile_parse_text(d, path, buf_str(text), buf_len(text), TABLEFILE_MAX_ENTRIES, one_line, &m);
	buf_free(&text);
	return 0;
}

/* mapfile_parse_text - every entry of text (standard input for postmap -i) */
void mapfile_parse_text(struct dict *d, const char *path, const char *text, size_t len,
			enum mapfile_syntax syntax, mapfile_entry_fn *fn, void *ctx)
{
	struct mapfile_ctx m = { d, path, syntax, fn, ctx };

	tablefile_parse_text(d, path, text, len, TABLEFILE_MAX_ENTRIES, one_line, &m);
}
