/* local_recipient - one request recipient: user+ext, the loop check,
 * aliases, ~/.forward, the mailbox; and how item results combine.
 *
 * Every final destination logs its own Postfix line through
 * local_recipient_result (to=<destination>, orig_to=<request recipient>); the
 * request recipient's status is the worst of them: deferred (retry the
 * whole recipient later; finished items may then be delivered twice, as
 * in Postfix) beats bounced beats sent.  Addresses collected on the way
 * are resubmitted last, and only when nothing deferred, so a retry does
 * not forward twice.
 */
#include <ctype.h>
#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "local.h"
#include "log.h"
#include "mem.h"
#include "pwcache.h"

/* severity - deferred > bounced > sent */
static int severity(enum deliver_status st)
{
	return st == DELIVER_DEFERRED ? 2 : st == DELIVER_BOUNCED ? 1 : 0;
}

/* local_recipient_result - log one destination's result, fold it into r */
void local_recipient_result(struct local_rcpt *r, const char *to, const struct agent_result *res)
{
	enum deliver_status st = deliver_agent_result_status(res);
	const char *orig = strcasecmp(to, r->address) == 0 ? deliver_agent_orig_to(r->m, r->index)
							   : r->address;

	deliver_agent_log(r->m, to, orig, "local", res->dsn, buf_str(res->text));
	if (r->have_result && severity(st) <= severity(r->status))
		return;
	r->have_result = true;
	r->status = st;
	snprintf(r->dsn, sizeof(r->dsn), "%s", res->dsn);
	buf_set(r->text, buf_str(res->text));
}

/* local_recipient_status - a result made here rather than by a child */
void local_recipient_status(struct local_rcpt *r, const char *to, const char *dsn, const char *fmt, ...)
{
	struct agent_result res;
	va_list ap;

	deliver_agent_result_init(&res);
	snprintf(res.dsn, sizeof(res.dsn), "%s", dsn);
	va_start(ap, fmt);
	buf_vprintf(res.text, fmt, ap);
	va_end(ap);
	local_recipient_result(r, to, &res);
	deliver_agent_result_free(&res);
}

/* local_recipient_to - "local@domain" of the recipient's domain */
char *local_recipient_to(const struct local_rcpt *r, const char *local)
{
	struct buf *b = buf_new(64);

	buf_cat(b, local);
	if (*r->domain)
		buf_printf(b, "@%s", r->domain);
	return buf_steal(&b);
}

/* local_recipient_user - the passwd entry (pwcache.h) into u: 1 found, 0 no
 * such user, -1 error */
int local_recipient_user(const char *name, struct local_user *u, struct buf *why)
{
	const struct passwd *pw;

	memset(u, 0, sizeof(*u));
	if ((pw = pwcache_getnam(name)) == NULL) {
		if (errno == 0)
			return 0;
		buf_printf(why, "user lookup of \"%s\": %s", name, strerror(errno));
		return -1;
	}
	u->name = xstrdup(pw->pw_name);
	u->home = xstrdup(pw->pw_dir);
	u->shell = xstrdup(pw->pw_shell);
	u->uid = pw->pw_uid;
	u->gid = pw->pw_gid;
	return 1;
}

/* local_recipient_user_free - release u's strings */
void local_recipient_user_free(struct local_user *u)
{
	free(u->name);
	free(u->home);
	free(u->shell);
	memset(u, 0, sizeof(*u));
}

/* deliver_mailbox - mailbox_command when set, else the mailbox */
static void deliver_mailbox(struct local_rcpt *r, const struct local_user *u, const char *to)
{
	if (*r->g->cf->mailbox_command)
		local_mailbox_command(r, u, to);
	else
		local_mailbox(r, u, to);
}

/* deliver_user - .forward unless excluded, else the mailbox */
static void deliver_user(struct local_rcpt *r, const char *base, const char *to, int flags)
{
	struct local_user u;
	struct buf *why = buf_new(0);
	int rc = local_recipient_user(base, &u, why);

	if (rc < 0)
		local_recipient_status(r, to, "4.3.0", "%s", buf_str(why));
	else if (rc == 0)
		local_recipient_status(r, to, "5.1.1", "User unknown: no local user \"%s\"", base);
	else if ((flags & LOCAL_NO_FORWARD) || local_dotforward(r, &u, to) == 0)
		deliver_mailbox(r, &u, to);
	if (rc > 0)
		local_recipient_user_free(&u);
	buf_free(&why);
}

/* local_recipient_local - the local part local (lower case) of r's domain:
 * aliases (unless LOCAL_NO_ALIAS), then the user */
void local_recipient_local(struct local_rcpt *r, const char *local, int flags)
{
	char *to = r->depth == 0 ? xstrdup(r->address) : local_recipient_to(r, local);
	char *base = NULL, *ext = NULL;

	if (++r->depth > LOCAL_MAX_DEPTH) {
		local_recipient_status(r, to, "5.4.6", "mail forwarding loop: aliases or .forward "
				       "nested deeper than %d", LOCAL_MAX_DEPTH);
		goto out;
	}
	if (!addr_split_ext(local, r->g->cf->recipient_delimiter, &base, &ext))
		base = xstrdup(local);
	if (r->depth == 1 && ext)
		r->extension = xstrdup(ext);
	if ((flags & LOCAL_NO_ALIAS) || local_alias(r, local, base) == 0)
		deliver_user(r, base, to, flags);
out:
	r->depth--;
	free(base);
	free(ext);
	free(to);
}

/* split_address - local part (lower case) and domain of the request address */
static char *split_address(struct local_rcpt *r)
{
	const char *at = strrchr(r->address, '@');
	char *local = at ? xstrndup(r->address, (size_t)(at - r->address)) : xstrdup(r->address);

	r->domain = xstrdup(at ? at + 1 : "");
	for (char *p = local; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return local;
}

/* local_recipient - deliver request recipient i (deliver_agent_serve calls it) */
void local_recipient(void *ctx, struct agent_msg *m, size_t i)
{
	struct local_rcpt r = { .g = ctx, .m = m, .index = i, .address = m->rq->rcpt[i].address,
				.forward = strv_new(), .seen = htable_new(16), .text = buf_new(128) };
	char *local = split_address(&r);

	if (*local == '\0')
		local_recipient_status(&r, r.address, "5.1.3", "bad address syntax: empty local part");
	else if (deliver_agent_seen(m, r.address))
		local_recipient_status(&r, r.address, "5.4.6", "mail forwarding loop for %s", r.address);
	else
		local_recipient_local(&r, local, 0);
	if (r.forward->len > 0 && !(r.have_result && r.status == DELIVER_DEFERRED))
		local_forward_flush(&r);
	if (!r.have_result)
		local_recipient_status(&r, r.address, "2.0.0",
				       "discarded: no destination left after expansion");
	deliver_status(m->rq, i, r.status, r.dsn, "local", "%s", buf_str(r.text));
	free(local);
	free(r.domain);
	free(r.extension);
	strv_free(&r.forward);
	htable_free(&r.seen, NULL);
	buf_free(&r.text);
}
