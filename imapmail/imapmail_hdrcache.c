/* imapmail_hdrcache - BODY[HEADER.FIELDS (...)] from the index's cache:
 * the request desktop and phone clients make for every message of a
 * folder (Thunderbird, K-9, Apple Mail list From, To, Subject, Date,
 * References ... that way, not with ENVELOPE).
 *
 * The cache field "header-lean" holds the message's header (CRLF or LF,
 * as the file has it, the empty line included) without the trace and
 * signature fields that make most of a header and that no client lists
 * (Received, DKIM-Signature, ARC-*, Authentication-Results ...): a
 * HEADER.FIELDS of the message itself (not of a part, not .NOT) naming
 * none of those is answered from it, byte for byte what the file gives
 * (imapmail_section_write_fields filters the same bytes); anything else
 * reads the file.  Filled on the first such FETCH of the message, from
 * the file already open; a header over MAIL_INDEX_CACHE_FIELD_MAX is
 * kept as uncacheable.
 * Trust: the header is the sender's; the filter only cuts at line ends.
 */
#include <string.h>
#include <strings.h>

#include "imapmail.h"
#include "imapmail_render.h"
#include "log.h"
#include "mail_header_lean.h"
#include "mail_index_cache.h"
#include "mime_parts.h"

#define HDRCACHE_FIELD "header-lean"

/* imapmail_hdrcache_covers - the cached header can answer sec */
bool imapmail_hdrcache_covers(const struct imapmail_section *sec)
{
	const char *f = buf_str(sec->fields);

	if (sec->item != IMAPMAIL_ITEM_BODY || sec->part_len != 0 ||
	    sec->text != IMAPMAIL_TEXT_FIELDS)
		return false;
	for (size_t k = 0; k < sec->fields_len; k++, f += strlen(f) + 1)
		if (!mail_header_lean_keeps(f, strlen(f)))
			return false;
	return true;
}

