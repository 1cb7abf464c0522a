/* imapmail_hdrcache - BODY[HEADER.FIELDS (...)] from the index's cache:
 * the request desktop and phone clients make for every message of a
 * folder (Thunderbird, K-9, Apple Mail list From, To, Subject, Date,
 * References ... that way, not with ENVELOPE).
 *
 * The cache field "header-lean" (MAIL_INDEX_CACHE_HEADER_LEAN, filled with
 * the ENVELOPE's fields by mail_index_cache_fill) holds the message's header (CRLF or LF,
 * as the file has it, the empty line included) without the trace and
 * signature fields that make most of a header and that no client lists
 * (Received, DKIM-Signature, ARC-*, Authentication-Results ...): a
 * HEADER.FIELDS of the message itself (not of a part, not .NOT) naming
 * none of those is answered from it, byte for byte what the file gives
 * (imapmail_section_write_fields filters the same bytes); anything else
 * reads the file.  A message cached before the field existed is filled
 * again at its first such FETCH; a lean header over
 * MAIL_INDEX_CACHE_FIELD_MAX is kept as uncacheable.
 * Trust: the header is the sender's; the filter only cuts at line ends.
 */
#include <string.h>

#include "imapmail.h"
#include "imapmail_render.h"
#include "log.h"
#include "mail_header_lean.h"
#include "mail_index_cache.h"

/* imapmail_hdrcache_covers - the cached header can answer sec */
bool imapmail_hdrcache_covers(const struct imapmail_section *sec)
{
	const char *f;

	if (sec->item != IMAPMAIL_ITEM_BODY || sec->part_len != 0 ||
	    sec->text != IMAPMAIL_TEXT_FIELDS || sec->fields == NULL)
		return false;
	f = buf_str(sec->fields);
	for (size_t k = 0; k < sec->fields_len; k++, f += strlen(f) + 1)
		if (!mail_header_lean_keeps(f, strlen(f)))
			return false;
	return true;
}


/* imapmail_hdrcache_get - msg's lean header into out, filled first if
 * need be: true, or false (read the file) */
bool imapmail_hdrcache_get(struct imapmail *m, const struct mail_index_msg *msg, struct buf *out)
{
	struct buf *why = buf_new(0);
	const char *folder = m->box->name;
	int rc = mail_index_cache_get(m->idx, folder, msg->uid, MAIL_INDEX_CACHE_HEADER_LEAN, out,
				      why);

	if (rc == 0 && mail_index_cache_fill_header(m->idx, folder, m->box->fd, msg->uid, why) == 1) {
		buf_reset(out);
		rc = mail_index_cache_get(m->idx, folder, msg->uid, MAIL_INDEX_CACHE_HEADER_LEAN,
					  out, why);
	}
	if (rc < 0)
		log_warn("user %s: %s uid %u: %s", m->user, folder, msg->uid, buf_str(why));
	buf_free(&why);
	return rc == 1;
}
