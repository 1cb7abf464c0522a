/* dovecot_conf - Dovecot 2.3 configuration syntax into a tree; see
 * dovecot_conf.h. */
#include <ctype.h>
#include <stdarg.h>
#include <errno.h>
#include <fnmatch.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "dovecot_conf.h"
#include "fsutil.h"
#include "mem.h"

struct parser {
	struct dovecot_conf *conf;
	const struct dovecot_conf_ops *ops;
	struct dovecot_node *cur;	/* the open section */
	struct strv *stack;		/* the files being read, outermost first */
	int nest, nodes;
	struct buf *why;
};

static int parse_file(struct parser *p, const char *path, const char *from, int from_line);

/* fail - "FILE, line N: problem" into why; -1 */
static int fail(struct parser *p, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail(struct parser *p, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	buf_reset(p->why);
	buf_printf(p->why, "%s, line %d: ", file, line);
	va_start(ap, fmt);
	buf_vprintf(p->why, fmt, ap);
	va_end(ap);
	return -1;
}

/* add_node - a new last child of the open section */
static struct dovecot_node *add_node(struct parser *p, enum dovecot_node_kind kind,
				     const char *file, int line)
{
	struct dovecot_node *n = xcalloc(1, sizeof(*n));

	n->kind = kind;
	n->file = file;
	n->line = line;
	n->parent = p->cur;
	if (p->cur->last_child)
		p->cur->last_child->next = n;
	else
		p->cur->child = n;
	p->cur->last_child = n;
	p->nodes++;
	return n;
}

/* strip_comment - cut s at a '#' outside quotes, then trailing blanks */
static void strip_comment(char *s)
{
	char quote = 0;
	size_t n;

	for (char *c = s; *c; c++) {
		if (quote && *c == '\\' && c[1])
			c++;
		else if (quote && *c == quote)
			quote = 0;
		else if (!quote && (*c == '"' || *c == '\''))
			quote = *c;
		else if (!quote && *c == '#') {
			*c = '\0';
			break;
		}
	}
	n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
}

/* unquote - s without its quotes and backslash escapes, when quoted */
static char *unquote(const char *s)
{
	size_t n = strlen(s);
	char *out, *o;

	if (n < 2 || (s[0] != '"' && s[0] != '\'') || s[n - 1] != s[0])
		return xstrdup(s);
	out = o = xmalloc(n);
	for (size_t i = 1; i + 1 < n; i++) {
		if (s[i] == '\\' && i + 2 < n)
			i++;
		*o++ = s[i];
	}
	*o = '\0';
	return out;
}

/* expand_variable - "$name rest" with name's earlier value in the section
 * (nothing when it has none) */
static char *expand_variable(struct parser *p, const char *value)
{
	size_t n = 0;
	char name[128];
	const char *old;
	char *out;

	while (n < sizeof(name) - 1 && (isalnum((unsigned char)value[1 + n]) || value[1 + n] == '_'))
		n++;
	memcpy(name, value + 1, n);
	name[n] = '\0';
	if (n == 0)
		return xstrdup(value);
	/* a name not set before has Debian's default for protocols, the one
	 * setting packages extend this way ("protocols = $protocols imap"):
	 * empty */
	if ((old = dovecot_conf_get(p->cur, name)) == NULL || old[0] == '\0')
		return xstrdup(value + 1 + n + strspn(value + 1 + n, " \t"));
	out = xmalloc(strlen(old) + strlen(value + 1 + n) + 1);
	strcpy(out, old);
	strcat(out, value + 1 + n);
	return out;
}

/* include_dir_of - the directory relative include paths start from */
static void include_path(const char *file, const char *arg, struct buf *out)
{
	const char *slash = strrchr(file, '/');

	buf_reset(out);
	if (arg[0] != '/' && slash)
		buf_add(out, file, (size_t)(slash - file + 1));
	buf_cat(out, arg);
}

/* do_include - !include / !include_try of arg at file:line */
static int do_include(struct parser *p, const char *file, int line, const char *arg, bool try)
{
	struct buf *pattern = buf_new(64), *err = buf_new(64);
	struct strv *paths = strv_new();
	char *unq = unquote(arg);
	int rc = 0;

	include_path(file, unq, pattern);
	if (*unq == '\0')
		rc = fail(p, file, line, "!include without a file name");
	else if (p->ops->expand(p->ops->ctx, buf_str(pattern), paths, err) < 0)
		rc = fail(p, file, line, "!include %s: %s", unq, buf_str(err));
	for (size_t i = 0; rc == 0 && i < paths->len; i++)
		if ((rc = parse_file(p, paths->items[i], file, line)) > 0)
			rc = 0;
		else if (rc == 0 && try)
			rc = 0;
		else if (rc == 0)
			rc = fail(p, file, line, "!include %s: no such file", paths->items[i]);
	if (rc == 0 && !try && paths->len == 0)
		rc = fail(p, file, line, "!include %s: no such file", unq);
	free(unq);
	strv_free(&paths);
	buf_free(&pattern);
	buf_free(&err);
	return rc < 0 ? -1 : 0;
}

/* directive - a line starting with '!' */
static int directive(struct parser *p, const char *file, int line, char *s)
{
	if (strncmp(s, "!include_try", 12) == 0 && (s[12] == '\0' || isspace((unsigned char)s[12])))
		return do_include(p, file, line, s + 12 + strspn(s + 12, " \t"), true);
	if (strncmp(s, "!include", 8) == 0 && (s[8] == '\0' || isspace((unsigned char)s[8])))
		return do_include(p, file, line, s + 8 + strspn(s + 8, " \t"), false);
	return fail(p, file, line, "unknown directive \"%.40s\"", s);
}

/* section_begin - "type [name] {": rest is what follows the type */
static int section_begin(struct parser *p, const char *file, int line, const char *key, char *rest)
{
	size_t n = strlen(rest);
	struct dovecot_node *sec;

	if (++p->nest > DOVECOT_MAX_NEST)
		return fail(p, file, line, "sections nested deeper than %d", DOVECOT_MAX_NEST);
	rest[n - 1] = '\0';	/* the '{' */
	strip_comment(rest);
	sec = add_node(p, DOVECOT_SECTION, file, line);
	sec->key = xstrdup(key);
	if (*rest)
		sec->name = unquote(rest);
	p->cur = sec;
	return 0;
}

/* logical_line - one line without its continuation marks */
static int logical_line(struct parser *p, const char *file, int line, char *s)
{
	char *key, *rest;
	size_t klen;

	s += strspn(s, " \t\r");
	if (*s == '#' || *s == '\0')
		return 0;
	strip_comment(s);
	if (p->nodes >= DOVECOT_MAX_NODES)
		return fail(p, file, line, "more than %d settings", DOVECOT_MAX_NODES);
	if (*s == '!')
		return directive(p, file, line, s);
	if (*s == '}') {
		if (s[1 + strspn(s + 1, " \t")] != '\0')
			return fail(p, file, line, "text after '}'");
		if (p->cur == p->conf->root || p->cur->file != file)
			return fail(p, file, line, "'}' without an open section");
		p->cur = p->cur->parent;
		p->nest--;
		return 0;
	}
	klen = strcspn(s, " \t={");
	key = xstrndup(s, klen);
	rest = s + klen + strspn(s + klen, " \t");
	if (klen == 0) {
		free(key);
		return fail(p, file, line, "a line without a name: \"%.40s\"", s);
	}
	if (*rest == '=') {
		char *value;
		struct dovecot_node *n;

		rest++;
		rest += strspn(rest, " \t");
		value = *rest == '$' ? expand_variable(p, rest) : unquote(rest);
		n = add_node(p, DOVECOT_SETTING, file, line);
		n->key = key;
		n->value = value;
		return 0;
	}
	if (*rest && rest[strlen(rest) - 1] == '{') {
		int rc = section_begin(p, file, line, key, rest);

		free(key);
		return rc;
	}
	fail(p, file, line, "\"%s\" is followed by neither '=' nor '{'", key);
	free(key);
	return -1;
}

/* parse_text - every line of one file's text */
static int parse_text(struct parser *p, const char *file, const char *text, size_t len)
{
	struct buf *acc = buf_new(256);
	struct dovecot_node *outer = p->cur;
	int line = 0, start = 0, rc = 0;

	for (size_t pos = 0; rc == 0 && pos < len;) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;

		line++;
		if (n > DOVECOT_MAX_LINE || buf_len(acc) + n > 8 * DOVECOT_MAX_LINE) {
			rc = fail(p, file, line, "line longer than %d bytes", DOVECOT_MAX_LINE);
			break;
		}
		if (memchr(text + pos, '\0', n)) {
			rc = fail(p, file, line, "a NUL byte");
			break;
		}
		if (buf_len(acc) == 0)
			start = line;
		buf_add(acc, text + pos, n);
		pos += n + (nl != NULL);
		while (buf_len(acc) && isspace((unsigned char)acc->data[buf_len(acc) - 1]))
			buf_truncate(acc, buf_len(acc) - 1);
		if (buf_len(acc) && acc->data[buf_len(acc) - 1] == '\\' && pos < len) {
			buf_truncate(acc, buf_len(acc) - 1);
			continue;
		}
		rc = logical_line(p, file, start, acc->data);
		buf_reset(acc);
	}
	if (rc == 0 && p->cur != outer)
		rc = fail(p, file, p->cur->line, "section \"%s%s%s\" is not closed in this file",
			  p->cur->key, p->cur->name ? " " : "", p->cur->name ? p->cur->name : "");
	buf_free(&acc);
	return rc;
}

/* parse_file - read and parse path: 1, 0 when absent, -1 with why */
static int parse_file(struct parser *p, const char *path, const char *from, int from_line)
{
	struct buf *text, *err;
	const char *file;
	int rc;

	for (size_t i = 0; i < p->stack->len; i++)
		if (strcmp(p->stack->items[i], path) == 0)
			return fail(p, from, from_line, "include loop: %s is already being read", path);
	if (p->stack->len >= DOVECOT_MAX_INCLUDE)
		return fail(p, from, from_line, "includes nested deeper than %d", DOVECOT_MAX_INCLUDE);
	text = buf_new(4096);
	err = buf_new(64);
	rc = p->ops->load(p->ops->ctx, path, text, err);
	if (rc < 0 && from)
		fail(p, from, from_line, "%s", buf_str(err));
	else if (rc < 0)
		buf_set(p->why, buf_str(err));
	else if (rc > 0 && buf_len(text) > DOVECOT_MAX_FILE)
		rc = fail(p, path, 1, "longer than %d bytes", DOVECOT_MAX_FILE);
	if (rc > 0) {
		strv_add(p->conf->files, path);
		file = p->conf->files->items[p->conf->files->len - 1];
		strv_add(p->stack, path);
		if (parse_text(p, file, buf_str(text), buf_len(text)) < 0)
			rc = -1;
		free(p->stack->items[--p->stack->len]);
		p->stack->items[p->stack->len] = NULL;
	}
	buf_free(&text);
	buf_free(&err);
	return rc;
}

/* dovecot_conf_read_with - see dovecot_conf.h */
struct dovecot_conf *dovecot_conf_read_with(const char *path, const struct dovecot_conf_ops *ops,
					    struct buf *why)
{
	struct dovecot_conf *dc = xcalloc(1, sizeof(*dc));
	struct parser p = { .conf = dc, .ops = ops, .why = buf_new(128) };
	struct strv *top = strv_new();
	int rc = -1;

	dc->root = xcalloc(1, sizeof(*dc->root));
	dc->root->kind = DOVECOT_SECTION;
	dc->root->key = xstrdup("");
	dc->root->file = "";
	dc->files = strv_new();
	p.cur = dc->root;
	p.stack = strv_new();
	if (ops->expand(ops->ctx, path, top, p.why) < 0 || top->len != 1)
		buf_printf(p.why, "%s: cannot be read", path);
	else if ((rc = parse_file(&p, top->items[0], NULL, 0)) == 0)
		buf_printf(p.why, "%s: no such file", path), rc = -1;
	if (rc < 0) {
		buf_cat(why, buf_str(p.why));
		dovecot_conf_free(&dc);
	}
	strv_free(&top);
	strv_free(&p.stack);
	buf_free(&p.why);
	return dc;
}

/* free_nodes - n, its children and the siblings after it */
static void free_nodes(struct dovecot_node *n)
{
	while (n) {
		struct dovecot_node *next = n->next;

		free_nodes(n->child);
		free(n->key);
		free(n->name);
		free(n->value);
		free(n);
		n = next;
	}
}

/* dovecot_conf_free - release dc */
void dovecot_conf_free(struct dovecot_conf **dcp)
{
	if (*dcp == NULL)
		return;
	free_nodes((*dcp)->root);
	strv_free(&(*dcp)->files);
	free(*dcp);
	*dcp = NULL;
}

/* dovecot_conf_find - see dovecot_conf.h */
const struct dovecot_node *dovecot_conf_find(const struct dovecot_node *section, const char *key)
{
	const struct dovecot_node *found = NULL;

	for (const struct dovecot_node *n = section->child; n; n = n->next)
		if (n->kind == DOVECOT_SETTING && strcmp(n->key, key) == 0)
			found = n;
	return found;
}

/* dovecot_conf_get - see dovecot_conf.h */
const char *dovecot_conf_get(const struct dovecot_node *section, const char *key)
{
	const struct dovecot_node *n = dovecot_conf_find(section, key);

	return n ? n->value : NULL;
}

/* fs_expand - glob(3), each match by its real path */
static int fs_expand(void *ctx, const char *pattern, struct strv *paths, struct buf *why)
{
	glob_t g;
	int rc;

	(void)ctx;
	if (strpbrk(pattern, "*?[") == NULL) {
		char real[PATH_MAX];

		strv_add(paths, realpath(pattern, real) ? real : pattern);
		return 0;
	}
	rc = glob(pattern, GLOB_ERR, NULL, &g);
	if (rc == GLOB_NOMATCH)
		return 0;
	if (rc != 0) {
		buf_printf(why, "%s: cannot be listed", pattern);
		return -1;
	}
	for (size_t i = 0; i < g.gl_pathc; i++) {
		char real[PATH_MAX];

		strv_add(paths, realpath(g.gl_pathv[i], real) ? real : g.gl_pathv[i]);
	}
	globfree(&g);
	return 0;
}

/* fs_load - a regular file (fs_expand resolved any symbolic link: the
 * files are root's, as is the process) */
static int fs_load(void *ctx, const char *path, struct buf *text, struct buf *why)
{
	(void)ctx;
	return fsutil_load_at(AT_FDCWD, path, DOVECOT_MAX_FILE, text, why);
}

/* dovecot_conf_read - from the file system */
struct dovecot_conf *dovecot_conf_read(const char *path, struct buf *why)
{
	static const struct dovecot_conf_ops fs = { .expand = fs_expand, .load = fs_load };

	return dovecot_conf_read_with(path, &fs, why);
}

struct memory_files {
	const struct strv *names, *texts;
};

/* mem_expand - the names that match pattern (fnmatch), in their order */
static int mem_expand(void *ctx, const char *pattern, struct strv *paths, struct buf *why)
{
	const struct memory_files *m = ctx;

	(void)why;
	if (strpbrk(pattern, "*?[") == NULL) {
		strv_add(paths, pattern);
		return 0;
	}
	for (size_t i = 0; i < m->names->len; i++)
		if (fnmatch(pattern, m->names->items[i], FNM_PATHNAME) == 0)
			strv_add(paths, m->names->items[i]);
	return 0;
}

/* mem_load - the text of the file called path */
static int mem_load(void *ctx, const char *path, struct buf *text, struct buf *why)
{
	const struct memory_files *m = ctx;

	(void)why;
	for (size_t i = 0; i < m->names->len && i < m->texts->len; i++)
		if (strcmp(m->names->items[i], path) == 0) {
			buf_set(text, m->texts->items[i]);
			return 1;
		}
	return 0;
}

/* dovecot_conf_read_memory - see dovecot_conf.h */
struct dovecot_conf *dovecot_conf_read_memory(const struct strv *names, const struct strv *texts,
					      struct buf *why)
{
	struct memory_files m = { names, texts };
	struct dovecot_conf_ops ops = { .expand = mem_expand, .load = mem_load, .ctx = &m };

	if (names->len == 0) {
		buf_cat(why, "no files");
		return NULL;
	}
	return dovecot_conf_read_with(names->items[0], &ops, why);
}
