/* imapmail_envelope - FETCH ENVELOPE (RFC 9051 section 7.5.2, RFC 3501
 * section 7.4.2) from a message's unfolded envelope fields.
 *
 *   imapmail_envelope_write(fields, len, out);
 *   -> (date subject from sender reply-to to cc bcc in-reply-to message-id)
 *
 * Date, Subject, In-Reply-To and Message-ID go as their text (encoded
 * words stay encoded, as Dovecot leaves them; the Subject's white space
 * runs made one space, as Dovecot 2.3 writes it "for humans"); the address fields are
 * parsed (RFC 5322 section 3.4 with the obsolete forms) into lists of
 * (name adl mailbox host), a group as (NIL NIL "name" NIL) ... (NIL NIL
 * NIL NIL).  Sender and Reply-To default to From when they give no
 * address (RFC 9051: "the server MUST default ... to the from field").
 * Fields given twice, as Dovecot 2.3 reads them: the last Date, Subject,
 * In-Reply-To, Message-ID; the addresses of all the From (To, ...)
 * fields in one list.  Broken addresses come out as Dovecot 2.3 gives them: a
 * missing local part is "MISSING_MAILBOX", a missing domain
 * "MISSING_DOMAIN", an angle address that does not parse has the host
 * "SYNTAX_ERROR", a bad route "INVALID_ROUTE"; words without "@" and
 * more words after them are a display name; the rest of a field after
 * an address that does not parse is dropped.
 * Never fails; the fields are the sender's (any bytes).
 * imapmail_envelope_render is the index cache's rendering (the cached
 * ENVELOPE of FETCH, imapmail_fetch_ahead.c): 7-bit fields only, whose
 * answer does not depend on UTF8=ACCEPT.
 */
#include <string.h>

#include "imap_quote.h"
#include "imapmail_render.h"
#include "imapmail_rfc822.h"
#include "mem.h"

enum { ADDRESSES_MAX = 10000 };

/* one address as parsed: NULL members are NIL */
struct addr {
	struct buf *name, *route, *mailbox, *domain;
	bool has_name, has_route, has_mailbox, has_domain;
};

struct aparse {
	struct imapmail_rfc822 r;
	struct buf *out;		/* the list being written */
	size_t count;
	struct addr a;
	struct buf *tmp;
};

/* set - one member of the address */
static void set(struct buf *dst, bool *has, const char *s, size_t len)
{
	buf_reset(dst);
	buf_add(dst, s, len);
	*has = true;
}

/* member - one nstring of an address: NIL when not set */
static void member(struct buf *out, const struct buf *b, bool has)
{
	imap_quote_nstring(out, has ? buf_str(b) : NULL, has ? buf_len(b) : 0);
}

/* emit - the address parsed so far into the list; a fresh one starts */
static void emit(struct aparse *k)
{
	struct addr *a = &k->a;

	if (k->count++ == 0)
		buf_putc(k->out, '(');
	buf_putc(k->out, '(');
	member(k->out, a->name, a->has_name);
	buf_putc(k->out, ' ');
	member(k->out, a->route, a->has_route);
	buf_putc(k->out, ' ');
	member(k->out, a->mailbox, a->has_mailbox);
	buf_putc(k->out, ' ');
	member(k->out, a->domain, a->has_domain);
	buf_putc(k->out, ')');
	a->has_name = a->has_route = a->has_mailbox = a->has_domain = false;
}

/* emit_fixed - emit, a missing mailbox or domain named */
static void emit_fixed(struct aparse *k)
{
	if (!k->a.has_mailbox)
		set(k->a.mailbox, &k->a.has_mailbox, "MISSING_MAILBOX", 15);
	if (!k->a.has_domain)
		set(k->a.domain, &k->a.has_domain, "MISSING_DOMAIN", 14);
	emit(k);
}

/* local_part - a dot-atom or a quoted string into the mailbox */
static int local_part(struct aparse *k)
{
	int rc;

	buf_reset(k->tmp);
	if (*k->r.p == '"')
		rc = imapmail_rfc822_quoted(&k->r, k->tmp);
	else
		rc = imapmail_rfc822_dot_atom(&k->r, k->tmp);
	if (rc < 0)
		return -1;
	set(k->a.mailbox, &k->a.has_mailbox, buf_str(k->tmp), buf_len(k->tmp));
	return rc;
}

/* domain - "@domain" into the host */
static int domain(struct aparse *k)
{
	int rc;

	buf_reset(k->tmp);
	if ((rc = imapmail_rfc822_domain(&k->r, k->tmp)) < 0)
		return -1;
	set(k->a.domain, &k->a.has_domain, buf_str(k->tmp), buf_len(k->tmp));
	return rc;
}

/* route - the obsolete "@a,@b" before the ':' of an angle address */
static int route(struct aparse *k)
{
	struct buf *r = buf_new(32);
	int rc = 1;

	for (;;) {
		if (k->r.p == k->r.end) {
			rc = 0;
			break;
		}
		if (*k->r.p != '@')
			break;
		if (buf_len(r) > 0)
			buf_putc(r, ',');
		buf_putc(r, '@');
		if ((rc = imapmail_rfc822_domain(&k->r, r)) <= 0)
			break;
		while (imapmail_rfc822_skip(&k->r) > 0 && *k->r.p == ',')
			k->r.p++;
	}
	if (rc > 0)
		set(k->a.route, &k->a.has_route, buf_str(r), buf_len(r));
	buf_free(&r);
	return rc;
}

/* angle - "<" [route ":"] local-part ["@" domain] ">" */
static int angle(struct aparse *k)
{
	k->r.p++;
	if (imapmail_rfc822_skip(&k->r) <= 0)
		return -1;
	if (*k->r.p == '>') {		/* "<>": the null address */
		k->r.p++;
		return imapmail_rfc822_skip(&k->r);
	}
	if (*k->r.p == '@') {
		if (route(k) <= 0 || *k->r.p != ':') {
			set(k->a.route, &k->a.has_route, "INVALID_ROUTE", 13);
			return -1;
		}
		k->r.p++;
		if (imapmail_rfc822_skip(&k->r) <= 0)
			return -1;
	}
	if (local_part(k) <= 0)
		return -1;
	if (*k->r.p == '@' && domain(k) <= 0)
		return -1;
	if (*k->r.p != '>')
		return -1;
	k->r.p++;
	return imapmail_rfc822_skip(&k->r);
}

/* name_addr - [phrase] angle-addr: -1 when it is not one */
static int name_addr(struct aparse *k)
{
	buf_reset(k->tmp);
	if (imapmail_rfc822_phrase(&k->r, k->tmp) <= 0 || *k->r.p != '<')
		return -1;
	if (buf_len(k->tmp) > 0)
		set(k->a.name, &k->a.has_name, buf_str(k->tmp), buf_len(k->tmp));
	if (angle(k) < 0)
		set(k->a.domain, &k->a.has_domain, "SYNTAX_ERROR", 12);
	return k->r.p != k->r.end;
}

/* addr_spec - local-part ["@" domain], a comment after it the name */
static int addr_spec(struct aparse *k)
{
	bool at = false;
	int rc, rc2;

	buf_reset(k->r.comment);
	rc = local_part(k);
	if (rc != 0 && k->r.p < k->r.end && *k->r.p == '@') {
		at = true;
		rc2 = domain(k);
		if (rc2 <= 0)
			rc = rc2;
	}
	if (buf_len(k->r.comment) > 0) {
		set(k->a.name, &k->a.has_name, buf_str(k->r.comment), buf_len(k->r.comment));
	} else if (!at) {
		/* a word without "@domain": more words make it a display
		 * name (of a mailbox that is missing), as Dovecot reads it */
		size_t words = buf_len(k->tmp) + 1;

		buf_putc(k->tmp, ' ');
		if (k->r.p < k->r.end)
			imapmail_rfc822_phrase(&k->r, k->tmp);
		if (buf_len(k->tmp) > words) {
			k->a.has_mailbox = false;
			set(k->a.name, &k->a.has_name, buf_str(k->tmp), buf_len(k->tmp));
		}
		rc = -1;
	}
	return rc;
}

/* mailbox - name-addr or addr-spec, emitted */
static int mailbox(struct aparse *k)
{
	const char *start = k->r.p;
	int rc;

	if ((rc = name_addr(k)) < 0) {
		k->r.p = start;
		k->a.has_name = k->a.has_route = k->a.has_mailbox = k->a.has_domain = false;
		rc = addr_spec(k);
	}
	emit_fixed(k);
	return rc;
}

/* group - phrase ":" [mailbox-list] ";": -1 when it is not one */
static int group(struct aparse *k)
{
	int rc;

	buf_reset(k->tmp);
	if (imapmail_rfc822_phrase(&k->r, k->tmp) <= 0 || *k->r.p != ':')
		return -1;
	k->r.p++;
	rc = imapmail_rfc822_skip(&k->r);
	set(k->a.mailbox, &k->a.has_mailbox, buf_str(k->tmp), buf_len(k->tmp));
	emit(k);
	if (rc > 0 && *k->r.p != ';') {
		while (k->count < ADDRESSES_MAX) {
			if (mailbox(k) <= 0) {
				rc = -1;
				break;
			}
			if (*k->r.p != ',')
				break;
			k->r.p++;
			if (imapmail_rfc822_skip(&k->r) <= 0) {
				rc = -1;
				break;
			}
		}
	}
	if (rc >= 0) {
		if (k->r.p == k->r.end || *k->r.p != ';') {
			rc = -1;
		} else {
			k->r.p++;
			rc = imapmail_rfc822_skip(&k->r);
		}
	}
	emit(k);
	return rc == 0 ? 0 : 1;
}

/* address - a group or a mailbox */
static int address(struct aparse *k)
{
	const char *start = k->r.p;
	int rc;

	if ((rc = group(k)) < 0) {
		k->r.p = start;
		k->a.has_name = k->a.has_route = k->a.has_mailbox = k->a.has_domain = false;
		rc = mailbox(k);
	}
	return rc;
}

/* address_list - the addresses of one field */
static void address_list(struct aparse *k)
{
	int rc;

	if (imapmail_rfc822_skip(&k->r) <= 0)
		return;
	while (k->count < ADDRESSES_MAX) {
		if (address(k) == 0)
			break;
		if (k->r.p == k->r.end || *k->r.p != ',')
			break;
		k->r.p++;
		if ((rc = imapmail_rfc822_skip(&k->r)) <= 0) {
			if (rc < 0)
				emit_fixed(k);
			break;
		}
	}
}

/* aparse_new, aparse_free - one parser for the address fields of an
 * envelope (its buffers made once) */
static void aparse_new(struct aparse *k)
{
	*k = (struct aparse){ 0 };
	k->r.comment = buf_new(0);
	k->tmp = buf_new(64);
	k->a.name = buf_new(0);
	k->a.route = buf_new(0);
	k->a.mailbox = buf_new(0);
	k->a.domain = buf_new(0);
}

static void aparse_free(struct aparse *k)
{
	buf_free(&k->r.comment);
	buf_free(&k->tmp);
	buf_free(&k->a.name);
	buf_free(&k->a.route);
	buf_free(&k->a.mailbox);
	buf_free(&k->a.domain);
}

/* addresses - the addresses of every field called name, one list, or
 * NIL: false if there are none */
static bool addresses(struct aparse *k, const char *fields, size_t len, const char *name,
		      struct buf *out)
{
	size_t at = 0, vlen = 0;
	const char *v;

	k->out = out;
	k->count = 0;
	k->a.has_name = k->a.has_route = k->a.has_mailbox = k->a.has_domain = false;
	while ((v = imapmail_rfc822_field_next(fields, len, name, &at, &vlen)) != NULL) {
		k->r.p = v;
		k->r.end = v + vlen;
		address_list(k);
	}
	buf_cat(out, k->count ? ")" : "NIL");
	return k->count > 0;
}

/* last - the last field called name (Dovecot keeps the last), or NULL */
static const char *last(const char *fields, size_t len, const char *name, size_t *vlen)
{
	const char *v, *found = NULL;
	size_t at = 0, n = 0;

	while ((v = imapmail_rfc822_field_next(fields, len, name, &at, &n)) != NULL) {
		found = v;
		*vlen = n;
	}
	return found;
}

/* humane - the Subject as Dovecot writes it: runs of white space (and
 * line ends) one space, none at the ends, NUL as 0x80 */
static void humane(const char *fields, size_t len, struct buf *out)
{
	size_t vlen = 0;
	const char *v = last(fields, len, "Subject", &vlen);
	struct buf *h;
	bool space = false;

	if (v == NULL) {
		buf_cat(out, "NIL");
		return;
	}
	h = buf_new(vlen);
	for (size_t i = 0; i < vlen; i++) {
		if (v[i] == ' ' || v[i] == '\t' || v[i] == '\r' || v[i] == '\n') {
			space = buf_len(h) > 0;
			continue;
		}
		if (space)
			buf_putc(h, ' ');
		space = false;
		buf_putc(h, v[i] ? v[i] : 0x80);
	}
	imap_quote_string(out, buf_str(h), buf_len(h));
	buf_free(&h);
}

/* text - a field as an nstring: NIL when absent */
static void text(const char *fields, size_t len, const char *name, struct buf *out)
{
	size_t vlen = 0;
	const char *v = last(fields, len, name, &vlen);

	imap_quote_nstring(out, v, vlen);
}

/* imapmail_envelope_write - the ENVELOPE list */
void imapmail_envelope_write(const char *fields, size_t len, struct buf *out)
{
	static const char *const addr_names[] = { "From", "Sender", "Reply-To", "To", "Cc", "Bcc" };
	struct aparse k;
	size_t mark, from = 0, from_len = 0;

	aparse_new(&k);
	buf_putc(out, '(');
	text(fields, len, "Date", out);
	buf_putc(out, ' ');
	humane(fields, len, out);
	for (size_t i = 0; i < sizeof(addr_names) / sizeof(addr_names[0]); i++) {
		buf_putc(out, ' ');
		mark = buf_len(out);
		if (!addresses(&k, fields, len, addr_names[i], out) && (i == 1 || i == 2)) {
			buf_truncate(out, mark);	/* From's list once more */
			buf_reserve(out, from_len);	/* no move under the copy */
			buf_add(out, buf_str(out) + from, from_len);
		}
		if (i == 0) {
			from = mark;
			from_len = buf_len(out) - mark;
		}
	}
	aparse_free(&k);
	buf_putc(out, ' ');
	text(fields, len, "In-Reply-To", out);
	buf_putc(out, ' ');
	text(fields, len, "Message-ID", out);
	buf_putc(out, ')');
}

/* imapmail_envelope_render - see imapmail_render.h */
bool imapmail_envelope_render(const char *fields, size_t len, struct buf *out)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)fields[i] >= 0x80)
			return false;
	imapmail_envelope_write(fields, len, out);
	return true;
}
