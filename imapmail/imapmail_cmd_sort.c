/* imapmail_cmd_sort - SORT, UID SORT, THREAD and UID THREAD (RFC 5256;
 * DISPLAYFROM and DISPLAYTO of RFC 5957).  The search program after the
 * charset is SEARCH's (imapmail_search: parse, then the hits through
 * imapmail_search_seqs); each hit's keys come from the index: arrival
 * and size from its record, Date, Subject, the addresses, Message-ID
 * and In-Reply-To from the envelope fields in the index's cache
 * (imapmail_parts); References, which that cache does not keep, from
 * the file's header (THREAD=REFERENCES only).  Keys and threads are
 * imapmail_sort.h's.  Ties go by sequence number (RFC 5256 section 3),
 * REVERSE turning only its own key.  Words for errors are Dovecot's.
 * Trust: arguments from the client, headers from any sender; the header
 * read for References is bounded (REFS_HEADER_MAX).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "imap_date.h"
#include "imapmail.h"
#include "imapmail_rfc822.h"
#include "imapmail_search.h"
#include "imapmail_sort.h"
#include "mail_vsize.h"
#include "mem.h"
#include "mime_parts.h"

enum key { K_ARRIVAL, K_CC, K_DATE, K_FROM, K_SIZE, K_SUBJECT, K_TO, K_DISPLAYFROM, K_DISPLAYTO,
	   K_COUNT };
enum { CRITERIA_MAX = 32, REFS_HEADER_MAX = 256 * 1024, SIZE_FILE_MAX = 1 << 30 };

static const char *const key_names[K_COUNT] = {
	"ARRIVAL", "CC", "DATE", "FROM", "SIZE", "SUBJECT", "TO", "DISPLAYFROM", "DISPLAYTO" };

struct criterion {
	enum key key;
	bool reverse;
};

/* one hit's keys */
struct entry {
	uint32_t seq, id;
	time_t arrival, sent;
	off_t size;
	char *str[K_COUNT];		/* the string keys wanted */
	bool reply;
	char *msgid;
	struct strv *refs;
};

struct sorting {
	struct criterion c[CRITERIA_MAX];
	size_t len;
	bool want[K_COUNT];
	bool refs;			/* THREAD=REFERENCES */
};

/* criteria - the SORT list into st: false with why (Dovecot's words) */
static bool criteria(const struct imap_arg *a, struct sorting *st, struct buf *why)
{
	bool reverse = false;

	if (a->type != IMAP_ARG_LIST) {
		buf_set(why, "Invalid sort argument");
		return false;
	}
	for (size_t i = 0; i < a->list_len; i++) {
		const struct imap_arg *w = &a->list[i];
		size_t k;

		if (w->type != IMAP_ARG_ATOM) {
			buf_set(why, "Invalid sort argument");
			return false;
		}
		if (strcasecmp(w->str, "REVERSE") == 0) {
			reverse = true;
			continue;
		}
		for (k = 0; k < K_COUNT && strcasecmp(w->str, key_names[k]) != 0; k++)
			;
		if (k == K_COUNT || st->len == CRITERIA_MAX) {
			buf_printf(why, "Unknown sort argument: %s", w->str);
			return false;
		}
		st->c[st->len++] = (struct criterion){ .key = (enum key)k, .reverse = reverse };
		st->want[k] = true;
		reverse = false;
	}
	if (reverse)
		buf_set(why, "Sort list ends with REVERSE");
	else if (st->len == 0)
		buf_set(why, "Empty sort program");
	return !reverse && st->len > 0;
}

/* field - the first field called name in the envelope fields, as a
 * NUL-terminated copy ("" when absent) */
static char *field(const struct buf *env, const char *name)
{
	size_t vlen = 0;
	const char *v = imapmail_rfc822_field(buf_str(env), buf_len(env), name, &vlen);

	return v ? xstrndup(v, vlen) : xstrdup("");
}

/* header_refs - the file's first References field into ids */
static void header_refs(struct imapmail *m, const struct mail_index_msg *msg, struct strv *ids)
{
	int fd = imapmail_msg_open(m, msg);
	struct buf *h = buf_new(8192), *v = buf_new(256);
	const char *s, *end;
	ssize_t got = 0;

	while (fd >= 0 && buf_len(h) < REFS_HEADER_MAX && !strstr(buf_str(h), "\n\n") &&
	       !strstr(buf_str(h), "\n\r\n")) {
		buf_reserve(h, 8192);
		if ((got = read(fd, h->data + h->len, 8192)) <= 0)
			break;
		h->len += (size_t)got;
		h->data[h->len] = '\0';
		if (memchr(h->data + h->len - (size_t)got, '\0', (size_t)got))
			break;
	}
	if (fd >= 0)
		close(fd);
	for (s = buf_str(h), end = s + strlen(s); s < end;) {
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
	buf_free(&h);
	buf_free(&v);
}

/* fill - the keys of message i that st wants */
static void fill(struct imapmail *m, const struct sorting *st, size_t i, struct entry *e)
{
	const struct mail_index_msg *msg = &m->box->f->msgs[i];
	struct buf *env = buf_new(256), *k = buf_new(64);
	struct mime_parts *p;
	char *v;
	int zone;

	e->seq = (uint32_t)(i + 1);
	e->id = m->uid ? msg->uid : e->seq;
	e->arrival = e->sent = msg->date;
	e->size = msg->vsize;
	if (st->want[K_SIZE] && e->size < 0) {
		int fd = imapmail_msg_open(m, msg);

		if (fd < 0 || mail_vsize_fd(fd, SIZE_FILE_MAX, &e->size) < 0)
			e->size = msg->size;
		if (fd >= 0)
			close(fd);
	}
	if (!(st->want[K_DATE] || st->want[K_SUBJECT] || st->want[K_FROM] || st->want[K_TO] ||
	      st->want[K_CC] || st->want[K_DISPLAYFROM] || st->want[K_DISPLAYTO]))
		goto out;
	/* the envelope's fields alone; the structure only when not cached */
	if (!imapmail_envelope_cached(m, msg, env) && (p = imapmail_parts(m, msg, -1, env)) != NULL)
		mime_parts_free(&p);
	v = field(env, "Date");
	if (!v[0] || imap_date_rfc5322(v, strlen(v), &e->sent, &zone) < 0)
		e->sent = msg->date;
	free(v);
	if (st->want[K_SUBJECT]) {
		v = field(env, "Subject");
		imapmail_sort_base_subject(v, strlen(v), k, &e->reply);
		e->str[K_SUBJECT] = xstrndup(buf_str(k), buf_len(k));
		free(v);
	}
	for (int a = K_CC; a < K_COUNT; a++) {
		static const char *const names[K_COUNT] = {
			[K_CC] = "Cc", [K_FROM] = "From", [K_TO] = "To",
			[K_DISPLAYFROM] = "From", [K_DISPLAYTO] = "To" };

		if (!st->want[a] || names[a] == NULL)
			continue;
		v = field(env, names[a]);
		buf_reset(k);
		imapmail_sort_address(v, strlen(v), a >= K_DISPLAYFROM, k);
		e->str[a] = xstrndup(buf_str(k), buf_len(k));
		free(v);
	}
	if (st->refs) {
		struct strv *ids = strv_new();

		v = field(env, "Message-ID");
		if (imapmail_sort_msgids(v, strlen(v), ids) > 0)
			e->msgid = xstrdup(ids->items[0]);
		free(v);
		e->refs = strv_new();
		header_refs(m, msg, e->refs);
		strv_clear(ids);
		v = field(env, "In-Reply-To");
		if (e->refs->len == 0 && imapmail_sort_msgids(v, strlen(v), ids) > 0)
			strv_add(e->refs, ids->items[0]);
		free(v);
		strv_free(&ids);
	}
out:
	buf_free(&env);
	buf_free(&k);
}

static const struct sorting *cmp_st;	/* for cmp: qsort has no context */

/* cmp - the criteria in turn, then the sequence number */
static int cmp(const void *pa, const void *pb)
{
	const struct entry *a = pa, *b = pb;

	for (size_t i = 0; i < cmp_st->len; i++) {
		enum key k = cmp_st->c[i].key;
		int r = 0;

		if (k == K_ARRIVAL)
			r = (a->arrival > b->arrival) - (a->arrival < b->arrival);
		else if (k == K_DATE)
			r = (a->sent > b->sent) - (a->sent < b->sent);
		else if (k == K_SIZE)
			r = (a->size > b->size) - (a->size < b->size);
		else
			r = strcmp(a->str[k], b->str[k]);
		if (r != 0)
			return cmp_st->c[i].reverse ? -r : r;
	}
	return (a->seq > b->seq) - (a->seq < b->seq);
}

/* program - the search program after the charset (args[0]): 0, or the
 * tagged answer sent */
static int program(struct imapmail *m, struct imap_cmd *c, const char *what,
		   struct imapmail_search **s)
{
	struct imap_arg *args = xcalloc(c->args_len + 1, sizeof(*args));
	struct buf *why = buf_new(0);
	int rc;

	args[0] = (struct imap_arg){ .type = IMAP_ARG_ATOM, .str = (char *)"CHARSET", .len = 7 };
	memcpy(args + 1, c->args + 1, (c->args_len - 1) * sizeof(*args));
	if (c->args_len < 3) {
		rc = -1;
		buf_set(why, "Missing search parameters");
	} else {
		rc = imapmail_search_parse(args, c->args_len, s, why);
	}
	if (rc == 0 && imapmail_search_uses_saved(*s))
		imapmail_search_set_saved(*s, m->saved, m->n_saved);
	if (rc == -2)
		imapmail_tagged(m, "NO", "%s", buf_str(why));
	else if (rc < 0)
		imapmail_tagged(m, "BAD", "Error in IMAP command %s%s: %s", m->uid ? "UID " : "",
				what, buf_str(why));
	free(args);
	buf_free(&why);
	return rc;
}

/* entries - the hits of the program with their keys */
static struct entry *entries(struct imapmail *m, struct imapmail_search *s,
			     const struct sorting *st, size_t *n_r)
{
	uint32_t *hits = xcalloc(m->box->f->len + 1, sizeof(*hits));
	struct entry *e;
	size_t n;

	imapmail_cache_batch(m, true);
	n = imapmail_search_seqs(m, s, hits);
	e = xcalloc(n + 1, sizeof(*e));
	for (size_t k = 0; k < n; k++)
		fill(m, st, hits[k] - 1, &e[k]);
	imapmail_cache_batch(m, false);
	free(hits);
	*n_r = n;
	return e;
}

/* entries_free - the hits' keys */
static void entries_free(struct entry *e, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		for (int i = 0; i < K_COUNT; i++)
			free(e[k].str[i]);
		free(e[k].msgid);
		strv_free(&e[k].refs);
	}
	free(e);
}

/* imapmail_cmd_sort - SORT [RETURN (...)] (criteria) charset key...
 * (RETURN: ESORT, imapmail_esort.c) */
void imapmail_cmd_sort(struct imapmail *m, struct imap_cmd *c)
{
	struct sorting st = { .len = 0 };
	struct imapmail_search *s = NULL;
	struct buf *out = buf_new(256), *why = buf_new(0);
	struct entry *e;
	uint32_t *ids;
	unsigned ret;
	size_t n;

	if (!imapmail_esort_return(m, c, &ret))
		goto out;
	if (c->args_len < 1 || !criteria(&c->args[0], &st, why)) {
		imapmail_tagged(m, "BAD", "Error in IMAP command %sSORT: %s", m->uid ? "UID " : "",
				buf_len(why) ? buf_str(why) : "Invalid sort argument");
		goto out;
	}
	if (program(m, c, "SORT", &s) < 0)
		goto out;
	e = entries(m, s, &st, &n);
	cmp_st = &st;
	qsort(e, n, sizeof(*e), cmp);
	ids = xcalloc(n + 1, sizeof(*ids));
	for (size_t k = 0; k < n; k++)
		ids[k] = e[k].id;
	if (ret & IMAPMAIL_SEARCH_RET_SAVE)
		imapmail_search_save(m, ret, ids, n);
	if (ret == IMAPMAIL_SEARCH_RET_SAVE) {
		;	/* RFC 5182: SAVE alone answers nothing */
	} else if (ret) {
		imapmail_search_esearch(ret, c->tag, m->uid, ids, n, 0, out);
	} else {
		buf_cat(out, "* SORT");
		for (size_t k = 0; k < n; k++)
			buf_printf(out, " %u", ids[k]);
		buf_cat(out, "\r\n");
	}
	free(ids);
	stream_write(m->s, buf_str(out), buf_len(out));
	entries_free(e, n);
	imapmail_tagged(m, "OK", "Sort completed.");
out:
	imapmail_search_free(&s);
	buf_free(&out);
	buf_free(&why);
}

/* imapmail_cmd_thread - THREAD algorithm charset key... */
void imapmail_cmd_thread(struct imapmail *m, struct imap_cmd *c)
{
	struct sorting st = { .len = 0 };
	struct imapmail_search *s = NULL;
	struct imapmail_thread_msg *t;
	struct buf *out = buf_new(256);
	struct entry *e;
	size_t n;

	if (c->args_len < 1 || c->args[0].type != IMAP_ARG_ATOM) {
		imapmail_tagged(m, "BAD", "Error in IMAP command %sTHREAD: Invalid thread algorithm",
				m->uid ? "UID " : "");
		goto out;
	}
	if (strcasecmp(c->args[0].str, "REFERENCES") == 0) {
		st.refs = true;
	} else if (strcasecmp(c->args[0].str, "ORDEREDSUBJECT") != 0) {
		imapmail_tagged(m, "BAD", "Error in IMAP command %sTHREAD: Unknown thread algorithm",
				m->uid ? "UID " : "");
		goto out;
	}
	if (program(m, c, "THREAD", &s) < 0)
		goto out;
	st.want[K_DATE] = st.want[K_SUBJECT] = true;
	e = entries(m, s, &st, &n);
	t = xcalloc(n + 1, sizeof(*t));
	for (size_t k = 0; k < n; k++)
		t[k] = (struct imapmail_thread_msg){
			.seq = e[k].seq, .id = e[k].id, .sent = e[k].sent,
			.subject = e[k].str[K_SUBJECT], .reply = e[k].reply,
			.msgid = e[k].msgid, .refs = e[k].refs };
	buf_cat(out, "* THREAD ");
	imapmail_thread_write(t, n, st.refs, out);
	buf_cat(out, "\r\n");
	stream_write(m->s, buf_str(out), buf_len(out));
	free(t);
	entries_free(e, n);
	imapmail_tagged(m, "OK", "Thread completed.");
out:
	imapmail_search_free(&s);
	buf_free(&out);
}
