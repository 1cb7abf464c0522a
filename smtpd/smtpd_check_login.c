/* smtpd_check_login - who may use which sender address after AUTH:
 * smtpd_sender_login_maps and the reject_*_sender_login_mismatch
 * restrictions, as in Postfix.
 *
 * The table maps a sender address to the login names that own it (a
 * list separated by commas or spaces).  It is searched for the whole
 * address, then for the local part alone when the domain is ours, then
 * for "@domain".  The null sender is never checked.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "mem.h"
#include "smtpd_check.h"

/* check_login_init - open smtpd_sender_login_maps */
void check_login_init(struct smtpd_global *g)
{
	const char *v = g->cf->smtpd_sender_login_maps;

	if (*v)
		g->sender_logins = maps_open("smtpd_sender_login_maps", v, DICT_FLAG_FOLD_KEY);
}

/* owners_of - lookup result: 1 found (*owners set), 0 none, -1 temporary */
static int owners_of(struct check *c, const char *sender, const char **owners)
{
	struct smtpd_global *g = c->st->g;
	const char *at = strrchr(sender, '@');
	char *key;
	int rc;

	if ((rc = maps_find(g->sender_logins, sender, owners)) != 0 || at == NULL)
		return rc;
	if (smtpd_domain_class(g, at + 1) == DOM_LOCAL) {
		key = xstrndup(sender, (size_t)(at - sender));
		rc = maps_find(g->sender_logins, key, owners);
		free(key);
		if (rc != 0)
			return rc;
	}
	return maps_find(g->sender_logins, at, owners);
}

/* owned_by - login is one of the owners */
static bool owned_by(const char *owners, const char *login)
{
	struct strv *v = strv_split(owners, ", \t");
	bool yes = false;

	for (size_t i = 0; i < v->len && !yes; i++)
		yes = strcasecmp(v->items[i], login) == 0;
	strv_free(&v);
	return yes;
}

enum { AUTHENTICATED = 1, UNAUTHENTICATED = 2, KNOWN_ONLY = 4 };

/* mismatch - the common body; which says which cases to reject */
static int mismatch(struct check *c, int which)
{
	const char *sender = c->st->sender, *owners = NULL, *login = c->st->sasl_username;
	enum smtpd_stage saved = c->stage;
	int rc;

	if (!c->st->g->cf->smtpd_sasl_auth_enable) {
		log_warn("restriction *_sender_login_mismatch ignored: no SASL support");
		return CHECK_DUNNO;	/* as Postfix with smtpd_sasl_auth_enable = no */
	}
	if (c->st->g->sender_logins == NULL || sender == NULL || *sender == '\0')
		return CHECK_DUNNO;
	if ((rc = owners_of(c, sender, &owners)) < 0)
		return check_temp(c, sender, maps_error(c->st->g->sender_logins));
	c->stage = STAGE_SENDER;
	if (login && (which & AUTHENTICATED) && (rc == 1 || !(which & KNOWN_ONLY))
	    && (rc == 0 || !owned_by(owners, login))) {
		struct buf *t = buf_new(64);

		buf_printf(t, "not owned by user %s", login);
		rc = check_reply(c, 553, "5.7.1", sender, buf_str(t));
		buf_free(&t);
	} else if (!login && (which & UNAUTHENTICATED) && rc == 1) {
		rc = check_reply(c, 553, "5.7.1", sender, "not logged in");
	} else {
		rc = CHECK_DUNNO;
	}
	c->stage = saved;
	return rc;
}

int check_sender_login_mismatch(struct check *c, const char *arg)
{
	(void)arg;
	return mismatch(c, AUTHENTICATED | UNAUTHENTICATED);
}

int check_authenticated_sender_login_mismatch(struct check *c, const char *arg)
{
	(void)arg;
	return mismatch(c, AUTHENTICATED);
}

int check_unauthenticated_sender_login_mismatch(struct check *c, const char *arg)
{
	(void)arg;
	return mismatch(c, UNAUTHENTICATED);
}

int check_known_sender_login_mismatch(struct check *c, const char *arg)
{
	(void)arg;
	return mismatch(c, AUTHENTICATED | UNAUTHENTICATED | KNOWN_ONLY);
}
