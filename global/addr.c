/* addr - mail address syntax; see addr.h.
 *
 * Two parsers.  The RFC 5321 path parser walks the bytes of one SMTP
 * argument with a cursor and is strict: it is what smtpd checks MAIL FROM
 * and RCPT TO with, so every byte it accepts is one relay control sees.
 * The RFC 5322 list parser is a tokenizer (atoms, quoted strings, domain
 * literals, specials; white space, folding and comments skipped) under a
 * small recursive-descent parser that is lenient with obsolete forms, as
 * header values in the wild need.  Both bound their work: lengths for
 * paths, the address count and comment depth for lists.
 */
#include <arpa/inet.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "mem.h"

/* is_atext - RFC 5322 atext: ALPHA DIGIT and !#$%&'*+-/=?^_`{|}~ */
static bool is_atext(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
	    || (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* is_ctl - a control character (NUL, CR and LF included) */
static bool is_ctl(int c)
{
	return c < 0x20 || c == 0x7f;
}

/* utf8_len - length of a well-formed UTF-8 sequence at s, 0 if none */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len;
	unsigned lo = 0x80, hi = 0xbf;

	if (n == 0 || s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	len = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
	if (s[0] == 0xe0)
		lo = 0xa0;		/* no overlong 3-byte forms */
	else if (s[0] == 0xed)
		hi = 0x9f;		/* no surrogates */
	else if (s[0] == 0xf0)
		lo = 0x90;		/* no overlong 4-byte forms */
	else if (s[0] == 0xf4)
		hi = 0x8f;		/* nothing above U+10FFFF */
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

/* ---- RFC 5321 paths ---------------------------------------------------- */

struct pcur {
	const unsigned char *s;
	size_t len, i;		/* input end, position */
	int flags;
	struct buf *why;
};

/* fail - record a reason; returns -1 */
static int fail(struct pcur *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int fail(struct pcur *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(c->why, fmt, ap);
	va_end(ap);
	return -1;
}

/* bad_char - explain why the byte at the cursor cannot appear in "what" */
static int bad_char(struct pcur *c, const char *what)
{
	int ch;

	if (c->i >= c->len)
		return fail(c, "unexpected end of the %s", what);
	ch = c->s[c->i];
	if (ch == '\0')
		return fail(c, "NUL byte in the %s", what);
	if (is_ctl(ch))
		return fail(c, "control character 0x%02x in the %s", ch, what);
	if (ch >= 0x80 && !(c->flags & ADDR_F_SMTPUTF8))
		return fail(c, "non-ASCII %s without SMTPUTF8", what);
	if (ch >= 0x80)
		return fail(c, "malformed UTF-8 in the %s", what);
	return fail(c, "invalid character '%c' in the %s", ch, what);
}

/* take_utf8 - length of an allowed UTF-8 sequence at the cursor, else 0 */
static size_t take_utf8(struct pcur *c)
{
	if (!(c->flags & ADDR_F_SMTPUTF8) || c->i >= c->len)
		return 0;
	return utf8_len(c->s + c->i, c->len - c->i);
}

/* parse_dot_string - an unquoted local part: atoms separated by dots */
static int parse_dot_string(struct pcur *c, struct buf *local)
{
	bool lenient = c->flags & ADDR_F_LENIENT;
	size_t atom = 0, atoms = 0, n;

	for (; c->i < c->len; c->i += n) {
		int ch = c->s[c->i];

		n = 1;
		if (ch == '.') {
			if (atom == 0 && !lenient)
				return fail(c, "empty atom in the local part"
					    " (\"..\" or a dot at the start)");
			atom = 0;
		} else if (is_atext(ch) || (n = take_utf8(c)) > 0) {
			atoms += (atom++ == 0);
		} else {
			break;
		}
		buf_add(local, c->s + c->i, n);
	}
	if (buf_len(local) == 0)
		return bad_char(c, "local part");
	if (atoms == 0)
		return fail(c, "local part without an atom");
	if (atom == 0 && !lenient)
		return fail(c, "local part ends with a dot");
	return 0;
}

/* parse_quoted - a quoted local part; local gets it unquoted */
static int parse_quoted(struct pcur *c, struct buf *local)
{
	c->i++;			/* the opening quote */
	while (c->i < c->len && c->s[c->i] != '"') {
		int ch = c->s[c->i];
		size_t n = 1;

		if (ch == '\\') {
			c->i++;
			if (c->i >= c->len || is_ctl(c->s[c->i]) || c->s[c->i] >= 0x80)
				return bad_char(c, "quoted local part");
		} else if (is_ctl(ch) || (ch >= 0x80 && (n = take_utf8(c)) == 0)) {
			return bad_char(c, "quoted local part");
		}
		buf_add(local, c->s + c->i, n);
		c->i += n;
	}
	if (c->i >= c->len)
		return fail(c, "unbalanced quote in the local part");
	c->i++;
	return 0;
}

/* parse_literal - [IPv4] or [IPv6:...], copied to domain with brackets */
static int parse_literal(struct pcur *c, struct buf *domain)
{
	size_t start = c->i++, n;
	char text[64];
	unsigned char addr[16];
	bool ok;

	while (c->i < c->len && c->s[c->i] != ']') {
		if (is_ctl(c->s[c->i]) || c->s[c->i] >= 0x80 || strchr("[\\ ", c->s[c->i]))
			return bad_char(c, "address literal");
		c->i++;
	}
	if (c->i >= c->len)
		return fail(c, "unbalanced '[' in the domain");
	n = c->i - start - 1;
	if (n >= sizeof(text))
		return fail(c, "address literal longer than %zu bytes", sizeof(text) - 1);
	memcpy(text, c->s + start + 1, n);
	text[n] = '\0';
	if (strncasecmp(text, "IPv6:", 5) == 0)
		ok = inet_pton(AF_INET6, text + 5, addr) == 1;
	else
		ok = inet_pton(AF_INET, text, addr) == 1;
	if (!ok)
		return fail(c, "bad address literal [%s]", text);
	c->i++;
	buf_add(domain, c->s + start, c->i - start);
	return 0;
}

/* parse_label - one domain label; returns its length (0: none) or -1 */
static int parse_label(struct pcur *c)
{
	size_t start = c->i, n;

	while (c->i < c->len) {
		int ch = c->s[c->i];

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')
		    || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_')
			c->i++;
		else if ((n = take_utf8(c)) > 0)
			c->i += n;
		else
			break;
	}
	n = c->i - start;
	if (n > 63)
		return fail(c, "domain label longer than 63 bytes");
	if (n > 0 && (c->s[start] == '-' || c->s[c->i - 1] == '-'))
		return fail(c, "domain label starts or ends with '-'");
	return (int)n;
}

/* parse_domain_name - labels separated by dots; a final dot is flagged */
static int parse_domain_name(struct pcur *c, bool *trailing_dot)
{
	size_t labels = 0;
	int n;

	for (;;) {
		if ((n = parse_label(c)) < 0)
			return -1;
		if (n == 0 && c->i < c->len && c->s[c->i] == '.')
			return fail(c, "empty label in the domain");
		if (n == 0 && labels > 0) {
			*trailing_dot = true;	/* the last byte was the dot */
			return 0;
		}
		if (n == 0 && (c->i >= c->len || memchr(">:, ", c->s[c->i], 4)))
			return fail(c, "empty domain");
		if (n == 0)
			return bad_char(c, "domain");
		labels++;
		if (c->i >= c->len || c->s[c->i] != '.')
			return 0;
		c->i++;
	}
}

/* parse_domain - a domain name or an address literal, at most 255 bytes */
static int parse_domain(struct pcur *c, struct buf *domain, bool *literal,
			bool *trailing_dot)
{
	size_t start = c->i;

	if (c->i < c->len && c->s[c->i] == '[') {
		*literal = true;
		if (parse_literal(c, domain) < 0)
			return -1;
	} else {
		if (parse_domain_name(c, trailing_dot) < 0)
			return -1;
		buf_add(domain, c->s + start, c->i - start);
	}
	if (c->i - start > ADDR_MAX_DOMAIN)
		return fail(c, "domain longer than %d bytes", ADDR_MAX_DOMAIN);
	if (c->i < c->len && c->s[c->i] == '@')
		return fail(c, "more than one '@' (the local part must be quoted)");
	return 0;
}

/* parse_route - "@a,@b:" before the mailbox: checked, then dropped */
static int parse_route(struct pcur *c)
{
	struct buf *scratch = buf_new(64);
	bool literal = false, dot = false;
	int rc = 0;

	while (rc == 0) {
		c->i++;		/* '@' */
		buf_reset(scratch);
		if ((rc = parse_domain(c, scratch, &literal, &dot)) < 0)
			break;
		if (c->i < c->len && c->s[c->i] == ':') {
			c->i++;
			break;
		}
		if (c->i + 1 >= c->len || c->s[c->i] != ',' || c->s[c->i + 1] != '@')
			rc = bad_char(c, "source route");
		else
			c->i++;
	}
	buf_free(&scratch);
	return rc;
}

/* parse_mailbox - local@domain (or a domain-less local part when allowed) */
static int parse_mailbox(struct pcur *c, struct addr_path *p, struct buf *local,
			 struct buf *domain)
{
	size_t start = c->i;

	if (c->i < c->len && c->s[c->i] == '"') {
		p->quoted_local = true;
		if (parse_quoted(c, local) < 0)
			return -1;
	} else if (parse_dot_string(c, local) < 0) {
		return -1;
	}
	if (c->i - start > ADDR_MAX_LOCAL)
		return fail(c, "local part longer than %d bytes", ADDR_MAX_LOCAL);
	if (c->i < c->len && c->s[c->i] == '@') {
		c->i++;
		return parse_domain(c, domain, &p->literal, &p->trailing_dot);
	}
	if (c->i < c->len && c->s[c->i] != '>')
		return bad_char(c, "local part");
	if (buf_len(local) == 0)
		return fail(c, "empty local part without a domain");
	if ((c->flags & ADDR_F_POSTMASTER) && !p->quoted_local
	    && strcasecmp(buf_str(local), "postmaster") == 0)
		return 0;
	if (c->flags & ADDR_F_LENIENT)
		return 0;
	return fail(c, "missing domain");
}

/* parse_bracketed - "<...>" from the cursor; fills local and domain */
static int parse_bracketed(struct pcur *c, struct addr_path *p, struct buf *local,
			   struct buf *domain)
{
	size_t start = c->i++;

	if (c->i < c->len && c->s[c->i] == '>') {
		if (!(c->flags & ADDR_F_ALLOW_NULL))
			return fail(c, "null address <> not allowed here");
		p->null = true;
	} else {
		if (c->i < c->len && c->s[c->i] == '@') {
			p->had_route = true;
			if (parse_route(c) < 0)
				return -1;
		}
		if (parse_mailbox(c, p, local, domain) < 0)
			return -1;
		if (c->i >= c->len)
			return fail(c, "missing '>'");
		if (c->s[c->i] != '>')
			return bad_char(c, "domain");
	}
	c->i++;
	if (c->i - start > ADDR_MAX_PATH)
		return fail(c, "path longer than %d bytes", ADDR_MAX_PATH);
	return 0;
}

/* parse_bare - user@domain without brackets (ADDR_F_LENIENT) */
static int parse_bare(struct pcur *c, struct addr_path *p, struct buf *local,
		      struct buf *domain)
{
	const unsigned char *sp = memchr(c->s + c->i, ' ', c->len - c->i);
	size_t end = sp ? (size_t)(sp - c->s) : c->len, len = c->len, start = c->i;

	if (end == c->i)
		return fail(c, "missing address");
	c->len = end;		/* parse the word alone */
	if (parse_mailbox(c, p, local, domain) == 0 && c->i < c->len)
		(void)bad_char(c, p->literal || buf_len(domain) ? "domain" : "local part");
	c->len = len;
	if (buf_len(c->why) > 0)
		return -1;
	if (end - start + 2 > ADDR_MAX_PATH)
		return fail(c, "path longer than %d bytes", ADDR_MAX_PATH);
	return 0;
}

/* addr_parse_path - parse an SMTP path; bytes consumed or -1 */
int addr_parse_path(const char *s, size_t len, int flags, struct addr_path *p,
		    struct buf *why)
{
	struct pcur c = { .s = (const unsigned char *)s, .len = len, .flags = flags,
			  .why = buf_new(0) };
	struct buf *local = buf_new(64), *domain = buf_new(64);
	int rc;

	memset(p, 0, sizeof(*p));
	if (flags & ADDR_F_LENIENT)
		while (c.i < len && s[c.i] == ' ')
			c.i++;
	if (c.i < len && s[c.i] == '<')
		rc = parse_bracketed(&c, p, local, domain);
	else if (flags & ADDR_F_LENIENT)
		rc = parse_bare(&c, p, local, domain);
	else
		rc = c.i < len ? fail(&c, "missing '<'") : fail(&c, "missing address");
	if (rc == 0 && c.i < len && s[c.i] != ' ')
		rc = fail(&c, "unexpected text after the address");
	if (rc == 0 && c.i > INT_MAX)
		rc = fail(&c, "too much white space before the address");
	if (rc == 0) {
		p->local = buf_steal(&local);
		p->domain = buf_steal(&domain);
	} else {
		memset(p, 0, sizeof(*p));
		buf_cat(why, buf_str(c.why));
	}
	buf_free(&local);
	buf_free(&domain);
	buf_free(&c.why);
	return rc < 0 ? -1 : (int)c.i;
}

/* addr_path_free - release the strings of a parsed path */
void addr_path_free(struct addr_path *p)
{
	free(p->local);
	free(p->domain);
	memset(p, 0, sizeof(*p));
}

/* addr_domain_fold - lower-case the ASCII letters of a domain in place */
char *addr_domain_fold(char *domain)
{
	/* XXX U-labels are not case-folded; compare them after IDNA mapping. */
	for (char *s = domain; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
	return domain;
}

/* addr_local_has_routing - '@', '%' or '!' in a local part: sender routing */
bool addr_local_has_routing(const char *local)
{
	return strpbrk(local, "@%!") != NULL;
}

/* ---- quoting ----------------------------------------------------------- */

/* is_dot_atom - whether a local part can go unquoted */
static bool is_dot_atom(const char *s)
{
	bool atom = false;

	for (; *s; s++) {
		if (*s == '.' && !atom)
			return false;
		atom = *s != '.';
		if (atom && !is_atext((unsigned char)*s) && (unsigned char)*s < 0x80)
			return false;
	}
	return atom;
}

/* addr_quote_local - append local, as a quoted string unless a dot-atom */
void addr_quote_local(struct buf *out, const char *local)
{
	if (is_dot_atom(local)) {
		buf_cat(out, local);
		return;
	}
	buf_putc(out, '"');
	for (; *local; local++) {
		if (*local == '"' || *local == '\\')
			buf_putc(out, '\\');
		buf_putc(out, *local);
	}
	buf_putc(out, '"');
}

/* addr_unquote - append s[0..len) without quotes and backslashes; 0 or -1 */
int addr_unquote(struct buf *out, const char *s, size_t len, struct buf *why)
{
	bool quoted = false;

	for (size_t i = 0; i < len; i++) {
		if (s[i] == '"') {
			quoted = !quoted;
		} else if (s[i] == '\\') {
			if (++i >= len) {
				buf_cat(why, "backslash at the end of the local part");
				return -1;
			}
			buf_putc(out, s[i]);
		} else {
			buf_putc(out, s[i]);
		}
	}
	if (quoted) {
		buf_cat(why, "unbalanced quote in the local part");
		return -1;
	}
	return 0;
}

/* addr_external - append local@domain with the local part quoted as needed */
void addr_external(struct buf *out, const char *local, const char *domain)
{
	if (*local || *domain)
		addr_quote_local(out, local);
	if (*domain) {
		buf_putc(out, '@');
		buf_cat(out, domain);
	}
}

/* addr_internal - append the unquoted form of an external address; 0 or -1 */
int addr_internal(struct buf *out, const char *external, struct buf *why)
{
	const char *at = NULL;
	bool quoted = false;

	for (const char *s = external; *s; s++) {
		if (*s == '\\' && s[1])
			s++;
		else if (*s == '"')
			quoted = !quoted;
		else if (*s == '@' && !quoted)
			at = s;
	}
	if (addr_unquote(out, external, at ? (size_t)(at - external) : strlen(external), why) < 0)
		return -1;
	if (at)
		buf_cat(out, at);
	return 0;
}

/* addr_split_ext - split "user+tag" at the first delimiter; see addr.h */
bool addr_split_ext(const char *local, const char *delims, char **base_r,
		    char **ext_r)
{
	size_t n, len = strlen(local);

	*base_r = *ext_r = NULL;
	if (delims == NULL || *delims == '\0')
		return false;
	n = strcspn(local, delims);
	if (n == 0 || n == len)
		return false;
	if (local[n] == '-' && (strncasecmp(local, "owner-", 6) == 0
	    || (len > 8 && strcasecmp(local + len - 8, "-request") == 0)))
		return false;
	*base_r = xstrndup(local, n);
	*ext_r = xstrdup(local + n + 1);
	return true;
}

/* ---- RFC 5322 address lists -------------------------------------------- */

enum { TOK_EOF = 256, TOK_ATOM, TOK_QSTR, TOK_DLIT };

struct lex {
	const unsigned char *p, *end;
	int type;		/* a TOK_* or a special character */
	struct buf *text;	/* ATOM, QSTR (unquoted), DLIT (without brackets) */
	struct buf *why;
};

/* lex_fail - record a reason; returns -1 */
static int lex_fail(struct lex *lx, const char *what)
{
	buf_cat(lx->why, what);
	return -1;
}

/* is_lex_ctl - a control character other than white space and folding */
static bool is_lex_ctl(int c)
{
	return is_ctl(c) && c != '\t' && c != '\r' && c != '\n';
}

/* skip_comment - a (nested (comment)) with \-escapes, at most 32 deep */
static int skip_comment(struct lex *lx)
{
	int depth = 0;

	for (; lx->p < lx->end; lx->p++) {
		int ch = *lx->p;

		if (ch == '\\' && lx->p + 1 < lx->end)
			ch = *++lx->p;
		else if (ch == '(' && ++depth > ADDR_MAX_COMMENT_DEPTH)
			return lex_fail(lx, "comments nested too deeply");
		else if (ch == ')' && --depth == 0) {
			lx->p++;
			return 0;
		}
		if (is_lex_ctl(ch))
			return lex_fail(lx, "control character in a comment");
	}
	return lex_fail(lx, "unbalanced '(' in a comment");
}

/* lex_quoted - text up to the closing quote or ']', unescaped, folding dropped */
static int lex_quoted(struct lex *lx, int close, const char *what)
{
	for (lx->p++; lx->p < lx->end && *lx->p != close; lx->p++) {
		int ch = *lx->p;

		if (ch == '\\' && lx->p + 1 < lx->end)
			ch = *++lx->p;
		else if (close == ']' && ch == '[')
			return lex_fail(lx, "'[' inside a domain literal");
		if (ch == '\r' || ch == '\n' || (close == ']' && (ch == ' ' || ch == '\t')))
			continue;	/* folding; white space in a literal is obsolete */
		if (is_lex_ctl(ch))
			return lex_fail(lx, "control character in a quoted string");
		buf_putc(lx->text, ch);
	}
	if (lx->p >= lx->end)
		return lex_fail(lx, what);
	lx->p++;
	return 0;
}

/* lex_next - the next token into lx->type and lx->text; 0 or -1 */
static int lex_next(struct lex *lx)
{
	buf_reset(lx->text);
	for (;;) {
		if (lx->p >= lx->end) {
			lx->type = TOK_EOF;
			return 0;
		}
		if (*lx->p == '(') {
			if (skip_comment(lx) < 0)
				return -1;
		} else if (strchr(" \t\r\n", *lx->p) != NULL && *lx->p != '\0') {
			lx->p++;
		} else {
			break;
		}
	}
	lx->type = *lx->p;
	if (lx->type == '"') {
		lx->type = TOK_QSTR;
		return lex_quoted(lx, '"', "unbalanced quote");
	}
	if (lx->type == '[') {
		lx->type = TOK_DLIT;
		return lex_quoted(lx, ']', "unbalanced '[' in a domain literal");
	}
	if (is_lex_ctl(lx->type))
		return lex_fail(lx, "control character in an address");
	if (strchr(")]\\", lx->type) != NULL)
		return lex_fail(lx, lx->type == ')' ? "unbalanced ')'"
			       : lx->type == ']' ? "unbalanced ']'" : "stray backslash");
	if (strchr("<>@,;:.", lx->type) != NULL) {
		lx->p++;
		return 0;
	}
	lx->type = TOK_ATOM;
	while (lx->p < lx->end && *lx->p > ' ' && *lx->p != 0x7f
	       && strchr("()<>[]:;@\\,.\"", *lx->p) == NULL)
		buf_putc(lx->text, *lx->p++);
	return 0;
}

struct lparse {
	struct lex lx;
	struct strv *out;
	size_t start;		/* out->len on entry, for the rollback */
	bool in_group;
	struct buf *addr;	/* the address being assembled */
};

enum words { W_NONE, W_LOCAL, W_PHRASE };

/* parse_words - atoms, quoted strings and dots: a local part or a phrase */
static int parse_words(struct lparse *lp, enum words *kind_r)
{
	bool last_word = false, any = false, adjacent = false;

	buf_reset(lp->addr);
	while (lp->lx.type == TOK_ATOM || lp->lx.type == TOK_QSTR || lp->lx.type == '.') {
		bool word = lp->lx.type != '.';

		adjacent |= word && last_word;
		any |= word;
		last_word = word;
		if (word)
			buf_add(lp->addr, buf_str(lp->lx.text), buf_len(lp->lx.text));
		else
			buf_putc(lp->addr, '.');
		if (lex_next(&lp->lx) < 0)
			return -1;
	}
	*kind_r = !any ? W_NONE : adjacent ? W_PHRASE : W_LOCAL;
	return 0;
}

/* parse_list_domain - after '@': a dotted atom sequence or [literal] */
static int parse_list_domain(struct lparse *lp, struct buf *dom)
{
	struct lex *lx = &lp->lx;

	if (lx->type == TOK_DLIT) {
		buf_printf(dom, "[%s]", buf_str(lx->text));
		return lex_next(lx);
	}
	if (lx->type != TOK_ATOM)
		return lex_fail(lx, "missing domain after '@'");
	while (lx->type == TOK_ATOM) {
		buf_add(dom, buf_str(lx->text), buf_len(lx->text));
		if (lex_next(lx) < 0)
			return -1;
		if (lx->type != '.')
			break;
		buf_putc(dom, '.');
		if (lex_next(lx) < 0)
			return -1;
	}
	return 0;
}

/* add_addr - append lp->addr to the output, bounded */
static int add_addr(struct lparse *lp)
{
	if (lp->out->len - lp->start >= ADDR_MAX_LIST)
		return lex_fail(&lp->lx, "too many addresses");
	strv_addn(lp->out, buf_str(lp->addr), buf_len(lp->addr));
	return 0;
}

/* parse_addr_spec - local part already in lp->addr; "@domain" if present */
static int parse_addr_spec(struct lparse *lp)
{
	if (lp->lx.type != '@' && buf_len(lp->addr) == 0)
		return lex_fail(&lp->lx, "empty local part without a domain");
	if (lp->lx.type != '@' && memchr(buf_str(lp->addr), '@', buf_len(lp->addr)))
		return lex_fail(&lp->lx, "'@' in a local part without a domain");
	if (lp->lx.type != '@')
		return add_addr(lp);	/* bare: the caller appends $myorigin */
	buf_putc(lp->addr, '@');
	if (lex_next(&lp->lx) < 0 || parse_list_domain(lp, lp->addr) < 0)
		return -1;
	return add_addr(lp);
}

/* parse_route_list - "@a,@b:" inside <...>: checked, then dropped */
static int parse_route_list(struct lparse *lp)
{
	struct lex *lx = &lp->lx;
	struct buf *route = buf_new(64);
	int rc = 0;

	while (rc == 0 && (lx->type == '@' || lx->type == ',')) {
		if (lx->type == ',')
			rc = lex_next(lx);
		else if ((rc = lex_next(lx)) == 0)
			rc = parse_list_domain(lp, route);
	}
	buf_free(&route);
	if (rc == 0 && lx->type != ':')
		rc = lex_fail(lx, "bad source route in <...>");
	return rc < 0 ? -1 : lex_next(lx);
}

/* parse_angle - after '<': [@route,@route:] addr-spec '>' */
static int parse_angle(struct lparse *lp)
{
	struct lex *lx = &lp->lx;
	enum words kind;

	if (lx->type == '>')
		return lex_next(lx);	/* "<>": nothing to deliver to */
	if ((lx->type == '@' || lx->type == ',') && parse_route_list(lp) < 0)
		return -1;
	if (parse_words(lp, &kind) < 0)
		return -1;
	if (kind != W_LOCAL)
		return lex_fail(lx, "bad local part in <...>");
	if (parse_addr_spec(lp) < 0)
		return -1;
	if (lx->type != '>')
		return lex_fail(lx, "missing '>'");
	return lex_next(lx);
}

/* parse_element - one mailbox, or the start of a group */
static int parse_element(struct lparse *lp)
{
	struct lex *lx = &lp->lx;
	enum words kind;

	if (parse_words(lp, &kind) < 0)
		return -1;
	switch (lx->type) {
	case '<':
		return lex_next(lx) < 0 ? -1 : parse_angle(lp);
	case ':':
		if (lp->in_group)
			return lex_fail(lx, "group inside a group");
		lp->in_group = true;
		return lex_next(lx);
	case '@':
		if (kind != W_LOCAL)
			return lex_fail(lx, kind == W_NONE ? "missing local part before '@'"
					: "bad local part (white space between words)");
		return parse_addr_spec(lp);
	default:
		if (kind == W_LOCAL)
			return parse_addr_spec(lp);
		return lex_fail(lx, kind == W_PHRASE ? "words without an address"
				: "unexpected character in an address list");
	}
}

/* parse_list - the whole header value */
static int parse_list(struct lparse *lp)
{
	struct lex *lx = &lp->lx;

	if (lex_next(lx) < 0)
		return -1;
	while (lx->type != TOK_EOF) {
		bool group_start;

		if (lx->type == ',' || (lx->type == ';' && lp->in_group)) {
			lp->in_group &= lx->type != ';';
			if (lex_next(lx) < 0)
				return -1;
			continue;
		}
		group_start = !lp->in_group;
		if (parse_element(lp) < 0)
			return -1;
		if (group_start && lp->in_group)
			continue;
		if (lx->type != TOK_EOF && lx->type != ',' && !(lx->type == ';' && lp->in_group))
			return lex_fail(lx, lx->type == ';' ? "';' outside a group"
					: "missing ',' between addresses");
	}
	return 0;
}

/* addr_list_parse - the addr-specs of a From/To/Cc/Bcc value; count or -1 */
int addr_list_parse(const char *hdr_value, size_t len, struct strv *out,
		    struct buf *why)
{
	struct lparse lp = {
		.lx = { .p = (const unsigned char *)hdr_value,
			.end = (const unsigned char *)hdr_value + len,
			.text = buf_new(64), .why = why },
		.out = out, .start = out->len, .addr = buf_new(64),
	};
	int rc = parse_list(&lp);

	if (rc < 0) {
		while (out->len > lp.start) {
			out->len--;
			XFREE(out->items[out->len]);	/* evaluates its argument twice */
		}
	}
	buf_free(&lp.lx.text);
	buf_free(&lp.addr);
	return rc < 0 ? -1 : (int)(out->len - lp.start);
}
