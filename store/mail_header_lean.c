/* mail_header_lean - a message header without the fields no mail
 * client lists (traces and signatures: Received, DKIM-Signature, ARC-*,
 * Authentication-Results ...), which make most of a header: the copy the
 * index's cache keeps so that IMAP's BODY[HEADER.FIELDS (...)] of the
 * fields clients do list is answered without the file.
 *
 *   mail_header_lean(hdr, hdr_len, out);      // hdr: the header's bytes
 *   if (mail_header_lean_keeps("Subject", 7)) ... // answerable from it
 *
 * Fields are cut as IMAP's HEADER.FIELDS cuts them (a line and its
 * continuation lines; the name before ':' less trailing blanks), so the
 * fields kept are byte for byte the file's; lines that are no field are
 * kept; the empty line too.  Trust: the header is the sender's; nothing
 * but line ends is looked for.
 */
#include <string.h>
#include <strings.h>

#include "mail_header_lean.h"

#define BULKY(name) { name, sizeof(name) - 1 }

/* the fields left out: traces and signatures, lower case, with their
 * lengths (a header of 15 fields was 240 strlen calls) */
static const struct {
	const char *name;
	size_t len;
} bulky[] = {
	BULKY("received"), BULKY("x-received"), BULKY("received-spf"), BULKY("return-path"),
	BULKY("delivered-to"), BULKY("dkim-signature"), BULKY("x-google-dkim-signature"),
	BULKY("domainkey-signature"), BULKY("arc-seal"), BULKY("arc-message-signature"),
	BULKY("arc-authentication-results"), BULKY("authentication-results"),
	BULKY("x-ms-exchange-antispam-messagedata-0"),
	BULKY("x-ms-exchange-antispam-messagedata-chunkcount"),
	BULKY("x-forefront-antispam-report"), BULKY("x-microsoft-antispam-message-info"),
};

/* is_bulky - a field name (len bytes) left out of the cached header */
static bool is_bulky(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(bulky) / sizeof(bulky[0]); i++)
		if (bulky[i].len == len && strncasecmp(bulky[i].name, name, len) == 0)
			return true;
	return false;
}

/* mail_header_lean_keeps - the lean header has the field name (len
 * bytes, any case) wherever the message has it */
bool mail_header_lean_keeps(const char *name, size_t len)
{
	return !is_bulky(name, len);
}

/* mail_header_lean - see the top of the file */
void mail_header_lean(const char *h, size_t len, struct buf *out)
{
	size_t i = 0;

	while (i < len) {
		size_t end = i, colon = i, nlen;

		do {
			const char *nl = memchr(h + end, '\n', len - end);

			end = nl ? (size_t)(nl - h) + 1 : len;
		} while (end < len && (h[end] == ' ' || h[end] == '\t'));
		while (colon < end && h[colon] != ':' && h[colon] != '\n')
			colon++;
		nlen = colon - i;
		while (nlen > 0 && (h[i + nlen - 1] == ' ' || h[i + nlen - 1] == '\t'))
			nlen--;
		if (colon >= end || h[colon] != ':' || !is_bulky(h + i, nlen))
			buf_add(out, h + i, end - i);
		i = end;
	}
}
