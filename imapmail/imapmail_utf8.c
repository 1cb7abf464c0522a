/* imapmail_utf8 - UTF8=ACCEPT (RFC 6855, now RFC 9755) after "ENABLE
 * UTF8=ACCEPT": imapmail_utf8_enable (ENABLE's part), imapmail_folder_name
 * (a client's mailbox name), imapmail_folder_quote (a folder's name for
 * it), imapmail_utf8_patterns (LIST's), imapmail_append_data (APPEND's
 * message).
 * Enabled: names are UTF-8 both ways (section 3): one the client sends
 * must be Net-Unicode and becomes the modified UTF-7 the Maildir++ folder
 * has on disk, as Dovecot names it ("&" is "&-"); quoted strings may hold
 * UTF-8 (imap_quote_utf8), so ENVELOPE shows the header as it came;
 * APPEND takes "UTF8 (~{n}...)" (section 4; RFC 9755 dropped it) and a
 * plain literal.  Not enabled: names are modified UTF-7, APPEND UTF8 is
 * BAD (section 4), and SMTPUTF8 mail is not downgraded: section 3 only
 * forbids UTF-8 in a quoted string to such a client and section 7
 * ("Dealing with Legacy Clients") leaves downgrading (RFC 6857, 6858) to
 * the server, so a string with an 8-bit byte goes as a literal (RFC 3501
 * sections 4.3 and 9: CHAR8), unchanged, byte for byte as Dovecot 2.3
 * sends it.  ENABLE IMAP4rev2 alone leaves names modified UTF-7.
 * Limit: LIST patterns match in modified UTF-7, so a wildcard between two
 * non-ASCII letters does not match inside one encoded run.
 * Trust: names and literals are the client's; nothing is allocated
 * beyond their size.
 */
#include <stdlib.h>
#include <string.h>

#include "imap_quote.h"
#include "imap_utf7.h"
#include "imap_utf8.h"
#include "imapmail.h"
#include "mem.h"
#include "strv.h"

/* imapmail_utf8_enable - the session speaks UTF-8 from now on */
void imapmail_utf8_enable(struct imapmail *m)
{
	m->utf8 = true;
	imap_quote_utf8(true);
}

/* imapmail_folder_name - the folder name (as sent) is, into folder */
bool imapmail_folder_name(struct imapmail *m, const char *name, struct buf *folder,
			  struct buf *why)
{
	struct buf *mutf7;
	bool ok;

	if (!m->utf8)
		return imapmail_folder_check(name, folder, why);
	if (!imap_utf8_name_ok(name)) {
		buf_set(why, "[CANNOT] Invalid mailbox name: Not valid UTF-8");
		return false;
	}
	mutf7 = buf_new(strlen(name) * 2 + 8);
	ok = imap_utf7_from_utf8(name, mutf7) == 0;
	if (!ok)
		buf_set(why, "[CANNOT] Invalid mailbox name: Not valid UTF-8");
	else
		ok = imapmail_folder_check(buf_str(mutf7), folder, why);
	buf_free(&mutf7);
	return ok;
}

/* imapmail_folder_quote - folder's name as an astring: UTF-8 when
 * enabled (a name on disk that is not valid mUTF-7 goes as it is) */
void imapmail_folder_quote(struct imapmail *m, struct buf *out, const char *folder)
{
	struct buf *u;

	if (!m->utf8 || strchr(folder, '&') == NULL) {
		imap_quote_astring(out, folder, strlen(folder));
		return;
	}
	u = buf_new(strlen(folder) + 8);
	if (imap_utf7_to_utf8(folder, u) == 0)
		imap_quote_astring(out, buf_str(u), buf_len(u));
	else
		imap_quote_astring(out, folder, strlen(folder));
	buf_free(&u);
}

/* imapmail_utf8_patterns - LIST's reference+pattern strings, UTF-8 when
 * enabled, made modified UTF-7 like the folder names they match ('%'
 * and '*' are ASCII and stay); one that is not UTF-8 stays (it matches
 * no folder) */
void imapmail_utf8_patterns(struct imapmail *m, struct strv *patterns)
{
	struct buf *b;

	if (!m->utf8)
		return;
	b = buf_new(64);
	for (size_t i = 0; i < patterns->len; i++) {
		buf_reset(b);
		if (imap_utf7_from_utf8(patterns->items[i], b) == 0 &&
		    strcmp(buf_str(b), patterns->items[i]) != 0) {
			free(patterns->items[i]);
			patterns->items[i] = xstrdup(buf_str(b));
		}
	}
	buf_free(&b);
}

/* imapmail_append_data - APPEND's message at c->args[i]: a literal, or
 * (enabled) UTF8 (literal8), with the index of the argument after it in
 * *next; NULL when it is neither (BAD) */
const struct imap_arg *imapmail_append_data(struct imapmail *m, const struct imap_cmd *c, size_t i,
					    size_t *next)
{
	const struct imap_arg *a = &c->args[i];

	if (i >= c->args_len)
		return NULL;
	if (a->type == IMAP_ARG_LITERAL) {
		*next = i + 1;
		return a;
	}
	if (!m->utf8 || i + 2 > c->args_len || !imap_arg_atom_is(a, "UTF8"))
		return NULL;
	a = &c->args[i + 1];
	if (a->type != IMAP_ARG_LIST || a->list_len != 1 || a->list[0].type != IMAP_ARG_LITERAL ||
	    !a->list[0].literal8)
		return NULL;
	*next = i + 2;
	return &a->list[0];
}
