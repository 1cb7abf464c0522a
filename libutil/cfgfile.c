/* cfgfile - reading a main.cf-syntax file into name/value entries; see
 * cfgfile.h.
 * The file is trusted (root writes it) but still parsed with limits: a
 * logical line over 1 MiB or a name over 100 bytes is an error with the
 * file and line, never a crash. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "cfgfile_int.h"
#include "lline.h"
#include "log.h"
#include "mem.h"
#include "strv.h"

enum { MAX_LOGICAL_LINE = 1 << 20, MAX_NAME = 100, MAX_FILE = 16 << 20 };

/* entry_free - htable destructor */
static void entry_free(void *p)
{
	struct config_entry *e = p;

	free(e->value);
	free(e);
}

/* config_new - an empty configuration for path */
static struct config *config_new(const char *path, const struct config_schema *schema, int flags)
{
	struct config *c = xmalloc(sizeof(*c));
	const char *slash = strrchr(path, '/');

	c->path = xstrdup(path);
	c->dir = slash ? xstrndup(path, (size_t)(slash - path)) : xstrdup(".");
	c->flags = flags;
	c->schema = schema;
	c->set = htable_new(64);
	c->dynamic = htable_new(8);
	c->expanded = htable_new(64);
	return c;
}

/* config_free - release everything */
void config_free(struct config **cp)
{
	struct config *c = *cp;

	if (c == NULL)
		return;
	htable_free(&c->set, entry_free);
	htable_free(&c->dynamic, free);
	htable_free(&c->expanded, free);
	free(c->dir);
	free(c->path);
	free(c);
	*cp = NULL;
}

/* is_name_char - [A-Za-z0-9_], the parameter name alphabet */
static bool is_name_char(int ch)
{
	return isalnum(ch) || ch == '_';
}

/* set_entry - store name = value with its origin */
static void set_entry(struct config *c, const char *name, const char *value,
		      int line, enum config_origin origin)
{
	struct config_entry *e = xmalloc(sizeof(*e));
	struct config_entry *old;

	e->value = xstrdup(value);
	e->line = line;
	e->origin = origin;
	old = htable_put(c->set, name, e);
	if (old && old->origin == CONFIG_FILE && origin == CONFIG_FILE && !(c->flags & CONFIG_QUIET))
		log_warn("%s, line %d: overriding earlier entry: %s=%s (line %d)",
			 c->path, line, name, old->value, old->line);
	if (old)
		entry_free(old);
}

/* parse_assignment - split "name = value"; -1 with why on bad syntax */
static int parse_assignment(const char *text, struct buf *name, struct buf *value,
			    struct buf *why)
{
	const char *p = text;

	while (is_name_char((unsigned char)*p))
		p++;
	if (p == text) {
		buf_printf(why, "missing parameter name before \"%.40s\"", text);
		return -1;
	}
	if ((size_t)(p - text) > MAX_NAME) {
		buf_printf(why, "parameter name too long: \"%.40s...\"", text);
		return -1;
	}
	buf_reset(name);
	buf_add(name, text, (size_t)(p - text));
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '=') {
		buf_printf(why, "missing '=' after parameter name \"%s\"", buf_str(name));
		return -1;
	}
	buf_set(value, p + 1);
	buf_trim(value);
	return 0;
}

/* parse_text - split text into logical lines and entries */
static int parse_text(struct config *c, const char *text, size_t len, struct buf *why)
{
	struct buf *name = buf_new(32), *value = buf_new(256), *err = buf_new(64);
	bool bad = false;
	struct lline ll;
	int rc;

	lline_init(&ll, text, len, MAX_LOGICAL_LINE);
	while ((rc = lline_next(&ll, err)) > 0) {
		if (parse_assignment(buf_str(ll.line), name, value, err) < 0) {
			if (!bad)
				buf_printf(why, "%s, line %d: %s", c->path, ll.start, buf_str(err));
			bad = true;
			buf_reset(err);
			if (c->flags & CONFIG_LENIENT)
				continue;
			break;
		}
		set_entry(c, buf_str(name), buf_str(value), ll.start, CONFIG_FILE);
	}
	if (rc < 0 && !bad)
		buf_printf(why, "%s, %s", c->path, buf_str(err));
	lline_done(&ll);
	buf_free(&name);
	buf_free(&value);
	buf_free(&err);
	return (rc == 0 && !bad) || (c->flags & CONFIG_LENIENT) ? 0 : -1;
}

/* config_read_text_with - parse main.cf text; path is for messages */
struct config *config_read_text_with(const char *path, const char *text, size_t len,
				     const struct config_schema *schema, int flags,
				     struct buf *why)
{
	struct config *c = config_new(path, schema, flags);

	if (parse_text(c, text, len, why) < 0 ||
	    ((flags & CONFIG_STRICT) && config_validate(c, why) < 0)) {
		config_free(&c);
		return NULL;
	}
	return c;
}

/* read_file - the whole file, bounded; NULL with why on error */
static char *read_file(const char *path, size_t *len_r, struct buf *why)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	struct buf *data;
	struct stat st;
	char chunk[8192];
	ssize_t n;

	if (fd < 0) {
		buf_printf(why, "open %s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		buf_printf(why, "%s: not a regular file", path);
		close(fd);
		return NULL;
	}
	data = buf_new((size_t)st.st_size);
	while ((n = read(fd, chunk, sizeof(chunk))) > 0 && buf_len(data) <= MAX_FILE)
		buf_add(data, chunk, (size_t)n);
	close(fd);
	if (n < 0 || buf_len(data) > MAX_FILE) {
		buf_printf(why, "read %s: %s", path, n < 0 ? strerror(errno) : "file too large");
		buf_free(&data);
		return NULL;
	}
	*len_r = buf_len(data);
	return buf_steal(&data);
}

/* config_read_with - parse DIR/main.cf; a missing file means all defaults */
struct config *config_read_with(const char *dir, const struct config_schema *schema, int flags,
				struct buf *why)
{
	struct buf *path = buf_new(64);
	struct config *c;
	size_t len = 0;
	char *text;

	buf_printf(path, "%s/main.cf", dir);
	if (access(buf_str(path), F_OK) < 0 && errno == ENOENT)
		text = xstrdup("");
	else if ((text = read_file(buf_str(path), &len, why)) == NULL) {
		buf_free(&path);
		return NULL;
	}
	c = config_read_text_with(buf_str(path), text, len, schema, flags, why);
	free(text);
	buf_free(&path);
	return c;
}

/* config_override - apply "name=value" (master.cf -o, postconf -o) */
int config_override(struct config *c, const char *name_eq_value, struct buf *why)
{
	struct buf *name = buf_new(32), *value = buf_new(64);
	int rc = parse_assignment(name_eq_value, name, value, why);

	if (rc == 0) {
		set_entry(c, buf_str(name), buf_str(value), 0, CONFIG_OVERRIDE);
		htable_free(&c->expanded, free);	/* earlier results may be stale */
		c->expanded = htable_new(64);
	}
	buf_free(&name);
	buf_free(&value);
	return rc;
}

/* config_path - the main.cf path */
const char *config_path(const struct config *c)
{
	return c->path;
}

/* config_directory - the directory the file was read from */
const char *config_directory(const struct config *c)
{
	return c->dir;
}

/* config_raw - value as written, else the default text, else NULL */
const char *config_raw(struct config *c, const char *name)
{
	struct config_entry *e = htable_get(c->set, name);

	if (e)
		return e->value;
	if (!c->schema->known(name))
		return NULL;
	return c->schema->default_text(c, name);
}

/* config_memo - a computed default, made once (see cfgfile.h) */
const char *config_memo(struct config *c, const char *name,
			char *(*compute)(struct config *c, const char *name))
{
	char *v = htable_get(c->dynamic, name);

	if (v == NULL) {
		/* "" while it is computed: "myhostname = x.$mydomain" makes
		 * mydomain's default refer back to myhostname; the cycle ends
		 * here with an empty value instead of recursing forever */
		htable_put(c->dynamic, name, xstrdup(""));
		v = compute(c, name);
		if (v == NULL)
			v = xstrdup("");
		free(htable_put(c->dynamic, name, v));
	}
	return v;
}

/* config_origin - where the value of name comes from */
enum config_origin config_origin(const struct config *c, const char *name)
{
	struct config_entry *e = htable_get(c->set, name);

	return e ? e->origin : CONFIG_DEFAULT;
}

/* config_line - the main.cf line that sets name, or 0 */
int config_line(const struct config *c, const char *name)
{
	struct config_entry *e = htable_get(c->set, name);

	return e ? e->line : 0;
}

/* config_set_names - names set in main.cf, in file order */
struct strv *config_set_names(const struct config *c)
{
	struct strv *v = strv_new();

	HTABLE_FOREACH(c->set, e) {
		struct config_entry *ce = e->value;

		if (ce->origin == CONFIG_FILE)
			strv_add(v, e->key);
	}
	return v;
}
