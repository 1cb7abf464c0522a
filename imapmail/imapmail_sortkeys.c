/* imapmail_sortkeys - one message's SORT and THREAD keys, computed once
 * from its envelope fields and header and kept in the index's cache (its
 * side table, imapmail_sortcache.c), so that a SORT reads them instead
 * of decoding and folding every Subject and address again.
 * Interface in imapmail_sort.h:
 *
 *   imapmail_sortkeys_compute(env, env_len, hdr, hdr_len, out);  // encoded
 *   ok = imapmail_sortkeys_decode(data, len, &k);  // k points into data
 *   imapmail_sort_header_refs(hdr, ids);           // References' ids
 *
 * The encoding ("k1"): the sent date (i64, big-endian; INT64_MIN when
 * the Date: field is missing or unreadable: the internal date is used),
 * the reply flag (one byte), the count of References ids (u32), then
 * NUL-terminated: the base subject, FROM, TO, CC, DISPLAYFROM and
 * DISPLAYTO keys (imapmail_sort_key.c), the Message-ID, and each
 * reference.  A key is cut at a NUL byte, as the strcmp that compares
 * it would.  decode checks every length: a cache entry is data, and a
 * bad one reads as absent (computed again).  Trust: the header and the
 * envelope fields are the sender's; every scan is bounded by them.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "imap_date.h"
#include "imapmail_rfc822.h"
#include "imapmail_sort.h"
#include "mem.h"

enum { MAGIC_LEN = 2, FIXED_LEN = MAGIC_LEN + 8 + 1 + 4 };

/* field - the first field name of the envelope fields, NUL-terminated
 * (cut at a NUL byte; "" when absent) */
static char *field(const char *env, size_t len, const char *name)
{
	size_t vlen = 0;
	const char *v = imapmail_rfc822_field(env, len, name, &vlen);

	return v ? xstrndup(v, vlen) : xstrdup("");
}

/* put_u - v big-endian in n bytes */
static void put_u(struct buf *out, uint64_t v, int n)
{
	while (n-- > 0)
		buf_putc(out, (char)(v >> (8 * n)));
}

/* get_u - n big-endian bytes */
static uint64_t get_u(const unsigned char *p, int n)
{
	uint64_t v = 0;

	while (n-- > 0)
		v = v << 8 | *p++;
	return v;
}

/* put_str - s up to its NUL (or len), then a NUL */
static void put_str(struct buf *out, const char *s, size_t len)
{
	const char *nul = memchr(s, '\0', len);

	buf_add(out, s, nul ? (size_t)(nul - s) : len);
	buf_putc(out, '\0');
}

/* imapmail_sort_header_refs - the first References field of a header
 * (raw, folded lines, to its empty line or NUL) into ids */
void imapmail_sort_header_refs(const char *hdr, struct strv *ids)
{
	struct buf *v = buf_new(256);
	const char *s = hdr, *end = hdr + strlen(hdr);

	while (s < end) {
		const char *eol = memchr(s, '\n', (size_t)(end - s));

		if (eol == NULL)
			eol = end;
		if (eol == s || (eol == s + 1 && *s == '\r'))
			break;			/* the header's end */
		if (buf_len(v) > 0 && (*s == ' ' || *s == '\t'))
			buf_add(v, s, (size_t)(eol - s));
		else if (buf_len(v) > 0)
			break;
		else if (strncasecmp(s, "References:", 11) == 0)
			buf_add(v, s + 11, (size_t)(eol - s - 11));
		s = eol + 1;
	}
	imapmail_sort_msgids(buf_str(v), buf_len(v), ids);
	buf_free(&v);
}

/* addresses - the FROM, TO, CC, DISPLAYFROM and DISPLAYTO keys, in this
 * order, each parsed once */
static void addresses(const char *env, size_t env_len, struct buf *out)
{
	static const char *const names[] = { "From", "To", "Cc" };
	struct buf *box[3], *display[3];

	for (int a = 0; a < 3; a++) {
		char *v = field(env, env_len, names[a]);

		box[a] = buf_new(64);
		display[a] = buf_new(64);
		if (a < 2)
			imapmail_sort_addresses(v, strlen(v), box[a], display[a]);
		else
			imapmail_sort_address(v, strlen(v), false, box[a]);
		free(v);
	}
	for (int a = 0; a < 3; a++)
		put_str(out, buf_str(box[a]), buf_len(box[a]));
	for (int a = 0; a < 2; a++)
		put_str(out, buf_str(display[a]), buf_len(display[a]));
	for (int a = 0; a < 3; a++) {
		buf_free(&box[a]);
		buf_free(&display[a]);
	}
}

/* imapmail_sortkeys_compute - the keys of a message from its envelope
 * fields and its header (NUL-terminated), encoded into out */
void imapmail_sortkeys_compute(const char *env, size_t env_len, const char *hdr,
			       struct buf *out)
{
	struct buf *k = buf_new(64);
	struct strv *refs = strv_new(), *ids = strv_new();
	char *v = field(env, env_len, "Date");
	time_t t = 0;
	int zone;
	bool reply = false;

	buf_add(out, "k1", MAGIC_LEN);
	put_u(out, v[0] && imap_date_rfc5322(v, strlen(v), &t, &zone) == 0
	      ? (uint64_t)(int64_t)t : (uint64_t)INT64_MIN, 8);
	free(v);
	v = field(env, env_len, "Subject");
	imapmail_sort_base_subject(v, strlen(v), k, &reply);
	free(v);
	imapmail_sort_header_refs(hdr, refs);
	v = field(env, env_len, "In-Reply-To");
	if (refs->len == 0 && imapmail_sort_msgids(v, strlen(v), ids) > 0)
		strv_add(refs, ids->items[0]);
	free(v);
	buf_putc(out, reply);
	put_u(out, refs->len, 4);
	put_str(out, buf_str(k), buf_len(k));
	addresses(env, env_len, out);
	strv_clear(ids);
	v = field(env, env_len, "Message-ID");
	if (imapmail_sort_msgids(v, strlen(v), ids) > 0)
		put_str(out, ids->items[0], strlen(ids->items[0]));
	else
		buf_putc(out, '\0');
	free(v);
	for (size_t i = 0; i < refs->len; i++)
		put_str(out, refs->items[i], strlen(refs->items[i]));
	buf_free(&k);
	strv_free(&refs);
	strv_free(&ids);
}

/* next_str - the string at *at (NUL-terminated before end): it, or NULL */
static const char *next_str(const char *data, size_t len, size_t *at)
{
	const char *s = data + *at, *nul;

	if (*at >= len || (nul = memchr(s, '\0', len - *at)) == NULL)
		return NULL;
	*at += (size_t)(nul - s) + 1;
	return s;
}

/* imapmail_sortkeys_decode - an encoded entry into k (pointing into
 * data): false when it is not one, to the last byte */
bool imapmail_sortkeys_decode(const char *data, size_t len, struct imapmail_sortkeys *k)
{
	const unsigned char *u = (const unsigned char *)data;
	size_t at = FIXED_LEN;

	if (len < FIXED_LEN || memcmp(data, "k1", MAGIC_LEN) != 0 || u[10] > 1)
		return false;
	k->sent = (int64_t)get_u(u + MAGIC_LEN, 8);
	k->reply = u[10] == 1;
	k->n_refs = (uint32_t)get_u(u + 11, 4);
	for (int i = 0; i < IMAPMAIL_SORT_STRS; i++)
		if ((k->str[i] = next_str(data, len, &at)) == NULL)
			return false;
	if ((k->msgid = next_str(data, len, &at)) == NULL)
		return false;
	k->refs = data + at;
	for (uint32_t i = 0; i < k->n_refs; i++)
		if (next_str(data, len, &at) == NULL)
			return false;
	return at == len;
}
