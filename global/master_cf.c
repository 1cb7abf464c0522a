/* master_cf - master.cf parsing and formatting; see master_cf.h.
 * The file is the administrator's, but parsing is bounded anyway: logical
 * lines of at most 64 KiB, 1000 services, 200 arguments each. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lline.h"
#include "log.h"
#include "master_cf.h"
#include "mem.h"

enum { MAX_LINE = 65536, MAX_ENTRIES = 1000, MAX_ARGS = 200, MAX_FILE = 4 << 20 };

struct parse {
	const char *path;
	int line;
	struct buf *why;
};

static const char *const type_names[] = {
	[MASTER_CF_INET] = "inet", [MASTER_CF_UNIX] = "unix",
	[MASTER_CF_UNIX_DGRAM] = "unix-dgram", [MASTER_CF_FIFO] = "fifo",
	[MASTER_CF_PASS] = "pass",
};

/* fail - record "FILE, line N: problem" (the first one wins); returns -1 */
static int fail(struct parse *p, const char *fmt, ...)
{
	va_list ap;

	if (buf_len(p->why))
		return -1;
	buf_printf(p->why, "%s, line %d: ", p->path, p->line);
	va_start(ap, fmt);
	buf_vprintf(p->why, fmt, ap);
	va_end(ap);
	return -1;
}

/* master_cf_type_name - "inet", "unix", ... */
const char *master_cf_type_name(enum master_cf_type type)
{
	return type_names[type];
}

/* next_word - the next word or "{ group }" of s, trimmed; NULL at the end */
static char *next_word(struct parse *p, const char **s)
{
	const char *t = *s + strspn(*s, " \t\r\n");
	const char *end;

	if (*t == '\0')
		return NULL;
	if (*t != '{') {
		end = t + strcspn(t, " \t\r\n");
		*s = end;
		return xstrndup(t, (size_t)(end - t));
	}
	for (int level = 0; ; t++) {
		if (*t == '\0') {
			fail(p, "missing '}' after \"%.40s\"", *s);
			return NULL;
		}
		if (*t == '{' && level++ == 0)
			end = t + 1;	/* start of the group's text */
		else if (*t == '}' && --level == 0)
			break;
	}
	{
		const char *start = end;
		struct buf *w = buf_new(32);

		buf_add(w, start, (size_t)(t - start));
		buf_trim(w);
		*s = t + 1;
		return buf_steal(&w);
	}
}

/* parse_flag - y, n or - (default) */
static int parse_flag(struct parse *p, const char *text, const char *what, bool dflt, bool *out)
{
	if (strcmp(text, "-") == 0)
		*out = dflt;
	else if (strcmp(text, "y") == 0)
		*out = true;
	else if (strcmp(text, "n") == 0)
		*out = false;
	else
		return fail(p, "bad %s field \"%s\" (use y, n or -)", what, text);
	return 0;
}

/* parse_number - "-" (dflt) or a decimal number, with an optional '?' */
static int parse_number(struct parse *p, const char *text, const char *what, int dflt,
			bool allow_q, int *out, bool *q_out)
{
	char *end;
	long n;

	if (strcmp(text, "-") == 0) {
		*out = dflt;
		return 0;
	}
	errno = 0;
	n = strtol(text, &end, 10);
	if (allow_q && *end == '?' && end[1] == '\0' && end != text) {
		*q_out = true;
		end++;
	}
	if (!isdigit((unsigned char)text[0]) || *end != '\0' || errno || n > 1000000)
		return fail(p, "bad %s field \"%s\"", what, text);
	*out = (int)n;
	return 0;
}

/* normalize_override - "name = value" -> "name=value"; -1 if not name=value */
static int normalize_override(struct parse *p, const char *text, struct buf *out)
{
	const char *eq = strchr(text, '=');
	struct buf *name = buf_new(32), *value = buf_new(32);
	int rc = 0;

	if (eq == NULL)
		rc = fail(p, "-o %s: expected name=value", text);
	else {
		buf_add(name, text, (size_t)(eq - text));
		buf_trim(name);
		buf_set(value, eq + 1);
		buf_trim(value);
		if (buf_len(name) == 0 || strspn(buf_str(name), "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != buf_len(name))
			rc = fail(p, "-o %s: bad parameter name", text);
		else
			buf_printf(out, "%s=%s", buf_str(name), buf_str(value));
	}
	buf_free(&name);
	buf_free(&value);
	return rc;
}

/* parse_args - command arguments: -o overrides apart, the rest in order */
static int parse_args(struct parse *p, const char **s, struct master_cf_entry *e)
{
	char *w;

	while ((w = next_word(p, s)) != NULL) {
		if (e->args->len + e->overrides->len >= MAX_ARGS) {
			free(w);
			return fail(p, "more than %d arguments", MAX_ARGS);
		}
		if (strcmp(w, "-o") == 0) {
			struct buf *ov = buf_new(32);
			char *v = next_word(p, s);

			if (v == NULL || normalize_override(p, v, ov) < 0) {
				if (v == NULL)
					fail(p, "-o without name=value");
				free(v);
				free(w);
				buf_free(&ov);
				return -1;
			}
			strv_add(e->overrides, buf_str(ov));
			strv_add(e->fields, "-o");
			strv_add(e->fields, buf_str(ov));
			buf_free(&ov);
			free(v);
			free(w);
			continue;
		}
		strv_add(e->fields, w);
		strv_take(e->args, w);
	}
	return buf_len(p->why) ? -1 : 0;
}

/* socket_name_ok - a unix or fifo service name: one path component not
 * starting with '.', optionally under "login/" */
static bool socket_name_ok(const char *name)
{
	if (strncmp(name, "login/", 6) == 0)
		name += 6;
	return name[0] != '\0' && name[0] != '.' && strchr(name, '/') == NULL;
}

/* parse_type - the type column */
static int parse_type(struct parse *p, const char *text, enum master_cf_type *out)
{
	for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (strcmp(type_names[i], text) == 0) {
			*out = (enum master_cf_type)i;
			return 0;
		}
	return fail(p, "unknown service type \"%s\" (use inet, unix, unix-dgram, fifo or pass)", text);
}

/* parse_entry - one logical line into e */
static int parse_entry(struct parse *p, const char *text, struct master_cf_entry *e)
{
	const char *s = text;
	char *col[8];
	int n, rc = 0;

	e->line = p->line;
	e->fields = strv_new();
	e->args = strv_new();
	e->overrides = strv_new();
	for (n = 0; n < 8 && (col[n] = next_word(p, &s)) != NULL; n++)
		strv_add(e->fields, col[n]);
	if (n < 8) {
		rc = buf_len(p->why) ? -1 : fail(p, "expected at least 8 fields (service type private unpriv chroot wakeup maxproc command), found %d", n);
		goto out;
	}
	e->service = xstrdup(col[0]);
	e->command = xstrdup(col[7]);
	if (parse_type(p, col[1], &e->type) < 0 ||
	    parse_flag(p, col[2], "private", true, &e->private_) < 0 ||
	    parse_flag(p, col[3], "unpriv", true, &e->unpriv) < 0 ||
	    parse_flag(p, col[4], "chroot", false, &e->chroot) < 0 ||
	    parse_number(p, col[5], "wakeup", 0, true, &e->wakeup, &e->wakeup_if_used) < 0 ||
	    parse_number(p, col[6], "maxproc", -1, false, &e->maxproc, &e->wakeup_if_used) < 0)
		rc = -1;
	else if (e->type != MASTER_CF_INET && !socket_name_ok(e->service))
		rc = fail(p, "service name \"%s\": a socket name may not contain '/' (but for a leading "
			  "\"login/\") or start with '.'", e->service);
	else
		rc = parse_args(p, &s, e);
out:
	for (int i = 0; i < n; i++)
		free(col[i]);
	return rc;
}

/* master_cf_socket_dir - the queue_directory subdirectory of a unix or
 * fifo service's socket: "login" for "login/NAME" (sockets pre-login
 * processes reach, docs/mail-access.md), else private/ or public/ */
const char *master_cf_socket_dir(const struct master_cf_entry *e)
{
	if (strncmp(e->service, "login/", 6) == 0)
		return "login";
	return e->private_ ? "private" : "public";
}

/* master_cf_socket_name - the socket's name in that directory */
const char *master_cf_socket_name(const struct master_cf_entry *e)
{
	return strncmp(e->service, "login/", 6) == 0 ? e->service + 6 : e->service;
}

/* entry_free - release one entry's strings */
static void entry_free(struct master_cf_entry *e)
{
	free(e->service);
	free(e->command);
	strv_free(&e->args);
	strv_free(&e->overrides);
	strv_free(&e->fields);
}

/* add_entry - parse a logical line and append it, refusing duplicates */
static int add_entry(struct parse *p, struct master_cf *m, const char *text)
{
	struct master_cf_entry e = { 0 };

	if (m->len >= MAX_ENTRIES)
		return fail(p, "more than %d services", MAX_ENTRIES);
	if (parse_entry(p, text, &e) < 0) {
		entry_free(&e);
		return -1;
	}
	for (size_t i = 0; i < m->len; i++)
		if (strcmp(m->entries[i].service, e.service) == 0 && m->entries[i].type == e.type) {
			fail(p, "duplicate service %s/%s (first defined at line %d)", e.service,
			     type_names[e.type], m->entries[i].line);
			entry_free(&e);
			return -1;
		}
	m->entries = xrealloc(m->entries, mem_mul_size(m->len + 1, sizeof(e)));
	m->entries[m->len++] = e;
	return 0;
}

/* master_cf_parse_text - parse a whole file's text */
struct master_cf *master_cf_parse_text(const char *path, const char *text, size_t len,
				       struct buf *why)
{
	struct master_cf *m = xmalloc(sizeof(*m));
	struct parse p = { .path = path, .why = why };
	struct buf *err = buf_new(64);
	struct lline ll;
	int rc;

	buf_reset(why);
	lline_init(&ll, text, len, MAX_LINE);
	while ((rc = lline_next(&ll, err)) > 0) {
		p.line = ll.start;
		if (add_entry(&p, m, buf_str(ll.line)) < 0)
			break;
	}
	if (rc < 0)
		buf_printf(why, "%s, %s", path, buf_str(err));
	lline_done(&ll);
	buf_free(&err);
	if (rc != 0)
		master_cf_free(&m);
	return m;
}

/* master_cf_parse_file - read and parse a file */
struct master_cf *master_cf_parse_file(const char *path, struct buf *why)
{
	FILE *fp = fopen(path, "r");
	struct buf *text;
	struct master_cf *m;
	char chunk[8192];
	size_t n;

	if (fp == NULL) {
		buf_reset(why);
		buf_printf(why, "open %s: %s", path, strerror(errno));
		return NULL;
	}
	text = buf_new(8192);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0 && buf_len(text) <= MAX_FILE)
		buf_add(text, chunk, n);
	fclose(fp);
	if (buf_len(text) > MAX_FILE) {
		buf_reset(why);
		buf_printf(why, "%s: file too large", path);
		buf_free(&text);
		return NULL;
	}
	m = master_cf_parse_text(path, buf_str(text), buf_len(text), why);
	buf_free(&text);
	return m;
}

/* master_cf_free - release the table */
void master_cf_free(struct master_cf **mp)
{
	struct master_cf *m = *mp;

	if (m == NULL)
		return;
	for (size_t i = 0; i < m->len; i++)
		entry_free(&m->entries[i]);
	free(m->entries);
	free(m);
	*mp = NULL;
}

/* master_cf_format - Postfix's postconf -M layout, -o joined on one line */
void master_cf_format(const struct master_cf_entry *e, struct buf *out)
{
	static const int widths[] = { 10, 5, 7, 7, 7, 7, 7 };

	for (size_t i = 0; i < e->fields->len; i++) {
		if (i < 7)
			buf_printf(out, "%-*s ", widths[i], e->fields->items[i]);
		else
			buf_printf(out, "%s%s", e->fields->items[i], i + 1 < e->fields->len ? " " : "");
	}
}
