/* imapmail_cmd_fetch - FETCH and UID FETCH (RFC 9051 6.4.5): the items
 * are parsed once, then each message's answer is built and sent in
 * turn.  What comes from the index (UID, FLAGS, INTERNALDATE,
 * RFC822.SIZE) needs no file; ENVELOPE and BODY/BODYSTRUCTURE come from
 * the index's cache (imapmail_parts.c), the file opened only to fill it,
 * the ENVELOPEs read ahead a chunk at a time (imapmail_fetch_ahead.c);
 * sections are
 * read from the file (opened without following a link) by
 * imapmail_render.  A section fetched without .PEEK sets \Seen
 * (read-write folders), and the answer then carries FLAGS too. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "imap_date.h"
#include "imap_seqset.h"
#include "imapmail.h"
#include "imapmail_render.h"
#include "log.h"
#include "mem.h"

enum item_kind { I_UID, I_FLAGS, I_INTERNALDATE, I_SIZE, I_MODSEQ, I_ENVELOPE, I_BODY,
		 I_BODYSTRUCTURE, I_SECTION };
enum { ITEMS_MAX = 64, AHEAD_CHUNK = 512 };

struct item {
	enum item_kind kind;
	struct imapmail_section sec;	/* I_SECTION */
};

struct fetch {
	struct item items[ITEMS_MAX];
	size_t len;
	bool seen;			/* some item sets \Seen */
	bool parts;			/* some item needs the MIME structure */
	bool sections;			/* some item reads the file (BODY[...]) */
	bool structure;			/* BODY or BODYSTRUCTURE */
	bool envelope;			/* ENVELOPE */
	bool lean;			/* the cached lean header answers every
					 * section (imapmail_hdrcache.c); starts
					 * true */
	bool flags;			/* FLAGS was asked for */
	bool modseq_item;		/* MODSEQ was (RFC 7162 3.1.4.1) */
	bool changedsince;		/* (CHANGEDSINCE modseq) */
	bool vanished;			/* (... VANISHED), RFC 7162 3.2.6 */
	uint64_t modseq;
	struct buf *why;		/* a bad item: why */
};

/* add - one item (once); false when there are too many */
static bool add(struct fetch *f, enum item_kind kind)
{
	for (size_t i = 0; kind != I_SECTION && i < f->len; i++)
		if (f->items[i].kind == kind)
			return true;
	if (f->len == ITEMS_MAX)
		return false;
	f->items[f->len++] = (struct item){ .kind = kind };
	f->parts = f->parts || kind >= I_ENVELOPE;
	f->sections = f->sections || kind == I_SECTION;
	f->structure = f->structure || kind == I_BODY || kind == I_BODYSTRUCTURE;
	f->envelope = f->envelope || kind == I_ENVELOPE;
	f->flags = f->flags || kind == I_FLAGS;
	f->modseq_item = f->modseq_item || kind == I_MODSEQ;
	return true;
}

/* section - BODY[...], BINARY[...], RFC822.* through imapmail_render */
static bool section(struct fetch *f, const char *a)
{
	if (!add(f, I_SECTION))
		return false;
	if (imapmail_section_parse(a, &f->items[f->len - 1].sec, f->why) < 0) {
		f->len--;
		return false;
	}
	f->seen = f->seen || f->items[f->len - 1].sec.seen;
	f->lean = f->lean && imapmail_hdrcache_covers(&f->items[f->len - 1].sec);
	return true;
}

/* item - one attribute of the request into f; false: not one we know */
static bool item(struct fetch *f, const char *a)
{
	static const struct { const char *name; enum item_kind kind; } simple[] = {
		{ "UID", I_UID }, { "FLAGS", I_FLAGS }, { "INTERNALDATE", I_INTERNALDATE },
		{ "RFC822.SIZE", I_SIZE }, { "ENVELOPE", I_ENVELOPE }, { "BODY", I_BODY },
		{ "BODYSTRUCTURE", I_BODYSTRUCTURE }, { "MODSEQ", I_MODSEQ } };

	for (size_t i = 0; i < sizeof(simple) / sizeof(simple[0]); i++)
		if (strcasecmp(a, simple[i].name) == 0)
			return add(f, simple[i].kind);
	if (strcasecmp(a, "FAST") == 0)
		return item(f, "FLAGS") && item(f, "INTERNALDATE") && item(f, "RFC822.SIZE");
	if (strcasecmp(a, "ALL") == 0)
		return item(f, "FAST") && item(f, "ENVELOPE");
	if (strcasecmp(a, "FULL") == 0)
		return item(f, "ALL") && item(f, "BODY");
	return section(f, a);
}

/* modifiers - (CHANGEDSINCE modseq [VANISHED]) after the items (RFC
 * 7162 3.1.4, 3.2.6) */
static bool modifiers(struct imapmail *m, const struct imap_arg *a, struct fetch *f)
{
	if (a->type != IMAP_ARG_LIST)
		return false;
	for (size_t i = 0; i < a->list_len; i++) {
		const struct imap_arg *p = &a->list[i];

		if (imap_arg_atom_is(p, "CHANGEDSINCE") && i + 1 < a->list_len &&
		    imap_arg_number64(&p[1], &f->modseq)) {
			f->changedsince = true;
			i++;
		} else if (imap_arg_atom_is(p, "VANISHED")) {
			f->vanished = true;
		} else {
			buf_set(f->why, "Invalid FETCH modifiers");
			return false;
		}
	}
	if (f->vanished && (!m->uid || !m->qresync || !f->changedsince)) {	/* Dovecot's words */
		buf_set(f->why, !m->uid ? "Unknown FETCH modifier." : !m->qresync ?
			"QRESYNC not enabled." : "VANISHED used without CHANGEDSINCE");
		return false;
	}
	return true;
}

/* parse - the item or list of items after the set, and the modifiers */
static bool parse(struct imapmail *m, const struct imap_cmd *c, struct fetch *f)
{
	const struct imap_arg *a = &c->args[1];
	size_t n = 1;

	if (c->args_len != 2 && (c->args_len != 3 || !modifiers(m, &c->args[2], f)))
		return false;
	if (a->type == IMAP_ARG_LIST) {
		n = a->list_len;
		a = a->list;
	}
	if (m->uid)
		(void)add(f, I_UID);
	for (size_t i = 0; i < n; i++)
		if (a[i].type != IMAP_ARG_ATOM || !item(f, a[i].str))
			return false;
	if (f->changedsince)		/* RFC 7162 3.1.4.1: MODSEQ is implied */
		(void)add(f, I_MODSEQ);
	return n > 0;
}

/* internaldate - "06-Dec-2026 20:30:01 +0000", the server's zone */
static void internaldate(time_t t, struct buf *out)
{
	buf_putc(out, '"');
	imap_date_time_format_local(t, out);
	buf_putc(out, '"');
}

/* what one message's items are made from */
struct src {
	int fd;				/* the file, or -1 */
	const struct mime_parts *p;	/* its parts, or NULL */
	const struct buf *env;		/* its envelope fields (with p) */
	const struct buf *hdr;		/* its cached lean header, or NULL */
	const struct imapmail_ahead *ahead;	/* ENVELOPEs read ahead */
	size_t j;			/* the message's place in ahead */
};

/* envelope - "ENVELOPE (...)" of message i */
static int envelope(struct imapmail *m, const struct src *src, size_t i, struct buf *out)
{
	buf_cat(out, "ENVELOPE ");
	if (src->p) {
		imapmail_envelope_write(buf_str(src->env), buf_len(src->env), out);
		return IMAPMAIL_RENDER_OK;
	}
	return imapmail_ahead_envelope(m, src->ahead, src->j, &m->box->f->msgs[i], out)
	       ? IMAPMAIL_RENDER_OK : IMAPMAIL_RENDER_ERROR;
}

/* one_item - item k of message i into out: IMAPMAIL_RENDER_OK, or why not */
static int one_item(struct imapmail *m, const struct item *it, size_t i, const struct src *src,
		    struct buf *out)
{
	const struct mime_parts *p = src->p;
	const struct buf *hdr = src->hdr;
	int fd = src->fd;
	const struct mail_index_msg *msg = &m->box->f->msgs[i];
	struct buf *why;
	int rc;

	switch (it->kind) {
	case I_UID:
		buf_printf(out, "UID %u", msg->uid);
		return IMAPMAIL_RENDER_OK;
	case I_FLAGS:
		imapmail_box_flags(m, i, out);
		return IMAPMAIL_RENDER_OK;
	case I_INTERNALDATE:
		buf_cat(out, "INTERNALDATE ");
		internaldate(msg->date, out);
		return IMAPMAIL_RENDER_OK;
	case I_SIZE:
		buf_printf(out, "RFC822.SIZE %lld", (long long)imapmail_msg_vsize(m, msg));
		return IMAPMAIL_RENDER_OK;
	case I_MODSEQ:
		buf_printf(out, "MODSEQ (%llu)", (unsigned long long)msg->modseq);
		return IMAPMAIL_RENDER_OK;
	case I_ENVELOPE:
		return envelope(m, src, i, out);
	case I_BODY:
	case I_BODYSTRUCTURE:
		buf_cat(out, it->kind == I_BODY ? "BODY " : "BODYSTRUCTURE ");
		imapmail_bodystructure_write(p, 0, it->kind == I_BODYSTRUCTURE, out);
		return IMAPMAIL_RENDER_OK;
	case I_SECTION:
		if (hdr == NULL)
			break;
		imapmail_section_write_fields(buf_str(hdr), buf_len(hdr), &it->sec, out);
		return IMAPMAIL_RENDER_OK;
	}
	why = buf_new(0);
	if ((rc = imapmail_section_write(fd, p, &it->sec, out, why)) == IMAPMAIL_RENDER_ERROR)
		log_warn("user %s: %s uid %u: %s", m->user, m->box->name, msg->uid, buf_str(why));
	buf_free(&why);
	return rc;
}

/* one - the FETCH answer for message i into out: IMAPMAIL_RENDER_OK, or
 * _ERROR (the file is gone or unreadable), _UNKNOWN_CTE, _PARSE */
static int one(struct imapmail *m, const struct fetch *f, size_t i, bool seen_now,
	       const struct imapmail_ahead *ahead, size_t j, struct buf *out)
{
	const struct mail_index_msg *msg = &m->box->f->msgs[i];
	struct mime_parts *p = NULL;
	struct buf *env = buf_new(256), *hdr = NULL;
	int fd = -1, rc = IMAPMAIL_RENDER_OK;

	/* ENVELOPE and BODYSTRUCTURE alone come from the cache: the file is
	 * opened only to fill it (imapmail_parts), or for a section that the
	 * cached lean header cannot answer */
	if (f->sections && f->lean && !imapmail_hdrcache_get(m, msg, (hdr = buf_new(1024))))
		buf_free(&hdr);
	if (f->sections && hdr == NULL)
		fd = imapmail_msg_open(m, msg);
	if ((f->structure || (f->sections && hdr == NULL)) &&
	    ((f->sections && hdr == NULL && fd < 0) || (p = imapmail_parts(m, msg, fd, env)) == NULL))
		rc = IMAPMAIL_RENDER_ERROR;
	buf_printf(out, "* %zu FETCH (", i + 1);
	if (seen_now && !f->flags) {	/* as Dovecot: the new flags first */
		imapmail_box_flags(m, i, out);
		buf_putc(out, ' ');
		if (m->condstore && !f->modseq_item)
			buf_printf(out, "MODSEQ (%llu) ", (unsigned long long)msg->modseq);
	}
	for (size_t k = 0; rc == IMAPMAIL_RENDER_OK && k < f->len; k++) {
		if (k)
			buf_putc(out, ' ');
		rc = one_item(m, &f->items[k], i, &(struct src){ .fd = fd, .p = p, .env = env,
					.hdr = hdr, .ahead = ahead, .j = j }, out);
	}
	buf_cat(out, ")\r\n");
	if (fd >= 0)
		close(fd);
	mime_parts_free(&p);
	buf_free(&env);
	buf_free(&hdr);
	return rc;
}

/* set_seen - the messages a non-PEEK body fetch reads get \Seen first;
 * changed[k] says whether message idx[k] had it before.  Under
 * CONDSTORE the index is synced for their new MODSEQs (places stay) */
static void set_seen(struct imapmail *m, const size_t *idx, size_t n, bool *changed)
{
	bool any = false;

	for (size_t k = 0; k < n; k++) {
		const struct mail_index_msg *msg = &m->box->f->msgs[idx[k]];
		char flags[MAILDIR_FLAGS_MAX + 1];

		if (strchr(msg->flags, 'S'))
			continue;
		snprintf(flags, sizeof(flags), "%sS", msg->flags);
		changed[k] = imapmail_flags_set(m, idx[k], flags) > 0;
		any = any || changed[k];
	}
	if (any && m->condstore)
		(void)imapmail_box_sync(m, false);
}

/* vanished - UID FETCH's VANISHED modifier: the set's UIDs expunged
 * after modseq */
static void vanished(struct imapmail *m, const char *set, uint64_t modseq)
{
	struct imap_seqset *uids;

	if (imap_seqset_parse(set, &uids) < 0)
		return;
	imapmail_vanished_earlier(m, modseq, uids);
	imap_seqset_free(&uids);
}

/* imapmail_cmd_fetch - FETCH set items */
void imapmail_cmd_fetch(struct imapmail *m, struct imap_cmd *c)
{
	struct fetch f = { .why = buf_new(0), .lean = true };
	struct imapmail_ahead ahead = { 0 };
	struct buf *out = buf_new(4096);
	size_t *idx = NULL, n = 0, gone = 0;
	int bad = 0;
	bool *changed = NULL;

	if (c->args_len < 1 || c->args[0].type != IMAP_ARG_ATOM ||
	    imapmail_box_seqset(m, c->args[0].str, &idx, &n) < 0) {
		imapmail_tagged(m, "BAD", "Error in IMAP command FETCH: Invalid messageset.");
		goto out;
	}
	if (!parse(m, c, &f)) {
		imapmail_tagged(m, "BAD", "Error in IMAP command %sFETCH: %s", m->uid ? "UID " : "",
				buf_len(f.why) ? buf_str(f.why) : "Invalid arguments.");
		goto out;
	}
	if (f.modseq_item)
		imapmail_condstore_enable(m);
	if (f.vanished)
		vanished(m, c->args[0].str, f.modseq);
	changed = xcalloc(n + 1, sizeof(*changed));
	if (f.seen && !m->box->readonly)
		set_seen(m, idx, n, changed);
	imapmail_cache_batch(m, true);
	for (size_t k = 0; k < n && m->s->state == STREAM_OK && bad == 0; k++) {
		int rc;

		if (f.envelope && !f.structure && k % AHEAD_CHUNK == 0)
			imapmail_ahead_read(m, &ahead, idx + k, n - k < AHEAD_CHUNK ? n - k : AHEAD_CHUNK);
		if (f.changedsince && m->box->f->msgs[idx[k]].modseq <= f.modseq)
			continue;
		buf_reset(out);
		if ((rc = one(m, &f, idx[k], changed[k], &ahead, k % AHEAD_CHUNK, out)) ==
		    IMAPMAIL_RENDER_ERROR)
			gone++;
		if (rc != IMAPMAIL_RENDER_OK) {
			bad = rc == IMAPMAIL_RENDER_ERROR ? 0 : rc;
			continue;
		}
		stream_write(m->s, buf_str(out), buf_len(out));
		if (stream_pending(m->s) == 0 && buf_len(m->s->out) >= 65536)
			(void)stream_flush(m->s);
	}
	imapmail_cache_batch(m, false);
	m->n_fetch++;
	if (bad == IMAPMAIL_RENDER_UNKNOWN_CTE)	/* RFC 3516 4.3 */
		imapmail_tagged(m, "NO", "[UNKNOWN-CTE] Unknown Content-Transfer-Encoding.");
	else if (bad == IMAPMAIL_RENDER_PARSE)
		imapmail_tagged(m, "NO", "[PARSE] Invalid data in MIME part");
	else if (gone)
		imapmail_tagged(m, "NO", "Some messages were not found or could not be read.");
	else
		imapmail_tagged(m, "OK", "Fetch completed.");
out:
	for (size_t k = 0; k < f.len; k++)
		if (f.items[k].kind == I_SECTION)
			imapmail_section_clear(&f.items[k].sec);
	buf_free(&f.why);
	free(changed);
	free(idx);
	imapmail_ahead_free(&ahead);
	buf_free(&out);
}
