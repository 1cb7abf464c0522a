/* fuzz_quota_rule - libFuzzer target for the administrator's quota rules
 * (quota_rule_parse, main.cf quota_rule) and quota_warning_percent
 * (mail_quota_warn_parse).  Besides ASan/UBSan, traps on what callers
 * rely on: a parsed rule has limits from 0 to 2^62 and an empty reason,
 * a refused one a reason naming the parameter; parsed percentages are
 * 1..100, ascending, at most MAIL_QUOTA_WARN_MAX. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mail_quota.h"
#include "mem.h"
#include "quota_rule.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* check_rule - the input as quota_rule's value */
static void check_rule(const char *s)
{
	struct buf *why = buf_new(0);
	struct quota_rule r;

	if (quota_rule_parse(s, "quota_rule", &r, why) == 0) {
		if (buf_len(why) || r.bytes_limit < 0 || r.count_limit < 0 ||
		    r.bytes_limit > (1LL << 62) || r.count_limit > (1LL << 62) || (r.force && !r.set))
			__builtin_trap();
	} else if (strncmp(buf_str(why), "quota_rule: \"", 13) != 0) {
		__builtin_trap();
	}
	buf_free(&why);
}

/* check_warn - the input as quota_warning_percent */
static void check_warn(const char *s)
{
	struct buf *why = buf_new(0);
	struct mail_quota_cfg c = { 0 };

	if (mail_quota_warn_parse(&c, s, "quota_warning_percent", why) == 0) {
		if (c.n_warn < 0 || c.n_warn > MAIL_QUOTA_WARN_MAX)
			__builtin_trap();
		for (int i = 0; i < c.n_warn; i++)
			if (c.warn[i] < 1 || c.warn[i] > 100 || (i > 0 && c.warn[i - 1] > c.warn[i]))
				__builtin_trap();
	} else if (c.n_warn != 0 || strncmp(buf_str(why), "quota_warning_percent: ", 23) != 0) {
		__builtin_trap();
	}
	buf_free(&why);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = xmalloc(size + 1);

	memcpy(s, data, size);
	s[size] = '\0';
	check_rule(s);
	check_warn(s);
	free(s);
	return 0;
}
