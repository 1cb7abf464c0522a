/* quota_rule - an administrator's quota in Dovecot's syntax: main.cf
 * quota_rule (and quota_rule2), as Dovecot's plugin setting of the same
 * name.
 *
 *   struct quota_rule r;
 *   if (quota_rule_parse("*:storage=1G *:messages=10000", "quota_rule", &r, why) < 0)
 *       ... why: "quota_rule: \"*:storage=1X\": unknown unit \"X\""
 *   if (r.set) ... r.bytes_limit, r.count_limit (0: none), r.force
 *
 * A value is rules separated by blanks, each "MASK:LIMIT[:LIMIT...]" with
 * MASK "*" (the limits hold whatever maildirsize says: r.force) or "?"
 * (only for a Maildir without a maildirsize); a LIMIT is "storage=N"
 * (kilobytes unless a unit follows), "bytes=N" (bytes unless a unit),
 * "messages=N", a unit being B, k, M, G or T (powers of 1024, either
 * case, as Dovecot reads only the first letter); N=0 means no limit.
 * Later rules add to or override earlier ones, as quota_rule2 does in
 * Dovecot.  A rule for Trash ("Trash:storage=+100M", Dovecot's own
 * example, or "Trash:ignore") is accepted and has nothing to do: hato
 * never counts Trash (the Maildir++ rule), more room than any such rule
 * gives.  Not supported, and refused with a reason: rules for another
 * mailbox, "ignore", "backend=", percentages.
 * Errors: -1 with why naming the parameter and the rule; r is then
 * untouched by the bad rule's later limits.  Trust: the administrator's
 * text; numbers beyond 2^62 are refused, not wrapped.
 */
#ifndef HATO_QUOTA_RULE_H
#define HATO_QUOTA_RULE_H

#include <stdbool.h>

#include "buf.h"

struct quota_rule {
	long long bytes_limit, count_limit;	/* 0: no limit */
	bool set;				/* a "*" or "?" rule was given */
	bool force;				/* "*": over maildirsize's limits */
};

/* quota_rule_parse - text (param's value) into r (zeroed first): 0, or
 * -1 with why "PARAM: \"RULE\": reason" */
int quota_rule_parse(const char *text, const char *param, struct quota_rule *r, struct buf *why);

#endif
