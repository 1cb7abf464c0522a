/* imapmail_esort - ESORT (RFC 5267 section 3): "SORT RETURN (options)
 * (criteria) charset program" and its UID form answer one ESEARCH
 * instead of "* SORT":
 *
 *   * ESEARCH (TAG "t") [UID] [MIN id] [MAX id] [ALL set] [COUNT n]
 *
 * imapmail_cmd_sort calls imapmail_esort_return first (it takes the
 * RETURN off the arguments; dispatch puts them back), sorts as ever,
 * then imapmail_search_esearch with the sorted ids.  MIN and MAX are the
 * first and the last message in sort order (section 3.2: "the lowest
 * (highest) sorted message"), ALL the ids in sort order, consecutive
 * ascending runs written "a:b"; with no match only COUNT 0 (RFC 4731
 * section 3.1), as Dovecot 2.3 answers.  RETURN () is ALL.  SAVE (RFC
 * 5182, RFC 5267 3.2) keeps the result in sort order for '$'
 * (imapmail_search_save); SAVE alone answers no ESEARCH.  CONTEXT=SORT
 * (RFC 5267 4) adds PARTIAL (places in sort order) and UPDATE
 * (imapmail_context.c); the list is imapmail_return_parse's.
 * Errors: a RETURN that is not a list of those words is BAD.  Trust:
 * the arguments are the client's; nothing is sized by them.
 */
#include <string.h>

#include "imapmail.h"
#include "imapmail_search.h"

/* imapmail_esort_return - SORT's RETURN (...), taken off c's arguments */
bool imapmail_esort_return(struct imapmail *m, struct imap_cmd *c, struct imapmail_return *r)
{
	struct buf *why;

	*r = (struct imapmail_return){ 0 };
	if (c->args_len == 0 || !imap_arg_atom_is(&c->args[0], "RETURN"))
		return true;
	why = buf_new(0);
	if (c->args_len < 2 || c->args[1].type != IMAP_ARG_LIST)
		buf_set(why, "Invalid RETURN options");
	else
		(void)imapmail_return_parse(&c->args[1], r, why);
	if (buf_len(why)) {
		imapmail_tagged(m, "BAD", "Error in IMAP command %sSORT: %s", m->uid ? "UID " : "",
				buf_str(why));
		buf_free(&why);
		return false;
	}
	buf_free(&why);
	c->args += 2;
	c->args_len -= 2;
	return true;
}
