/* dict_cidr - "cidr:" tables: IPv4/IPv6 prefix -> value, first match wins.
 *
 * Syntax of cidr_table(5): "network/prefix result", "address result",
 * "!pattern result" (matches when the key is outside the pattern), and
 * "if [!]pattern" ... "endif" blocks, nestable.  Addresses may be written
 * in brackets ("[2001:db8::]/32").  A prefix with host bits set is refused
 * (inet_prefix.h), as Postfix does, because it is almost always a typo.
 *
 * Errors: a bad rule costs one warning "FILE, line N: problem" and is
 * skipped; a bad "if" still opens a block that never matches, so its body
 * is disabled rather than applied to every client.  Keys come from the
 * network: anything but an IP address is simply not found.  Lookups do
 * one prefix comparison per rule.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dict.h"
#include "inet_prefix.h"
#include "log.h"
#include "mem.h"
#include "tablefile.h"

enum rule_kind { RULE_MATCH, RULE_IF };

struct rule {
	enum rule_kind kind;
	bool negate;
	bool broken;		/* a bad "if": never enters its block */
	int lineno;
	struct inet_prefix net;
	char *result;		/* RULE_MATCH only */
	size_t skip;		/* RULE_IF: first rule after its endif */
};

struct dict_cidr {
	struct dict dict;
	struct rule *rules;
	size_t n, cap;
	struct tablefile_nest nest;
};

/* parse_pattern - "[!]network[/len]" at *sp into r; advance *sp past it */
static int parse_pattern(const char **sp, struct rule *r, struct buf *why)
{
	const char *p = tablefile_skip_space(*sp), *end;
	char *text;
	int rc;

	if (*p == '!') {
		r->negate = true;
		p = tablefile_skip_space(p + 1);
	}
	end = p;
	while (*end && !isspace((unsigned char)*end))
		end++;
	if (end == p) {
		buf_cat(why, "missing network address");
		return -1;
	}
	text = xstrndup(p, (size_t)(end - p));
	rc = inet_prefix_parse(text, &r->net, why);
	free(text);
	*sp = end;
	return rc;
}

/* add_rule - append r (taken over) to the table */
static void add_rule(struct dict_cidr *x, const struct rule *r)
{
	if (x->n == x->cap) {
		x->cap = x->cap ? 2 * x->cap : 16;
		x->rules = xrealloc(x->rules, mem_mul_size(x->cap, sizeof(*x->rules)));
	}
	x->rules[x->n++] = *r;
}

/* parse_if - "if [!]pattern": open a block (a broken one never matches) */
static void parse_if(struct dict_cidr *x, const char *p, int lineno, struct buf *why)
{
	struct rule r = { .kind = RULE_IF, .lineno = lineno, .skip = SIZE_MAX };

	if (tablefile_nest_if(&x->nest, x->n, lineno) < 0) {
		buf_printf(why, "\"if\" nested more than %d deep", TABLEFILE_MAX_NEST);
		return;
	}
	if (parse_pattern(&p, &r, why) < 0) {
		r.broken = true;
		buf_cat(why, " (the block is disabled)");
	} else if (*tablefile_skip_space(p) != '\0') {
		buf_cat(why, "ignoring extra text after the \"if\" pattern");
	}
	add_rule(x, &r);
}

/* parse_endif - "endif": point the open "if" past its block */
static void parse_endif(struct dict_cidr *x, const char *rest, struct buf *why)
{
	size_t i;

	if (tablefile_nest_endif(&x->nest, rest, &i, why) == 0)
		x->rules[i].skip = x->n;
}

/* parse_rule - "[!]pattern result" */
static void parse_rule(struct dict_cidr *x, const char *p, int lineno, struct buf *why)
{
	struct rule r = { .kind = RULE_MATCH, .lineno = lineno };

	if (parse_pattern(&p, &r, why) < 0)
		return;
	if ((r.result = tablefile_value(p)) == NULL) {
		buf_cat(why, "a table line with no value (no result after the network)");
		return;
	}
	add_rule(x, &r);
}

/* parse_line - one logical line of the table */
static void parse_line(void *ctx, const char *line, int lineno)
{
	struct dict_cidr *x = ctx;
	struct buf *why = buf_new(64);
	const char *rest;

	if ((rest = tablefile_keyword(line, "if")) != NULL)
		parse_if(x, rest, lineno, why);
	else if ((rest = tablefile_keyword(line, "endif")) != NULL)
		parse_endif(x, rest, why);
	else
		parse_rule(x, line, lineno, why);
	if (buf_len(why))
		dict_line_error(&x->dict, x->dict.name, lineno, "%s", buf_str(why));
	buf_free(&why);
}

/* cidr_lookup - the first rule that matches the address key gives the value */
static int cidr_lookup(struct dict *d, const char *key, const char **value_r)
{
	struct dict_cidr *x = (struct dict_cidr *)d;
	struct inet_addr a;
	size_t i = 0;

	if (strlen(key) > 80 || inet_addr_parse(key, &a) < 0)
		return 0;
	while (i < x->n) {
		const struct rule *r = &x->rules[i];
		bool m = !r->broken && inet_prefix_contains(&r->net, &a) != r->negate;

		if (!m) {
			i = r->kind == RULE_IF ? r->skip : i + 1;
			continue;
		}
		if (r->kind == RULE_IF) {
			i++;
			continue;
		}
		*value_r = r->result;
		return 1;
	}
	return 0;
}

/* cidr_close - free the rules */
static void cidr_close(struct dict *d)
{
	struct dict_cidr *x = (struct dict_cidr *)d;

	for (size_t i = 0; i < x->n; i++)
		free(x->rules[i].result);
	free(x->rules);
}

/* dict_cidr_open - load the table file at name */
struct dict *dict_cidr_open(const char *name, int flags, struct buf *why)
{
	struct dict *d = dict_alloc_size(sizeof(struct dict_cidr), "cidr", name,
					      flags & ~DICT_FLAG_FOLD_KEY);
	struct dict_cidr *x = (struct dict_cidr *)d;

	d->lookup = cidr_lookup;
	d->close = cidr_close;
	if (tablefile_parse(d, name, parse_line, x, why) < 0) {
		dict_close(&d);
		return NULL;
	}
	tablefile_nest_finish(&x->nest, d, name);
	return d;
}
