/* mail_quota - the administrator's rule over maildirsize; see mail_quota.h.
 *
 * maildirsize is the truth other Maildir++ readers see: the rule's
 * limits are written into it (maildir_quota_write, through tmp/ and a
 * rename) whenever they differ, keeping the sums read, or recalculated
 * when the file is due for it.  A first line the user broke is replaced
 * the same way when a rule is set; without one it stays an error
 * (maildir_quota_read's), as before.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mail_quota.h"
#include "mail_quota_int.h"
#include "strv.h"

/* mail_quota_warn_parse - blank- or comma-separated percentages, 1..100 */
int mail_quota_warn_parse(struct mail_quota_cfg *c, const char *text, const char *param, struct buf *why)
{
	struct strv *v = strv_split(text, " \t,");
	int rc = 0;

	c->n_warn = 0;
	for (size_t i = 0; rc == 0 && i < v->len; i++) {
		const char *s = v->items[i];
		char *end;
		long pct = strtol(s, &end, 10);

		if (*s < '0' || *s > '9' || (*end != '\0' && strcmp(end, "%") != 0) || pct < 1 || pct > 100) {
			buf_printf(why, "%s: \"%s\": not a percentage from 1 to 100", param, s);
			rc = -1;
		} else if (c->n_warn == MAIL_QUOTA_WARN_MAX) {
			buf_printf(why, "%s: more than %d percentages", param, MAIL_QUOTA_WARN_MAX);
			rc = -1;
		} else {
			int k = c->n_warn++;

			for (; k > 0 && c->warn[k - 1] > pct; k--)	/* kept ascending */
				c->warn[k] = c->warn[k - 1];
			c->warn[k] = (int)pct;
		}
	}
	if (rc < 0)
		c->n_warn = 0;
	strv_free(&v);
	return rc;
}

/* rule_index - 0 for "quota_rule", N - 1 for "quota_ruleN" (N from 2 to
 * MAIL_QUOTA_RULES_MAX), -1 for any other name of len bytes */
static int rule_index(const char *name, size_t len)
{
	char *end;
	long n;

	if (len < 10 || strncmp(name, "quota_rule", 10) != 0)
		return -1;
	if (len == 10)
		return 0;
	if (name[10] < '2' || name[10] > '9' || len > 12)
		return -1;
	n = strtol(name + 10, &end, 10);
	return end == name + len && n <= MAIL_QUOTA_RULES_MAX ? (int)n - 1 : -1;
}

/* user_rules - the userdb's "quota_ruleN=RULE" items into text[], over
 * main.cf's of the same name; from[i] marks those */
static void user_rules(const struct strv *user, const char *text[], bool from[])
{
	for (size_t i = 0; user && i < user->len; i++) {
		const char *eq = strchr(user->items[i], '=');
		int k = eq ? rule_index(user->items[i], (size_t)(eq - user->items[i])) : -1;

		if (k >= 0) {
			text[k] = eq + 1;
			from[k] = true;
		}
	}
}

/* mail_quota_cfg_init - the four parameters, and the user's rules:
 * quota_rule, quota_rule2, ... read in turn up to the first missing one,
 * each adding to or overriding the ones before (Dovecot's order) */
int mail_quota_cfg_init(struct mail_quota_cfg *c, const struct params *cf, const struct strv *user,
			struct buf *why)
{
	const char *text[MAIL_QUOTA_RULES_MAX] = { cf->quota_rule, cf->quota_rule2 };
	bool from[MAIL_QUOTA_RULES_MAX] = { false };
	struct buf *all = buf_new(64), *name = buf_new(32);
	int rc = 0;

	memset(c, 0, sizeof(*c));
	c->tempfail = cf->quota_full_tempfail;
	user_rules(user, text, from);
	for (int i = 0; rc == 0 && i < MAIL_QUOTA_RULES_MAX && text[i]; i++) {
		buf_printf(all, "%s ", text[i]);
		buf_set(name, "quota_rule");
		if (i > 0)
			buf_printf(name, "%d", i + 1);
		if (from[i])
			buf_cat(name, " (userdb)");
		rc = quota_rule_parse(buf_str(all), buf_str(name), &c->rule, why);
	}
	if (rc == 0)
		rc = mail_quota_warn_parse(c, cf->quota_warning_percent, "quota_warning_percent", why);
	if (rc < 0)
		memset(&c->rule, 0, sizeof(c->rule));
	buf_free(&all);
	buf_free(&name);
	return rc;
}

/* mail_quota_over - bytes beyond the byte limit, or messages beyond the
 * count limit */
bool mail_quota_over(const struct maildir_quota *q, long long bytes, long long count)
{
	long long sum;

	if (q->bytes_limit > 0 && (__builtin_add_overflow(q->bytes, bytes, &sum) || sum > q->bytes_limit))
		return true;
	return q->count_limit > 0 && (__builtin_add_overflow(q->count, count, &sum) || sum > q->count_limit);
}

/* apply_rule - the rule's limits into q; true when the file must change */
static bool apply_rule(const struct quota_rule *r, int found, struct maildir_quota *q)
{
	bool differ = q->bytes_limit != r->bytes_limit || q->count_limit != r->count_limit;

	if (found == 1 && !r->force)
		return false;
	q->bytes_limit = r->bytes_limit;
	q->count_limit = r->count_limit;
	return found != 1 || differ;
}

/* mail_quota_load - read, apply the rule, rewrite or recalculate */
int mail_quota_load(int root_fd, const struct mail_quota_cfg *c, struct maildir_quota *q, struct buf *why)
{
	const struct quota_rule *r = &c->rule;
	size_t why_len = buf_len(why);
	int found = maildir_quota_read(root_fd, q, why);
	bool rewrite;

	if (found < 0 && !(r->set && errno == EINVAL))
		return -1;
	if (found < 0) {	/* a broken first line: the rule's instead */
		buf_truncate(why, why_len);
		memset(q, 0, sizeof(*q));
		q->recalc = true;
	}
	if (!r->set && found == 0)
		return 0;
	rewrite = r->set && apply_rule(r, found, q);
	if (found == 0 && q->bytes_limit == 0 && q->count_limit == 0)
		return 0;	/* "*:storage=0" and no file: none made */
	if (found != 1 || q->recalc) {
		buf_truncate(why, why_len);
		if (maildir_quota_recalc(root_fd, q, why) < 0)
			return -1;
	} else if (rewrite && maildir_quota_write(root_fd, q, why) < 0) {
		return -1;
	}
	return 1;	/* a file, even without limits: its sums are kept */
}

/* mail_quota_check - load, then compare */
int mail_quota_check(int root_fd, const struct mail_quota_cfg *c, long long bytes, long long count,
		     struct maildir_quota *q, struct buf *why)
{
	int rc = mail_quota_load(root_fd, c, q, why);

	if (rc <= 0)
		return rc;
	return mail_quota_over(q, bytes, count) ? MAILDIR_QUOTA_OVER : MAILDIR_QUOTA_FITS;
}

/* mail_quota_update - the line, then the warning when one was crossed */
int mail_quota_update(int root_fd, const struct mail_quota_cfg *c, const struct maildir_quota *before,
		      long long bytes, long long count, struct buf *why)
{
	int pct;

	if (bytes == 0 && count == 0)
		return 0;
	if (maildir_quota_add(root_fd, bytes, count, why) < 0)
		return -1;
	if (before == NULL || (pct = mail_quota_crossed(c, before, bytes, count)) == 0)
		return 0;
	return mail_quota_warn(root_fd, before, bytes, count, pct, why);
}
