/* local_item - the items of an alias value, a .forward or an :include:
 * file, and what each one becomes.
 *
 * Syntax (aliases(5)): items separated by commas or newlines; a "quoted
 * item" may contain commas and spaces ("|/usr/bin/vacation joe"); a line
 * whose first non-blank is '#' is a comment; "Name <addr>" means addr.
 * Kinds: |command, /file (/dir/ for a Maildir), :include:/file, \user
 * (that user's mailbox, no aliases, no .forward), the name being expanded
 * itself (the user, no more aliases), and any other address, which is
 * resubmitted through cleanup.  Unqualified addresses get @$myorigin.
 * Duplicates are delivered once per request recipient; a recipient
 * expands to at most LOCAL_MAX_ITEMS items.
 * Trust: items come from the administrator (aliases), from users
 * (.forward, parsed in a child running as the user) or from include file
 * owners; none of them is ever passed to a shell except |command itself.
 */
#include <ctype.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "local.h"
#include "log.h"
#include "mem.h"

/* unquote - "a \"b\"" -> a "b" when the whole item is one quoted string */
static void unquote(struct buf *item)
{
	const char *s = buf_str(item);
	size_t n = buf_len(item);
	struct buf *out;

	if (n < 2 || s[0] != '"' || s[n - 1] != '"')
		return;
	out = buf_new(n);
	for (size_t i = 1; i < n - 1; i++) {
		if (s[i] == '"')
			goto keep;	/* "a"@b: a quoted local part, not a quoted item */
		if (s[i] == '\\' && i + 1 < n - 1)
			i++;
		buf_putc(out, s[i]);
	}
	buf_set(item, buf_str(out));
keep:
	buf_free(&out);
}

/* angle - "Name <addr>" -> addr */
static void angle(struct buf *item)
{
	const char *s = buf_str(item), *lt, *gt;

	if (s[0] == '"' || s[0] == '|' || s[0] == '/')
		return;
	if ((lt = strchr(s, '<')) != NULL && (gt = strchr(lt, '>')) != NULL && gt[1] == '\0') {
		char *inner = xstrndup(lt + 1, (size_t)(gt - lt - 1));

		buf_set(item, inner);
		free(inner);
	}
}

/* finish_item - trim, unquote, add unless empty */
static void finish_item(struct buf *item, struct strv *out)
{
	buf_trim(item);
	angle(item);
	unquote(item);
	buf_trim(item);
	if (buf_len(item) && out->len < LOCAL_MAX_ITEMS)
		strv_add(out, buf_str(item));
	buf_reset(item);
}

/* local_item_split - value (len bytes) into items */
void local_item_split(const char *value, size_t len, struct strv *out)
{
	struct buf *item = buf_new(64);
	bool quoted = false, line_start = true, comment = false;

	for (size_t i = 0; i < len; i++) {
		char c = value[i];

		if (c == '\0')
			c = ' ';
		if (line_start && !isspace((unsigned char)c)) {
			comment = c == '#';
			line_start = false;
		}
		if (c == '\n') {
			if (!quoted && !comment)
				finish_item(item, out);
			quoted = comment = false;
			buf_reset(item);
			line_start = true;
			continue;
		}
		if (comment)
			continue;
		if (quoted && c == '\\' && i + 1 < len && value[i + 1] != '\n') {
			buf_putc(item, c);
			buf_putc(item, value[++i]);
			continue;
		}
		if (c == '"')
			quoted = !quoted;
		if (c == ',' && !quoted) {
			finish_item(item, out);
			continue;
		}
		buf_putc(item, c);
	}
	if (!quoted && !comment)
		finish_item(item, out);
	buf_free(&item);
}

/* local_item_privs - the rights for items owned by uid: default_privs
 * instead of root; uid 0 in src->privs means "none usable" */
void local_item_privs(struct local_global *g, struct local_source *src, uid_t uid, gid_t gid,
		      const char *name)
{
	struct passwd *pw;
	char label[64];

	if (uid == 0) {
		if (g->have_default_privs)
			src->privs = g->default_privs;
		else
			deliver_agent_privs(&src->privs, 0, 0, "(no usable default_privs)");
		return;
	}
	if ((pw = getpwuid(uid)) != NULL)
		snprintf(label, sizeof(label), "%s", pw->pw_name);
	else
		snprintf(label, sizeof(label), "%s uid %lu", name, (unsigned long)uid);
	deliver_agent_privs(&src->privs, uid, gid, label);
}

/* first_time - the duplicate filter: true the first time kind+value shows */
static bool first_time(struct local_rcpt *r, char kind, const char *value, bool fold)
{
	struct buf *key = buf_new(64);
	bool first;

	buf_printf(key, "%c:%s", kind, value);
	if (fold)
		buf_lower(key);
	if ((first = htable_get(r->seen, buf_str(key)) == NULL))
		htable_put(r->seen, buf_str(key), r);
	buf_free(&key);
	return first;
}

/* restricted - allowed by allow_mail_to_commands/files for this source? */
static bool restricted(struct local_rcpt *r, int allowed, const struct local_source *src,
		       const char *what)
{
	if (allowed & src->cls)
		return false;
	local_recipient_status(r, src->to, "5.7.1", "mail to %s is restricted", what);
	return true;
}

/* user_item - \user, or the expanded name itself: that user's delivery */
static void user_item(struct local_rcpt *r, const char *local, int flags)
{
	char *lower = xstrdup(local);

	for (char *p = lower; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if (first_time(r, 'u', lower, false))
		local_recipient_local(r, lower, flags);
	free(lower);
}

/* plausible - an address cleanup will take: a local part, a domain when
 * there is an '@', no blanks or control characters outside quotes */
static bool plausible(const char *addr)
{
	const char *at = strrchr(addr, '@');
	bool quoted = false;

	if (addr[0] == '\0' || addr[0] == '@' || (at && at[1] == '\0'))
		return false;
	for (const unsigned char *p = (const unsigned char *)addr; *p; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if ((*p <= ' ' || *p == 0x7f) && !quoted)
			return false;
	}
	return !quoted;
}

/* address_item - an address: the user itself, or one to resubmit */
static void address_item(struct local_rcpt *r, const char *item, const struct local_source *src)
{
	const char *at = strrchr(item, '@');
	bool local = at == NULL || strcasecmp(at + 1, r->domain) == 0;
	char *lp = at ? xstrndup(item, (size_t)(at - item)) : xstrdup(item);
	struct buf *addr = buf_new(64);

	if (!plausible(item)) {
		local_recipient_status(r, src->to, "5.1.3", "bad address syntax in %s: \"%s\"",
				       src->cls == LOCAL_CLASS_FORWARD ? ".forward" :
				       src->cls == LOCAL_CLASS_INCLUDE ? ":include: file" : "alias", item);
	} else if (local && src->name && strcasecmp(lp, src->name) == 0) {
		user_item(r, lp, LOCAL_NO_ALIAS | (src->cls == LOCAL_CLASS_FORWARD ? LOCAL_NO_FORWARD : 0));
	} else {
		buf_cat(addr, item);
		if (at == NULL)
			buf_printf(addr, "@%s", r->g->cf->myorigin);
		if (first_time(r, 'a', buf_str(addr), true))
			strv_add(r->forward, buf_str(addr));
	}
	buf_free(&addr);
	free(lp);
}

/* item - one item of src */
static void item(struct local_rcpt *r, const char *it, const struct local_source *src)
{
	if (it[0] == '|') {
		if (!restricted(r, r->g->allow_commands, src, "command") && first_time(r, 'c', it, false))
			local_command(r, it + 1, src);
	} else if (it[0] == '/') {
		if (!restricted(r, r->g->allow_files, src, "file") && first_time(r, 'f', it, false))
			local_file(r, it, src);
	} else if (strncasecmp(it, ":include:", 9) == 0) {
		const char *path = it + 9;

		while (isspace((unsigned char)*path))
			path++;
		if (first_time(r, 'i', path, false))
			local_include(r, path, src);
	} else if (it[0] == '\\' && (strchr(it, '@') == NULL
				     || strcasecmp(strrchr(it, '@') + 1, r->domain) == 0)) {
		char *lp = xstrndup(it + 1, strcspn(it + 1, "@"));

		user_item(r, lp, LOCAL_NO_ALIAS | LOCAL_NO_FORWARD);
		free(lp);
	} else if (it[0] == '\\') {
		address_item(r, it + 1, src);	/* \user@elsewhere: just an address */
	} else {
		address_item(r, it, src);
	}
}

/* local_item_list - deliver every item of src */
void local_item_list(struct local_rcpt *r, const struct strv *items, const struct local_source *src)
{
	for (size_t i = 0; i < items->len; i++) {
		if (++r->nitems > LOCAL_MAX_ITEMS) {
			log_warn("%s: %s expands to more than %d destinations; the rest is ignored",
				 r->m->rq->queue_id, r->address, LOCAL_MAX_ITEMS);
			return;
		}
		item(r, items->items[i], src);
	}
}
