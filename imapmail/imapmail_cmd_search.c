/* imapmail_cmd_search - SEARCH and UID SEARCH: XXX the search module
 * (imapmail_search.c) is being written; until it lands only ALL is
 * understood. */
#include <string.h>

#include "imapmail.h"

void imapmail_cmd_search(struct imapmail *m, struct imap_cmd *c)
{
	struct buf *out = buf_new(64);

	if (c->args_len != 1 || !imap_arg_atom_is(&c->args[0], "ALL")) {
		imapmail_tagged(m, "NO", "[CANNOT] Only SEARCH ALL is implemented yet.");
		buf_free(&out);
		return;
	}
	buf_cat(out, "SEARCH");
	for (size_t i = 0; i < m->box->f->len; i++)
		buf_printf(out, " %lu", m->uid ? (unsigned long)m->box->f->msgs[i].uid : (unsigned long)i + 1);
	imapmail_untagged(m, "%s", buf_str(out));
	imapmail_tagged(m, "OK", "Search completed.");
	buf_free(&out);
}
