/* deliver_quota - which quota a delivery to a user's own Maildir keeps:
 * main.cf's (quota_rule, quota_rule2, quota_warning_percent,
 * quota_full_tempfail) with the user's own rules from authd's userdb
 * (a passwd-file or lmdb entry's userdb_quota_rule=...), as Dovecot's
 * LDA and LMTP look the user up before a save.
 *
 *   deliver_quota_init(cf);                          // once, as the agent
 *   if (deliver_quota_lookup("joe@example.com", res) < 0)
 *       ... res says why (4.3.0: authd could not answer)
 *   ... fork the child as the user ...
 *   const struct mail_quota_cfg *q = deliver_quota_cfg(res);  // in it
 *   if (q == NULL) ... res says why (4.3.5: a bad rule)
 *
 * The lookup asks authd (USER, service "lda", login/auth below the queue
 * directory, one connection kept per agent process) only when the userdb
 * setting names a passwd-file or lmdb database (a system user has no quota
 * fields) and authd's socket exists; an unknown user has main.cf's quota.
 * A failed lookup defers rather than let a message past the user's limit.
 * The rules found stay with the process (and its children, and go to the
 * kept helper with its request: deliver_quota_rules) until the next
 * lookup.  Trust: authd's answer is checked by auth_client; the rules are
 * parsed in the child as the administrator's text would be.
 */
#ifndef HATO_DELIVER_QUOTA_H
#define HATO_DELIVER_QUOTA_H

#include "deliver_agent.h"
#include "mail_quota.h"
#include "params.h"

void deliver_quota_init(const struct params *cf);
/* deliver_quota_lookup - the user's rules for the next delivery: 0, or -1
 * with res deferred */
int deliver_quota_lookup(const char *name, struct agent_result *res);
/* deliver_quota_rules - the rules of the last lookup, tab-separated
 * "quota_ruleN=RULE" items ("" none), for the kept helper's request;
 * deliver_quota_set_rules sets them there */
const char *deliver_quota_rules(void);
void deliver_quota_set_rules(const char *rules);
/* deliver_quota_cfg - the quota for the delivery: main.cf's, or with the
 * user's rules; NULL with res deferred (4.3.5) when a rule is bad */
const struct mail_quota_cfg *deliver_quota_cfg(struct agent_result *res);

#endif
