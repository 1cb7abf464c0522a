/* hato_import_master - the new master.cf.
 *
 * Its MTA part is Postfix's master.cf as written (paths rewritten;
 * services hato has no program for stay, master skips them, and a note
 * lists them), or hato's own when no Postfix is imported.  Its mail
 * access part (imapd, pop3d, authd, pop3mail, imapmail) comes from the
 * Dovecot translation (im->services) when Dovecot is imported, else from
 * hato's master.cf as it was.  A generated service that the MTA part
 * already has (same name and type) is not added twice.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "daemon_names.h"
#include "fsutil.h"
#include "hato_import.h"
#include "log.h"
#include "master_cf.h"
#include "mem.h"

enum { MAX_MASTER_CF = 4 << 20 };

/* the comment before the mail access part; an earlier import's goes */
#define MAIL_ACCESS_HEADER "# The mail access side, "

static const char *const mail_access[] = { "imapd", "pop3d", "authd", "pop3mail", "imapmail", NULL };

/* is_mail_access - e runs a program of the mail access side */
static bool is_mail_access(const struct master_cf_entry *e)
{
	for (const char *const *p = mail_access; *p; p++)
		if (strcmp(e->command, *p) == 0)
			return true;
	return false;
}

/* entry_lines - the line range [*first, *end) of entry k, 0-based; the
 * comments and blank lines before the next entry are not its own */
static void entry_lines(const struct strv *lines, const struct master_cf *m, size_t k,
			size_t *first, size_t *end)
{
	*first = (size_t)m->entries[k].line - 1;
	*end = k + 1 < m->len ? (size_t)m->entries[k + 1].line - 1 : lines->len;
	while (*end > *first + 1) {
		const char *s = lines->items[*end - 1];

		if (s[0] != '#' && s[strspn(s, " \t\r")] != '\0')
			break;
		(*end)--;
	}
}

/* split_lines - text into lines, without the newlines */
static struct strv *split_lines(const char *text)
{
	struct strv *v = strv_new();
	const char *nl;

	for (; *text; text = nl + 1) {
		if ((nl = strchr(text, '\n')) == NULL) {
			strv_add(v, text);
			break;
		}
		strv_addn(v, text, (size_t)(nl - text));
	}
	return v;
}

/* has_service - m has a service name of type */
static bool has_service(const struct master_cf *m, const char *name, enum master_cf_type type,
			const bool *dropped)
{
	for (size_t i = 0; i < m->len; i++)
		if (!dropped[i] && m->entries[i].type == type && strcmp(m->entries[i].service, name) == 0)
			return true;
	return false;
}

/* append_entries - entries of text (parsed as m) that keep says, into out */
static void append_entries(const char *text, const struct master_cf *m, const bool *keep,
			   struct buf *out)
{
	struct strv *lines = split_lines(text);

	for (size_t k = 0; k < m->len; k++) {
		size_t first, end;

		if (!keep[k])
			continue;
		entry_lines(lines, m, k, &first, &end);
		for (size_t i = first; i < end; i++)
			buf_printf(out, "%s\n", lines->items[i]);
	}
	strv_free(&lines);
}

/* drop_entries - text without the entries marked in drop */
static void drop_entries(const char *text, const struct master_cf *m, const bool *drop,
			 struct buf *out)
{
	struct strv *lines = split_lines(text);
	bool *gone = xcalloc(lines->len + 1, sizeof(*gone));

	for (size_t k = 0; k < m->len; k++) {
		size_t first, end;

		if (!drop[k])
			continue;
		entry_lines(lines, m, k, &first, &end);
		for (size_t i = first; i < end; i++)
			gone[i] = true;
	}
	for (size_t i = 0; i < lines->len; i++)
		if (!gone[i] && strncmp(lines->items[i], MAIL_ACCESS_HEADER, strlen(MAIL_ACCESS_HEADER)) != 0)
			buf_printf(out, "%s\n", lines->items[i]);
	free(gone);
	strv_free(&lines);
}

/* load_master - a master.cf's text (rewritten when it is Postfix's) and its
 * entries; NULL on error (logged) */
static struct master_cf *load_master(struct import *im, const char *dir, struct buf *text)
{
	struct buf *path = buf_new(64), *raw = buf_new(4096), *why = buf_new(64);
	struct master_cf *m = NULL;

	buf_printf(path, "%s/master.cf", dir);
	if (fsutil_load_at(AT_FDCWD, buf_str(path), MAX_MASTER_CF, raw, why) <= 0)
		log_error("%s", buf_len(why) ? buf_str(why) : "master.cf: no such file");
	else if (dir == im->postfix)
		import_rewrite(im, buf_str(raw), text);
	else
		buf_set(text, buf_str(raw));
	if (buf_len(text) && (m = master_cf_parse_text(buf_str(path), buf_str(text), buf_len(text),
						       why)) == NULL)
		log_error("%s", buf_str(why));
	buf_free(&path);
	buf_free(&raw);
	buf_free(&why);
	return m;
}

/* note_postfix_entries - tables its -o values name; services hato skips */
static void note_postfix_entries(struct import *im, const struct master_cf *m)
{
	struct buf *path = buf_new(64);
	const char *daemons = config_get(im->hato, "daemon_directory");

	buf_printf(path, "%s/master.cf", im->postfix);
	for (size_t k = 0; k < m->len; k++) {
		const struct master_cf_entry *e = &m->entries[k];

		for (size_t i = 0; i < e->overrides->len; i++)
			import_copy_named(im, e->overrides->items[i], e->overrides->items[i],
					  buf_str(path), e->line);
		if (daemon_is_unavailable(e, daemons))
			import_note(im, "%s, line %d: service %s (%s): not provided by hato; master skips it",
				    buf_str(path), e->line, e->service, e->command);
	}
	buf_free(&path);
}

/* add_services - the Dovecot translation's services that base lacks; -1
 * (logged) if they do not parse */
static int add_services(struct import *im, const struct master_cf *base, const bool *dropped)
{
	struct buf *why = buf_new(64);
	struct master_cf *gen;
	bool *keep;

	gen = master_cf_parse_text("(generated)", buf_str(im->services), buf_len(im->services), why);
	if (gen == NULL) {
		log_error("the master.cf lines made from %s would not be valid: %s", im->dovecot,
			  buf_str(why));
		buf_free(&why);
		return -1;
	}
	keep = xcalloc(gen->len + 1, sizeof(*keep));
	for (size_t k = 0; k < gen->len; k++) {
		keep[k] = !has_service(base, gen->entries[k].service, gen->entries[k].type, dropped);
		if (!keep[k])
			import_note(im, "master.cf: %s %s is already there; not added again",
				    gen->entries[k].service, master_cf_type_name(gen->entries[k].type));
	}
	buf_printf(im->master_cf, "\n%sfrom %s (hato import)\n", MAIL_ACCESS_HEADER, im->dovecot);
	append_entries(buf_str(im->services), gen, keep, im->master_cf);
	free(keep);
	master_cf_free(&gen);
	buf_free(&why);
	return 0;
}

/* import_master - see hato_import.h */
int import_master(struct import *im)
{
	struct buf *text = buf_new(4096), *own_text = buf_new(4096);
	struct master_cf *base = NULL, *own = NULL;
	bool *drop = NULL, *keep = NULL;
	int rc = -1;

	if ((base = load_master(im, im->postfix ? im->postfix : im->dir, text)) == NULL)
		goto out;
	drop = xcalloc(base->len + 1, sizeof(*drop));
	if (im->postfix)
		note_postfix_entries(im, base);
	for (size_t k = 0; im->dovecot && k < base->len; k++)
		drop[k] = is_mail_access(&base->entries[k]);
	drop_entries(buf_str(text), base, drop, im->master_cf);
	while (buf_len(im->master_cf) >= 2 && strcmp(buf_str(im->master_cf) + buf_len(im->master_cf) - 2, "\n\n") == 0)
		buf_truncate(im->master_cf, buf_len(im->master_cf) - 1);
	if (im->dovecot) {
		if (add_services(im, base, drop) < 0)
			goto out;
	} else {
		if ((own = load_master(im, im->dir, own_text)) == NULL)
			goto out;
		keep = xcalloc(own->len + 1, sizeof(*keep));
		for (size_t k = 0; k < own->len; k++)
			keep[k] = is_mail_access(&own->entries[k]) &&
				  !has_service(base, own->entries[k].service, own->entries[k].type, drop);
		buf_printf(im->master_cf, "\n%sas hato had it (hato import)\n", MAIL_ACCESS_HEADER);
		append_entries(buf_str(own_text), own, keep, im->master_cf);
	}
	rc = 0;
out:
	free(drop);
	free(keep);
	master_cf_free(&base);
	master_cf_free(&own);
	buf_free(&text);
	buf_free(&own_text);
	return rc;
}
