/* cfgfile_expand - "$name" expansion of main.cf-syntax values and their
 * validation against the schema.
 *
 * Forms: $name ${name} $(name) ${name?text} ${name:text} ${name?{a}:{b}}
 * and $$.  Expansion is recursive; a name that refers back to itself
 * ("a = $a", or a = $b with b = $a) is an error, as is an unterminated
 * "${".  Depth is bounded, so no value can make expansion run away.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cfgfile_int.h"
#include "log.h"
#include "mem.h"
#include "strv.h"

enum { MAX_DEPTH = 50, MAX_EXPANSION = 4 << 20 };

struct expand_state {
	struct config *c;
	const char *top;		/* the parameter being expanded, for messages */
	const char *stack[MAX_DEPTH];	/* names being expanded */
	int depth;
	struct buf *why;
};

static int expand(struct expand_state *st, const char *text, size_t len, struct buf *out);

/* name_len - length of the [A-Za-z0-9_] run at s */
static size_t name_len(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && (isalnum((unsigned char)s[n]) || s[n] == '_'))
		n++;
	return n;
}

/* closing - index of the bracket matching open at s[0], or -1 */
static long closing(const char *s, size_t len, char open, char close)
{
	int level = 0;

	for (size_t i = 0; i < len; i++) {
		if (s[i] == open)
			level++;
		else if (s[i] == close && --level == 0)
			return (long)i;
	}
	return -1;
}

/* expand_name - append the expanded value of one parameter */
static int expand_name(struct expand_state *st, const char *name, struct buf *out)
{
	const char *raw;

	for (int i = 0; i < st->depth; i++)
		if (strcmp(st->stack[i], name) == 0) {
			buf_printf(st->why, "parameter \"%s\" refers to itself (through $%s)",
				   st->top, name);
			return -1;
		}
	if (st->depth >= MAX_DEPTH) {
		buf_printf(st->why, "parameter \"%s\": expansion nested too deeply", st->top);
		return -1;
	}
	if ((raw = config_raw(st->c, name)) == NULL)
		return 0;	/* undefined: empty, as in Postfix */
	st->stack[st->depth++] = name;
	if (expand(st, raw, strlen(raw), out) < 0)
		return -1;
	st->depth--;
	return 0;
}

/* unbrace - "{text}" -> text, else unchanged */
static void unbrace(const char **s, size_t *len)
{
	while (*len && isspace((unsigned char)**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len && isspace((unsigned char)(*s)[*len - 1]))
		(*len)--;
	if (*len >= 2 && (*s)[0] == '{' && (*s)[*len - 1] == '}') {
		(*s)++;
		*len -= 2;
	}
}

/* expand_conditional - ${name?a}, ${name:a}, ${name?{a}:{b}} */
static int expand_conditional(struct expand_state *st, const char *name, char op,
			      const char *rest, size_t rlen, struct buf *out)
{
	struct buf *val = buf_new(64);
	const char *alt = NULL;
	size_t alen = 0;
	bool nonempty;
	int rc;

	rc = expand_name(st, name, val);
	nonempty = buf_len(val) > 0;
	buf_free(&val);
	if (rc < 0)
		return -1;
	/* ${name?{a}:{b}}: split at the ':' after the first braced group */
	if (op == '?' && rlen && rest[0] == '{') {
		long end = closing(rest, rlen, '{', '}');

		if (end > 0 && (size_t)end + 1 < rlen && rest[end + 1] == ':') {
			alt = rest + end + 2;
			alen = rlen - (size_t)end - 2;
			rlen = (size_t)end + 1;
		}
	}
	unbrace(&rest, &rlen);
	if (alt)
		unbrace(&alt, &alen);
	if ((op == '?') == nonempty)
		return expand(st, rest, rlen, out);
	return alt ? expand(st, alt, alen, out) : 0;
}

/* expand_braced - handle "${...}" or "$(...)" starting at s ('{' or '(') */
static long expand_braced(struct expand_state *st, const char *s, size_t len, struct buf *out)
{
	char close = s[0] == '{' ? '}' : ')';
	long end = closing(s, len, s[0], close);
	size_t n;
	char name[128];
	int rc;

	if (end < 0) {
		buf_printf(st->why, "parameter \"%s\": unmatched '%c' in \"$%.*s\"",
			   st->top, s[0], (int)(len > 40 ? 40 : len), s);
		return -1;
	}
	n = name_len(s + 1, (size_t)end - 1);
	if (n == 0 || n >= sizeof(name)) {
		buf_printf(st->why, "parameter \"%s\": bad parameter name in \"$%.*s\"",
			   st->top, (int)(end + 1 > 40 ? 40 : end + 1), s);
		return -1;
	}
	memcpy(name, s + 1, n);
	name[n] = '\0';
	if (n + 1 == (size_t)end)
		rc = expand_name(st, name, out);
	else if (s[n + 1] == '?' || s[n + 1] == ':')
		rc = expand_conditional(st, name, s[n + 1], s + n + 2, (size_t)end - n - 2, out);
	else {
		buf_printf(st->why, "parameter \"%s\": bad expression \"$%.*s\"",
			   st->top, (int)(end + 1 > 40 ? 40 : end + 1), s);
		rc = -1;
	}
	return rc < 0 ? -1 : end + 1;
}

/* expand - append text with every $ form replaced */
static int expand(struct expand_state *st, const char *text, size_t len, struct buf *out)
{
	size_t i = 0;

	while (i < len) {
		const char *dollar = memchr(text + i, '$', len - i);
		size_t n;

		if (dollar == NULL) {
			buf_add(out, text + i, len - i);
			break;
		}
		buf_add(out, text + i, (size_t)(dollar - (text + i)));
		i = (size_t)(dollar - text) + 1;
		if (i < len && text[i] == '$') {
			buf_putc(out, '$');
			i++;
		} else if (i < len && (text[i] == '{' || text[i] == '(')) {
			long used = expand_braced(st, text + i, len - i, out);

			if (used < 0)
				return -1;
			i += (size_t)used;
		} else if ((n = name_len(text + i, len - i)) > 0 && n < 128) {
			char name[128];

			memcpy(name, text + i, n);
			name[n] = '\0';
			if (expand_name(st, name, out) < 0)
				return -1;
			i += n;
		} else {
			buf_putc(out, '$');	/* a lone '$' stays literal */
		}
		if (buf_len(out) > MAX_EXPANSION) {
			buf_printf(st->why, "parameter \"%s\": expansion longer than %d bytes",
				   st->top, MAX_EXPANSION);
			return -1;
		}
	}
	return 0;
}

/* config_expand_text - expand text as the value of a parameter would be */
int config_expand_text(struct config *c, const char *text, struct buf *out, struct buf *why)
{
	struct expand_state st = { .c = c, .why = why, .top = "(text)" };

	return expand(&st, text, strlen(text), out);
}

/* expand_param - the expanded value of name into out */
static int expand_param(struct config *c, const char *name, struct buf *out, struct buf *why)
{
	struct expand_state st = { .c = c, .why = why, .top = name };

	buf_reset(out);
	return expand_name(&st, name, out);
}

/* config_get - expanded value, stable until config_override or config_free;
 * on error logs a warning and returns the raw text */
const char *config_get(struct config *c, const char *name)
{
	struct buf *why, *out;
	char *v = htable_get(c->expanded, name);

	if (v)
		return v;
	why = buf_new(0);
	out = buf_new(64);
	if (expand_param(c, name, out, why) < 0) {
		const char *raw = config_raw(c, name);

		log_warn("%s: %s", c->path, buf_str(why));
		buf_set(out, raw ? raw : "");
	}
	buf_free(&why);
	v = buf_steal(&out);
	htable_put(c->expanded, name, v);
	return v;
}

/* note_references - add every name that text refers to with $ to refs */
static void note_references(const char *text, struct htable *refs)
{
	for (const char *p = strchr(text, '$'); p; p = strchr(p + 1, '$')) {
		const char *s = p + 1;
		size_t n;
		char name[128];

		if (*s == '{' || *s == '(')
			s++;
		n = name_len(s, sizeof(name) - 1);
		if (n == 0)
			continue;
		memcpy(name, s, n);
		name[n] = '\0';
		htable_put(refs, name, NULL);
	}
}

/* config_unknown_names - names set that the schema does not know and that
 * no value refers to, in file order */
struct strv *config_unknown_names(const struct config *c)
{
	struct htable *refs = htable_new(64);
	struct strv *set = config_set_names(c), *out = strv_new();

	HTABLE_FOREACH(c->set, e)
		note_references(((struct config_entry *)e->value)->value, refs);
	for (size_t i = 0; i < set->len; i++)
		if (!c->schema->known(set->items[i]) && htable_find(refs, set->items[i]) == NULL)
			strv_add(out, set->items[i]);
	htable_free(&refs, NULL);
	strv_free(&set);
	return out;
}

/* warn_unknown - a warning for each unknown name that nothing refers to */
static void warn_unknown(struct config *c)
{
	struct strv *unknown = config_unknown_names(c);

	for (size_t i = 0; i < unknown->len; i++)
		log_warn("%s, line %d: unknown parameter \"%s\" is ignored",
			 c->path, config_line(c, unknown->items[i]), unknown->items[i]);
	strv_free(&unknown);
}

/* check_entry - expand one set value and check its type */
static int check_entry(struct config *c, const char *name, const struct config_entry *ce,
		       struct buf *out, struct buf *why)
{
	struct buf *err = buf_new(64);
	int rc = 0;

	if (c->schema->raw(name))
		buf_set(out, ce->value);
	else
		rc = expand_param(c, name, out, err);
	if (rc == 0)
		rc = c->schema->check(name, buf_str(out), err);
	if (rc < 0) {
		if (ce->origin == CONFIG_FILE)
			buf_printf(why, "%s, line %d: %s", c->path, ce->line, buf_str(err));
		else
			buf_printf(why, "override %s=%s: %s", name, ce->value, buf_str(err));
	}
	buf_free(&err);
	return rc;
}

/* config_validate - expand and type-check every value set in main.cf or -o */
int config_validate(struct config *c, struct buf *why)
{
	struct buf *out = buf_new(256);
	int rc = 0;

	HTABLE_FOREACH(c->set, e)
		if ((rc = check_entry(c, e->key, e->value, out, why)) < 0)
			break;
	buf_free(&out);
	if (rc == 0 && !(c->flags & CONFIG_QUIET))
		warn_unknown(c);
	return rc;
}

/* config_expand_name - expanded value of name, not cached */
int config_expand_name(struct config *c, const char *name, struct buf *out, struct buf *why)
{
	return expand_param(c, name, out, why);
}
