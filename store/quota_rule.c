/* quota_rule - Dovecot's quota_rule syntax; see quota_rule.h.
 *
 * The value is split at blanks into rules, each rule at ':' into the
 * mask and its limits; a number is at most 18 digits and its product
 * with the unit is checked for overflow.
 */
#include <string.h>

#include "quota_rule.h"

enum { RULE_NUMBER_MAX = 18 };

/* unit_factor - the multiplier a unit letter means (0: not a unit) */
static long long unit_factor(char c)
{
	switch (c) {
	case 'b': case 'B': return 1;
	case 'k': case 'K': return 1LL << 10;
	case 'm': case 'M': return 1LL << 20;
	case 'g': case 'G': return 1LL << 30;
	case 't': case 'T': return 1LL << 40;
	default: return 0;
	}
}

/* parse_value - "N[unit...]" (len bytes) times the unit, or times
 * plain when none: 0, or -1 with the reason in why */
static int parse_value(const char *p, size_t len, long long plain, long long *v, struct buf *why)
{
	size_t i = 0;
	long long n = 0, factor = plain;

	if (len > 0 && (p[0] == '+' || p[0] == '-')) {
		buf_printf(why, "relative limits (\"%c\") are for mailbox rules, not supported", p[0]);
		return -1;
	}
	for (; i < len && p[i] >= '0' && p[i] <= '9'; i++) {
		if (i == RULE_NUMBER_MAX) {
			buf_printf(why, "number too large");
			return -1;
		}
		n = n * 10 + (p[i] - '0');
	}
	if (i == 0) {
		buf_printf(why, "not a number: \"%.*s\"", (int)len, p);
		return -1;
	}
	if (i < len && p[i] == '%') {
		buf_printf(why, "percentages are not supported");
		return -1;
	}
	if (i < len && (factor = unit_factor(p[i])) == 0) {
		buf_printf(why, "unknown unit \"%.*s\"", (int)(len - i), p + i);
		return -1;
	}
	if (__builtin_mul_overflow(n, factor, v) || *v > (1LL << 62)) {
		buf_printf(why, "number too large");
		return -1;
	}
	return 0;
}

/* parse_limit - "storage=N", "bytes=N" or "messages=N" into r */
static int parse_limit(const char *p, size_t len, struct quota_rule *r, struct buf *why)
{
	const char *eq = memchr(p, '=', len);
	size_t klen = eq ? (size_t)(eq - p) : len;
	const char *v = eq ? eq + 1 : p + len;
	size_t vlen = (size_t)(p + len - v);

	if (klen == 7 && memcmp(p, "storage", 7) == 0)
		return parse_value(v, vlen, 1024, &r->bytes_limit, why);
	if (klen == 5 && memcmp(p, "bytes", 5) == 0)
		return parse_value(v, vlen, 1, &r->bytes_limit, why);
	if (klen == 8 && memcmp(p, "messages", 8) == 0)
		return parse_value(v, vlen, 1, &r->count_limit, why);
	if (klen == 6 && memcmp(p, "ignore", 6) == 0 && eq == NULL)
		buf_printf(why, "\"ignore\" is for mailbox rules, not supported");
	else if (klen == 7 && memcmp(p, "backend", 7) == 0)
		buf_printf(why, "\"backend=\" is not supported");
	else
		buf_printf(why, "unknown limit \"%.*s\" (storage, bytes or messages)", (int)klen, p);
	return -1;
}

/* parse_one - one rule "MASK:LIMIT[:LIMIT]" of len bytes into r */
static int parse_one(const char *p, size_t len, struct quota_rule *r, struct buf *why)
{
	const char *end = p + len, *colon = memchr(p, ':', len);

	if (colon == NULL) {
		buf_printf(why, "no \"MASK:\" (e.g. \"*:storage=1G\")");
		return -1;
	}
	if (colon - p == 5 && memcmp(p, "Trash", 5) == 0 && colon + 1 < end)
		return 0;	/* Trash is outside the quota already (see quota_rule.h) */
	if (colon - p != 1 || (p[0] != '*' && p[0] != '?')) {
		buf_printf(why, "only \"*\" and \"?\" rules are supported, not mailbox \"%.*s\"",
			   (int)(colon - p), p);
		return -1;
	}
	if (!r->set || p[0] == '*')
		r->force = p[0] == '*';
	r->set = true;
	for (p = colon + 1; p <= end;) {
		const char *next = memchr(p, ':', (size_t)(end - p));
		size_t n = next ? (size_t)(next - p) : (size_t)(end - p);

		if (parse_limit(p, n, r, why) < 0)
			return -1;
		p += n + 1;
	}
	return 0;
}

/* quota_rule_parse - every blank-separated rule of text */
int quota_rule_parse(const char *text, const char *param, struct quota_rule *r, struct buf *why)
{
	const char *p = text;

	memset(r, 0, sizeof(*r));
	while (*p) {
		size_t n;
		size_t why_len = buf_len(why);

		p += strspn(p, " \t,");
		if ((n = strcspn(p, " \t,")) == 0)
			break;
		if (parse_one(p, n, r, why) < 0) {
			struct buf *reason = buf_new(64);

			buf_cat(reason, buf_str(why) + why_len);
			buf_truncate(why, why_len);
			buf_printf(why, "%s: \"%.*s\": %s", param, (int)n, p, buf_str(reason));
			buf_free(&reason);
			return -1;
		}
		p += n;
	}
	return 0;
}
