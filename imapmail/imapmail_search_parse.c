/* imapmail_search_parse - the SEARCH program from a command's arguments
 * (see imapmail_search.h): "[RETURN (opts)] [CHARSET name] key...",
 * each key from a table of names and the arguments they take.  The
 * arguments are the client's; a list nests at most
 * IMAPMAIL_SEARCH_DEPTH_MAX deep (NOT and OR chains count too), and
 * every refusal is -1 with Dovecot's words in why. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "imap_date.h"
#include "imapmail_search_int.h"
#include "mem.h"

enum arg_kind {
	A_NONE, A_STRING, A_HEADER, A_NUMBER, A_INTERVAL, A_DATE, A_SET, A_KEYWORD,
	A_NOT, A_OR, A_MODSEQ, A_NEW,
};

struct keydef {
	const char *name;
	enum search_key_type type;
	enum arg_kind arg;
	char flag;		/* SK_FLAG */
	bool want;		/* SK_FLAG, SK_RECENT, SK_KEYWORD */
	const char *header;	/* SK_HEADER with A_STRING */
};

static const struct keydef keydefs[] = {
	{ "ALL", SK_ALL, A_NONE, 0, true, NULL },
	{ "ANSWERED", SK_FLAG, A_NONE, 'R', true, NULL },
	{ "BCC", SK_HEADER, A_STRING, 0, true, "Bcc" },
	{ "BEFORE", SK_BEFORE, A_DATE, 0, true, NULL },
	{ "BODY", SK_BODY, A_STRING, 0, true, NULL },
	{ "CC", SK_HEADER, A_STRING, 0, true, "Cc" },
	{ "DELETED", SK_FLAG, A_NONE, 'T', true, NULL },
	{ "DRAFT", SK_FLAG, A_NONE, 'D', true, NULL },
	{ "FLAGGED", SK_FLAG, A_NONE, 'F', true, NULL },
	{ "FROM", SK_HEADER, A_STRING, 0, true, "From" },
	{ "HEADER", SK_HEADER, A_HEADER, 0, true, NULL },
	{ "KEYWORD", SK_KEYWORD, A_KEYWORD, 0, true, NULL },
	{ "LARGER", SK_LARGER, A_NUMBER, 0, true, NULL },
	{ "MODSEQ", SK_MODSEQ, A_MODSEQ, 0, true, NULL },
	{ "NEW", SK_AND, A_NEW, 0, true, NULL },
	{ "NOT", SK_NOT, A_NOT, 0, true, NULL },
	{ "OLD", SK_RECENT, A_NONE, 0, false, NULL },
	{ "OLDER", SK_OLDER, A_INTERVAL, 0, true, NULL },
	{ "ON", SK_ON, A_DATE, 0, true, NULL },
	{ "OR", SK_OR, A_OR, 0, true, NULL },
	{ "RECENT", SK_RECENT, A_NONE, 0, true, NULL },
	{ "SEEN", SK_FLAG, A_NONE, 'S', true, NULL },
	{ "SENTBEFORE", SK_SENTBEFORE, A_DATE, 0, true, NULL },
	{ "SENTON", SK_SENTON, A_DATE, 0, true, NULL },
	{ "SENTSINCE", SK_SENTSINCE, A_DATE, 0, true, NULL },
	{ "SINCE", SK_SINCE, A_DATE, 0, true, NULL },
	{ "SMALLER", SK_SMALLER, A_NUMBER, 0, true, NULL },
	{ "SUBJECT", SK_HEADER, A_STRING, 0, true, "Subject" },
	{ "TEXT", SK_TEXT, A_STRING, 0, true, NULL },
	{ "TO", SK_HEADER, A_STRING, 0, true, "To" },
	{ "UID", SK_UIDSET, A_SET, 0, true, NULL },
	{ "UNANSWERED", SK_FLAG, A_NONE, 'R', false, NULL },
	{ "UNDELETED", SK_FLAG, A_NONE, 'T', false, NULL },
	{ "UNDRAFT", SK_FLAG, A_NONE, 'D', false, NULL },
	{ "UNFLAGGED", SK_FLAG, A_NONE, 'F', false, NULL },
	{ "UNKEYWORD", SK_KEYWORD, A_KEYWORD, 0, false, NULL },
	{ "UNSEEN", SK_FLAG, A_NONE, 'S', false, NULL },
	{ "YOUNGER", SK_YOUNGER, A_INTERVAL, 0, true, NULL },
};

struct pctx {
	struct imapmail_search *s;
	struct buf *why;
};

/* string_of - an atom, quoted string or literal without NUL, or NULL;
 * NIL is the atom "NIL" here (an astring, as Dovecot reads it) */
static const char *string_of(const struct imap_arg *a)
{
	if (a->type == IMAP_ARG_NIL)
		return "NIL";
	if (a->type != IMAP_ARG_ATOM && a->type != IMAP_ARG_STRING && a->type != IMAP_ARG_LITERAL)
		return NULL;
	return strlen(a->str) == a->len ? a->str : NULL;
}

/* fail - -1 with why set to the formatted text */
__attribute__((format(printf, 2, 3)))
static int fail(struct pctx *p, const char *fmt, ...)
{
	va_list ap;

	buf_reset(p->why);
	va_start(ap, fmt);
	buf_vprintf(p->why, fmt, ap);
	va_end(ap);
	return -1;
}

/* atom_is - a is the atom w, without case */
static bool atom_is(const struct imap_arg *a, const char *w)
{
	return a->type == IMAP_ARG_ATOM && strcasecmp(a->str, w) == 0;
}

/* number64 - digits only, up to 2^63-1 */
static bool number64(const char *s, uint64_t *n_r)
{
	uint64_t n = 0;

	if (s == NULL || *s == '\0')
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || n > (UINT64_MAX / 2 - 9) / 10)
			return false;
		n = n * 10 + (uint64_t)(*s - '0');
	}
	*n_r = n;
	return true;
}

/* is_seqset - the atom is meant as a sequence set: it starts with a
 * digit, '*' or '$' (as Dovecot decides) */
static bool is_seqset(const struct imap_arg *a)
{
	return a->type == IMAP_ARG_ATOM && a->str[0] != '\0' && strchr("0123456789*$", a->str[0]);
}

/* set_key - a sequence set or '$' into k */
static int set_key(struct pctx *p, const char *str, bool uid, struct search_key *k)
{
	if (strcmp(str, "$") == 0) {
		k->type = SK_SAVED;
		k->want = uid;
		p->s->uses_saved = true;
		return 0;
	}
	k->type = uid ? SK_UIDSET : SK_SEQSET;
	if (imap_seqset_parse(str, &k->set) < 0)
		return fail(p, uid ? "Invalid UID messageset" : "Invalid messageset");
	return 0;
}

/* text_value - a text key's value, folded */
static void text_value(struct search_key *k, const char *v)
{
	k->value = buf_new(strlen(v) + 1);
	search_fold(v, strlen(v), k->value);
}

static int parse_key(struct pctx *p, const struct imap_arg *a, size_t n, size_t *i,
		     struct search_key *k, int depth);

/* find_keydef - the table entry for name, or NULL */
static const struct keydef *find_keydef(const char *name)
{
	for (size_t i = 0; i < sizeof(keydefs) / sizeof(keydefs[0]); i++)
		if (strcasecmp(keydefs[i].name, name) == 0)
			return &keydefs[i];
	return NULL;
}

/* add_kid - a new zeroed child of k; the array doubles when full (its
 * room is the next power of two), so a long flat list costs linear time */
static struct search_key *add_kid(struct search_key *k)
{
	size_t n = k->n_kids;

	if (n == 0 || (n & (n - 1)) == 0)
		k->kids = xrealloc(k->kids, mem_mul_size(n ? 2 * n : 1, sizeof(*k->kids)));
	memset(&k->kids[n], 0, sizeof(k->kids[0]));
	return &k->kids[k->n_kids++];
}

/* modseq_args - "MODSEQ [entry-name entry-type-req] n" */
static int modseq_args(struct pctx *p, const struct imap_arg *a, size_t n, size_t *i,
		       struct search_key *k)
{
	const char *v = *i < n ? string_of(&a[*i]) : NULL;

	if (v != NULL && a[*i].type != IMAP_ARG_ATOM) {
		/* an entry name, then "priv", "shared" or "all" */
		if (*i + 1 >= n || (!atom_is(&a[*i + 1], "priv") &&
				    !atom_is(&a[*i + 1], "shared") &&
				    !atom_is(&a[*i + 1], "all")))
			return fail(p, "Invalid MODSEQ type");
		*i += 2;
		v = *i < n ? string_of(&a[*i]) : NULL;
	}
	if (v == NULL)
		return fail(p, "Missing parameter for search key (for search key: MODSEQ)");
	if (!number64(v, &k->num))
		return fail(p, "Invalid MODSEQ value");
	(*i)++;
	return 0;
}

/* missing - Dovecot's words for a key without its argument */
static int missing(struct pctx *p, const struct keydef *d)
{
	return fail(p, "Missing parameter for search key (for search key: %s)", d->name);
}

/* key_args - the arguments a table key takes, from a[*i] on */
static int key_args(struct pctx *p, const struct keydef *d, const struct imap_arg *a, size_t n,
		    size_t *i, struct search_key *k, int depth)
{
	const char *v = *i < n ? string_of(&a[*i]) : NULL;
	const char *v2 = *i + 1 < n ? string_of(&a[*i + 1]) : NULL;

	switch (d->arg) {
	case A_NONE:
		return 0;
	case A_NEW:
		add_kid(k)->type = SK_RECENT;
		k->kids[0].want = true;
		*add_kid(k) = (struct search_key){ .type = SK_FLAG, .flag = 'S', .want = false };
		return 0;
	case A_NOT:
		return parse_key(p, a, n, i, add_kid(k), depth + 1);
	case A_OR:
		if (parse_key(p, a, n, i, add_kid(k), depth + 1) < 0)
			return -1;
		return parse_key(p, a, n, i, add_kid(k), depth + 1);
	case A_MODSEQ:
		return modseq_args(p, a, n, i, k);
	case A_HEADER:
		if (v == NULL || v2 == NULL)
			return missing(p, d);
		k->name = xstrdup(v);
		text_value(k, v2);
		*i += 2;
		return 0;
	default:
		break;
	}
	if (v == NULL)
		return missing(p, d);
	(*i)++;
	switch (d->arg) {
	case A_STRING:
		if (d->header != NULL) {
			k->name = xstrdup(d->header);
			k->mode = strcmp(d->name, "SUBJECT") == 0 ? SH_LWSP : SH_ADDRESS;
		}
		text_value(k, v);
		return 0;
	case A_NUMBER:
		return number64(v, &k->num) ? 0 : fail(p, "Invalid search size parameter");
	case A_INTERVAL:	/* WITHIN (RFC 5032): seconds back from now */
		if (!number64(v, &k->num) || k->num > (uint64_t)INT32_MAX)
			return fail(p, "Invalid search interval parameter");
		k->day = (int64_t)time(NULL) - (int64_t)k->num;
		return 0;
	case A_DATE:
		return imap_date_parse(v, &k->day) == 0 ? 0 :
		       fail(p, "Invalid search date parameter");
	case A_SET:
		return set_key(p, v, true, k);
	case A_KEYWORD:
		k->name = xstrdup(v);
		return 0;
	default:
		return fail(p, "Unknown argument %s", d->name);
	}
}

/* parse_list - the keys of a[0..n) as children of the AND k */
static int parse_list(struct pctx *p, const struct imap_arg *a, size_t n, struct search_key *k,
		      int depth)
{
	size_t i = 0;

	k->type = SK_AND;
	if (n == 0)
		return fail(p, depth > 0 ? "No search parameters inside list" : "Missing argument");
	while (i < n)
		if (parse_key(p, a, n, &i, add_kid(k), depth) < 0)
			return -1;
	return 0;
}

/* parse_key - one key at a[*i] into k (zeroed), moving *i past it */
static int parse_key(struct pctx *p, const struct imap_arg *a, size_t n, size_t *i,
		     struct search_key *k, int depth)
{
	const struct imap_arg *arg;
	const struct keydef *d;

	if (depth > IMAPMAIL_SEARCH_DEPTH_MAX)
		return fail(p, "Search arguments nested too deep");
	if (*i >= n)
		return fail(p, "Missing argument");
	arg = &a[(*i)++];
	if (arg->type == IMAP_ARG_LIST)
		return parse_list(p, arg->list, arg->list_len, k, depth + 1);
	if (arg->type != IMAP_ARG_ATOM)
		return fail(p, "Unknown argument %s", string_of(arg) ? arg->str : "");
	if (is_seqset(arg))
		return set_key(p, arg->str, false, k);
	if ((d = find_keydef(arg->str)) == NULL)
		return fail(p, "Unknown argument %s", arg->str);
	k->type = d->type;
	k->flag = d->flag;
	k->want = d->want;
	return key_args(p, d, a, n, i, k, depth);
}

/* return_opts - RETURN's list (imapmail_search_return.c) */
static int return_opts(struct pctx *p, const struct imap_arg *a)
{
	p->s->ret_given = true;
	return imapmail_return_parse(a, &p->s->r, p->why);
}

/* collect - the text keys and whether any SENT* key is there, once the
 * tree no longer moves */
static void collect(struct imapmail_search *s, struct search_key *k)
{
	switch (k->type) {
	case SK_HEADER:
	case SK_BODY:
	case SK_TEXT:
		s->text = xrealloc(s->text, (s->n_text + 1) * sizeof(*s->text));
		s->text[s->n_text++] = k;
		k->env = k->type == SK_HEADER && search_envelope_field(k->name);
		s->env_keys = s->env_keys || k->env;
		break;
	case SK_SENTBEFORE:
	case SK_SENTON:
	case SK_SENTSINCE:
		s->needs_date = true;
		break;
	case SK_MODSEQ:
		s->uses_modseq = true;
		break;
	case SK_LARGER:
	case SK_SMALLER:
		s->needs_size = true;
		break;
	case SK_SEQSET:
	case SK_UIDSET:
	case SK_RECENT:
	case SK_OLDER:
	case SK_YOUNGER:
		s->volatile_keys = true;
		break;
	default:
		break;
	}
	for (size_t i = 0; i < k->n_kids; i++)
		collect(s, &k->kids[i]);
}

/* prefix - "RETURN (...)" and "CHARSET name" before the keys: the index
 * of the first key, or -1 / -2 */
static int prefix(struct pctx *p, const struct imap_arg *args, size_t n, size_t *i)
{
	const char *cs;

	if (*i < n && atom_is(&args[*i], "RETURN")) {
		/* RETURN without its list is taken as a key, and unknown */
		if (*i + 1 >= n || args[*i + 1].type != IMAP_ARG_LIST)
			return fail(p, "Unknown argument RETURN");
		if (return_opts(p, &args[*i + 1]) < 0)
			return -1;
		*i += 2;
	}
	if (*i < n && atom_is(&args[*i], "CHARSET")) {
		if (*i + 1 >= n || (cs = string_of(&args[*i + 1])) == NULL)
			return fail(p, "Invalid charset argument");
		if (strcasecmp(cs, "UTF-8") != 0 && strcasecmp(cs, "US-ASCII") != 0) {
			fail(p, "[BADCHARSET (UTF-8 US-ASCII)] Unknown charset");
			return -2;
		}
		*i += 2;
	}
	return 0;
}

/* imapmail_search_parse - the whole program */
int imapmail_search_parse(const struct imap_arg *args, size_t n, struct imapmail_search **sp,
			  struct buf *why)
{
	struct imapmail_search *s = xcalloc(1, sizeof(*s));
	struct pctx p = { .s = s, .why = why };
	size_t i = 0;
	int rc;

	buf_reset(why);
	s->root.type = SK_AND;
	if ((rc = prefix(&p, args, n, &i)) < 0 ||
	    (rc = parse_list(&p, i < n ? args + i : NULL, n - i, &s->root, 0)) < 0) {
		imapmail_search_free(&s);
		return rc;
	}
	collect(s, &s->root);
	*sp = s;
	return 0;
}
