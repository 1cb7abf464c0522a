/* imapmail_sort_key - the keys SORT and THREAD compare (RFC 5256): the
 * base subject (section 2.1), the first address's mailbox or display
 * name (through ENVELOPE's parser, imapmail_envelope.c), and message
 * ids.  Interface in imapmail_sort.h.  Values are
 * header text from the sender: every scan stops at the value's end. */
#include <stdlib.h>
#include <string.h>

#include "imapmail_render.h"
#include "imapmail_search_decode.h"
#include "imapmail_search_int.h"
#include "imapmail_sort.h"

/* normal - decoded, folded, white space runs one space (step 1) */
static void normal(const char *raw, size_t len, struct buf *out)
{
	struct buf *dec = buf_new(len + 1), *fold = buf_new(len + 1);
	bool space = false;

	search_decode_header(raw, len, dec);
	search_fold(buf_str(dec), buf_len(dec), fold);
	for (size_t i = 0; i < buf_len(fold); i++) {
		char c = buf_str(fold)[i];

		if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			space = true;
			continue;
		}
		if (space)
			buf_putc(out, ' ');
		space = false;
		buf_putc(out, c);
	}
	if (space)
		buf_putc(out, ' ');
	buf_free(&dec);
	buf_free(&fold);
}

/* blob - subj-blob at s[i] ("[" *BLOBCHAR "]" *WSP): its end, or 0 */
static size_t blob(const char *s, size_t len, size_t i)
{
	if (i >= len || s[i] != '[')
		return 0;
	for (i++; i < len && s[i] != '[' && s[i] != ']'; i++)
		;
	if (i >= len || s[i] != ']')
		return 0;
	for (i++; i < len && s[i] == ' '; i++)
		;
	return i;
}

/* refwd - subj-refwd at s[i] (("RE" / "FW" ["D"]) *WSP [subj-blob]
 * ":"): its end, or 0 */
static size_t refwd(const char *s, size_t len, size_t i)
{
	size_t b;

	if (len - i >= 2 && memcmp(s + i, "RE", 2) == 0)
		i += 2;
	else if (len - i >= 3 && memcmp(s + i, "FWD", 3) == 0)
		i += 3;
	else if (len - i >= 2 && memcmp(s + i, "FW", 2) == 0)
		i += 2;
	else
		return 0;
	for (; i < len && s[i] == ' '; i++)
		;
	if ((b = blob(s, len, i)) > 0)
		i = b;
	return i < len && s[i] == ':' ? i + 1 : 0;
}

/* leader - subj-leader at the start ((*subj-blob subj-refwd) / WSP):
 * its length, or 0 */
static size_t leader(const char *s, size_t len)
{
	size_t i = 0, b, r;

	if (len > 0 && s[0] == ' ')
		return 1;
	for (;;) {
		if ((r = refwd(s, len, i)) > 0)
			return r;
		if ((b = blob(s, len, i)) == 0)
			return 0;
		i = b;
	}
}

/* trailers - step 2: "(FWD)" and white space off the end */
static size_t trailers(const char *s, size_t len, bool *reply)
{
	for (;;) {
		if (len > 0 && s[len - 1] == ' ')
			len--;
		else if (len >= 5 && memcmp(s + len - 5, "(FWD)", 5) == 0) {
			len -= 5;
			*reply = true;
		} else
			return len;
	}
}

/* imapmail_sort_base_subject - RFC 5256 section 2.1, steps 1 to 7 */
void imapmail_sort_base_subject(const char *raw, size_t len, struct buf *out, bool *reply_r)
{
	struct buf *n = buf_new(len + 1);
	const char *s;
	size_t a = 0, z, k;
	bool reply = false;

	normal(raw, len, n);
	s = buf_str(n);
	z = buf_len(n);
	for (;;) {
		z = a + trailers(s + a, z - a, &reply);			/* (2) */
		for (;;) {						/* (3)-(5) */
			if ((k = leader(s + a, z - a)) > 0) {
				reply = reply || s[a] != ' ';
				a += k;
			} else if ((k = blob(s, z, a)) > 0 && k < z) {
				a = k;
			} else {
				break;
			}
		}
		if (z - a >= 6 && memcmp(s + a, "[FWD:", 5) == 0 && s[z - 1] == ']') {
			a += 5;						/* (6) */
			z--;
			reply = true;
			continue;
		}
		break;
	}
	buf_add(out, s + a, z - a);
	buf_free(&n);
	if (reply_r)
		*reply_r = reply;
}

/* nstring - one nstring of an ENVELOPE at *p: false for NIL (or
 * anything else); the string into out */
static bool nstring(const char **p, const char *end, struct buf *out)
{
	const char *s = *p;
	char *e;
	unsigned long n;

	while (s < end && *s == ' ')
		s++;
	if (s < end && *s == '"') {
		for (s++; s < end && *s != '"'; s++) {
			if (*s == '\\' && s + 1 < end)
				s++;
			buf_putc(out, *s);
		}
		*p = s + 1;
		return true;
	}
	if (s < end && *s == '{' && (n = strtoul(s + 1, &e, 10), e + 3 <= end) &&
	    memcmp(e, "}\r\n", 3) == 0 && n <= (size_t)(end - e - 3)) {
		buf_add(out, e + 3, n);
		*p = e + 3 + n;
		return true;
	}
	*p = s + 3;
	return false;
}

/* imapmail_sort_address - the key of the field's first address, as
 * Dovecot 2.3 takes it: parsed as ENVELOPE parses it (a missing
 * mailbox is "MISSING_MAILBOX", a group its name), the display name
 * then RFC 2047-decoded (an encoded "," stays in the name) */
void imapmail_sort_address(const char *raw, size_t len, bool display, struct buf *out)
{
	struct buf *other = buf_new(64);

	if (display)
		imapmail_sort_addresses(raw, len, other, out);
	else
		imapmail_sort_addresses(raw, len, out, other);
	buf_free(&other);
}

/* imapmail_sort_addresses - both keys of the field's first address from
 * one parse: FROM's (the mailbox) into box, DISPLAYFROM's into display */
void imapmail_sort_addresses(const char *raw, size_t len, struct buf *box_key,
			     struct buf *display)
{
	struct buf *f = buf_new(len + 16), *env = buf_new(len + 64), *name = buf_new(64),
		   *box = buf_new(64), *dom = buf_new(64), *key = buf_new(64);
	const char *p, *end;
	bool has_box, has_dom;

	buf_cat(f, "From: ");
	buf_add(f, raw, len);
	for (size_t i = 6; i < buf_len(f); i++)	/* one line */
		if (f->data[i] == '\n' || f->data[i] == '\r')
			f->data[i] = ' ';
	buf_putc(f, '\n');
	imapmail_envelope_write(buf_str(f), buf_len(f), env);
	p = buf_str(env) + 9;			/* "(NIL NIL " */
	end = buf_str(env) + buf_len(env);
	if (p + 2 <= end && p[0] == '(' && p[1] == '(') {
		p += 2;
		(void)nstring(&p, end, name);
		(void)nstring(&p, end, key);	/* the route: not used */
		buf_reset(key);
		has_box = nstring(&p, end, box);
		has_dom = nstring(&p, end, dom);
		search_fold(buf_str(box), buf_len(box), box_key);
		if (buf_len(name) > 0)
			search_decode_header(buf_str(name), buf_len(name), key);
		else if (has_box && has_dom)
			buf_printf(key, "%s@%s", buf_str(box), buf_str(dom));
		else
			buf_add(key, buf_str(box), buf_len(box));
		search_fold(buf_str(key), buf_len(key), display);
	}
	buf_free(&f);
	buf_free(&env);
	buf_free(&name);
	buf_free(&box);
	buf_free(&dom);
	buf_free(&key);
}

/* imapmail_sort_msgids - "<...>" ids, white space inside dropped; an
 * id without "@" is not one */
size_t imapmail_sort_msgids(const char *raw, size_t len, struct strv *ids)
{
	struct buf *id = buf_new(64);
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		size_t j;

		if (raw[i] != '<')
			continue;
		buf_reset(id);
		for (j = i + 1; j < len && raw[j] != '>' && raw[j] != '<'; j++)
			if (raw[j] != ' ' && raw[j] != '\t' && raw[j] != '\r' && raw[j] != '\n')
				buf_putc(id, raw[j]);
		if (j < len && raw[j] == '>' && buf_len(id) > 0 && memchr(buf_str(id), '@', buf_len(id))) {
			strv_addn(ids, buf_str(id), buf_len(id));
			n++;
		}
		i = j - 1;
	}
	buf_free(&id);
	return n;
}
