/* pop3_uidl - a message's POP3 UIDL from a pop3_uidl_format template,
 * the string Dovecot 2.3 gives for the same template and message, so
 * that POP3 clients of a user moved from Dovecot download nothing again.
 *
 *   struct pop3_uidl_vars v = { .uid = 1, .uidvalidity = 1700000000 };
 *   pop3_uidl_format(out, "%08Xu%08Xv", &v, why);   // "000000016553f100"
 *
 * Variables (Dovecot's): %u / %{uid} the IMAP UID, %v / %{uidvalidity}
 * the folder's UIDVALIDITY, %f / %{filename} the Maildir file name base,
 * %g / %{guid} the message GUID (Dovecot's is the 'G' uidlist extension,
 * else the file name base), %% a '%'.  %m / %{md5} (an MD5 of the
 * header, mbox only in Dovecot) is refused.  Each variable may carry
 * Dovecot's var-expand modifiers: "%[-][0]W" width (truncate, or pad with
 * '0' when W starts with 0), "%[-]O.[0][-]W" offset then width, and the
 * letters X (decimal to lowercase hex, as Dovecot's %x), L, U (case), R
 * (reverse), T (trim trailing space), E (backslash before \ " ').  The
 * hash modifiers H, N, M and D are refused.
 * Errors (-1, why): an unknown variable or modifier, a variable without
 * a value, a template that ends in '%', a result that is empty, over 70
 * bytes (RFC 1939) or has a byte outside 0x21-0x7e.
 * A message whose dovecot-uidlist line saved a UIDL ('P') keeps that
 * one instead, as in Dovecot: dovecot_uidlist_saved_uidl().
 * pop3_uidl_check() refuses at configuration time what would be refused
 * for every message.
 */
#ifndef HATO_POP3_UIDL_H
#define HATO_POP3_UIDL_H

#include <stdint.h>

#include "buf.h"

enum { POP3_UIDL_MAX = 70 };

struct pop3_uidl_vars {
	uint32_t uid;
	uint32_t uidvalidity;
	const char *filename;	/* file name base, NULL when unknown */
	const char *guid;	/* NULL when unknown */
};

/* pop3_uidl_format - the UIDL into out (reset first): 0, or -1 with why */
int pop3_uidl_format(struct buf *out, const char *format, const struct pop3_uidl_vars *v,
		     struct buf *why);
/* pop3_uidl_check - is format usable (known variables and modifiers)? */
int pop3_uidl_check(const char *format, struct buf *why);

#endif
