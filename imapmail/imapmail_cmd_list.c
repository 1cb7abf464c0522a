/* imapmail_cmd_list - LIST (RFC 9051 6.3.9 with LIST-EXTENDED, RFC 5258:
 * selection and return options, several patterns; LIST-STATUS, RFC
 * 5819; SPECIAL-USE, RFC 6154), LSUB, and STATUS (with STATUS=SIZE, RFC
 * 8438).  The names listed are INBOX, every Maildir++ folder, and the
 * parents that exist only as part of a deeper name (\Noselect). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "imap_quote.h"
#include "imapmail.h"
#include "imapmail_recent.h"
#include "log.h"
#include "maildir_folder.h"
#include "mem.h"

enum {
	SEL_SUBSCRIBED = 1 << 0, SEL_SPECIAL = 1 << 1, SEL_RECURSIVE = 1 << 2,
	RET_SUBSCRIBED = 1 << 3, RET_CHILDREN = 1 << 4, RET_SPECIAL = 1 << 5, RET_STATUS = 1 << 6,
};

struct listing {
	int opts;
	struct strv *patterns;		/* reference + pattern, each */
	const struct imap_arg *status;	/* RETURN (STATUS (...)) items */
	struct strv *folders, *subs, *special;
};

/* match - IMAP list wildcards: '*' anything, '%' anything but '.' */
static bool match(const char *pat, const char *name)
{
	for (; *pat; pat++, name++) {
		if (*pat == '*' || *pat == '%') {
			for (const char *n = name;; n++) {
				if (match(pat + 1, n))
					return true;
				if (*n == '\0' || (*pat == '%' && *n == '.'))
					return false;
			}
		}
		if (*name == '\0' || *pat != *name)
			return false;
	}
	return *name == '\0';
}

/* matches - any pattern; INBOX in any case */
static bool matches(const struct listing *l, const char *name)
{
	for (size_t i = 0; i < l->patterns->len; i++) {
		const char *p = l->patterns->items[i];

		if (strcmp(name, "INBOX") == 0 && strncasecmp(p, "INBOX", 5) == 0 &&
		    match(p + 5, ""))
			return true;
		if (match(p, name))
			return true;
	}
	return false;
}

/* has - name in v */
static bool has(const struct strv *v, const char *name)
{
	for (size_t i = 0; v && i < v->len; i++)
		if (strcmp(v->items[i], name) == 0)
			return true;
	return false;
}

/* children - any folder below name */
static bool children(const struct listing *l, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < l->folders->len; i++)
		if (strncmp(l->folders->items[i], name, n) == 0 && l->folders->items[i][n] == '.')
			return true;
	return false;
}

/* special_use - the folder's SPECIAL-USE attribute, or NULL */
static const char *special_use(const struct listing *l, const char *name)
{
	for (size_t i = 0; i + 1 < l->special->len; i += 2)
		if (strcmp(l->special->items[i], name) == 0)
			return l->special->items[i + 1];
	return NULL;
}

/* STATUS items, in the order Dovecot answers them whatever the order
 * asked */
enum { ST_MESSAGES, ST_RECENT, ST_UIDNEXT, ST_UIDVALIDITY, ST_UNSEEN, ST_HIGHESTMODSEQ, ST_SIZE,
       ST_DELETED, ST_N };
static const char *const status_names[ST_N] = { "MESSAGES", "RECENT", "UIDNEXT", "UIDVALIDITY",
						 "UNSEEN", "HIGHESTMODSEQ", "SIZE", "DELETED" };

/* status_mask - the items asked as bits (1 << ST_*); false on one unknown */
static bool status_mask(const struct imap_arg *items, unsigned *mask)
{
	*mask = 0;
	for (size_t i = 0; i < items->list_len; i++) {
		size_t k = 0;

		while (k < ST_N && !imap_arg_atom_is(&items->list[i], status_names[k]))
			k++;
		if (k == ST_N)
			return false;
		*mask |= 1u << k;
	}
	return true;
}

/* status_recent - RECENT of folder (listed as f): for the selected one,
 * this session's \Recent messages (as Dovecot answers) */
static unsigned long long status_recent(struct imapmail *m, const char *folder,
					const struct mail_index_folder *f)
{
	if (m->box && strcmp(m->box->name, folder) == 0)
		return m->box->recent;
	return imapmail_recent_status(m, folder, f);
}

/* imapmail_status_items - "(MESSAGES 3 UNSEEN 1)" of folder into out:
 * 0, -1 no such folder, -2 a bad item (BAD) */
static int status_items(struct imapmail *m, const char *folder, const struct imap_arg *items,
			struct buf *out)
{
	struct mail_index_folder *f = NULL;
	struct buf *why = buf_new(0);
	unsigned long long v[ST_N] = { 0 };
	unsigned mask;
	int fd = -1, rc = -1;

	if (!status_mask(items, &mask)) {
		rc = -2;
		goto out;
	}
	if ((fd = imapmail_folder_open(m, folder)) < 0 ||
	    mail_index_sync(m->idx, folder, fd, NULL, why) < 0 ||
	    mail_index_list(m->idx, folder, &f, why) != 0 || f == NULL) {
		if (buf_len(why))
			log_warn("user %s: status %s: %s", m->user, folder, buf_str(why));
		goto out;
	}
	for (size_t i = 0; i < f->len; i++) {
		v[ST_UNSEEN] += strchr(f->msgs[i].flags, 'S') == NULL;
		v[ST_DELETED] += strchr(f->msgs[i].flags, 'T') != NULL;
		v[ST_SIZE] += (unsigned long long)(f->msgs[i].vsize >= 0 ? f->msgs[i].vsize
									 : f->msgs[i].size);
	}
	v[ST_MESSAGES] = f->len;
	v[ST_UIDNEXT] = f->uidnext;
	v[ST_UIDVALIDITY] = f->uidvalidity;
	v[ST_HIGHESTMODSEQ] = f->highestmodseq;	/* RFC 7162 3.1.8 */
	if (mask & (1u << ST_RECENT))
		v[ST_RECENT] = status_recent(m, folder, f);
	buf_putc(out, '(');
	for (size_t k = 0, n = 0; k < ST_N; k++)
		if (mask & (1u << k))
			buf_printf(out, "%s%s %llu", n++ ? " " : "", status_names[k], v[k]);
	buf_putc(out, ')');
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	mail_index_folder_free(&f);
	buf_free(&why);
	return rc;
}

/* one - the LIST (or LSUB) line of name, and its STATUS */
static void one(struct imapmail *m, const struct listing *l, const char *cmd, const char *name,
		bool exists)
{
	struct buf *line = buf_new(128), *st = buf_new(64);
	const char *use = special_use(l, name);
	bool kids = children(l, name), sub = has(l->subs, name);
	size_t start;

	if ((l->opts & SEL_SUBSCRIBED) && !sub)
		goto out;
	if ((l->opts & SEL_SPECIAL) && use == NULL)
		goto out;
	buf_printf(line, "%s (", cmd);
	start = buf_len(line);
	if (!exists)
		buf_cat(line, m->rev2 ? "\\NonExistent" : "\\Noselect");
	if (buf_len(line) > start)
		buf_putc(line, ' ');
	buf_cat(line, kids ? "\\HasChildren" : "\\HasNoChildren");
	if (sub && (l->opts & (RET_SUBSCRIBED | SEL_SUBSCRIBED)))
		buf_cat(line, " \\Subscribed");
	if (use)
		buf_printf(line, " %s", use);
	buf_cat(line, ") \".\" ");
	imapmail_folder_quote(m, line, name);
	imapmail_untagged(m, "%s", buf_str(line));
	if (exists && l->status && status_items(m, name, l->status, st) == 0) {
		buf_reset(line);
		imapmail_folder_quote(m, line, name);
		imapmail_untagged(m, "STATUS %s %s", buf_str(line), buf_str(st));
	}
out:
	buf_free(&line);
	buf_free(&st);
}

/* select_opts - LIST (SUBSCRIBED RECURSIVEMATCH SPECIAL-USE REMOTE) */
static bool select_opts(struct listing *l, const struct imap_arg *a)
{
	for (size_t i = 0; i < a->list_len; i++) {
		if (imap_arg_atom_is(&a->list[i], "SUBSCRIBED"))
			l->opts |= SEL_SUBSCRIBED;
		else if (imap_arg_atom_is(&a->list[i], "SPECIAL-USE"))
			l->opts |= SEL_SPECIAL;
		else if (imap_arg_atom_is(&a->list[i], "RECURSIVEMATCH"))
			l->opts |= SEL_RECURSIVE;
		else if (!imap_arg_atom_is(&a->list[i], "REMOTE"))
			return false;
	}
	/* RFC 5258 3.1: RECURSIVEMATCH alone is an error */
	return !(l->opts & SEL_RECURSIVE) || (l->opts & (SEL_SUBSCRIBED | SEL_SPECIAL));
}

/* return_opts - RETURN (SUBSCRIBED CHILDREN SPECIAL-USE STATUS (...)) */
static bool return_opts(struct listing *l, const struct imap_arg *a)
{
	for (size_t i = 0; i < a->list_len; i++) {
		const struct imap_arg *o = &a->list[i];

		if (imap_arg_atom_is(o, "SUBSCRIBED")) {
			l->opts |= RET_SUBSCRIBED;
		} else if (imap_arg_atom_is(o, "CHILDREN")) {
			l->opts |= RET_CHILDREN;
		} else if (imap_arg_atom_is(o, "SPECIAL-USE")) {
			l->opts |= RET_SPECIAL;
		} else if (imap_arg_atom_is(o, "STATUS") && i + 1 < a->list_len &&
			   a->list[i + 1].type == IMAP_ARG_LIST) {
			l->status = &a->list[++i];
		} else {
			return false;
		}
	}
	return true;
}

/* add_pattern - reference and pattern joined */
static void add_pattern(struct listing *l, const char *ref, const char *pat)
{
	struct buf *b = buf_new(64);

	buf_printf(b, "%s%s", ref, pat);
	strv_add(l->patterns, buf_str(b));
	buf_free(&b);
}

/* patterns - the reference and the pattern (or list of them) */
static bool patterns(struct listing *l, const struct imap_arg *ref, const struct imap_arg *pat)
{
	const char *r, *p;

	if (!imap_arg_astring(ref, &r))
		return false;
	if (pat->type != IMAP_ARG_LIST) {
		if (!imap_arg_astring(pat, &p))
			return false;
		add_pattern(l, r, p);
		return true;
	}
	for (size_t i = 0; i < pat->list_len; i++) {
		if (!imap_arg_astring(&pat->list[i], &p))
			return false;
		add_pattern(l, r, p);
	}
	return true;
}

/* parse - the arguments of LIST or LSUB into l */
static bool parse(struct imap_cmd *c, bool lsub, struct listing *l)
{
	size_t i = 0;

	if (!lsub && c->args_len > 0 && c->args[0].type == IMAP_ARG_LIST && !select_opts(l, &c->args[i++]))
		return false;
	if (i + 2 > c->args_len || !patterns(l, &c->args[i], &c->args[i + 1]))
		return false;
	i += 2;
	if (!lsub && i + 2 == c->args_len && imap_arg_atom_is(&c->args[i], "RETURN") &&
	    c->args[i + 1].type == IMAP_ARG_LIST && return_opts(l, &c->args[i + 1]))
		return true;
	return i == c->args_len;
}

/* candidates - INBOX, the folders, their missing parents: name, exists */
static void candidates(const struct listing *l, struct strv *names, struct strv *missing)
{
	strv_add(names, "INBOX");
	for (size_t i = 0; i < l->folders->len; i++) {
		const char *f = l->folders->items[i];

		strv_add(names, f);
		for (const char *dot = strchr(f, '.'); dot; dot = strchr(dot + 1, '.')) {
			char *parent = xstrndup(f, (size_t)(dot - f));

			if (!has(l->folders, parent) && !has(missing, parent))
				strv_add(missing, parent);
			free(parent);
		}
	}
}

/* imapmail_cmd_list - LIST and LSUB */
void imapmail_cmd_list(struct imapmail *m, struct imap_cmd *c)
{
	bool lsub = strcmp(c->name, "LSUB") == 0;
	struct listing l = { .patterns = strv_new(), .special = imapmail_folder_special(m->cf) };
	struct strv *names = strv_new(), *missing = strv_new();
	struct buf *why = buf_new(0);
	size_t skipped;

	if (!parse(c, lsub, &l)) {
		imapmail_tagged(m, "BAD", "Invalid arguments.");
		goto out;
	}
	if (lsub)
		l.opts |= SEL_SUBSCRIBED;
	imapmail_utf8_patterns(m, l.patterns);
	if (maildir_folder_list(m->root_fd, &l.folders, why) < 0 ||
	    maildir_subs_read(m->root_fd, &l.subs, &skipped, why) < 0) {
		log_warn("user %s: list: %s", m->user, buf_str(why));
		imapmail_tagged(m, "NO", "[SERVERBUG] Internal error occurred.");
		goto out;
	}
	if (l.patterns->len == 1 && l.patterns->items[0][0] == '\0' && !lsub) {
		imapmail_untagged(m, "LIST (\\Noselect) \".\" \"\"");
	} else {
		candidates(&l, names, missing);
		for (size_t i = 0; i < names->len; i++)
			if (matches(&l, names->items[i]))
				one(m, &l, lsub ? "LSUB" : "LIST", names->items[i], true);
		for (size_t i = 0; i < missing->len; i++)
			if (matches(&l, missing->items[i]))
				one(m, &l, lsub ? "LSUB" : "LIST", missing->items[i], false);
	}
	imapmail_tagged(m, "OK", "%s completed.", lsub ? "Lsub" : "List");
out:
	strv_free(&l.patterns);
	strv_free(&l.folders);
	strv_free(&l.subs);
	strv_free(&l.special);
	strv_free(&names);
	strv_free(&missing);
	buf_free(&why);
}

/* imapmail_cmd_status - STATUS mailbox (items) */
void imapmail_cmd_status(struct imapmail *m, struct imap_cmd *c)
{
	struct buf *folder = buf_new(64), *why = buf_new(0), *out = buf_new(64), *q = buf_new(64);
	const char *name;
	int rc;

	if (c->args_len != 2 || !imap_arg_astring(&c->args[0], &name) ||
	    c->args[1].type != IMAP_ARG_LIST) {
		imapmail_tagged(m, "BAD", "Invalid arguments.");
	} else if (!imapmail_folder_name(m, name, folder, why)) {
		imapmail_tagged(m, "NO", "%s", buf_str(why));
	} else if ((rc = status_items(m, buf_str(folder), &c->args[1], out)) == -2) {
		imapmail_tagged(m, "BAD", "Invalid status item");
	} else if (rc < 0) {
		imapmail_tagged(m, "NO", "[NONEXISTENT] Mailbox doesn't exist: %s", name);
	} else {
		imap_quote_astring(q, name, strlen(name));
		imapmail_untagged(m, "STATUS %s %s", buf_str(q), buf_str(out));
		if (m->box && strcmp(m->box->name, buf_str(folder)) == 0)	/* as Dovecot */
			imapmail_tagged(m, "OK", "[CLIENTBUG] Status on selected mailbox completed.");
		else
			imapmail_tagged(m, "OK", "Status completed.");
	}
	buf_free(&folder);
	buf_free(&why);
	buf_free(&out);
	buf_free(&q);
}
