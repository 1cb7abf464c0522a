/* dict_regexp - "regexp:" and "pcre:" tables, both on PCRE2.
 *
 * Syntax of regexp_table(5)/pcre_table(5): "/pattern/flags result",
 * "!/pattern/flags result", "if /pattern/flags" ... "endif" (nestable,
 * "if !/pattern/" too).  The delimiter is the first character after the
 * optional "!"; the pattern ends at the first delimiter not escaped by a
 * backslash.  First matching rule wins; matching ignores case unless the
 * "i" flag toggles it.  Results may hold $1, ${12}, $(12) and $$.
 *
 * regexp: is POSIX ERE in Postfix.  PCRE2 accepts the practical ERE subset
 * with the same meaning; to stay close, regexp: rules also get DOTALL and
 * DOLLAR_ENDONLY ("." matches a newline, "$" only at the very end) until
 * the "m" flag switches to line mode.  Flag "x" (POSIX basic syntax) is
 * refused rather than silently misread.  pcre: flags are i m s x A E U X.
 *
 * Errors: a bad rule costs one warning "FILE, line N: problem" and is
 * skipped; a bad "if" still opens a block that never matches, so its body
 * is disabled rather than applied to everything.  Keys are hostile network
 * text: PCRE2 match, depth and heap limits bound each lookup, and hitting
 * one is a temporary error (-1), never "not found".  Keys are not folded.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "dict.h"
#include "log.h"
#include "mem.h"
#include "tablefile.h"

enum {
	MATCH_LIMIT = 1000000,	/* backtracking steps per rule and lookup */
	DEPTH_LIMIT = 10000,	/* backtracking depth */
	HEAP_LIMIT_KIB = 32768,	/* backtracking memory */
	MAX_GROUP = 65535,	/* highest $n a result may name */
	MAX_VALUE = 4 << 20,	/* bytes in one substituted result */
};

enum rule_kind { RULE_MATCH, RULE_IF };

struct rule {
	enum rule_kind kind;
	bool negate;
	int lineno;
	pcre2_code *re;		/* NULL: a broken "if" that never matches */
	char *result;		/* RULE_MATCH only */
	size_t skip;		/* RULE_IF: first rule after its endif */
};

struct flag {
	char ch;
	uint32_t toggle;	/* PCRE2 options flipped by the flag */
	const char *refused;	/* non-NULL: why the flag is not supported */
};

struct flavor {
	const char *type;
	uint32_t defaults;
	const struct flag *flags;
};

struct dict_regexp {
	struct dict dict;
	const struct flavor *flavor;
	struct rule *rules;
	size_t n, cap;
	uint32_t max_groups;
	pcre2_match_data *md;
	pcre2_match_context *mctx;
	struct buf *value;
	struct tablefile_nest nest;
};

static const struct flag regexp_flags[] = {
	{ 'i', PCRE2_CASELESS, NULL },
	{ 'm', PCRE2_MULTILINE | PCRE2_DOTALL, NULL },
	{ 'x', 0, "POSIX basic regular expressions (flag \"x\") are not supported" },
	{ 0, 0, NULL },
};

static const struct flag pcre_flags[] = {
	{ 'i', PCRE2_CASELESS, NULL },
	{ 'm', PCRE2_MULTILINE, NULL },
	{ 's', PCRE2_DOTALL, NULL },
	{ 'x', PCRE2_EXTENDED, NULL },
	{ 'A', PCRE2_ANCHORED, NULL },
	{ 'E', PCRE2_DOLLAR_ENDONLY, NULL },
	{ 'U', PCRE2_UNGREEDY, NULL },
	{ 'X', 0, NULL },	/* PCRE1's "extra": obsolete, accepted */
	{ 0, 0, NULL },
};

static const struct flavor flavor_regexp = {
	"regexp", PCRE2_CASELESS | PCRE2_DOTALL | PCRE2_DOLLAR_ENDONLY, regexp_flags,
};
static const struct flavor flavor_pcre = { "pcre", PCRE2_CASELESS, pcre_flags };

/* parse_ref - parse the reference after a '$' at s; its length, or 0 if
 * the '$' is literal; *n_r = group (-1 for "$$"); -1 with why when bad */
static long parse_ref(const char *s, long *n_r, struct buf *why)
{
	const char *p = s, *end;
	char close = 0;
	long n = 0;

	if (*p == '$') {
		*n_r = -1;
		return 1;
	}
	if (*p == '{' || *p == '(') {
		close = *p == '{' ? '}' : ')';
		p++;
	}
	end = p;
	while (isalnum((unsigned char)*end) || *end == '_')
		end++;
	if (end == p && close == 0)
		return 0;
	if (close && *end != close) {
		buf_printf(why, "missing \"%c\" after \"$%c\"", close, s[0]);
		return -1;
	}
	for (const char *q = p; q < end; q++) {
		if (!isdigit((unsigned char)*q)) {
			buf_printf(why, "non-numeric replacement index \"$%.*s\"", (int)(end - s), s);
			return -1;
		}
		if ((n = n * 10 + (*q - '0')) > MAX_GROUP) {
			buf_printf(why, "replacement index \"$%.*s\" out of range", (int)(end - s), s);
			return -1;
		}
	}
	if (end == p) {
		buf_printf(why, "empty replacement index \"$%c%c\"", s[0], close);
		return -1;
	}
	*n_r = n;
	return (end - s) + (close != 0);
}

/* scan_result - check a result's references (out == NULL) or substitute
 * them from the last match (ov, npairs); *max_r = highest group named */
static int scan_result(const char *tmpl, long *max_r, struct buf *out, const char *key,
		       const PCRE2_SIZE *ov, uint32_t npairs, struct buf *why)
{
	const char *p = tmpl;
	long n, len;

	*max_r = -1;
	while (*p) {
		const char *dollar = strchr(p, '$');

		if (dollar == NULL)
			dollar = p + strlen(p);
		if (out)
			buf_add(out, p, (size_t)(dollar - p));
		if (*dollar == '\0')
			break;
		if ((len = parse_ref(dollar + 1, &n, why)) < 0)
			return -1;
		p = dollar + 1 + len;
		if (len == 0 || n < 0) {
			if (out)
				buf_putc(out, '$');
			continue;
		}
		if (n > *max_r)
			*max_r = n;
		if (out && (uint32_t)n < npairs && ov[2 * n] != PCRE2_UNSET)
			buf_add(out, key + ov[2 * n], ov[2 * n + 1] - ov[2 * n]);
		if (out && buf_len(out) > MAX_VALUE) {
			buf_printf(why, "result longer than %d bytes", MAX_VALUE);
			return -1;
		}
	}
	return 0;
}

/* parse_pattern - "[!]/pattern/flags" at *sp: compile it into r, advance *sp */
static int parse_pattern(struct dict_regexp *x, const char **sp, struct rule *r, struct buf *why)
{
	const char *p = tablefile_skip_space(*sp), *start, *f;
	uint32_t options = x->flavor->defaults, ncap;
	PCRE2_SIZE erroff;
	int errcode;
	char delim;

	if (*p == '!') {
		r->negate = true;
		p = tablefile_skip_space(p + 1);
	}
	if (*p == '\0') {
		buf_cat(why, "missing pattern");
		return -1;
	}
	delim = *p++;
	for (start = p; *p && *p != delim; p++)
		if (*p == '\\' && p[1])
			p++;
	if (*p == '\0') {
		buf_printf(why, "missing closing delimiter \"%c\" of the pattern", delim);
		return -1;
	}
	for (f = p + 1; *f && !isspace((unsigned char)*f); f++) {
		const struct flag *fl = x->flavor->flags;

		while (fl->ch && fl->ch != *f)
			fl++;
		if (fl->ch == 0) {
			buf_printf(why, "unknown flag \"%c\" after the pattern", *f);
			return -1;
		}
		if (fl->refused) {
			buf_cat(why, fl->refused);
			return -1;
		}
		options ^= fl->toggle;
	}
	*sp = f;
	r->re = pcre2_compile((PCRE2_SPTR)start, (PCRE2_SIZE)(p - start), options,
			      &errcode, &erroff, NULL);
	if (r->re == NULL) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(errcode, msg, sizeof(msg));
		buf_printf(why, "bad regular expression: %s at offset %zu", (char *)msg, (size_t)erroff);
		return -1;
	}
	pcre2_pattern_info(r->re, PCRE2_INFO_CAPTURECOUNT, &ncap);
	if (ncap > x->max_groups)
		x->max_groups = ncap;
	return 0;
}

/* parse_result - the result part of "/pattern/flags result" */
static int parse_result(struct rule *r, const char *p, struct buf *why)
{
	uint32_t ncap;
	long max;

	if ((r->result = tablefile_value(p)) == NULL) {
		buf_cat(why, "a table line with no value (no result after the pattern)");
		return -1;
	}
	if (scan_result(r->result, &max, NULL, NULL, NULL, 0, why) < 0)
		return -1;
	pcre2_pattern_info(r->re, PCRE2_INFO_CAPTURECOUNT, &ncap);
	if (max >= 0 && r->negate) {
		buf_printf(why, "$%ld in the result of a negated rule (nothing was matched)", max);
		return -1;
	}
	if (max > (long)ncap) {
		buf_printf(why, "$%ld out of range: the pattern has %u group(s)", max, ncap);
		return -1;
	}
	return 0;
}

/* rule_free - release one rule's contents */
static void rule_free(struct rule *r)
{
	pcre2_code_free(r->re);
	free(r->result);
	memset(r, 0, sizeof(*r));
}

/* add_rule - append r (taken over) to the table */
static void add_rule(struct dict_regexp *x, struct rule *r)
{
	if (x->n == x->cap) {
		x->cap = x->cap ? 2 * x->cap : 16;
		x->rules = xrealloc(x->rules, mem_mul_size(x->cap, sizeof(*x->rules)));
	}
	x->rules[x->n++] = *r;
}

/* parse_if - "if [!]/pattern/flags": open a block (a broken one never matches) */
static void parse_if(struct dict_regexp *x, const char *p, int lineno, struct buf *why)
{
	struct rule r = { .kind = RULE_IF, .lineno = lineno, .skip = SIZE_MAX };

	if (tablefile_nest_if(&x->nest, x->n, lineno) < 0) {
		buf_printf(why, "\"if\" nested more than %d deep", TABLEFILE_MAX_NEST);
		return;
	}
	if (parse_pattern(x, &p, &r, why) == 0 && *tablefile_skip_space(p) != '\0')
		buf_cat(why, "ignoring extra text after the \"if\" pattern");
	if (r.re == NULL) {
		r.negate = false;	/* never enter the block */
		buf_cat(why, " (the block is disabled)");
	}
	add_rule(x, &r);
}

/* parse_endif - "endif": point the open "if" past its block */
static void parse_endif(struct dict_regexp *x, const char *rest, struct buf *why)
{
	size_t i;

	if (tablefile_nest_endif(&x->nest, rest, &i, why) == 0)
		x->rules[i].skip = x->n;
}

/* parse_line - one logical line of the table */
static void parse_line(void *ctx, const char *line, int lineno)
{
	struct dict_regexp *x = ctx;
	struct buf *why = buf_new(64);
	struct rule r = { .kind = RULE_MATCH, .lineno = lineno };
	const char *rest;

	if ((rest = tablefile_keyword(line, "if")) != NULL)
		parse_if(x, rest, lineno, why);
	else if ((rest = tablefile_keyword(line, "endif")) != NULL)
		parse_endif(x, rest, why);
	else if (parse_pattern(x, &line, &r, why) == 0 && parse_result(&r, line, why) == 0)
		add_rule(x, &r);
	else
		rule_free(&r);
	if (buf_len(why))
		dict_line_error(&x->dict, x->dict.name, lineno, "%s", buf_str(why));
	buf_free(&why);
}

/* match_rule - the number of groups set (> 0) on a match, 0 no match,
 * -1 a limit or other matcher error */
static int match_rule(struct dict_regexp *x, const struct rule *r, const char *key, size_t len)
{
	PCRE2_UCHAR msg[256];
	int rc;

	if (r->re == NULL)
		return 0;
	rc = pcre2_match(r->re, (PCRE2_SPTR)key, len, 0, 0, x->md, x->mctx);
	if (rc > 0)
		return rc;
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	if (rc == 0)	/* cannot happen: md holds every group of every rule */
		log_panic("%s, line %d: match data too small", x->dict.name, r->lineno);
	pcre2_get_error_message(rc, msg, sizeof(msg));
	log_warn("%s, line %d: lookup of a %zu-byte key: %s", x->dict.name, r->lineno,
		 len, (char *)msg);
	return dict_fail(&x->dict, "%s:%s, line %d: %s", x->dict.type, x->dict.name,
			 r->lineno, (char *)msg);
}

/* regexp_lookup - the first rule that matches key gives the value */
static int regexp_lookup(struct dict *d, const char *key, const char **value_r)
{
	struct dict_regexp *x = (struct dict_regexp *)d;
	size_t len = strlen(key), i = 0;

	while (i < x->n) {
		const struct rule *r = &x->rules[i];
		int m = match_rule(x, r, key, len);
		struct buf *why;
		long max;

		if (m < 0)
			return -1;
		if ((m > 0) == r->negate) {
			i = r->kind == RULE_IF ? r->skip : i + 1;
			continue;
		}
		if (r->kind == RULE_IF) {
			i++;
			continue;
		}
		buf_reset(x->value);
		why = buf_new(64);
		m = scan_result(r->result, &max, x->value, key, pcre2_get_ovector_pointer(x->md),
				r->negate ? 0 : (uint32_t)m, why);
		if (m < 0) {
			log_warn("%s, line %d: %s", d->name, r->lineno, buf_str(why));
			dict_fail(d, "%s:%s, line %d: %s", d->type, d->name, r->lineno, buf_str(why));
		}
		buf_free(&why);
		*value_r = buf_str(x->value);
		return m < 0 ? -1 : 1;
	}
	return 0;
}

/* regexp_close - free the rules and the matcher state */
static void regexp_close(struct dict *d)
{
	struct dict_regexp *x = (struct dict_regexp *)d;

	for (size_t i = 0; i < x->n; i++)
		rule_free(&x->rules[i]);
	free(x->rules);
	pcre2_match_data_free(x->md);
	pcre2_match_context_free(x->mctx);
	buf_free(&x->value);
}

/* open_flavor - load the table file at name as a regexp: or pcre: table */
static struct dict *open_flavor(const struct flavor *fl, const char *name, int flags,
				struct buf *why)
{
	struct dict_regexp *x;
	struct dict *d;

	d = dict_alloc_size(sizeof(*x), fl->type, name, flags & ~DICT_FLAG_FOLD_KEY);
	x = (struct dict_regexp *)d;
	x->flavor = fl;
	x->value = buf_new(256);
	d->lookup = regexp_lookup;
	d->close = regexp_close;
	if (tablefile_parse(d, name, parse_line, x, why) < 0) {
		dict_close(&d);
		return NULL;
	}
	tablefile_nest_finish(&x->nest, d, name);
	x->md = pcre2_match_data_create(x->max_groups + 1, NULL);
	x->mctx = pcre2_match_context_create(NULL);
	if (x->md == NULL || x->mctx == NULL)
		log_fatal("%s: out of memory for PCRE2 match data", name);
	pcre2_set_match_limit(x->mctx, MATCH_LIMIT);
	pcre2_set_depth_limit(x->mctx, DEPTH_LIMIT);
	pcre2_set_heap_limit(x->mctx, HEAP_LIMIT_KIB);
	return d;
}

/* dict_regexp_open - a "regexp:" table (Postfix regexp_table(5)) */
struct dict *dict_regexp_open(const char *name, int flags, struct buf *why)
{
	return open_flavor(&flavor_regexp, name, flags, why);
}

/* dict_pcre_open - a "pcre:" table (Postfix pcre_table(5)) */
struct dict *dict_pcre_open(const char *name, int flags, struct buf *why)
{
	return open_flavor(&flavor_pcre, name, flags, why);
}
