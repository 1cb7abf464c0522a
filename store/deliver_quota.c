/* deliver_quota - main.cf's quota and the user's from authd; see
 * deliver_quota.h.
 *
 * State per agent process: main.cf's parsed quota (or why it is bad), the
 * connection to authd (reopened once when it broke, e.g. authd was
 * restarted), and the last lookup's rules.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth_client.h"
#include "deliver_quota.h"
#include "log.h"
#include "mem.h"

enum { AUTH_TIMEOUT_MS = 10000 };

static const struct params *quota_cf;
static struct mail_quota_cfg main_quota;	/* main.cf's */
static char *main_quota_error;			/* a bad quota parameter: why */
static struct mail_quota_cfg user_quota;	/* main.cf's with the user's rules */
static struct auth_client *auth;		/* kept open between lookups */
static struct buf *rules;			/* the last lookup's, tab-separated */
static bool may_have_rules;			/* userdb names a passwd-file or lmdb */

/* deliver_quota_init - main.cf's quota parameters, for every delivery of
 * this process and its children; a bad one is logged and defers them */
void deliver_quota_init(const struct params *cf)
{
	struct buf *why = buf_new(0);

	quota_cf = cf;
	rules = buf_new(64);
	may_have_rules = strstr(cf->userdb, "passwd-file:") || strstr(cf->userdb, "lmdb:");
	if (mail_quota_cfg_init(&main_quota, cf, NULL, why) < 0) {
		log_warn("%s", buf_str(why));
		main_quota_error = buf_steal(&why);
	}
	buf_free(&why);
}

/* ask - one USER lookup on the kept connection: an auth_status */
static enum auth_status ask(const char *name, struct buf *out)
{
	struct auth_user u = { 0 };
	enum auth_status rc;

	if (auth == NULL && (auth = auth_client_open("login/auth", AUTH_TIMEOUT_MS, out)) == NULL)
		return AUTH_TEMPFAIL;
	rc = auth_client_user(auth, name, "lda", &u, out);
	if (rc == AUTH_OK) {
		char *joined = strv_join(u.quota_rules, "\t");

		buf_set(rules, joined);
		free(joined);
		auth_client_user_clear(&u);
	} else if (rc == AUTH_TEMPFAIL) {
		auth_client_free(&auth);	/* a fresh connection next time */
	}
	return rc;
}

/* deliver_quota_lookup - USER name, retried once on a new connection */
int deliver_quota_lookup(const char *name, struct agent_result *res)
{
	struct buf *out;
	enum auth_status rc;

	buf_reset(rules);
	if (!may_have_rules || access("login/auth", F_OK) < 0)
		return 0;	/* no userdb with quota fields, or no authd */
	out = buf_new(64);
	if ((rc = ask(name, out)) == AUTH_TEMPFAIL) {
		buf_reset(out);
		rc = ask(name, out);
	}
	if (rc == AUTH_TEMPFAIL)
		deliver_agent_result_set(res, "4.3.0", "cannot look up the quota of %s in the userdb: %s",
				       name, buf_str(out));
	buf_free(&out);
	return rc == AUTH_TEMPFAIL ? -1 : 0;
}

/* deliver_quota_rules - for the kept helper's request */
const char *deliver_quota_rules(void)
{
	return rules ? buf_str(rules) : "";
}

/* deliver_quota_set_rules - in the kept helper, from its request */
void deliver_quota_set_rules(const char *text)
{
	if (rules == NULL)
		rules = buf_new(64);
	buf_set(rules, text);
}

/* deliver_quota_cfg - main.cf's quota, or a new one with the rules */
const struct mail_quota_cfg *deliver_quota_cfg(struct agent_result *res)
{
	struct strv *items;
	struct buf *why;
	int rc;

	if (main_quota_error) {
		deliver_agent_result_set(res, "4.3.5", "mail system configuration error: %s", main_quota_error);
		return NULL;
	}
	if (rules == NULL || buf_len(rules) == 0)
		return &main_quota;
	items = strv_split(buf_str(rules), "\t");
	why = buf_new(0);
	if ((rc = mail_quota_cfg_init(&user_quota, quota_cf, items, why)) < 0)
		deliver_agent_result_set(res, "4.3.5", "mail system configuration error: %s", buf_str(why));
	strv_free(&items);
	buf_free(&why);
	return rc < 0 ? NULL : &user_quota;
}
